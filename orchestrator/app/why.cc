#include "app/why.h"

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/frr_vty.h"
#include "runtime/process.h"
#include "runtime/status.h"

namespace anylab {
namespace {

using json = nlohmann::json;
constexpr int kMostHops = 64;

// The node an address belongs to (an interface's, or a loopback's), or "".
std::string owner(const Lab& lab, const std::string& address) {
  const auto owners = lab.address_owners();
  const auto it = owners.find(address);
  return it == owners.end() ? "" : it->second;
}

std::string named(const Lab& lab, const std::string& address) {
  const std::string who = owner(lab, address);
  return who.empty() ? address : fmt::format("{} ({})", who, address);
}

// The node's forwarding decision for the address: the kernel's own (`ip
// route get`, run in the node's network namespace).
std::expected<json, Error> route_get(const Node& n, const IpAddress& address) {
  ProcessSpec spec{.netns = n.netns,
                   .argv = {"ip", "-j", address.family == Family::kIpv6 ? "-6" : "-4", "route", "get", address.str()},
                   .env = {}, .log_file = ""};
  const RunOutput out = run_command(spec, "", std::chrono::seconds(5));
  if (out.end != RunOutput::End::kExited || out.exit_code != 0)
    return fail(fmt::format("{}: ip route get {}: {}", n.name, address.str(), out.how()));
  const json j = json::parse(out.out, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) return json::object();
  return j[0];
}

// A router's paths to the prefix, the best first, and FRR's reason for it.
void bgp_paths(const Lab& lab, const Node& n, const IpPrefix& prefix, WhyHop& hop) {
  const auto answer = frr_vty(n.netns, "bgpd",
                              fmt::format("show bgp {} unicast {} json", to_string(prefix.family()), prefix.str()));
  const json j = answer ? json::parse(*answer, nullptr, false) : json();
  if (!j.is_object()) {
    hop.note = "its bgpd does not answer";
    return;
  }
  for (const json& p : j.value("paths", json::array())) {
    WhyPath w;
    const json nexthops = p.value("nexthops", json::array());
    const std::string ip = nexthops.empty() ? "" : nexthops[0].value("ip", "");
    w.via = ip.empty() || ip == "0.0.0.0" || ip == "::" ? "itself" : named(lab, ip);
    w.as_path = p.contains("aspath") ? p["aspath"].value("string", "") : "";
    w.origin = p.value("origin", "");
    if (p.contains("locPrf")) w.local_pref = p["locPrf"].get<uint32_t>();
    if (p.contains("metric")) w.med = p["metric"].get<uint32_t>();
    w.multipath = p.value("multipath", false);
    const json best = p.value("bestpath", json::object());
    w.best = best.value("overall", false);
    if (w.best) hop.reason = best.value("selectionReason", "");
    hop.paths.insert(w.best ? hop.paths.begin() : hop.paths.end(), w);
  }
  if (hop.paths.empty()) hop.note = "no BGP path to " + prefix.str();
}

// One hop: where the node sends the address, and whether the walk goes on.
bool step(const Lab& lab, const Node& n, const WhyAnswer& w, WhyHop& hop) {
  if (n.kind == NodeKind::kRouter) bgp_paths(lab, n, w.prefix, hop);
  const auto route = route_get(n, w.address);
  if (!route) {
    hop.note = route.error().message;
    return false;
  }
  if (route->value("type", "") == "local" || route->value("dev", "") == "lo") {
    hop.note = "the service address is its own: it answers";
    return false;
  }
  if (route->empty()) {
    hop.note = "no route to " + w.address.str();
    return false;
  }
  hop.interface = route->value("dev", "");
  hop.gateway = route->value("gateway", "");
  // An IPv6 next hop is often the neighbour's link-local address, which
  // no plan holds: then it is the one node at the link's other end.
  for (const Interface& i : n.interfaces)
    if (i.name == hop.interface) {
      hop.next = hop.gateway.empty() ? i.peer_node : owner(lab, hop.gateway);
      if (hop.next.empty() && hop.gateway.starts_with("fe80:")) hop.next = i.peer_node;
    }
  if (hop.next.empty()) hop.note = "the next hop is no node of the lab";
  return !hop.next.empty();
}

std::string path_text(const WhyPath& p) {
  std::string out = "via " + p.via + " as-path " + (p.as_path.empty() ? "(empty)" : p.as_path);
  if (p.local_pref) out += fmt::format(", local-pref {}", *p.local_pref);
  if (p.med) out += fmt::format(", med {}", *p.med);
  if (!p.origin.empty() && p.origin != "IGP") out += ", origin " + p.origin;
  return out;
}

}  // namespace

std::expected<WhyAnswer, Error> explain(const Lab& lab, const std::string& client, const std::optional<std::string>& service,
                                    const std::optional<std::string>& family) {
  auto names = [&](auto&& pick) {
    std::string out;
    for (const Node& n : lab.nodes)
      if (pick(n)) out += (out.empty() ? "" : ", ") + n.name;
    return out;
  };
  const Node* c = lab.find(client);
  if (!c || c->kind != NodeKind::kClient)
    return fail(fmt::format("\"{}\" is no client of lab {}: give one of {}", client, lab.name,
                            names([](const Node& n) { return n.kind == NodeKind::kClient; })));
  const ServiceSpec* sv = service ? lab.spec.find_service(*service) : &lab.spec.services.front();
  if (!sv) {
    std::string all;
    for (const ServiceSpec& s : lab.spec.services) all += (all.empty() ? "" : ", ") + s.name.value;
    return fail(fmt::format("lab {} has no service \"{}\": give --service one of {}", lab.name, *service, all));
  }
  const std::optional<Family> f = family ? parse_family(*family) : std::optional(sv->families().front());
  if (!f || !sv->has(*f))
    return fail(fmt::format("service {} has no {} address: leave --family out, or give {}", sv->name.value,
                            family.value_or("such"), to_string(sv->families().front())));
  WhyAnswer w{.client = client, .service = sv->name.value, .family = *f, .address = *sv->address(*f),
              .prefix = *sv->prefix(*f), .answered_by = std::nullopt, .hops = {}};
  std::set<std::string> seen;
  for (const Node* n = c; n && w.hops.size() < kMostHops; n = lab.find(w.hops.back().next)) {
    w.hops.push_back({.node = n->name, .kind = n->kind});
    if (!seen.insert(n->name).second) {
      w.hops.back().note = "a forwarding loop: it was here before";
      break;
    }
    if (!step(lab, *n, w, w.hops.back())) break;
  }
  // Asked after the walk: a path that ends elsewhere was changing under it.
  w.answered_by = probe(lab, *c, *sv, *f, std::chrono::milliseconds(500)).instance;
  WhyHop& last = w.hops.back();
  if (last.kind == NodeKind::kInstance && w.answered_by != last.node)
    last.note += fmt::format(" (but a probe just after was answered by {}: the lab's routes are changing; ask again)",
                             w.answered_by.value_or("nobody"));
  return w;
}

std::string why_text(const WhyAnswer& w) {
  std::string out = fmt::format("{} -> {} ({}, {}): answered by {}\n", w.client, w.service, w.address.str(),
                                to_string(w.family), w.answered_by.value_or("NOBODY"));
  for (size_t k = 0; k < w.hops.size(); ++k) {
    const WhyHop& h = w.hops[k];
    out += fmt::format("  {:>2}  {:<16}", k + 1, h.node);
    if (!h.next.empty())
      out += fmt::format(" -> {} via {}{}", h.next, h.interface, h.gateway.empty() ? "" : " " + h.gateway);
    out += h.note.empty() ? "\n" : (h.next.empty() ? " " : "; ") + h.note + "\n";
    for (const WhyPath& p : h.paths) {
      std::string why_best;
      if (p.best)
        why_best = h.paths.size() == 1 ? "  (best: the only path)"
                                       : fmt::format("  (best of {}: decided by {})", h.paths.size(),
                                                     h.reason.empty() ? "FRR's order" : h.reason);
      out += fmt::format("        {} {}{}{}\n", p.best ? "*" : p.multipath ? "=" : " ", path_text(p),
                         p.multipath && !p.best ? "  (multipath)" : "", why_best);
    }
  }
  return out;
}

}  // namespace anylab
