#include "app/inspect.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "plan/render_frr.h"
#include "runtime/journal.h"
#include "runtime/process.h"
#include "runtime/rpki.h"
#include "runtime/status.h"

namespace anylab {

namespace {

void add_node(LabSnapshot& s, const Lab& lab, const Node& n, const std::vector<JournalEntry>& entries) {
  LabSnapshot::NodeState state{n.name, std::string(to_string(n.kind)), n.netns};
  for (const JournalEntry& e : entries)
    if (e.kind == JournalEntry::Kind::kProcess && e.node == n.name)
      state.processes.push_back({e.name, e.pid, same_process(e.pid, e.start_time)});
  s.nodes.push_back(std::move(state));
  if (n.kind == NodeKind::kRouter)
    for (const SessionStatus& b : bgp_sessions(n))
      s.sessions.push_back({b.router, b.peer_node, b.peer_address, b.state.empty() ? "unknown" : b.state});
  if (validates_rpki(n)) {
    const RtrStatus r = rtr_status(n);
    s.rpki.push_back({r.router, n.spec->rpki->value, r.cache, r.state.empty() ? "unknown" : r.state, r.vrps});
  }
  if (n.kind == NodeKind::kClient)
    for (const ServiceSpec& sv : lab.spec.services)
      for (Family f : sv.families()) {
        const ClientAnswer a = probe(lab, n, sv, f, std::chrono::milliseconds(500));
        s.clients.push_back({n.name, sv.name.value, std::string(to_string(f)), a.instance});
      }
}

}  // namespace

std::optional<LabSnapshot> inspect_lab(const Lab& lab) {
  const auto entries = Journal::read(lab.paths.runtime_root, lab.name);
  if (entries.empty()) return std::nullopt;
  LabSnapshot s{lab.name, lab.runtime};
  for (const Node& n : lab.nodes) add_node(s, lab, n, entries);
  return s;
}

std::string snapshot_json(const LabSnapshot& s) {
  using nlohmann::json;
  json j = {{"lab", s.lab}, {"runtime", s.runtime}, {"nodes", json::array()}, {"sessions", json::array()},
            {"clients", json::array()}};
  for (const auto& n : s.nodes) {
    json procs = json::array();
    for (const auto& p : n.processes) procs.push_back({{"name", p.name}, {"pid", p.pid}, {"running", p.running}});
    j["nodes"].push_back({{"name", n.name}, {"kind", n.kind}, {"netns", n.netns}, {"processes", procs}});
  }
  for (const auto& b : s.sessions)
    j["sessions"].push_back({{"router", b.router}, {"peer", b.peer}, {"address", b.address}, {"state", b.state}});
  for (const auto& r : s.rpki)
    j["rpki"].push_back({{"router", r.router}, {"mode", r.mode}, {"cache", r.cache}, {"state", r.state},
                         {"vrps", r.vrps ? json(*r.vrps) : json(nullptr)}});
  for (const auto& c : s.clients)
    j["clients"].push_back({{"client", c.client}, {"service", c.service}, {"family", c.family},
                            {"instance", c.instance ? json(*c.instance) : json(nullptr)}});
  return j.dump(2);
}

}  // namespace anylab
