#include "scenario/engine.h"

#include <functional>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "evaluate.h"
#include "plan/render_exabgp.h"
#include "prober.h"
#include "route.h"
#include "runtime/frr_vty.h"
#include "tcp_session.h"
#include "runtime/events.h"
#include "runtime/client_targets.h"
#include "runtime/exabgp_control.h"
#include "runtime/status.h"

namespace anylab {
namespace {

using checks::Micros;
using namespace std::chrono_literals;

Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }

class Runner {
 public:
  // Every client probes every service.
  Runner(const Lab& lab, const std::atomic<bool>* cancel)
      : lab_(lab), cancel_(cancel), clients_(ClientTargets::open(lab)) {
    interval_ = us(lab.spec.defaults.probe_interval);
    timeout_ = us(lab.spec.defaults.probe_timeout);
    settle_ = us(lab.spec.defaults.settle);
  }

  ScenarioOutcome run(const ScenarioSpec& sc) {
    ScenarioOutcome out{.name = sc.name.value};
    auto fail = [&](std::string what, std::string why) {
      out.steps.push_back({.text = std::move(what), .pass = false, .measured = std::move(why)});
      out.pass = false;
      return out;
    };
    if (!clients_) return fail("open the clients' namespaces", clients_.error());
    prober_ = std::make_unique<checks::Prober>(clients_->targets(), interval_, timeout_);
    if (auto err = prober_->start()) return fail("start the prober", *err);
    std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(timeout_ * 3));
    tcp_.clear();
    for (const StepSpec& st : sc.steps)
      if (const auto* e = std::get_if<ExpectStep>(&st.action); e && e->tcp) tcp_[e->tcp->client.value];
    open_tcp_sessions();
    last_event_ = prober_->now();
    for (const StepSpec& st : sc.steps) {
      if (cancelled()) break;
      StepOutcome o = std::visit([&](const auto& a) { return step(a); }, st.action);
      o.line = st.mark.line;
      out.pass = out.pass && o.pass;
      out.steps.push_back(std::move(o));
    }
    out.duration = prober_->now();
    prober_->stop();
    const auto timelines = prober_->timelines();
    for (size_t i = 0; i < timelines.size(); ++i)
      out.timelines.push_back({clients_->client(i), clients_->service(i), timelines[i]});
    tcp_.clear();
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

  using Result = std::expected<void, std::string>;

  // Every event: the long-lived TCP connections the scenario watches are
  // opened just before it, the event is applied, and bounds are measured
  // from the moment it was. `undo` puts back what it broke, after the
  // scenario.
  StepOutcome event(std::string text, const std::function<Result()>& apply, std::function<void()> undo = {}) {
    open_tcp_sessions();
    if (undo) undo_.push_back(std::move(undo));
    const Result r = apply();
    last_event_ = prober_->now();
    return {.text = std::move(text), .pass = r.has_value(),
            .measured = r ? fmt::format("applied at +{}", checks::format_seconds(last_event_)) : r.error(),
            .at = last_event_};
  }

  // Events ---------------------------------------------------------------
  StepOutcome step(const FailStep& f) {
    const Target& t = f.target;
    const std::string a = t.pair.a.value, b = t.pair.b.value, node = t.node.value;
    if (t.kind == Target::Kind::kLink)
      return event(fmt::format("fail link {} -- {}", a, b), [&] { return set_link(lab_, a, b, false); },
                   [=, this] { (void)set_link(lab_, a, b, true); });
    if (t.kind == Target::Kind::kNode) {
      const FailMode mode = f.mode ? f.mode->value : FailMode::kCrash;
      return event(fmt::format("fail node {} ({})", node, to_string(mode)), [&] { return fail_node(lab_, node, mode); },
                   [=, this] { (void)restore_node(lab_, node); });
    }
    return event(fmt::format("shut down BGP {} -- {}", a, b), [&] { return set_bgp_session(lab_, a, b, false); },
                 [=, this] { (void)set_bgp_session(lab_, a, b, true); });
  }
  StepOutcome step(const RestoreStep& r) {
    const Target& t = r.target;
    const std::string a = t.pair.a.value, b = t.pair.b.value, node = t.node.value;
    if (t.kind == Target::Kind::kLink)
      return event(fmt::format("restore link {} -- {}", a, b), [&] { return set_link(lab_, a, b, true); });
    if (t.kind == Target::Kind::kNode)
      return event(fmt::format("restore node {}", node), [&] { return restore_node(lab_, node); });
    return event(fmt::format("enable BGP {} -- {}", a, b), [&] { return set_bgp_session(lab_, a, b, true); });
  }
  StepOutcome step(const AnnounceStep& a) {
    const Node& n = *lab_.find(a.node.value);
    const std::string prefix = a.prefix ? a.prefix->value.str() : n.service->prefix.value.str();
    const std::string route = exabgp_route(n, prefix, announce_attributes(n));
    // Afterwards the instance announces what it did as deployed: a prefix
    // of the lab file's again, another one no more.
    bool deployed = prefix == n.service->prefix.value.str();
    for (const auto& m : n.spec->announce.more_specifics) deployed |= prefix == m.value.str();
    return event(fmt::format("{} {} from {}", a.withdraw ? "withdraw" : "announce", prefix, n.name),
                 [&] { return exabgp_send(n, (a.withdraw ? "withdraw " : "announce ") + route); },
                 [=, this] { (void)exabgp_send(n, (deployed ? "announce " : "withdraw ") + route); });
  }
  StepOutcome step(const PolicyStep& p) {
    std::string text = "policy on " + p.node.value;
    if (p.peer) text += " toward " + p.peer->value;
    if (p.prepend) text += fmt::format(" prepend {}", *p.prepend);
    if (p.local_pref) text += fmt::format(" local-pref {}", *p.local_pref);
    if (p.med) text += fmt::format(" med {}", *p.med);
    return event(text, [&] { return apply_policy(lab_, p); }, [=, this] { (void)clear_policy(lab_, p); });
  }
  StepOutcome step(const ImpairStep& i) {
    std::string text = fmt::format("impair link {} -- {}", i.link.a.value, i.link.b.value);
    if (i.loss_percent) text += fmt::format(" loss {}%", i.loss_percent->value);
    if (i.delay) text += " delay " + format_duration(i.delay->value);
    return event(text, [&] { return impair_link(lab_, i); }, [=, this] { (void)clear_impairment(lab_, i); });
  }
  StepOutcome step(const WaitStep& w) {
    sleep_until(prober_->now() + us(w.duration));
    return {.text = fmt::format("wait {}", format_duration(w.duration)), .at = prober_->now()};
  }
  // A flap is one event that ends when the link comes up for the last time:
  // bounds after it are measured from then ("back within 5s of the flap").
  StepOutcome step(const FlapStep& f) {
    const std::string &a = f.link.a.value, &b = f.link.b.value;
    const std::string text = fmt::format("flap link {} -- {} {} times every {}", a, b, f.times, format_duration(f.period));
    undo_.push_back([=, this] { (void)set_link(lab_, a, b, true); });
    open_tcp_sessions();
    const Micros start = prober_->now(), half = us(f.period) / 2;
    for (int i = 0; i < f.times && !cancelled(); ++i) {
      auto down = set_link(lab_, a, b, false);
      if (down) sleep_until(prober_->now() + half);
      auto up = set_link(lab_, a, b, true);
      if (!down || !up) return {.text = text, .pass = false, .measured = !down ? down.error() : up.error()};
      if (i + 1 < f.times) sleep_until(prober_->now() + half);
    }
    last_event_ = prober_->now();
    return {.text = text,
            .measured = fmt::format("from +{} to +{}", checks::format_seconds(start), checks::format_seconds(prober_->now()))};
  }

  // Expectations -----------------------------------------------------------
  StepOutcome judged(std::string text, const checks::Verdict& v) {
    return {.text = std::move(text), .expectation = true, .pass = v.pass, .measured = v.measured,
            .at = prober_->now() - timeout_, .since = last_event_, .convergence = v.convergence,
            .longest_outage = v.longest_outage, .instance = v.instance};
  }

  checks::ClientTimeline timeline(const std::string& client, const std::string& service) {
    return prober_->timelines().at(clients_->index(client, service));
  }
  // The timeline an instance is judged on: its own service's.
  checks::ClientTimeline timeline_to(const std::string& client, const std::string& instance) {
    return timeline(client, lab_.find(instance)->service->name.value);
  }
  // A judgement of the client as a whole (unreachable, max-outage) holds if
  // it holds for every service; what was measured is said per service when
  // there are several, and the longest outage is the longest of them.
  template <class Judge>
  checks::Verdict every_service(const std::string& client, Judge judge) {
    const auto& services = lab_.spec.services;
    if (services.size() == 1) return judge(timeline(client, services.front().name.value));
    checks::Verdict all{.pass = true};
    for (const ServiceSpec& s : services) {
      checks::Verdict v = judge(timeline(client, s.name.value));
      all.pass = all.pass && v.pass;
      all.measured += (all.measured.empty() ? "" : "; ") + s.name.value + ": " + v.measured;
      if (v.longest_outage) all.longest_outage = std::max(all.longest_outage.value_or(Micros(0)), *v.longest_outage);
    }
    return all;
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
    if (e.route) return expect_route(*e.route);
    if (e.tcp) return expect_tcp(*e.tcp);
    if (!e.catchment.empty()) {
      // Per service: each client answered by the instance it is listed under.
      std::map<std::string, std::map<std::string, std::string>> want;  // service -> client -> instance
      for (const CatchmentSpec& c : e.catchment)
        for (const auto& cl : c.clients) want[lab_.find(c.instance.value)->service->name.value][cl.value] = c.instance.value;
      checks::Verdict v = settle([&](Micros end) {
        checks::Verdict all{.pass = true};
        for (const auto& [service, clients] : want) {
          std::map<std::string, checks::ClientTimeline> t;
          for (const auto& [client, inst] : clients) t[client] = timeline(client, service);
          checks::Verdict one = checks::catchment(t, last_event_, end, clients);
          all.pass = all.pass && one.pass;
          all.measured += (all.measured.empty() ? "" : "; ") + one.measured;
        }
        return all;
      });
      return judged("expect catchment", v);
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
        return every_service(client, [&](const checks::ClientTimeline& t) {
          auto r = checks::max_outage(t, last_event_, end, us(*e.max_outage));
          const bool answering = !t.empty() && t.back().instance;
          if (!answering) r.pass = false;
          return r;
        });
      });
    } else if (e.reaches || e.unreachable) {
      const bool none = !e.reaches;
      text += none ? "unreachable" : "reaches " + e.reaches->value;
      if (within) text += " within " + format_duration(*e.within);
      if (stable) text += " stable " + format_duration(*e.stable);
      auto judge = [&](Micros end, std::optional<Micros> st) {
        if (!none) return checks::reaches(timeline_to(client, e.reaches->value), last_event_, end, e.reaches->value,
                                          within, st);
        return every_service(client, [&](const checks::ClientTimeline& t) {
          return checks::unreachable(t, last_event_, end, within, st);
        });
      };
      if (within) {
        const Micros end = last_event_ + *within + stable.value_or(Micros(0)) + 3 * interval_;
        sleep_until(end + timeout_);
        v = judge(end, stable);
      } else {
        v = settle([&](Micros end) { return judge(end, stable.value_or(Micros(500ms))); });
      }
    }
    return judged(text, v);
  }

  StepOutcome expect_route(const RouteExpect& r) {
    const Node& n = *lab_.find(r.node.value);
    const std::string prefix = r.prefix ? r.prefix->value.str() : lab_.spec.services.front().prefix.value.str();
    std::string text = fmt::format("expect route on {} to {}", n.name, prefix);
    std::optional<std::string> via, via_peer;
    if (r.via) {
      via = r.via->value;
      text += " via " + *via;
      for (const BgpNeighbor& nb : n.neighbors)
        if (nb.node == *via) via_peer = nb.address.str();
    }
    if (r.as_path) text += fmt::format(" as-path \"{}\"", *r.as_path);
    auto name_of = [&](const std::string& peer) {
      for (const BgpNeighbor& nb : n.neighbors)
        if (nb.address.str() == peer) return nb.node;
      return peer == "0.0.0.0" ? n.name + " itself" : peer;
    };
    checks::Verdict v = settle([&](Micros) {
      auto best = checks::best_path(frr_vty(n.netns, "bgpd", "show ip bgp " + prefix + " json").value_or(""));
      return checks::route(best, best ? name_of(best->peer) : "", via, via_peer, r.as_path);
    });
    return judged(text, v);
  }

  // A long-lived TCP connection, opened before the last event, is judged
  // once the client's path has settled (its probes answered by one instance,
  // or by none, for a second): a request on it must be answered by the same
  // instance as before (it survived) or fail (it broke).
  StepOutcome expect_tcp(const TcpExpect& t) {
    const std::string client = t.client.value;
    const std::string text = fmt::format("expect tcp from {} {}", client, t.survives ? "survives" : "breaks");
    const TcpWatch& w = tcp_.at(client);
    if (!w.session) return judged(text, {.measured = "no connection could be opened before the event: " + w.error});
    (void)settle([&](Micros end) {
      const auto probes = checks::window(timeline(client, tcp_service()), last_event_, end);
      checks::Verdict settled;
      if (probes.empty()) return settled;
      size_t i = probes.size();
      while (i > 0 && probes[i - 1].instance == probes.back().instance) --i;
      settled.pass = end - probes[i].sent >= Micros(1s);
      return settled;
    });
    const auto answer = w.session->ask(Micros(2s));
    const bool survived = answer && *answer == w.instance;
    std::string measured = fmt::format("the connection to {} opened at +{} ", w.instance, checks::format_seconds(w.opened));
    if (survived)
      measured += "survived: still answered by " + w.instance;
    else
      measured += "broke: " + (answer ? "answered by " + *answer + " instead" : answer.error());
    const auto now_answering =
        checks::answering_at_end(timeline(client, tcp_service()), last_event_, prober_->now() - timeout_);
    measured += fmt::format(" (the client's probes now reach {})", now_answering.value_or("nobody"));
    return judged(text, {.pass = survived == t.survives, .measured = measured, .instance = answer ? *answer : ""});
  }

  // A `tcp` expectation's connection goes to the lab's first service.
  const std::string& tcp_service() const { return lab_.spec.services.front().name.value; }

  // (Re)opens the scenario's watched TCP connections and notes who answers.
  void open_tcp_sessions() {
    for (auto& [client, w] : tcp_) {
      const checks::ProbeTarget& target = clients_->targets().at(clients_->index(client, tcp_service()));
      w.session.reset();
      auto s = checks::TcpSession::open(target.netns, target.address, target.port, Micros(1s));
      if (!s) {
        w.error = s.error();
        continue;
      }
      auto first = (*s)->ask(Micros(1s));
      if (!first) {
        w.error = "the new connection got no answer: " + first.error();
        continue;
      }
      w.session = std::move(*s);
      w.instance = *first;
      w.opened = prober_->now();
    }
  }

  void undo_all() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
    undo_.clear();
  }

  const Lab& lab_;
  const std::atomic<bool>* cancel_;
  std::expected<ClientTargets, std::string> clients_;
  std::unique_ptr<checks::Prober> prober_;
  Micros interval_{}, timeout_{}, settle_{}, last_event_{};
  std::vector<std::function<void()>> undo_;
  struct TcpWatch {
    std::unique_ptr<checks::TcpSession> session;
    std::string instance;  // who answered when it was opened
    Micros opened{};
    std::string error;     // why it could not be opened
  };
  std::map<std::string, TcpWatch> tcp_;  // by client: the scenario's `tcp` expectations
};

}  // namespace

ScenarioOutcome run_scenario(const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel) {
  return Runner(lab, cancel).run(scenario);
}

}  // namespace anylab
