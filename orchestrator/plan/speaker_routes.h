#pragma once

// The words of anylab's control channel (ExaBGP's API: "announce route P
// next-hop self as-path [ ... ] med M community [ ... ]") as BIRD 2 static
// routes and as GoBGP's `gobgp global rib add` arguments. The plan renders a
// BIRD instance's routes at deploy with it, and anylab-speaker-relay (which
// compiles this file too) on every change: one control language for every
// speaker. Standard C++ only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anylab {

// The files of a BIRD or GoBGP instance's directory that the plan renders or
// names and the relay uses: spelled here only.
inline constexpr const char* kControlFifo = "control.fifo";
inline constexpr const char* kBirdSocket = "bird.ctl";
inline constexpr const char* kGobgpSocket = "gobgp.sock";
inline const char* bird_routes_name(bool ipv6) { return ipv6 ? "anycast6.conf" : "anycast4.conf"; }

struct SpeakerRoute {
  std::string prefix;                // "192.0.2.0/24"
  std::vector<std::string> as_path;  // the whole path sent, the speaker's own AS first; empty: just it
  std::optional<uint32_t> med;
  std::vector<std::string> communities;  // "65000:100", "no-export"
  bool ipv6() const { return prefix.find(':') != std::string::npos; }
  bool operator==(const SpeakerRoute&) const = default;
};

// "route 192.0.2.0/24 next-hop self ...": what exabgp_route writes; nullopt
// for anything else.
std::optional<SpeakerRoute> parse_speaker_route(std::string_view words);

// One line of a BIRD static protocol: the route to the loopback, where the
// service's addresses are, with the path, MED and communities as
// attributes. BIRD puts its own AS in front of the path on eBGP export, so
// the static route carries the rest of the path.
std::string bird_static_route(const SpeakerRoute& route);

// The file a BIRD instance's static protocol of one family includes: every
// route of that family, in the order given.
std::string bird_routes_file(const std::vector<SpeakerRoute>& routes, bool ipv6);

// What follows `gobgp global rib add` for the route: "-a ipv4 P origin igp
// aspath A,B med M community C,D". GoBGP too puts its own AS in front on
// eBGP export, and the next hop is its session's address.
std::vector<std::string> gobgp_route_args(const SpeakerRoute& route);

}  // namespace anylab
