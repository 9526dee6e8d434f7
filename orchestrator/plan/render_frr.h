#pragma once

#include <string>

#include "model/lab.h"

namespace anylab {

// frr.conf for one router: eBGP to every linked router and instance, the
// lab's timers, fast connect retry, no route-map delay, BFD where both ends
// ask for it, then the user's own `frr:` lines.
std::string render_frr(const Lab& lab, const Node& router);

// Whether the node runs bfdd: it asks for BFD and a peer does too.
bool uses_bfd(const Node& node);

// bfdd.conf for a node that uses BFD: anylab's profile (100 ms x 3). On an
// instance, where ExaBGP speaks no BFD, FRR's bfdd runs beside it (without
// zebra) with a single-hop peer for each of its routers that has BFD; the
// routers tear the BGP session down when it goes silent.
std::string render_bfdd(const Lab& lab, const Node& node);

}  // namespace anylab
