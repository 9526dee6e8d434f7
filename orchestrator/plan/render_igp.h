#pragma once

#include <string>

#include "model/lab.h"

namespace anylab {

// Inside an AS of several routers, an IGP (`defaults.igp`) carries each
// router's loopback and the links inside the AS, so that iBGP runs between
// loopbacks and next hops resolve. FRR's ospfd or isisd reads a file of its
// own, as bfdd does: every daemon reads the file it is given whole, and
// another daemon's block would end its configuration at the block's `exit`.

// The IGP's daemon ("ospfd", "isisd") and its configuration file.
std::string igp_daemon(Igp igp);
std::string igp_config_file(Igp igp);

// ospfd.conf or isisd.conf for a router with a loopback: point-to-point
// adjacencies on its links to AS-mates (hello 1 s, dead after 3 s, as the
// lab's BGP timers), the loopback passive, SPF run at once on a change.
std::string render_igp(const Lab& lab, const Node& router);

// ospf6d.conf, OSPFv3 for IPv6 beside ospfd in a lab that carries IPv6:
// the same adjacencies, timers and passive loopback.
std::string render_ospf6(const Lab& lab, const Node& router);

// IS-IS's NET for a router ID: area 49.0001, the system ID its twelve
// digits (198.19.0.1 -> 49.0001.1980.1900.0001.00).
std::string isis_net(const IpAddress& router_id);

}  // namespace anylab
