// BGP events on a running lab: sessions shut down and enabled, policy
// changed, and an instance's announcements, through each router's bgpd vty
// socket or an instance's ExaBGP.
#include <fmt/format.h>

#include "plan/render_exabgp.h"
#include "core/error.h"
#include "plan/render_policy.h"
#include "runtime/events.h"

namespace anylab {
namespace {

// The sessions toward a peer: one per family the link carries.
std::vector<const BgpNeighbor*> neighbors_toward(const Node& n, const std::string& peer) {
  std::vector<const BgpNeighbor*> out;
  for (const BgpNeighbor& nb : n.neighbors)
    if (nb.node == peer) out.push_back(&nb);
  return out;
}

Action configure(const Node& n, std::vector<std::string> lines, std::vector<std::string> then, std::string why) {
  return {ConfigureFrr{n.netns, "bgpd", std::move(lines), std::move(then)}, n.name, std::move(why)};
}

}  // namespace

// A policy change (or removal) toward every session to the peer, in one
// configuration: both families move together.
LabEvents::Result LabEvents::configure_policy(const Node& n, const PolicyStep& p, bool apply) const {
  if (p.leak) {
    // Cleared at the end of the scenario: valley-free as deployed.
    FrrChange c = leak_change(n, apply && p.leak->value);
    return carry_out({configure(n, std::move(c.config), std::move(c.then), "route leak")});
  }
  const auto nbs = p.peer ? neighbors_toward(n, p.peer->value) : std::vector<const BgpNeighbor*>{};
  if (nbs.empty())
    return fail(
        Error::input(fmt::format("{} has no BGP session toward \"{}\"", n.name, p.peer ? p.peer->value : "")));
  FrrChange all;
  for (const BgpNeighbor* nb : nbs) {
    const FrrChange c = apply ? policy_change(n, *nb, p) : policy_removal(n, *nb, p);
    all.config.insert(all.config.end(), c.config.begin(), c.config.end());
    all.then.insert(all.then.end(), c.then.begin(), c.then.end());
  }
  return carry_out({configure(n, std::move(all.config), std::move(all.then), "policy")});
}

// An instance announces what it announces at rest (the service prefixes and
// its more-specifics) with these attributes.
LabEvents::Result LabEvents::reannounce(const Node& i, const RouteAttributes& attributes) const {
  std::vector<std::string> commands;
  for (const auto& p : i.service->prefixes) commands.push_back("announce " + exabgp_route(i, p.value.str(), attributes));
  for (const auto& p : i.spec->announce.more_specifics)
    commands.push_back("announce " + exabgp_route(i, p.value.str(), attributes));
  return exabgp(i.name, commands);
}

LabEvents::Result LabEvents::exabgp(const std::string& instance, const std::vector<std::string>& commands) const {
  auto n = node(instance);
  if (!n) return fail(n.error());
  if ((*n)->kind != NodeKind::kInstance)
    return fail(Error::input(fmt::format("lab {} has no instance \"{}\"", lab_.name, instance)));
  std::vector<Action> actions;
  for (const std::string& c : commands) actions.push_back({SendToExabgp{control_fifo(**n), c}, instance, "announcements"});
  return carry_out(actions);
}

LabEvents::Result LabEvents::set_bgp_session(const std::string& a, const std::string& b, bool up) const {
  std::vector<Action> actions;
  for (const auto& [self, peer] : {std::pair{a, b}, std::pair{b, a}}) {
    auto n = node(self);
    if (!n) return fail(n.error());
    if ((*n)->kind != NodeKind::kRouter) continue;
    const auto nbs = neighbors_toward(**n, peer);
    if (nbs.empty()) continue;
    std::vector<std::string> config{fmt::format("router bgp {}", (*n)->asn)};
    for (const BgpNeighbor* nb : nbs)
      config.push_back(fmt::format("{}neighbor {} shutdown", up ? "no " : "", nb->address.str()));
    actions.push_back(configure(**n, std::move(config), {}, up ? "enable BGP" : "shut down BGP"));
  }
  if (actions.empty())
    return fail(
        Error::input(fmt::format("lab {} has no BGP session between \"{}\" and \"{}\"", lab_.name, a, b)));
  return carry_out(actions);
}

LabEvents::Result LabEvents::apply_policy(const PolicyStep& p) const {
  auto n = node(p.node.value);
  if (!n) return fail(n.error());
  if ((*n)->kind == NodeKind::kInstance) {
    RouteAttributes attributes = announce_attributes(**n);
    if (p.prepend) attributes.prepend = *p.prepend;
    if (p.med) attributes.med = *p.med;
    return reannounce(**n, attributes);
  }
  return configure_policy(**n, p, true);
}

LabEvents::Result LabEvents::clear_policy(const PolicyStep& p) const {
  auto n = node(p.node.value);
  if (!n) return fail(n.error());
  if ((*n)->kind == NodeKind::kInstance) return reannounce(**n, announce_attributes(**n));
  return configure_policy(**n, p, false);
}

}  // namespace anylab
