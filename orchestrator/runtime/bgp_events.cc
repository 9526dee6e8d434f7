// BGP events on a running lab: sessions shut down and enabled, and policy
// changed, through each router's bgpd vty socket (or an instance's ExaBGP).
#include <fmt/format.h>

#include "plan/render_exabgp.h"
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

const BgpNeighbor* neighbor_toward(const Node& n, const std::string& peer) {
  for (const BgpNeighbor& nb : n.neighbors)
    if (nb.node == peer) return &nb;
  return nullptr;
}

// Route-map names: one per neighbor and direction, so that clearing one
// policy leaves the others.
std::string map_name(const std::string& peer, bool in) { return fmt::format("ANYLAB-{}-{}", in ? "IN" : "OUT", peer); }

// An instance announces what it announces at rest (the service prefix and
// its more-specifics) with these attributes.
std::expected<void, std::string> reannounce(const Node& i, const RouteAttributes& attributes) {
  std::vector<std::string> prefixes{i.service->prefix.value.str()};
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
    const BgpNeighbor* nb = neighbor_toward(n, peer);
    if (!nb) continue;
    any = true;
    auto r = frr_configure(n.netns, "bgpd", {fmt::format("router bgp {}", n.asn),
                                            fmt::format("{}neighbor {} shutdown", up ? "no " : "", nb->address.str())});
    if (!r) return r;
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
  const BgpNeighbor* nb = p.peer ? neighbor_toward(n, p.peer->value) : nullptr;
  if (!nb) return std::unexpected(fmt::format("{} has no BGP session toward \"{}\"", n.name, p.peer ? p.peer->value : ""));
  // Import policy (local-pref) on what comes from the peer; export policy
  // (MED, prepend) on what goes to it. FRR re-evaluates the routes at once:
  // the lab's route-map delay-timer is 0.
  std::vector<std::string> lines;
  if (p.local_pref) {
    lines.push_back(fmt::format("route-map {} permit 10", map_name(nb->node, true)));
    lines.push_back(fmt::format("set local-preference {}", *p.local_pref));
    lines.push_back("exit");
  }
  if (p.med || p.prepend) {
    lines.push_back(fmt::format("route-map {} permit 10", map_name(nb->node, false)));
    if (p.med) lines.push_back(fmt::format("set metric {}", *p.med));
    if (p.prepend) {
      std::string path;
      for (int i = 0; i < *p.prepend; ++i) path += (i ? " " : "") + std::to_string(n.asn);
      lines.push_back("set as-path prepend " + path);
    }
    lines.push_back("exit");
  }
  lines.push_back(fmt::format("router bgp {}", n.asn));
  lines.push_back("address-family ipv4 unicast");
  if (p.local_pref) lines.push_back(fmt::format("neighbor {} route-map {} in", nb->address.str(), map_name(nb->node, true)));
  if (p.med || p.prepend)
    lines.push_back(fmt::format("neighbor {} route-map {} out", nb->address.str(), map_name(nb->node, false)));
  return frr_configure(n.netns, "bgpd", lines);
}

std::expected<void, std::string> clear_policy(const Lab& lab, const PolicyStep& p) {
  const Node& n = node_named(lab, p.node.value);
  if (n.kind == NodeKind::kInstance) return reannounce(n, announce_attributes(n));
  const BgpNeighbor* nb = p.peer ? neighbor_toward(n, p.peer->value) : nullptr;
  if (!nb) return std::unexpected(fmt::format("{} has no BGP session toward \"{}\"", n.name, p.peer ? p.peer->value : ""));
  std::vector<std::string> lines{fmt::format("router bgp {}", n.asn), "address-family ipv4 unicast"};
  if (p.local_pref) lines.push_back(fmt::format("no neighbor {} route-map {} in", nb->address.str(), map_name(nb->node, true)));
  if (p.med || p.prepend)
    lines.push_back(fmt::format("no neighbor {} route-map {} out", nb->address.str(), map_name(nb->node, false)));
  lines.push_back("exit-address-family");
  lines.push_back("exit");
  if (p.local_pref) lines.push_back(fmt::format("no route-map {}", map_name(nb->node, true)));
  if (p.med || p.prepend) lines.push_back(fmt::format("no route-map {}", map_name(nb->node, false)));
  return frr_configure(n.netns, "bgpd", lines);
}

}  // namespace anylab
