#include "scenario/engine.h"

#include <algorithm>

#include <set>

#include <fmt/format.h>

#include "scenario/runner.h"

namespace anylab {
namespace {

// What a step is, in a word, for one a signal came before.
std::string step_word(const StepAction& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, FailStep>) return "fail";
        else if constexpr (std::is_same_v<T, RestoreStep>) return "restore";
        else if constexpr (std::is_same_v<T, AnnounceStep>) return a.withdraw ? "withdraw" : "announce";
        else if constexpr (std::is_same_v<T, PolicyStep>) return "policy on " + a.node.value;
        else if constexpr (std::is_same_v<T, ImpairStep>) return "impair";
        else if constexpr (std::is_same_v<T, FlapStep>) return "flap";
        else if constexpr (std::is_same_v<T, WaitStep>) return "wait";
        else if constexpr (std::is_same_v<T, RpkiStep>) return "rpki";
        else return "expectation";
      },
      action);
}

// A step a signal came before: interrupted, never judged.
StepOutcome not_reached(const StepSpec& st) {
  const bool expectation = std::holds_alternative<ExpectStep>(st.action);
  return {.text = fmt::format("{} (not reached)", step_word(st.action)),
          .kind = expectation ? StepKind::kExpectation : std::holds_alternative<WaitStep>(st.action) ? StepKind::kWait
                                                                                                     : StepKind::kEvent,
          .status = Status::kInterrupted, .measured = "interrupted before this step was reached"};
}

}  // namespace

namespace detail {

ScenarioOutcome Runner::run(const ScenarioSpec& sc) {
  ScenarioOutcome out{.name = sc.name.value};
  auto fail = [&](std::string what, std::string why) {
    out.steps.push_back(
        {.text = std::move(what), .kind = StepKind::kEvent, .status = Status::kError, .measured = std::move(why)});
    return out;
  };
  auto targets = ops_.targets();
  if (!targets) return fail("open the clients' namespaces", targets.error().message);
  for (size_t i = 0; i < targets->size(); ++i) index_[(*targets)[i]] = i;
  auto probes = ops_.start_probes();
  if (!probes) return fail("start the prober", probes.error().message);
  probes_ = std::move(*probes);
  if (auto watch = ops_.watch_routes(*probes_); watch) routes_ = std::move(*watch);
  probes_->sleep_until(now() + us(lab_.timings.warm_up));
  tcp_.clear();
  roas_ = lab_.spec.rpki ? lab_.spec.rpki->roas : std::vector<Roa>{};
  // Whatever happens from here (a step that throws included), what the
  // scenario broke is put back.
  const PutBack put_back{*this};
  for (const StepSpec& st : sc.steps)
    if (const auto* e = std::get_if<ExpectStep>(&st.action); e && e->tcp)
      for (const ProbeKey& k : watches_of(*e->tcp, e->family)) tcp_[{k, e->tcp->on ? e->tcp->on->value : ""}];
  open_tcp_sessions();
  last_event_ = now();
  if (routes_) counts_before_ = ops_.update_counts();
  for (const StepSpec& st : sc.steps) {
    const bool event = !std::holds_alternative<ExpectStep>(st.action) && !std::holds_alternative<WaitStep>(st.action);
    if (event) close_event(out);
    // A signal: this step and every one after it are interrupted, and
    // none of them is judged on what was cut short.
    StepOutcome o = cancelled() ? not_reached(st) : std::visit([&](const auto& a) { return step(a); }, st.action);
    o.line = st.mark.line;
    out.steps.push_back(std::move(o));
    if (event && out.steps.back().pass())
      open_event_ = OpenEvent{out.steps.size() - 1, event_started_, last_event_, counts_before_};
  }
  close_event(out);
  if (routes_) routes_->stop();
  out.duration = now();
  probes_->stop();
  out.load = probes_->load();
  const auto timelines = probes_->timelines();
  for (size_t i = 0; i < timelines.size(); ++i)
    out.timelines.push_back({(*targets)[i].client, (*targets)[i].service, (*targets)[i].family, timelines[i]});
  tcp_.clear();
  undo_all();
  ops_.wait_ready(settle_, cancel_);
  return out;
}

void Runner::sleep_until(Micros t) {
  while (!cancelled() && now() < t) probes_->sleep_until(std::min(t, now() + Micros(50ms)));
}

// Every event: the long-lived TCP connections the scenario watches are
// opened just before it, the event is applied, and bounds are measured
// from the moment it was. `undo` puts back what it broke, after the
// scenario.
StepOutcome Runner::event(std::string text, const std::function<Result()>& apply, std::function<void()> undo) {
  open_tcp_sessions();
  if (undo) undo_.push_back(std::move(undo));
  begin_event();
  const Result r = apply();
  last_event_ = now();
  return {.text = std::move(text), .kind = StepKind::kEvent, .status = r ? Status::kPass : Status::kError,
          .measured = r ? fmt::format("applied at +{}", checks::format_seconds(last_event_)) : r.error().message,
          .at = last_event_};
}

// An event begins now: its window, and the routers' counters it is counted
// from (read as the last window closed, if one just did).
void Runner::begin_event() {
  if (routes_ && !counts_fresh_) counts_before_ = ops_.update_counts();
  counts_fresh_ = false;
  event_started_ = now();
}

// What the open event cost (its window ends now: the next event begins or
// the scenario ends), put on its step in `out`.
void Runner::close_event(ScenarioOutcome& out) {
  if (!open_event_ || !routes_) return;
  const OpenEvent e = std::move(*open_event_);
  open_event_.reset();
  // What the routers counted now ends this window and begins the next
  // event's (read once: a question to every router).
  counts_before_ = ops_.update_counts();
  counts_fresh_ = true;
  out.steps.at(e.step).cost = checks::event_cost(router_names(), routes_->changes(), e.from, e.event, now(), e.before,
                                                 counts_before_, routes_->resolution());
}

std::vector<std::string> Runner::router_names() const {
  std::vector<std::string> out;
  for (const Node& n : lab_.nodes)
    if (n.kind == NodeKind::kRouter) out.push_back(n.name);
  return out;
}

std::vector<std::string> Runner::service_prefixes(const std::optional<std::string>& service) const {
  std::vector<std::string> out;
  for (const ServiceSpec& sv : lab_.spec.services)
    if (!service || sv.name.value == *service)
      for (const Marked<IpPrefix>& p : sv.prefixes) out.push_back(p.value.str());
  return out;
}

// A `tcp` expectation's connections: its client to the service it goes to
// (its `service:`, or the lab's only one: the loader refuses a lab of
// several services without it), one per family (or only `family`).
std::vector<ProbeKey> Runner::watches_of(const TcpExpect& t, const std::optional<Marked<Family>>& family) const {
  const std::string service = t.service ? t.service->value : lab_.spec.services.front().name.value;
  std::vector<ProbeKey> out;
  for (const Stream& st : streams(service, family)) out.push_back({t.client.value, st.service, st.family});
  return out;
}

// (Re)opens the scenario's watched TCP connections and notes who answers.
// A watch `on` an instance opens connections, each from a new source port,
// until one is answered by it (behind ECMP, the hash decides which server
// a connection lands on), at most kTcpTries.
void Runner::open_tcp_sessions() {
  constexpr int kTcpTries = 64;
  for (auto& [watch, w] : tcp_) {
    const std::string& on = watch.second;
    w.session.reset();
    w.error.clear();
    std::set<std::string> landed;
    for (int attempt = 0; attempt < (on.empty() ? 1 : kTcpTries) && !w.session; ++attempt) {
      auto s = ops_.open_tcp(watch.first);
      if (!s) {
        w.error = s.error().message;
        break;
      }
      auto first = (*s)->ask(Micros(1s));
      if (!first) {
        w.error = "the new connection got no answer: " + first.error();
        break;
      }
      landed.insert(*first);
      if (!on.empty() && *first != on) continue;
      w.session = std::move(*s);
      w.instance = *first;
      w.opened = now();
    }
    if (!w.session && w.error.empty())
      w.error = fmt::format("none of {} connections landed on {} (they were answered by {})", kTcpTries, on,
                            fmt::join(landed, ", "));
  }
}

// Last broken, first mended; one undo that fails does not keep the others
// from running.
void Runner::undo_all() noexcept {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) try {
      (*it)();
    } catch (...) {
    }
  undo_.clear();
}

}  // namespace detail

const char* to_string(Status s) {
  switch (s) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kError: return "error";
    case Status::kInterrupted: return "interrupted";
  }
  return "?";
}

Status ScenarioOutcome::status() const {
  Status worst = Status::kPass;
  for (const StepOutcome& st : steps) worst = std::max(worst, st.status);
  return worst;
}

ScenarioOutcome interrupted_scenario(const ScenarioSpec& scenario) {
  ScenarioOutcome out{.name = scenario.name.value};
  for (const StepSpec& st : scenario.steps) {
    out.steps.push_back(not_reached(st));
    out.steps.back().line = st.mark.line;
  }
  return out;
}

ScenarioOutcome run_scenario(LabOps& ops, const Lab& lab, const ScenarioSpec& scenario,
                             const std::atomic<bool>* cancel) {
  return detail::Runner(ops, lab, cancel).run(scenario);
}

ScenarioOutcome run_scenario(const Lab& lab, const NodeRuntime& runtime, const ScenarioSpec& scenario,
                             const std::atomic<bool>* cancel) {
  auto ops = live_lab(lab, runtime);
  return run_scenario(*ops, lab, scenario, cancel);
}

}  // namespace anylab
