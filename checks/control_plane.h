// The control plane through a scenario, and what one event cost it: the
// BGP UPDATE messages every router sent and received (FRR's own counters,
// per session), the routers whose best path to the service changed (the
// blast radius), how many times (path exploration), and when the last of
// them settled.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "timeline.h"

namespace anylab::checks {

// A router's best path to one prefix, first seen or changed: the watch saw
// FRR's version of the prefix move (bgpd bumps it whenever its best path,
// or that path's attributes, change). `path` is what it is now ("" for
// none), e.g. "via 10.0.0.2 as-path 65020 64500".
struct PathChange {
  Micros at{};  // when the watch saw it, on the scenario's clock
  std::string router, prefix, path;
  bool first = false;  // the watch's first look, not a change
};

// UPDATE messages over one session so far (a withdrawal is an UPDATE: RFC
// 4271 carries withdrawn routes in UPDATE messages).
struct UpdateCounts {
  uint64_t sent = 0, received = 0;
};
// Per router, per peer.
using SessionCounts = std::map<std::string, std::map<std::string, UpdateCounts>>;

// One router's share of an event's cost.
struct RouterCost {
  std::string router;
  // UPDATEs in the window; nullopt when the router's counters could not be
  // read at its end (its bgpd was down: crashed or frozen by the event).
  std::optional<uint64_t> sent{}, received{};
  int changes = 0;                      // best-path changes seen in the window
  std::optional<Micros> last_change{};  // the last of them, after the event
  std::string before{}, after{};        // its best paths, "prefix path; …"
};

struct EventCost {
  Micros from{}, until{};  // the window: the event's start to the next event, or the scenario's end
  Micros resolution{};     // the longest a change could go unseen: the watch's slowest round
  std::vector<RouterCost> routers{};  // every router, in lab order
  uint64_t sent() const;
  uint64_t received() const;
  int changed() const;  // routers whose best path changed: the blast radius
  int changes() const;  // every change: path exploration
  // The last change, after the event (0 for changes during it, e.g. a
  // flap's); nullopt when no router's best path changed.
  std::optional<Micros> settled{};
};

// What [from, until) cost, the event applied at `event` (from <= event).
// Counters read before the event and at `until`: a session's counter
// lower at the end than before was reset with its session (FRR counts
// anew), so its count is what it counted since; a session not read before
// (a router restored by the event) counts from zero.
EventCost event_cost(const std::vector<std::string>& routers, const std::vector<PathChange>& changes, Micros from,
                     Micros event, Micros until, const SessionCounts& before, const SessionCounts& after,
                     Micros resolution);

// UPDATEs sent in the window by `router` (every router if empty), from the
// counters read before the event and now.
uint64_t updates_sent(const SessionCounts& before, const SessionCounts& now, const std::string& router = "");

// The changes of [from, until) among `changes` (any router, any prefix of
// `prefixes`, every prefix when empty), first looks excluded.
std::vector<PathChange> changes_in(const std::vector<PathChange>& changes, Micros from, Micros until,
                                   const std::vector<std::string>& prefixes = {});

// A router's best path to a prefix, from FRR's `show bgp ipv4|ipv6 unicast
// PREFIX json`: the prefix's version (0 when not in the table) and "via
// NEXTHOP as-path PATH" (" +N multipath" when ECMP shares it; "" for no
// best path), and what decided it. nullopt for an answer that is not FRR's JSON.
struct PathSeen {
  uint64_t version = 0;
  std::string path{};
  std::string reason{};  // FRR's selectionReason for it: not part of the path (it changes as others come and go)
};
std::optional<PathSeen> parse_best_path(const std::string& frr_json);
// The path with its next hop named ("via edge-sin as-path ..." for "via
// 198.18.0.9 as-path ..."), when `node_of` knows the address.
std::string with_node_names(const std::string& path, const std::map<std::string, std::string>& node_of);

// Each session's UPDATE counters from FRR's `show bgp neighbors json`
// (messageStats), by peer; nullopt for an answer that is not FRR's JSON.
std::optional<std::map<std::string, UpdateCounts>> parse_update_counts(const std::string& frr_json);

// "14 UPDATEs sent, 14 received; 3 routers changed their best path (5
// changes); settled 0.420s after the event": an event's cost in a line.
std::string cost_text(const EventCost& c);

}  // namespace anylab::checks
