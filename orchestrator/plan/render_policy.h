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

// Relationships (a link's `relation:`): on each session with one, the
// import route-map ANYLAB-IN-<peer> sets the local preference of its
// relation and marks the route with where it was learned, the large
// community <AS>:0:1 (customer), :2 (peer) or :3 (provider); toward a peer or
// a provider, ANYLAB-OUT-<peer> denies what carries :2 or :3 (valley-free:
// only its own routes and its customers' go up and sideways). Sequence 10 is
// the relationship's, 20 a policy step's, 30 lets the rest through.
bool has_relations(const Node& router);
// Origin validation enforced (`rpki: enforce`): every import map denies
// RPKI-invalid routes first (sequence 5).
// The community lists and route-maps of a router with relations or origin
// validation enforced ("" for one with neither), for frr.conf, and the
// lines that attach them to a session (in its address family).
std::string render_route_maps(const RelationPrefs& prefs, const Node& router);
std::vector<std::string> route_map_bindings(const Node& router, const BgpNeighbor& peer);
// Why a session has the policy it has, for the plan and frr.conf.
std::string relation_reason(const RelationPrefs& prefs, const Node& router, const BgpNeighbor& peer);
std::string route_map_name(const BgpNeighbor& peer, bool in);

// A policy step on a router toward one of its neighbors: local-pref on what
// it imports from the peer (route-map ANYLAB-IN-<peer>), MED and prepend on
// what it exports to it (ANYLAB-OUT-<peer>). Steps on one session add up: a
// later step changes only the attributes it names; `prepend: 0` removes the
// prepend.
FrrChange policy_change(const Node& router, const BgpNeighbor& peer, const PolicyStep& step);
// The deployed policy back: the route-maps the step used, detached and removed.
FrrChange policy_removal(const Node& router, const BgpNeighbor& peer, const PolicyStep& step);
// `leak: true` drops the valley-free filter toward every peer and provider
// (a route leak); `leak: false`, and the end of the scenario, put it back.
FrrChange leak_change(const Node& router, bool leak);

}  // namespace anylab
