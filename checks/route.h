#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "evaluate.h"

namespace anylab::checks {

// A router's best path to a prefix, as FRR's `show ip bgp PREFIX json`
// gives it: the AS path and the BGP peer it was learned from.
struct BestPath {
  std::string as_path;  // "65002 64500"; "" for a route the router originates
  std::string peer;     // the peer's address ("0.0.0.0" for its own)
  std::string reason;   // why FRR preferred it ("AS Path", "Older Path", ...); "" if not given
  std::string rpki;     // its origin validation state: "valid", "invalid", "notfound"; "" when not validated
};

// The best path in FRR's JSON, or nullopt when the router has no route to
// the prefix (FRR answers "{}") or the text is not FRR's JSON.
std::optional<BestPath> best_path(std::string_view frr_json);

// Why FRR has no best path, for a failure to say: "FRR holds no path", or
// the paths it holds and why none is usable ("1 path, none usable: from
// 198.18.0.8, next hop inaccessible"). "" when it has a best path.
std::string no_best_path_note(std::string_view frr_json);

// `route`: the router has a best path to the prefix, learned from the peer
// named `via` (if given; `via_peer` is that neighbor's address) with exactly
// this AS path (if given). `peer_name` is the node the best path came from.
// A failure says what FRR chose it by; when that is the path's age, the
// winner depends on which session came up first, and it says so.
Verdict route(const std::optional<BestPath>& best, const std::string& peer_name,
              const std::optional<std::string>& via, const std::optional<std::string>& via_peer,
              const std::optional<std::string>& as_path);

// `route: {rpki: valid|invalid|notfound}`: the router's best path has this
// origin validation state, as the router says it.
Verdict route_rpki(const std::optional<BestPath>& best, const std::string& peer_name, const std::string& want);

// `route: {absent: true}`: the router has no route to the prefix at all;
// what it has instead, when it has one.
Verdict route_absent(const std::optional<BestPath>& best, const std::string& peer_name);

}  // namespace anylab::checks
