#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/mrt.h"
#include "model/lab.h"

namespace anylab {

// A router's `background:`: a feeder peer announcing a table of other
// routes. The feeder is GoBGP (Debian's gobgpd), run inside the router's own
// node, so that it needs no node, link or container of its own on any
// runtime: a veth pair of the node's (feed0, the router's end, and feed1,
// the feeder's) carries an eBGP session between them, and the feeder
// replays an MRT RIB dump into it (`gobgp mrt inject global`): the lab's
// file, or one anylab writes of synthetic routes.
//
// The routes' next hop is set, on the way in, to an address of feed0's
// subnet that no one holds: every route resolves (zebra installs the whole
// table in the kernel, as a router does), none is ever used, and the feeder
// learns nothing back. The lab's own prefixes (its services', its links')
// and a default route are never taken from the feeder.
inline constexpr const char* kFeedRouterInterface = "feed0";
inline constexpr const char* kFeederInterface = "feed1";
inline constexpr IpPrefix kFeedSubnet{IpAddress::v4(0xC613FFF8u), 29};        // 198.19.255.248/29
inline constexpr IpPrefix kFeedRouterAddress{IpAddress::v4(0xC613FFF9u), 29};  // 198.19.255.249/29 on feed0
inline constexpr IpPrefix kFeederAddress{IpAddress::v4(0xC613FFFAu), 32};      // 198.19.255.250/32 on feed1
inline constexpr IpAddress kFeedNextHop = IpAddress::v4(0xC613FFFEu);          // 198.19.255.254: no one's
inline constexpr const char* kFeederConfig = "feeder.toml";
inline constexpr const char* kFeederSocket = "feeder.sock";
// Written by the feeder's injector once GoBGP holds the whole dump: its
// `gobgp global rib summary`.
inline constexpr const char* kFeederDone = "background.done";

bool has_background(const Node& r);
bool lab_has_background(const Lab& lab);

// The feeder's AS: 4200000000 (private, RFC 6996), or the next one no node
// of the lab has.
uint32_t feeder_asn(const Lab& lab);

// `routes` synthetic IPv4 prefixes, the same for the same seed: lengths in
// the mix of the Internet's table (/24 over half of them), laid out from
// 1.0.0.0 up, never in private, reserved or documentation space nor over
// `avoid`; AS paths of 1 to 8 ASes (mostly 3 or 4: a tier-1, transits, the
// origin), no AS of `lab_asns` in them (a router would drop the route as a
// loop).
std::vector<mrt::Route> synthetic_routes(uint32_t routes, uint32_t seed, const std::vector<IpPrefix>& avoid,
                                         const std::vector<uint32_t>& lab_asns);

// What the lab's routes must never come from the feeder for: its services'
// prefixes, its links' and loopbacks' addresses.
std::vector<IpPrefix> lab_prefixes(const Lab& lab);

// The dump a router's feeder replays: the lab's MRT file, or synthetic
// routes; rendered when first read (FileText).
FileText background_dump(const Lab& lab, const Node& r);
// How many IPv4 routes that is, and what, for plans and reports: "100000
// synthetic routes (seed 1)", "912345 routes from rib.mrt".
size_t dump_routes(const Node& r);
std::string background_text(const Node& r);
// What the router takes in of them: the dump's routes less those its filter
// (the lab's own prefixes, a default route) and its AS-path loop check drop.
size_t background_accepted(const Lab& lab, const Node& r);
std::vector<IpPrefix> never_from_feeder(const Lab& lab);

// gobgpd's configuration: the feeder's AS and router ID, the router as its
// one neighbor over feed1, no listening port (bgpd has 179).
std::string render_feeder(const Lab& lab, const Node& r);
// The feeder's process: gobgpd in the shell's place (its pid is recorded),
// and beside it, until GoBGP answers, then once, the injector of the dump,
// which writes kFeederDone when GoBGP holds it all.
std::vector<std::string> feeder_argv(const Node& r);

// frr.conf's lines for the feeder: the neighbor under `router bgp`, its
// IPv4 unicast lines, and its route-maps and prefix-list.
std::vector<std::string> feeder_neighbor_lines(const Lab& lab, const Node& r);
std::vector<std::string> feeder_address_family_lines(const Node& r);
std::string feeder_route_maps(const Lab& lab, const Node& r);

}  // namespace anylab
