#include "runtime/events.h"

#include <signal.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "plan/plan.h"
#include "runtime/executor.h"
#include "runtime/journal.h"
#include "runtime/runtimes.h"
#include "runtime/process.h"

namespace anylab {
namespace {

const Node* node_of(const Lab& lab, const std::string& name) {
  const Node* n = lab.find(name);
  if (!n) throw std::invalid_argument(fmt::format("lab {} has no node \"{}\"", lab.name, name));
  return n;
}

// The newest journal entry of each of the node's processes, by name.
std::map<std::string, JournalEntry> recorded(const Lab& lab, const std::string& node) {
  std::map<std::string, JournalEntry> out;
  for (const JournalEntry& e : Journal::read(lab.paths.runtime_root, lab.name))
    if (e.kind == JournalEntry::Kind::kProcess && e.node == node) out[e.name] = e;
  return out;
}

}  // namespace

// Every link between the two: with parallel links, cutting one would leave
// traffic on the others and a max-outage measured over nothing.
std::expected<void, std::string> set_link(const Lab& lab, const std::string& a, const std::string& b, bool up) {
  const std::vector<const Link*> links = lab.links_between(a, b);
  if (links.empty()) return std::unexpected(fmt::format("lab {} has no link between \"{}\" and \"{}\"", lab.name, a, b));
  for (const Link* l : links)
    for (const auto& [node, ifname] : {std::pair{l->a_node, l->a_interface}, std::pair{l->b_node, l->b_interface}}) {
      RunOutput r = run_command(
          {"", {"ip", "-n", node_of(lab, node)->netns, "link", "set", ifname, up ? "up" : "down"}, {}, ""});
      if (r.exit_code != 0) return std::unexpected(fmt::format("cannot set {}:{} {}", node, ifname, up ? "up" : "down"));
    }
  if (!up) return {};
  // The kernel deleted the routes through the links when they went down (an
  // instance's default route among them); put the two nodes' back, or an
  // instance receives probes and cannot answer.
  std::vector<Action> routes;
  for (const Action& act : plan_deploy(lab))
    if (std::holds_alternative<AddRoute>(act.what) && (act.node == a || act.node == b)) routes.push_back(act);
  auto backend = runtime_of(lab).backend(lab);
  return Executor(*backend, nullptr).run(routes);
}

std::expected<void, std::string> fail_node(const Lab& lab, const std::string& name, FailMode mode) {
  const Node& n = *node_of(lab, name);
  if (mode == FailMode::kService) {
    auto procs = recorded(lab, name);
    auto it = procs.find("responder");
    if (it == procs.end() || !same_process(it->second.pid, it->second.start_time))
      return std::unexpected(fmt::format("{} has no running responder", name));
    ::kill(it->second.pid, SIGKILL);
    return {};
  }
  const NodeRuntime& rt = runtime_of(lab);
  return mode == FailMode::kCrash ? rt.kill_all(n) : rt.freeze(n);
}

std::expected<void, std::string> restore_node(const Lab& lab, const std::string& name) {
  const Node& n = *node_of(lab, name);
  runtime_of(lab).thaw(n);
  const auto procs = recorded(lab, name);
  std::vector<Action> again;
  for (const Action& a : plan_deploy(lab)) {
    if (a.node != name) continue;
    if (const auto* s = std::get_if<StartProcess>(&a.what)) {
      auto it = procs.find(s->name);
      if (it == procs.end() || !same_process(it->second.pid, it->second.start_time)) again.push_back(a);
    } else if (std::holds_alternative<WaitForSocket>(a.what)) {
      again.push_back(a);  // kept only if a daemon after it starts again, below
    }
  }
  // The wait for zebra matters only when bgpd (or bfdd) starts again.
  const bool restart_bgp = std::any_of(again.begin(), again.end(), [](const Action& a) {
    const auto* s = std::get_if<StartProcess>(&a.what);
    return s && (s->name == "bgpd" || s->name == "bfdd");
  });
  std::erase_if(again, [&](const Action& a) { return std::holds_alternative<WaitForSocket>(a.what) && !restart_bgp; });
  // The plan starts all zebras before the wait; keep that order for one node.
  std::stable_sort(again.begin(), again.end(), [](const Action& x, const Action& y) {
    auto rank = [](const Action& a) {
      const auto* s = std::get_if<StartProcess>(&a.what);
      return s && s->name == "zebra" ? 0 : std::holds_alternative<WaitForSocket>(a.what) ? 1 : 2;
    };
    return rank(x) < rank(y);
  });
  if (again.empty()) return {};
  std::optional<Journal> journal;
  try {
    journal.emplace(lab.paths.runtime_root, lab.name, Journal::Open::kAppend);
  } catch (const std::runtime_error& e) {
    return std::unexpected(e.what());
  }
  auto backend = runtime_of(lab).backend(lab);
  return Executor(*backend, &*journal).run(again);
}

}  // namespace anylab
