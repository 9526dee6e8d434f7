#pragma once

#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// frr.conf for one router: eBGP to every linked router and instance, the
// lab's timers, fast connect retry, no route-map delay, BFD where both ends
// ask for it, then the user's own `frr:` lines.
std::string render_frr(const Lab& lab, const Node& router);

// RPKI (`rpki: enforce | tag` on a router): each validating router runs
// its own StayRTR on its loopback, serving the lab's ROAs from vrps.json in
// the router's directory (seen the same on every runtime), and bgpd loads
// FRR's RPKI module and asks it.
inline constexpr const char* kStayRtr = "/usr/bin/stayrtr";
inline constexpr const char* kBgpdRpkiModule = "/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_rpki.so";
inline constexpr int kRtrPort = 8282;  // the RTR port, on 127.0.0.1; its metrics on the next
bool validates_rpki(const Node& node);
// StayRTR's cache file: {"roas": [{"prefix", "maxLength", "asn": "AS64500"}]}.
std::string render_vrps(const std::vector<Roa>& roas);
std::vector<std::string> stayrtr_argv(const Node& router);

// Resilient ECMP (`defaults.ecmp: {resilient: true}`): every router runs
// anylab-resilient-ecmp, which keeps a copy of zebra's routes to the service
// prefixes in a table of its own, looked up first, whose next hops form a
// resilient nexthop group (zebra installs BGP multipath as plain groups).
inline constexpr int kResilientTable = 4053;
inline constexpr int kResilientBuckets = 128;
std::vector<std::string> resilient_ecmp_argv(const Lab& lab);

// Whether the node runs FRR's bfdd: it asks for BFD and a peer does too (a
// BIRD instance speaks BFD itself).
bool uses_bfd(const Node& node);

// bfdd.conf for a node that uses BFD: anylab's profile (100 ms x 3). On an
// instance, where ExaBGP speaks no BFD, FRR's bfdd runs beside it (without
// zebra) with a single-hop peer for each of its routers that has BFD; the
// routers tear the BGP session down when it goes silent.
std::string render_bfdd(const Lab& lab, const Node& node);

}  // namespace anylab
