#include "generate/lab_text.h"

#include <fmt/format.h>

namespace anylab {
namespace {

// The most routers a generated lab gives the lab's fast timers (1 s / 3 s).
constexpr size_t kFastTimersUpTo = 100;

std::string nodes_text(const GeneratedLab& lab) {
  std::string out = "topology:\n  nodes:\n";
  for (const RouterGroup& g : lab.groups) {
    out += fmt::format("    # {}\n", g.comment);
    for (const Router& r : g.routers) out += fmt::format("    {}: {{kind: router, asn: {}}}\n", r.name, r.asn);
  }
  out += fmt::format("    # {}\n", lab.site_comment);
  for (const Attached& s : lab.sites) out += fmt::format("    {}: {{kind: instance, service: dns}}\n", s.name);
  out += fmt::format("    # {}\n", lab.user_comment);
  for (const Attached& u : lab.users) out += fmt::format("    {}: {{kind: client}}\n", u.name);
  return out;
}

std::string links_text(const GeneratedLab& lab) {
  std::string out = fmt::format("  links:\n    # {}\n", lab.peering_comment);
  for (const auto& [a, b] : lab.peerings) out += fmt::format("    - {{endpoints: [{}, {}], relation: p2p}}\n", a, b);
  out += fmt::format("    # {}\n", lab.transit_comment);
  for (const auto& [p, c] : lab.transit) out += fmt::format("    - {{endpoints: [{}, {}], relation: p2c}}\n", p, c);
  for (const Attached& s : lab.sites) out += fmt::format("    - [{}, {}]\n", s.router, s.name);
  for (const Attached& u : lab.users) out += fmt::format("    - [{}, {}]\n", u.name, u.router);
  return out;
}

std::string scenarios_text(const GeneratedLab& lab) {
  std::string out = "\nscenarios:\n  - name: baseline\n    description: Every client is answered by some site.\n    steps:\n";
  for (const Attached& u : lab.users)
    out += fmt::format("      - expect: {{client: {}, loss: {{at-most: 1%, over: 2s}}}}\n", u.name);
  if (lab.sites.size() < 2) return out;  // one site: nowhere to move to
  out += fmt::format("\n  - name: {}-fails\n    description: {}\n    steps:\n      - fail: {{node: {}, mode: crash}}\n",
                     lab.sites[0].name, lab.failure_description, lab.sites[0].name);
  for (const Attached& u : lab.users) out += fmt::format("      - expect: {{client: {}, max-outage: 10s}}\n", u.name);
  return out;
}

}  // namespace

std::string lab_text(const GeneratedLab& lab) {
  std::string out = lab.header;
  out += fmt::format("name: {}\ndescription: {}\n\n", lab.name, lab.description);
  size_t routers = 0;
  for (const RouterGroup& g : lab.groups) routers += g.routers.size();
  // Beyond a hundred routers, operators' usual timers: a 2-core machine's
  // CPUs stay busy for minutes while a thousand routers start, and 1 s / 3 s
  // sessions expire, flap and keep them busy (measured: 164 session drops
  // at one tier-1, never ready). A crash is noticed at once all the same:
  // its sessions close.
  out += routers > kFastTimersUpTo
             ? "defaults:\n  # 10 s / 30 s: at this size, 1 s / 3 s sessions expire while the routers start\n"
               "  bgp: {keepalive: 10, hold: 30}\n"
             : "defaults:\n  bgp: {keepalive: 1, hold: 3}\n";
  out += "  probe: {interval: 50ms, timeout: 200ms}\n  settle: 60s\n\n";
  out += fmt::format("services:\n  dns: {{prefix: 192.0.2.0/24, address: 192.0.2.53, asn: {}, probe: dns}}\n\n",
                     lab.service_asn);
  return out + nodes_text(lab) + links_text(lab) + scenarios_text(lab);
}

}  // namespace anylab
