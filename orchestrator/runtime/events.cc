#include "runtime/events.h"
#include "core/error.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "plan/plan.h"
#include "runtime/executor.h"
#include "runtime/journal.h"

namespace anylab {
namespace {

// The newest journal entry of each of the node's processes, by name.
std::map<std::string, JournalEntry> recorded(const Lab& lab, const std::string& node) {
  std::map<std::string, JournalEntry> out;
  for (const JournalEntry& e : Journal::read(lab.paths.runtime_root, lab.name))
    if (e.kind == JournalEntry::Kind::kProcess && e.node == node) out[e.name] = e;
  return out;
}

// Both ends of every link between the two (parallel links alike).
struct End {
  const Node* node;
  std::string interface;
};
std::expected<std::vector<End>, Error> ends_of(const Lab& lab, const std::string& a, const std::string& b) {
  std::vector<End> out;
  for (const Link* l : lab.links_between(a, b)) {
    out.push_back({lab.find(l->a_node), l->a_interface});
    out.push_back({lab.find(l->b_node), l->b_interface});
  }
  if (out.empty())
    return fail(Error::input(fmt::format("lab {} has no link between \"{}\" and \"{}\"", lab.name, a, b)));
  return out;
}

// What restore starts again: every planned process of the node that no
// longer runs; the wait for zebra only when bgpd (or bfdd, or the IGP) starts again,
// after every zebra, as the plan has it.
std::vector<Action> restart_plan(const Lab& lab, const std::string& name) {
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
  const bool restart_bgp = std::any_of(again.begin(), again.end(), [](const Action& a) {
    const auto* s = std::get_if<StartProcess>(&a.what);
    return s && (s->name == "bgpd" || s->name == "bfdd" || s->name == "ospfd" || s->name == "ospf6d" ||
                 s->name == "isisd");
  });
  std::erase_if(again, [&](const Action& a) { return std::holds_alternative<WaitForSocket>(a.what) && !restart_bgp; });
  std::stable_sort(again.begin(), again.end(), [](const Action& x, const Action& y) {
    auto rank = [](const Action& a) {
      const auto* s = std::get_if<StartProcess>(&a.what);
      return s && s->name == "zebra" ? 0 : std::holds_alternative<WaitForSocket>(a.what) ? 1 : 2;
    };
    return rank(x) < rank(y);
  });
  return again;
}

}  // namespace

std::expected<const Node*, Error> LabEvents::node(const std::string& name) const {
  const Node* n = lab_.find(name);
  if (!n) return fail(Error::input(fmt::format("lab {} has no node \"{}\"", lab_.name, name)));
  return n;
}

LabEvents::Result LabEvents::carry_out(const std::vector<Action>& actions, bool journal) const {
  std::optional<Journal> j;
  if (journal) {
    auto opened = Journal::open(lab_.paths.runtime_root, lab_.name, Journal::Open::kAppend);
    if (!opened) return fail(opened.error());
    j.emplace(std::move(*opened));
  }
  auto backend = runtime_.backend(lab_);
  if (auto done = Executor(*backend, j ? &*j : nullptr).run(actions); !done)
    return fail(done.error());
  return {};
}

LabEvents::Result LabEvents::set_link(const std::string& a, const std::string& b, bool up) const {
  auto ends = ends_of(lab_, a, b);
  if (!ends) return fail(ends.error());
  std::vector<Action> actions;
  for (const End& e : *ends)
    actions.push_back({up ? ActionKind{SetLinkUp{e.node->netns, e.interface}} : SetLinkDown{e.node->netns, e.interface},
                       e.node->name, up ? "restore link" : "fail link"});
  if (up)
    for (const Action& act : plan_deploy(lab_))
      if (std::holds_alternative<AddRoute>(act.what) && (act.node == a || act.node == b)) actions.push_back(act);
  return carry_out(actions);
}

LabEvents::Result LabEvents::fail_node(const std::string& name, FailMode mode) const {
  auto n = node(name);
  if (!n) return fail(n.error());
  if (mode == FailMode::kService) {
    auto procs = recorded(lab_, name);
    auto it = procs.find("responder");
    if (it == procs.end()) return fail(fmt::format("{} has no running responder", name));
    return carry_out({{KillProcess{it->second.pid, it->second.start_time, "responder"}, name, "fail service"}});
  }
  auto done = mode == FailMode::kCrash ? runtime_.kill_all(**n) : runtime_.freeze(**n);
  if (!done) return fail(done.error());
  return {};
}

LabEvents::Result LabEvents::restore_node(const std::string& name) const {
  auto n = node(name);
  if (!n) return fail(n.error());
  runtime_.thaw(**n);
  const std::vector<Action> again = restart_plan(lab_, name);
  if (again.empty()) return {};
  return carry_out(again, true);
}

LabEvents::Result LabEvents::impair(const ImpairStep& step) const {
  auto ends = ends_of(lab_, step.link.a.value, step.link.b.value);
  if (!ends) return fail(ends.error());
  std::vector<Action> actions;
  for (const End& e : *ends) {
    if (step.loss_percent)
      actions.push_back({SetLoss{e.node->netns, e.interface, step.loss_percent->value}, e.node->name, "impair link"});
    if (step.delay)
      actions.push_back({SetDelay{e.node->netns, e.interface,
                                  std::chrono::duration_cast<std::chrono::microseconds>(step.delay->value)},
                         e.node->name, "impair link"});
  }
  return carry_out(actions);
}

// Every end is cleared even if one fails: what failed is said after.
LabEvents::Result LabEvents::clear_impairment(const ImpairStep& step) const {
  auto ends = ends_of(lab_, step.link.a.value, step.link.b.value);
  if (!ends) return fail(ends.error());
  std::vector<std::string> failed;
  for (const End& e : *ends) {
    std::vector<Action> actions;
    if (step.loss_percent) actions.push_back({ClearLoss{e.node->netns, e.interface}, e.node->name, "mend link"});
    if (step.delay) actions.push_back({ClearDelay{e.node->netns, e.interface}, e.node->name, "mend link"});
    if (auto done = carry_out(actions); !done) failed.push_back(done.error().message);
  }
  if (!failed.empty()) return fail(fmt::format("{}", fmt::join(failed, "; ")));
  return {};
}

}  // namespace anylab
