#include "plan/render_policy.h"

#include <fmt/format.h>

namespace anylab {
namespace {

// One route-map per neighbor and direction, so that clearing one policy
// leaves the others.
std::string map_name(const BgpNeighbor& peer, bool in) {
  return fmt::format("ANYLAB-{}-{}", in ? "IN" : "OUT", peer.node);
}

bool touches_in(const PolicyStep& p) { return p.local_pref.has_value(); }
bool touches_out(const PolicyStep& p) { return p.med || p.prepend; }

std::vector<std::string> soft_clears(const BgpNeighbor& peer, const PolicyStep& p) {
  std::vector<std::string> out;
  if (touches_in(p)) out.push_back(fmt::format("clear bgp {} unicast {} soft in", to_string(peer.family()), peer.address.str()));
  if (touches_out(p)) out.push_back(fmt::format("clear bgp {} unicast {} soft out", to_string(peer.family()), peer.address.str()));
  return out;
}

}  // namespace

FrrChange policy_change(const Node& n, const BgpNeighbor& peer, const PolicyStep& p) {
  FrrChange c;
  auto& lines = c.config;
  if (touches_in(p)) {
    lines.push_back(fmt::format("route-map {} permit 10", map_name(peer, true)));
    lines.push_back(fmt::format("set local-preference {}", *p.local_pref));
    lines.push_back("exit");
  }
  if (touches_out(p)) {
    lines.push_back(fmt::format("route-map {} permit 10", map_name(peer, false)));
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
  lines = {fmt::format("router bgp {}", n.asn), fmt::format("address-family {} unicast", to_string(peer.family()))};
  if (touches_in(p))
    lines.push_back(fmt::format("no neighbor {} route-map {} in", peer.address.str(), map_name(peer, true)));
  if (touches_out(p))
    lines.push_back(fmt::format("no neighbor {} route-map {} out", peer.address.str(), map_name(peer, false)));
  lines.push_back("exit-address-family");
  lines.push_back("exit");
  if (touches_in(p)) lines.push_back(fmt::format("no route-map {}", map_name(peer, true)));
  if (touches_out(p)) lines.push_back(fmt::format("no route-map {}", map_name(peer, false)));
  c.then = soft_clears(peer, p);
  return c;
}

}  // namespace anylab
