// The lab file's semantic checks: the order they run in (load/checker.h).
#include "load/semantic_checks.h"

#include <fmt/format.h>

#include "load/checker.h"
#include "model/reach.h"

namespace anylab {
namespace load_detail {

std::string a(NodeKind k) { return fmt::format("{} {}", k == NodeKind::kInstance ? "an" : "a", to_string(k)); }

void Checker::run() {
  check_timers(spec_.defaults.keepalive, spec_.defaults.hold, spec_.defaults.bgp_mark);
  if (spec_.defaults.probe_interval.count() == 0) d_.error({}, "defaults.probe.interval must be more than 0ms");
  if (const auto& e = spec_.defaults.ecmp; e && e->resilient && e->paths < 2)
    d_.error(e->resilient_mark, "ecmp resilient: true keeps flows on their paths when one of several goes, and paths: 1 "
                                "installs one: raise paths, or drop resilient");
  for (const ServiceSpec& s : spec_.services) check_service(s);
  for (const NodeSpec& n : spec_.nodes) check_node(n);
  for (const LinkSpec& l : spec_.links) check_link(l);
  check_provider_cycles();
  check_autonomous_systems();
  check_attachments();
  if (spec_.rpki)
    for (const Roa& r : spec_.rpki->roas) check_roa(r);
  check_clients_in_reach();
  for (const ScenarioSpec& sc : spec_.scenarios)
    for (const StepSpec& st : sc.steps) std::visit([&](const auto& a) { check(st, a); }, st.action);
}

// nullopt when no path joins them (another check says so).
std::optional<size_t> Checker::routers_between(const std::string& client, const std::string& instance) {
  auto [it, fresh] = reach_.try_emplace(client);
  if (fresh) it->second = routers_from(spec_, client);
  auto found = it->second.find(instance);
  if (found == it->second.end()) return std::nullopt;
  return found->second;
}

}  // namespace load_detail

void check_semantics(const LabSpec& spec, Diagnostics& diagnostics) { load_detail::Checker(spec, diagnostics).run(); }

}  // namespace anylab
