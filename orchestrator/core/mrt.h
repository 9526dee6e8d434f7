#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"

namespace anylab::mrt {

// MRT's TABLE_DUMP_V2 (RFC 6396): how route collectors (RouteViews, RIPE
// RIS) publish a RIB, and what GoBGP's `gobgp mrt inject global` replays.
// A dump is a PEER_INDEX_TABLE record naming the peers, then one
// RIB_IPV4_UNICAST or RIB_IPV6_UNICAST record per prefix, with one entry
// (a path) per peer that sent it.

// One IPv4 route as a dump holds it: the prefix and its AS path (4-octet
// ASNs, as TABLE_DUMP_V2 always writes them), the origin AS last.
struct Route {
  IpPrefix prefix;
  std::vector<uint32_t> as_path;
};

// A dump of one peer's IPv4 routes, each with ORIGIN IGP, its AS_PATH and
// NEXT_HOP `next_hop`: what a full table from one upstream looks like.
std::string write_rib(std::span<const Route> routes, uint32_t peer_as, IpAddress peer, IpAddress next_hop,
                      uint32_t timestamp);

// The dump with its first `count` RIB records written again at its end.
// GoBGP 3.10's `gobgp mrt inject` exits without closing its stream, so the
// server drops what it had not yet taken in, the last ~64 KB of records
// (osrg/gobgp d0992be3, fixed in GoBGP 4.0): repeats are what it may drop.
std::string with_repeated_head(std::string dump, size_t count);

// What a dump holds: its peers and the prefixes of each family. A record of
// another MRT type (BGP4MP updates, TABLE_DUMP v1) or a dump cut short is
// an error naming the byte where it is.
struct RibSummary {
  size_t peers = 0;
  size_t ipv4_prefixes = 0;
  size_t ipv6_prefixes = 0;
};
std::expected<RibSummary, std::string> read_rib(std::string_view dump);

// The dump's IPv4 routes, each prefix with the path of its first entry (what
// `gobgp mrt inject --only-best` takes); a dump read_rib accepted.
std::vector<Route> ipv4_first_paths(std::string_view dump);

}  // namespace anylab::mrt
