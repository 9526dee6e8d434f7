#include "scenario/engine.h"

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "evaluate.h"
#include "plan/render_exabgp.h"
#include "prober.h"
#include "runtime/events.h"
#include "runtime/exabgp_control.h"
#include "runtime/status.h"

namespace anylab {
namespace {

using checks::Micros;
using namespace std::chrono_literals;

Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }

class Runner {
 public:
  Runner(const Lab& lab, const std::atomic<bool>* cancel) : lab_(lab), cancel_(cancel) {
    for (const Node& n : lab.nodes) {
      if (n.kind != NodeKind::kClient) continue;
      int fd = ::open(("/run/netns/" + n.netns).c_str(), O_RDONLY | O_CLOEXEC);
      fds_.push_back(fd);
      // Expectations name a client, not a service: the lab's first service.
      const ServiceSpec& s = lab.spec.services.front();
      index_[n.name] = targets_.size();
      targets_.push_back({n.name, fd, s.address.value.str(), s.port, s.probe == ProbeKind::kDns});
    }
    interval_ = us(lab.spec.defaults.probe_interval);
    timeout_ = us(lab.spec.defaults.probe_timeout);
    settle_ = us(lab.spec.defaults.settle);
  }
  ~Runner() {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }

  ScenarioOutcome run(const ScenarioSpec& sc) {
    ScenarioOutcome out{sc.name.value, {}, true};
    prober_ = std::make_unique<checks::Prober>(targets_, interval_, timeout_);
    if (auto err = prober_->start()) {
      out.steps.push_back({"start the prober", false, false, *err});
      out.pass = false;
      return out;
    }
    std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(timeout_ * 3));
    last_event_ = prober_->now();
    for (const StepSpec& st : sc.steps) {
      if (cancelled()) break;
      StepOutcome o = std::visit([&](const auto& a) { return step(a); }, st.action);
      out.pass = out.pass && o.pass;
      out.steps.push_back(std::move(o));
    }
    prober_->stop();
    undo_all();
    wait_ready(lab_, std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::seconds>(settle_),
               cancel_);
    return out;
  }

 private:
  bool cancelled() const { return cancel_ && cancel_->load(); }

  void sleep_until(Micros t) {
    while (!cancelled() && prober_->now() < t) std::this_thread::sleep_for(10ms);
  }

  StepOutcome applied(std::string text, const std::expected<void, std::string>& r) {
    last_event_ = prober_->now();  // bounds are measured from the moment an event was applied
    return {std::move(text), false, r.has_value(), r ? fmt::format("applied at +{}", checks::format_seconds(last_event_))
                                                     : r.error()};
  }

  // Events ---------------------------------------------------------------
  StepOutcome step(const FailStep& f) {
    const Target& t = f.target;
    if (t.kind == Target::Kind::kLink) {
      undo_.push_back([=, this] { (void)set_link(lab_, t.pair.a.value, t.pair.b.value, true); });
      return applied(fmt::format("fail link {} -- {}", t.pair.a.value, t.pair.b.value),
                     set_link(lab_, t.pair.a.value, t.pair.b.value, false));
    }
    if (t.kind == Target::Kind::kNode) {
      const FailMode mode = f.mode ? f.mode->value : FailMode::kCrash;
      undo_.push_back([=, this] { (void)restore_node(lab_, t.node.value); });
      return applied(fmt::format("fail node {} ({})", t.node.value, to_string(mode)),
                     fail_node(lab_, t.node.value, mode));
    }
    return unsupported("fail bgp");
  }
  StepOutcome step(const RestoreStep& r) {
    const Target& t = r.target;
    if (t.kind == Target::Kind::kLink)
      return applied(fmt::format("restore link {} -- {}", t.pair.a.value, t.pair.b.value),
                     set_link(lab_, t.pair.a.value, t.pair.b.value, true));
    if (t.kind == Target::Kind::kNode)
      return applied(fmt::format("restore node {}", t.node.value), restore_node(lab_, t.node.value));
    return unsupported("restore bgp");
  }
  StepOutcome step(const AnnounceStep& a) {
    const Node& n = *lab_.find(a.node.value);
    const std::string prefix = a.prefix ? a.prefix->value.str() : n.service->prefix.value.str();
    const std::string route = exabgp_route(n, prefix, announce_attributes(n));
    undo_.push_back([=, this] { (void)exabgp_send(n, (a.withdraw ? "announce " : "withdraw ") + route); });
    return applied(fmt::format("{} {} from {}", a.withdraw ? "withdraw" : "announce", prefix, n.name),
                   exabgp_send(n, (a.withdraw ? "withdraw " : "announce ") + route));
  }
  StepOutcome step(const WaitStep& w) {
    sleep_until(prober_->now() + us(w.duration));
    return {fmt::format("wait {}", format_duration(w.duration)), false, true, ""};
  }
  StepOutcome step(const PolicyStep&) { return unsupported("policy"); }
  StepOutcome step(const ImpairStep&) { return unsupported("impair"); }
  StepOutcome step(const FlapStep&) { return unsupported("flap"); }
  StepOutcome unsupported(const std::string& what) {
    return {what, false, false, "this step is not implemented yet in this version of anylab"};
  }

  // Expectations -----------------------------------------------------------
  const checks::ClientTimeline timeline(const std::string& client) {
    return prober_->timelines().at(index_.at(client));
  }

  // Without `within`, an expectation waits for the lab to settle: it is
  // judged again as probes come in until it holds or `settle` has passed.
  template <class Judge>
  checks::Verdict settle(Judge judge) {
    const Micros deadline = last_event_ + settle_;
    checks::Verdict v;
    for (;;) {
      const Micros end = prober_->now() - timeout_;  // probes older than the timeout are decided
      v = judge(end);
      if (v.pass || prober_->now() >= deadline || cancelled()) return v;
      std::this_thread::sleep_for(100ms);
    }
  }

  StepOutcome step(const ExpectStep& e) {
    if (e.route || e.tcp) return {"expect route/tcp", true, false, "route and tcp expectations are not implemented yet"};
    if (!e.catchment.empty()) {
      std::map<std::string, std::string> want;
      for (const CatchmentSpec& c : e.catchment)
        for (const auto& cl : c.clients) want[cl.value] = c.instance.value;
      checks::Verdict v = settle([&](Micros end) {
        std::map<std::string, checks::ClientTimeline> t;
        for (const auto& [client, inst] : want) t[client] = timeline(client);
        return checks::catchment(t, last_event_, end, want);
      });
      return {"expect catchment", true, v.pass, v.measured};
    }
    const std::string client = e.client->value;
    const std::optional<Micros> within = e.within ? std::optional<Micros>(us(*e.within)) : std::nullopt;
    const std::optional<Micros> stable = e.stable ? std::optional<Micros>(us(*e.stable)) : std::nullopt;
    std::string text = fmt::format("expect {} ", client);
    checks::Verdict v;
    if (e.max_outage) {
      text += fmt::format("max-outage {}", format_duration(*e.max_outage));
      // The outage must be over to be measured: wait for answers again.
      v = settle([&](Micros end) {
        auto t = timeline(client);
        auto r = checks::max_outage(t, last_event_, end, us(*e.max_outage));
        const bool answering = !t.empty() && t.back().instance;
        if (!answering) r.pass = false;
        return r;
      });
    } else if (e.reaches || e.unreachable) {
      const bool none = !e.reaches;
      text += none ? "unreachable" : "reaches " + e.reaches->value;
      if (within) text += " within " + format_duration(*e.within);
      if (stable) text += " stable " + format_duration(*e.stable);
      auto judge = [&](Micros end, std::optional<Micros> st) {
        auto t = timeline(client);
        return none ? checks::unreachable(t, last_event_, end, within, st)
                    : checks::reaches(t, last_event_, end, e.reaches->value, within, st);
      };
      if (within) {
        const Micros end = last_event_ + *within + stable.value_or(Micros(0)) + 3 * interval_;
        sleep_until(end + timeout_);
        v = judge(end, stable);
      } else {
        v = settle([&](Micros end) { return judge(end, stable.value_or(Micros(500ms))); });
      }
    }
    return {text, true, v.pass, v.measured};
  }

  void undo_all() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
    undo_.clear();
  }

  const Lab& lab_;
  const std::atomic<bool>* cancel_;
  std::vector<int> fds_;
  std::vector<checks::ProbeTarget> targets_;
  std::map<std::string, size_t> index_;
  std::unique_ptr<checks::Prober> prober_;
  Micros interval_{}, timeout_{}, settle_{}, last_event_{};
  std::vector<std::function<void()>> undo_;
};

}  // namespace

ScenarioOutcome run_scenario(const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel) {
  return Runner(lab, cancel).run(scenario);
}

}  // namespace anylab
