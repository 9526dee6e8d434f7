#include "plan/render_policy.h"

#include <algorithm>

#include <fmt/format.h>

namespace anylab {
namespace {

std::string map_name(const BgpNeighbor& peer, bool in) { return route_map_name(peer, in); }

// Whether the deployed config has the map (a relationship's, or origin
// validation's on the way in): a step then adds its entry (20) after the
// deployed ones and removes only that; otherwise the map is the step's own.
bool deployed_map(const Node& r, const BgpNeighbor& peer, bool in) {
  return peer.relation != Relation::kNone || (in && r.spec && r.spec->enforces_rpki());
}
int step_sequence(const Node& r, const BgpNeighbor& peer, bool in) { return deployed_map(r, peer, in) ? 20 : 10; }

int marker(Relation r) { return r == Relation::kCustomer ? 1 : r == Relation::kPeer ? 2 : 3; }

bool exports_filtered(const BgpNeighbor& peer) {
  return peer.relation == Relation::kPeer || peer.relation == Relation::kProvider;
}

constexpr const char* kUpAndSideways = "ANYLAB-FROM-PEER-OR-PROVIDER";

bool touches_in(const PolicyStep& p) { return p.local_pref.has_value(); }
bool touches_out(const PolicyStep& p) { return p.med || p.prepend; }

std::vector<std::string> soft_clears(const BgpNeighbor& peer, const PolicyStep& p) {
  std::vector<std::string> out;
  if (touches_in(p)) out.push_back(fmt::format("clear bgp {} unicast {} soft in", to_string(peer.family()), peer.address.str()));
  if (touches_out(p)) out.push_back(fmt::format("clear bgp {} unicast {} soft out", to_string(peer.family()), peer.address.str()));
  return out;
}

}  // namespace

// One route-map per neighbor and direction, so that clearing one policy
// leaves the others.
std::string route_map_name(const BgpNeighbor& peer, bool in) {
  return fmt::format("ANYLAB-{}-{}", in ? "IN" : "OUT", peer.node);
}

bool has_relations(const Node& r) {
  return r.kind == NodeKind::kRouter &&
         std::any_of(r.neighbors.begin(), r.neighbors.end(), [](const BgpNeighbor& n) { return n.relation != Relation::kNone; });
}

std::string relation_reason(const RelationPrefs& prefs, const Node& r, const BgpNeighbor& peer) {
  if (peer.relation == Relation::kNone) return fmt::format("{} has no relation to {}: everything in and out", peer.node, r.name);
  return fmt::format("{} is {}'s {}: local-pref {}, marked {}:0:{}; {}", peer.node, r.name, to_string(peer.relation),
                     prefs.of(peer.relation), r.asn, marker(peer.relation),
                     exports_filtered(peer) ? fmt::format("gets only {}'s own routes and its customers'", r.name)
                                            : std::string("gets every route"));
}

std::string render_route_maps(const RelationPrefs& prefs, const Node& r) {
  const bool enforce = r.spec && r.spec->enforces_rpki();
  if (!has_relations(r) && !enforce) return "";
  std::string out;
  auto line = [&out](std::string_view s) { (out += s) += '\n'; };
  if (has_relations(r)) {
    line("! Relationships: local preference customer > peer > provider; routes learned from a peer");
    line("! or a provider go only to customers (valley-free).");
    for (int m : {2, 3}) line(fmt::format("bgp large-community-list standard {} permit {}:0:{}", kUpAndSideways, r.asn, m));
  }
  if (enforce) line("! Origin validation enforced: RPKI-invalid routes are dropped on the way in.");
  std::vector<std::string> done;  // one pair of maps per peer node, for both families
  for (const BgpNeighbor& n : r.neighbors) {
    if (!deployed_map(r, n, true) || std::find(done.begin(), done.end(), n.node) != done.end()) continue;
    done.push_back(n.node);
    if (n.relation != Relation::kNone) line(fmt::format("! {}", relation_reason(prefs, r, n)));
    if (enforce) {
      line(fmt::format("route-map {} deny 5", map_name(n, true)));
      line(" match rpki invalid");
      line("exit");
    }
    if (n.relation != Relation::kNone) {
      line(fmt::format("route-map {} permit 10", map_name(n, true)));
      line(fmt::format(" set local-preference {}", prefs.of(n.relation)));
      line(fmt::format(" set large-community {}:0:{} additive", r.asn, marker(n.relation)));
      line(" on-match next");
      line("exit");
    }
    line(fmt::format("route-map {} permit 30", map_name(n, true)));
    line("exit");
    if (!deployed_map(r, n, false)) continue;
    if (exports_filtered(n)) {
      line(fmt::format("route-map {} deny 10", map_name(n, false)));
      line(fmt::format(" match large-community {}", kUpAndSideways));
      line("exit");
    }
    line(fmt::format("route-map {} permit 30", map_name(n, false)));
    line("exit");
  }
  line("!");
  return out;
}

std::vector<std::string> route_map_bindings(const Node& r, const BgpNeighbor& n) {
  std::vector<std::string> out;
  for (bool in : {true, false})
    if (deployed_map(r, n, in))
      out.push_back(fmt::format("neighbor {} route-map {} {}", n.address.str(), route_map_name(n, in), in ? "in" : "out"));
  return out;
}

FrrChange leak_change(const Node& r, bool leak) {
  FrrChange c;
  std::vector<std::string> changed;  // both families' sessions share the peer's map: change it once
  for (const BgpNeighbor& n : r.neighbors) {
    if (!exports_filtered(n)) continue;
    if (std::find(changed.begin(), changed.end(), n.node) == changed.end()) {
      changed.push_back(n.node);
      if (leak) {
        c.config.push_back(fmt::format("no route-map {} deny 10", map_name(n, false)));
      } else {
        c.config.push_back(fmt::format("route-map {} deny 10", map_name(n, false)));
        c.config.push_back(fmt::format("match large-community {}", kUpAndSideways));
        c.config.push_back("exit");
      }
    }
    c.then.push_back(fmt::format("clear bgp {} unicast {} soft out", to_string(n.family()), n.address.str()));
  }
  return c;
}

FrrChange policy_change(const Node& n, const BgpNeighbor& peer, const PolicyStep& p) {
  FrrChange c;
  auto& lines = c.config;
  if (touches_in(p)) {
    lines.push_back(fmt::format("route-map {} permit {}", map_name(peer, true), step_sequence(n, peer, true)));
    lines.push_back(fmt::format("set local-preference {}", *p.local_pref));
    lines.push_back("exit");
  }
  if (touches_out(p)) {
    lines.push_back(fmt::format("route-map {} permit {}", map_name(peer, false), step_sequence(n, peer, false)));
    if (p.med) lines.push_back(fmt::format("set metric {}", *p.med));
    if (p.prepend && *p.prepend == 0) {
      lines.push_back("no set as-path prepend");
    } else if (p.prepend) {
      std::string path;
      for (int i = 0; i < *p.prepend; ++i) path += (i ? " " : "") + std::to_string(n.asn);
      lines.push_back("set as-path prepend " + path);
    }
    lines.push_back("exit");
  }
  lines.push_back(fmt::format("router bgp {}", n.asn));
  lines.push_back(fmt::format("address-family {} unicast", to_string(peer.family())));
  if (touches_in(p))
    lines.push_back(fmt::format("neighbor {} route-map {} in", peer.address.str(), map_name(peer, true)));
  if (touches_out(p))
    lines.push_back(fmt::format("neighbor {} route-map {} out", peer.address.str(), map_name(peer, false)));
  // Back to the top: the change toward the peer's other session follows.
  lines.push_back("exit-address-family");
  lines.push_back("exit");
  c.then = soft_clears(peer, p);
  return c;
}

FrrChange policy_removal(const Node& n, const BgpNeighbor& peer, const PolicyStep& p) {
  FrrChange c;
  auto& lines = c.config;
  // A deployed map stays, with its own entries: only the step's goes. A map
  // that was the step's own is detached and removed.
  std::vector<bool> own;
  for (bool in : {true, false}) {
    if (!(in ? touches_in(p) : touches_out(p))) continue;
    if (deployed_map(n, peer, in))
      lines.push_back(fmt::format("no route-map {} permit {}", map_name(peer, in), step_sequence(n, peer, in)));
    else
      own.push_back(in);
  }
  if (!own.empty()) {
    lines.push_back(fmt::format("router bgp {}", n.asn));
    lines.push_back(fmt::format("address-family {} unicast", to_string(peer.family())));
    for (bool in : own)
      lines.push_back(fmt::format("no neighbor {} route-map {} {}", peer.address.str(), map_name(peer, in), in ? "in" : "out"));
    lines.push_back("exit-address-family");
    lines.push_back("exit");
    for (bool in : own) lines.push_back(fmt::format("no route-map {}", map_name(peer, in)));
  }
  c.then = soft_clears(peer, p);
  return c;
}

}  // namespace anylab
