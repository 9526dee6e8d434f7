#pragma once

#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// A change to a running bgpd: configuration lines, then the exec commands
// that make it take effect (FRR re-runs routes when a route-map is attached
// to a neighbor, not when an attached one is edited or detached, so every
// change ends with a soft clear toward the peer in the direction it touched).
struct FrrChange {
  std::vector<std::string> config;
  std::vector<std::string> then;
};

// A policy step on a router toward one of its neighbors: local-pref on what
// it imports from the peer (route-map ANYLAB-IN-<peer>), MED and prepend on
// what it exports to it (ANYLAB-OUT-<peer>). Steps on one session add up: a
// later step changes only the attributes it names; `prepend: 0` removes the
// prepend.
FrrChange policy_change(const Node& router, const BgpNeighbor& peer, const PolicyStep& step);
// The deployed policy back: the route-maps the step used, detached and removed.
FrrChange policy_removal(const Node& router, const BgpNeighbor& peer, const PolicyStep& step);

}  // namespace anylab
