// BGP events on a running lab: sessions shut down and enabled, and policy
// changed, through each router's bgpd vty socket (or an instance's ExaBGP).
#include <fmt/format.h>

#include "plan/render_exabgp.h"
#include "plan/render_policy.h"
#include "runtime/events.h"
#include "runtime/exabgp_control.h"
#include "runtime/frr_vty.h"

namespace anylab {
namespace {

const Node& node_named(const Lab& lab, const std::string& name) {
  const Node* n = lab.find(name);
  if (!n) throw std::invalid_argument(fmt::format("lab {} has no node \"{}\"", lab.name, name));
  return *n;
}

// The sessions toward a peer: one per family the link carries.
std::vector<const BgpNeighbor*> neighbors_toward(const Node& n, const std::string& peer) {
  std::vector<const BgpNeighbor*> out;
  for (const BgpNeighbor& nb : n.neighbors)
    if (nb.node == peer) out.push_back(&nb);
  return out;
}

// A policy change (or removal) toward every session to the peer, in one
// configuration: both families move together.
std::expected<void, std::string> configure_policy(const Node& n, const PolicyStep& p, bool apply) {
  if (p.leak) {
    // Cleared at the end of the scenario: valley-free as deployed.
    const FrrChange c = leak_change(n, apply && p.leak->value);
    return frr_configure(n.netns, "bgpd", c.config, c.then);
  }
  const auto nbs = p.peer ? neighbors_toward(n, p.peer->value) : std::vector<const BgpNeighbor*>{};
  if (nbs.empty())
    return std::unexpected(fmt::format("{} has no BGP session toward \"{}\"", n.name, p.peer ? p.peer->value : ""));
  FrrChange all;
  for (const BgpNeighbor* nb : nbs) {
    const FrrChange c = apply ? policy_change(n, *nb, p) : policy_removal(n, *nb, p);
    all.config.insert(all.config.end(), c.config.begin(), c.config.end());
    all.then.insert(all.then.end(), c.then.begin(), c.then.end());
  }
  return frr_configure(n.netns, "bgpd", all.config, all.then);
}

// An instance announces what it announces at rest (the service prefixes and
// its more-specifics) with these attributes.
std::expected<void, std::string> reannounce(const Node& i, const RouteAttributes& attributes) {
  std::vector<std::string> prefixes;
  for (const auto& p : i.service->prefixes) prefixes.push_back(p.value.str());
  for (const auto& p : i.spec->announce.more_specifics) prefixes.push_back(p.value.str());
  for (const std::string& p : prefixes)
    if (auto r = exabgp_send(i, "announce " + exabgp_route(i, p, attributes)); !r) return r;
  return {};
}

}  // namespace

std::expected<void, std::string> set_bgp_session(const Lab& lab, const std::string& a, const std::string& b, bool up) {
  bool any = false;
  for (const auto& [self, peer] : {std::pair{a, b}, std::pair{b, a}}) {
    const Node& n = node_named(lab, self);
    if (n.kind != NodeKind::kRouter) continue;
    const auto nbs = neighbors_toward(n, peer);
    if (nbs.empty()) continue;
    any = true;
    std::vector<std::string> config{fmt::format("router bgp {}", n.asn)};
    for (const BgpNeighbor* nb : nbs)
      config.push_back(fmt::format("{}neighbor {} shutdown", up ? "no " : "", nb->address.str()));
    if (auto r = frr_configure(n.netns, "bgpd", config); !r) return r;
  }
  if (!any) return std::unexpected(fmt::format("lab {} has no BGP session between \"{}\" and \"{}\"", lab.name, a, b));
  return {};
}

std::expected<void, std::string> apply_policy(const Lab& lab, const PolicyStep& p) {
  const Node& n = node_named(lab, p.node.value);
  if (n.kind == NodeKind::kInstance) {
    RouteAttributes attributes = announce_attributes(n);
    if (p.prepend) attributes.prepend = *p.prepend;
    if (p.med) attributes.med = *p.med;
    return reannounce(n, attributes);
  }
  return configure_policy(n, p, true);
}

std::expected<void, std::string> clear_policy(const Lab& lab, const PolicyStep& p) {
  const Node& n = node_named(lab, p.node.value);
  if (n.kind == NodeKind::kInstance) return reannounce(n, announce_attributes(n));
  return configure_policy(n, p, false);
}

}  // namespace anylab
