// The scenario engine on a fake lab: synthetic timelines on a fake clock,
// so that how long an expectation waits (within, stable, settle, early
// verdicts) is tested exactly and without root.
#include <functional>

#include <gtest/gtest.h>

#include "load/loader.h"
#include "plan/resolve.h"
#include "scenario/engine.h"
#include "scenario/lab_ops.h"

namespace anylab {
namespace {

using checks::Micros;
using std::chrono::milliseconds;

constexpr const char* kLab = R"(name: fake
defaults:
  probe: {interval: 10ms, timeout: 100ms}
  settle: 30s
services:
  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500}
topology:
  nodes:
    edge-ams: {kind: router, asn: 65010}
    edge-sin: {kind: router, asn: 65020}
    pop-ams: {kind: instance, service: dns}
    pop-sin: {kind: instance, service: dns}
    client-eu: {kind: client}
  links:
    - [client-eu, edge-ams]
    - [edge-ams, pop-ams]
    - [edge-ams, edge-sin]
    - [edge-sin, pop-sin]
scenarios:
)";

Lab fake_lab(const std::string& scenario) {
  SourceFile f("fake.yaml", std::string(kLab) + scenario);
  auto spec = load_lab(f);
  if (!spec) throw std::runtime_error(format_diagnostics(f, spec.error()));
  auto lab = resolve(std::move(*spec), Paths{});
  if (!lab) throw std::runtime_error(format_diagnostics(f, lab.error()));
  return std::move(*lab);
}

// The client's answers as a function of the time since the last event.
using Script = std::function<std::optional<std::string>(std::optional<Micros> since_event)>;

class FakeLab : public LabOps {
 public:
  FakeLab(Script script) : script_(std::move(script)) {}

  class Probes : public ProbeRun {
   public:
    explicit Probes(FakeLab& lab) : lab_(lab) {}
    Micros now() const override { return lab_.clock; }
    void sleep_until(Micros t) override {
      lab_.clock = std::max(lab_.clock, t);
      if (lab_.signal_at && lab_.clock >= *lab_.signal_at) lab_.cancel = true;  // SIGTERM, as CI sends it
    }
    // Every 10 ms; decided once older than the 100 ms timeout.
    std::vector<checks::ClientTimeline> timelines() const override {
      checks::ClientTimeline t;
      for (Micros s{0}; s <= lab_.clock - milliseconds(100); s += milliseconds(10)) {
        std::optional<Micros> since;
        if (lab_.event && s >= *lab_.event) since = s - *lab_.event;
        if (lab_.unsent_from && s >= *lab_.unsent_from)
          t.push_back({s, std::nullopt, "cannot open a socket in client-eu's namespace: Too many open files"});
        else
          t.push_back({s, lab_.script_(since)});
      }
      return {t};
    }
    void stop() override {}
    // Offered load (a lab with `defaults.load`): pop-ams answers 50 a tenth
    // of a second until 200 ms after the event, pop-sin 90 a tenth from then.
    std::map<std::string, std::vector<uint32_t>> load_answered() const override {
      std::map<std::string, std::vector<uint32_t>> out;
      for (Micros t{0}; t < lab_.clock - milliseconds(100); t += milliseconds(100)) {
        const bool moved = lab_.event && t >= *lab_.event + milliseconds(200);
        out["pop-ams"].push_back(moved ? 0 : 50);
        out["pop-sin"].push_back(moved ? 90 : 0);
      }
      return out;
    }

   private:
    FakeLab& lab_;
  };

  std::expected<std::vector<ProbeKey>, Error> targets() override {
    return std::vector<ProbeKey>{{"client-eu", "dns", Family::kIpv4}};
  }
  std::expected<std::unique_ptr<ProbeRun>, Error> start_probes() override {
    return std::make_unique<Probes>(*this);
  }
  std::expected<std::unique_ptr<checks::TcpSession>, Error> open_tcp(const ProbeKey&) override {
    return fail("no TCP in the fake lab");
  }
  Result applied() {
    event = clock;
    return {};
  }
  Result set_link(const std::string&, const std::string&, bool up) override {
    if (throw_on_link && !up) throw std::runtime_error("the link's namespace is gone");
    return applied();
  }
  bool throw_on_link = false;
  Result fail_node(const std::string& n, FailMode) override {
    failed.push_back(n);
    return applied();
  }
  Result restore_node(const std::string& n) override {
    restored.push_back(n);
    return applied();
  }
  std::vector<std::string> failed, restored;
  Result set_bgp_session(const std::string&, const std::string&, bool) override { return applied(); }
  Result apply_policy(const PolicyStep&) override { return applied(); }
  Result clear_policy(const PolicyStep&) override { return {}; }
  Result impair(const ImpairStep&) override { return applied(); }
  Result clear_impairment(const ImpairStep&) override { return {}; }
  Result exabgp(const std::string& i, const std::string& command) override {
    exabgp_sent.push_back(i + ": " + command);
    return applied();
  }
  std::vector<std::string> exabgp_sent;
  std::expected<std::string, Error> publish_roas(const std::vector<Roa>& roas) override {
    published.push_back(roas.size());
    return "held at once";
  }
  std::vector<size_t> published;
  std::optional<std::string> bgp_route_json(const std::string&, const IpPrefix&) override {
    if (!vty_answers) return std::nullopt;
    return "{}";
  }
  void wait_ready(Micros, const std::atomic<bool>*) override {}

  // The routers' control plane: best-path changes at times after the event
  // (each router's first look at 0), looked at every 100 ms; and UPDATE
  // counters, each session's `sent` growing by one per change after the
  // event at edge-ams (its session to edge-sin counted anew, a reset).
  class Routes : public RouteWatch {
   public:
    explicit Routes(FakeLab& lab) : lab_(lab) {}
    std::vector<checks::PathChange> changes() const override {
      std::vector<checks::PathChange> out{{Micros(0), "edge-ams", "192.0.2.0/24", "via pop-ams", true},
                                          {Micros(0), "edge-sin", "192.0.2.0/24", "via edge-ams", true}};
      if (!lab_.event) return out;
      for (const auto& [after, router] : lab_.route_changes)
        if (*lab_.event + after <= lab_.clock - milliseconds(100))
          out.push_back({*lab_.event + after, router, "192.0.2.0/24", "via pop-sin " + router, false});
      return out;
    }
    Micros seen_until() const override { return lab_.clock - milliseconds(100); }
    Micros resolution() const override { return milliseconds(100); }
    void stop() override {}

   private:
    FakeLab& lab_;
  };
  std::expected<std::unique_ptr<RouteWatch>, Error> watch_routes(const ProbeRun&) override {
    return std::make_unique<Routes>(*this);
  }
  checks::SessionCounts update_counts() override {
    uint64_t changes = 0;
    if (event)
      for (const auto& [after, router] : route_changes) changes += *event + after <= clock ? 1 : 0;
    return {{"edge-ams", {{"10.0.0.1", {100 + changes, 50}}, {"10.0.0.6", {changes ? changes : 7, 3}}}},
            {"edge-sin", {{"10.0.0.5", {40 + 2 * changes, 60}}}}};
  }
  std::vector<std::pair<Micros, std::string>> route_changes;  // after the event

  Micros clock{0};
  std::optional<Micros> event;
  std::optional<Micros> signal_at;    // the cancel flag is set once the clock gets there
  std::atomic<bool> cancel{false};
  std::optional<Micros> unsent_from;  // probes from then on cannot be sent
  bool vty_answers = true;

 private:
  Script script_;
};

// pop-ams answers until `after` past the event, then `then` does.
Script moves(Micros after, std::optional<std::string> then) {
  return [=](std::optional<Micros> since) -> std::optional<std::string> {
    if (since && *since >= after) return then;
    return "pop-ams";
  };
}

struct Outcome {
  ScenarioOutcome out;
  Micros event{};  // when the fail step was applied
};

Outcome run_on(FakeLab& fake, const std::string& steps) {
  Lab lab = fake_lab("  - name: s\n    steps:\n      - fail: {node: pop-ams}\n" + steps);
  Outcome r{run_scenario(fake, lab, lab.spec.scenarios.front(), &fake.cancel), {}};
  r.event = r.out.steps.at(0).at;  // (fake.event is the undo's, by now)
  return r;
}

Outcome run(const std::string& steps, Script script) {
  FakeLab fake(std::move(script));
  return run_on(fake, steps);
}

// An rpki step publishes the scenario's set (the lab's plus what it adds)
// and says how long the routers took; after the scenario the lab's own
// ROAs are published again, once.
TEST(Engine, AnRpkiStepPublishesAndTheLabsRoasComeBackAfter) {
  FakeLab fake(moves(milliseconds(0), "pop-ams"));
  SourceFile f("fake.yaml", "rpki: {roas: [{prefix: 192.0.2.0/24, asn: 64500}]}\n" + std::string(kLab) +
                                "  - name: s\n    steps:\n"
                                "      - rpki: {add: [{prefix: 198.51.100.0/24, max-length: 25, asn: 64501}]}\n"
                                "      - rpki: {remove: [{prefix: 192.0.2.0/24, asn: 64500}]}\n");
  auto spec = load_lab(f);
  ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
  Lab lab = resolve(std::move(*spec), Paths{}).value();
  ScenarioOutcome out = run_scenario(fake, lab, lab.spec.scenarios.front(), &fake.cancel);
  ASSERT_EQ(out.steps.size(), 2u);
  EXPECT_TRUE(out.steps[0].pass()) << out.steps[0].measured;
  EXPECT_EQ(out.steps[0].text, "rpki: publish ROA 198.51.100.0/24 max-length 25 AS 64501");
  EXPECT_NE(out.steps[0].measured.find("; held at once"), std::string::npos) << out.steps[0].measured;
  EXPECT_EQ(out.steps[1].text, "rpki: withdraw ROA 192.0.2.0/24 max-length 24 AS 64500");
  EXPECT_EQ(fake.published, (std::vector<size_t>{2, 1, 1}));  // the last: the lab's one ROA again
}

// `fail: {service: dns}` fails every instance of the service in one step
// (one moment for the bounds after it); they are restored after the
// scenario. An unreachable client says who answered it last.
TEST(Engine, AServiceFailsWholeAndSaysWhoAnsweredLast) {
  FakeLab fake(moves(milliseconds(300), std::nullopt));
  Lab lab = fake_lab("  - name: s\n    steps:\n      - fail: {service: dns, mode: service}\n"
                     "      - expect: {client: client-eu, unreachable: true, within: 5s}\n");
  ScenarioOutcome out = run_scenario(fake, lab, lab.spec.scenarios.front(), &fake.cancel);
  EXPECT_EQ(out.steps.at(0).text, "fail service dns: pop-ams, pop-sin (service)");
  EXPECT_EQ(fake.failed, (std::vector<std::string>{"pop-ams", "pop-sin"}));
  EXPECT_EQ(fake.restored, (std::vector<std::string>{"pop-ams", "pop-sin"}));
  const StepOutcome& e = out.steps.at(1);
  EXPECT_TRUE(e.pass()) << e.measured;
  EXPECT_NE(e.measured.find("; last answered by pop-ams at +0.29"), std::string::npos) << e.measured;
}

// With offered load, a rate of queries an instance answered over the last
// second: as soon as within the bounds, never on a window reaching back
// before the event; out of bounds, it fails at settle naming the rate.
TEST(Engine, ALoadRateIsJudgedOnTheLastSecondAfterTheEvent) {
  FakeLab fake(moves(milliseconds(200), "pop-sin"));
  std::string text = std::string(kLab);
  text.replace(text.find("  settle: 30s"), 13, "  settle: 5s\n  load: {rate: 1000/s}");
  SourceFile f("fake.yaml", text + "  - name: s\n    steps:\n      - fail: {node: pop-ams}\n"
                                   "      - expect: {load: {instance: pop-sin, at-least: 850/s}}\n"
                                   "      - expect: {load: {instance: pop-ams, at-least: 400/s}}\n");
  auto spec = load_lab(f);
  ASSERT_TRUE(spec.has_value()) << format_diagnostics(f, spec.error());
  auto lab = resolve(std::move(*spec), Paths{});
  ASSERT_TRUE(lab.has_value());
  ScenarioOutcome out = run_scenario(fake, *lab, lab->spec.scenarios.front(), &fake.cancel);
  const StepOutcome& held = out.steps.at(1);
  EXPECT_TRUE(held.pass()) << held.measured;
  EXPECT_EQ(held.rate, 900.0) << held.measured;
  EXPECT_GE(held.at, out.steps.at(0).at + milliseconds(1200)) << "a whole second after the move";
  const StepOutcome& gone = out.steps.at(2);
  EXPECT_FALSE(gone.pass());
  EXPECT_NE(gone.measured.find("pop-ams answered 0 queries/s of the offered load"), std::string::npos) << gone.measured;
  EXPECT_NE(gone.measured.find("(expected at least 400/s)"), std::string::npos) << gone.measured;
}

// An instance's announcements flap: withdrawn and announced `times` times,
// half a period each, then as deployed again after the scenario.
TEST(Engine, AnInstanceFlapsItsAnnouncements) {
  FakeLab fake(moves(milliseconds(0), "pop-ams"));
  Lab lab = fake_lab("  - name: s\n    steps:\n      - flap: {node: pop-ams, times: 2, period: 1s}\n");
  ScenarioOutcome out = run_scenario(fake, lab, lab.spec.scenarios.front(), &fake.cancel);
  EXPECT_EQ(out.steps.at(0).text, "flap announcements of pop-ams 2 times every 1s");
  EXPECT_TRUE(out.steps.at(0).pass()) << out.steps.at(0).measured;
  EXPECT_EQ(fake.exabgp_sent, (std::vector<std::string>{
                                  "pop-ams: withdraw route 192.0.2.0/24 next-hop self",
                                  "pop-ams: announce route 192.0.2.0/24 next-hop self",
                                  "pop-ams: withdraw route 192.0.2.0/24 next-hop self",
                                  "pop-ams: announce route 192.0.2.0/24 next-hop self",
                                  "pop-ams: announce route 192.0.2.0/24 next-hop self",  // after the scenario
                              }));
  EXPECT_GE(out.steps.at(0).at, milliseconds(1500));  // timed from when the flapping stopped
}

// A step that throws does not leave the lab broken: what the scenario did
// before it is put back all the same (issue 27: undo ran only at the end
// of run()).
TEST(Engine, WhatWasBrokenIsPutBackWhenAStepThrows) {
  FakeLab fake(moves(milliseconds(0), "pop-sin"));
  fake.throw_on_link = true;
  Lab lab = fake_lab("  - name: s\n    steps:\n      - fail: {node: pop-ams}\n      - fail: {link: [edge-ams, edge-sin]}\n");
  EXPECT_THROW(run_scenario(fake, lab, lab.spec.scenarios.front(), &fake.cancel), std::runtime_error);
  EXPECT_EQ(fake.failed, std::vector<std::string>{"pop-ams"});
  EXPECT_EQ(fake.restored, std::vector<std::string>{"pop-ams"});
}

// A `within` is a bound, not a wait: the expectation passes once the client
// has answered from the instance for `stable` (0.5 s by default), judged on
// probes decided 0.1 s (the timeout) later, not once 10 s have passed.
TEST(Engine, ReachesWithinPassesOnceStableNotAtTheBound) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 10s}\n", moves(milliseconds(200), "pop-sin"));
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_TRUE(e.pass()) << e.measured;
  EXPECT_EQ(e.convergence, milliseconds(200));
  EXPECT_LE(r.out.duration, r.event + milliseconds(200 + 500 + 100 + 40));
  EXPECT_GE(r.out.duration, r.event + milliseconds(200 + 500 + 100));
}

// Nothing converges: the verdict is FAIL as soon as the bound has passed.
TEST(Engine, ReachesWithinFailsOnceTheBoundPassed) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s}\n", moves(milliseconds(0), "pop-ams"));
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_FALSE(e.pass());
  EXPECT_EQ(e.measured, "answered by pop-ams at the end, not pop-sin");
  EXPECT_LE(r.out.duration, r.event + milliseconds(1000 + 100 + 40));
}

// Under loss (the only instance left is overloaded: one probe in 19
// answered), `reaches` fails at its bound saying who answered and what was
// lost, and the outcome carries the count for JSON (issue 26).
TEST(Engine, ReachesUnderLossSaysWhoAnsweredAndWhatWasLost) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 2s}\n",
                  [](std::optional<Micros> since) -> std::optional<std::string> {
                    if (!since) return "pop-ams";
                    if ((*since / milliseconds(10)) % 19 == 3) return "pop-sin";
                    return std::nullopt;
                  });
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_FALSE(e.pass());
  EXPECT_TRUE(e.measured.starts_with("answered only by pop-sin: ")) << e.measured;
  EXPECT_NE(e.measured.find("% lost; never 0.500s in a row (longest 0.010s)"), std::string::npos) << e.measured;
  ASSERT_TRUE(e.answers);
  EXPECT_GT(e.answers->lost(), 15 * e.answers->answered());
  EXPECT_EQ(e.answers->by.size(), 1u);
  EXPECT_GE(e.answers->by.at("pop-sin"), 10u);
}

// Without `within`, the lab may take up to `settle` (30 s) to get there.
TEST(Engine, WithoutABoundItWaitsForTheLabToSettle) {
  Outcome slow = run("      - expect: {client: client-eu, reaches: pop-sin}\n", moves(milliseconds(12000), "pop-sin"));
  EXPECT_TRUE(slow.out.steps.at(1).pass()) << slow.out.steps.at(1).measured;
  EXPECT_EQ(slow.out.steps.at(1).convergence, milliseconds(12000));
  EXPECT_LE(slow.out.duration, slow.event + milliseconds(12000 + 500 + 100 + 40));
  Outcome never = run("      - expect: {client: client-eu, reaches: pop-sin}\n", moves(milliseconds(0), "pop-ams"));
  EXPECT_FALSE(never.out.steps.at(1).pass());
  EXPECT_GE(never.out.duration, never.event + milliseconds(30000));
  EXPECT_LE(never.out.duration, never.event + milliseconds(30000 + 100 + 40));  // its probes judged to the end
}

// A written `stable` is waited for in full, and a flap inside it counts.
TEST(Engine, StableIsHeldInFull) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s, stable: 3s}\n",
              moves(milliseconds(100), "pop-sin"));
  EXPECT_TRUE(r.out.steps.at(1).pass()) << r.out.steps.at(1).measured;
  EXPECT_GE(r.out.duration, r.event + milliseconds(100 + 3000 + 100));
  Script flap = [](std::optional<Micros> since) -> std::optional<std::string> {
    if (!since || *since < milliseconds(100)) return "pop-ams";
    if (*since >= milliseconds(1500) && *since < milliseconds(1600)) return std::nullopt;
    return "pop-sin";
  };
  Outcome f = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s, stable: 3s}\n", flap);
  EXPECT_FALSE(f.out.steps.at(1).pass());
  EXPECT_LE(f.out.duration, f.event + milliseconds(1600 + 100 + 40)) << "decided once the run broke after the bound";
}

// max-outage: FAIL once an outage is longer than the bound; PASS once the
// client is answered again, for `stable`, with no longer outage.
TEST(Engine, MaxOutageIsDecidedEarlyBothWays) {
  Script dark = [](std::optional<Micros> since) -> std::optional<std::string> {
    if (since && *since < milliseconds(800)) return std::nullopt;
    return since ? "pop-sin" : "pop-ams";
  };
  Outcome over = run("      - expect: {client: client-eu, max-outage: 300ms}\n", dark);
  EXPECT_FALSE(over.out.steps.at(1).pass());
  EXPECT_LE(over.out.duration, over.event + milliseconds(300 + 100 + 40));
  Outcome ok = run("      - expect: {client: client-eu, max-outage: 1s}\n", dark);
  EXPECT_TRUE(ok.out.steps.at(1).pass()) << ok.out.steps.at(1).measured;
  EXPECT_EQ(ok.out.steps.at(1).longest_outage, milliseconds(800));
  EXPECT_LE(ok.out.duration, ok.event + milliseconds(800 + 500 + 100 + 40));
}

// unreachable: a blackhole proven once nobody has answered for `stable`.
TEST(Engine, UnreachablePassesOnceNobodyAnsweredForStable) {
  Outcome r = run("      - expect: {client: client-eu, unreachable: true, within: 5s}\n", moves(milliseconds(300), std::nullopt));
  EXPECT_TRUE(r.out.steps.at(1).pass()) << r.out.steps.at(1).measured;
  EXPECT_EQ(r.out.steps.at(1).convergence, milliseconds(300));
  EXPECT_LE(r.out.duration, r.event + milliseconds(300 + 500 + 100 + 40));
}

// A signal (a CI job's time limit) during a judgement: the expectation under
// way is interrupted, not judged on what was seen so far (here, an outage
// shorter than its bound, which read as a pass), and every step after it is
// interrupted too. The scenario is not a pass.
TEST(Engine, ASignalInterruptsTheJudgementAndEveryStepAfterIt) {
  FakeLab fake(moves(milliseconds(0), std::nullopt));  // dark from the event on
  fake.signal_at = milliseconds(1000);
  Outcome r = run_on(fake,
                     "      - expect: {client: client-eu, max-outage: 5s}\n"
                     "      - restore: {node: pop-ams}\n"
                     "      - expect: {client: client-eu, reaches: pop-ams, within: 2s}\n");
  ASSERT_EQ(r.out.steps.size(), 4u);
  EXPECT_EQ(r.out.steps[0].status, Status::kPass);
  const StepOutcome& judging = r.out.steps[1];
  EXPECT_EQ(judging.status, Status::kInterrupted) << judging.measured;
  EXPECT_FALSE(judging.pass());
  EXPECT_TRUE(judging.measured.starts_with("interrupted before it was decided")) << judging.measured;
  EXPECT_FALSE(judging.longest_outage) << "nothing is reported as measured";
  EXPECT_EQ(r.out.steps[2].status, Status::kInterrupted);
  EXPECT_EQ(r.out.steps[2].kind, StepKind::kEvent);
  EXPECT_EQ(r.out.steps[3].status, Status::kInterrupted);
  EXPECT_EQ(r.out.steps[3].kind, StepKind::kExpectation);
  EXPECT_EQ(r.out.steps[3].line, 25);
  EXPECT_EQ(r.out.status(), Status::kInterrupted);
  EXPECT_FALSE(r.out.pass());
  EXPECT_LT(r.out.duration, milliseconds(1200)) << "stopped at the signal, not at the bound";
}

// A scenario a signal came before: every step interrupted, none passing.
TEST(Engine, AScenarioNeverStartedIsInterrupted) {
  Lab lab = fake_lab("  - name: s\n    steps:\n      - fail: {node: pop-ams}\n"
                     "      - expect: {client: client-eu, reaches: pop-sin}\n");
  ScenarioOutcome o = interrupted_scenario(lab.spec.scenarios.front());
  ASSERT_EQ(o.steps.size(), 2u);
  EXPECT_EQ(o.steps[1].status, Status::kInterrupted);
  EXPECT_TRUE(o.steps[1].expectation());
  EXPECT_EQ(o.status(), Status::kInterrupted);
}

// Probes the prober could not send are not "no answer": an `unreachable`
// over them would pass on a broken prober. The expectation is an error,
// with the cause, and decided at once.
TEST(Engine, ProbesThatCouldNotBeSentAreAnErrorNotNoAnswer) {
  FakeLab fake(moves(milliseconds(0), "pop-ams"));
  fake.unsent_from = milliseconds(0);
  Outcome r = run_on(fake, "      - expect: {client: client-eu, unreachable: true, within: 5s}\n");
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_EQ(e.status, Status::kError) << e.measured;
  EXPECT_NE(e.measured.find("could not be sent: cannot open a socket in client-eu's namespace: Too many open files"),
            std::string::npos)
      << e.measured;
  EXPECT_EQ(r.out.status(), Status::kError);
  EXPECT_LT(r.out.duration, r.event + milliseconds(500));
  FakeLab max(moves(milliseconds(0), std::nullopt));
  max.unsent_from = milliseconds(0);
  EXPECT_EQ(run_on(max, "      - expect: {client: client-eu, max-outage: 1s}\n").out.steps.at(1).status, Status::kError);
}

// A router that does not answer on its vty: the route expectation could not
// be measured, which is an error, not "no route".
TEST(Engine, ARouterThatDoesNotAnswerIsAnError) {
  FakeLab fake(moves(milliseconds(0), "pop-ams"));
  fake.vty_answers = false;
  Outcome r = run_on(fake, "      - expect: {route: {node: edge-ams, via: pop-ams}}\n");
  EXPECT_EQ(r.out.steps.at(1).status, Status::kError);
  EXPECT_EQ(r.out.steps.at(1).measured, "edge-ams's bgpd did not answer on its vty socket in time");
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// Every event's control-plane cost: UPDATEs from the routers' counters
// (a counter lower than before was reset with its session: what it counted
// since), the routers whose best path changed and when the last did.
TEST(Engine, AnEventsControlPlaneCostIsCountedUntilTheNextEvent) {
  FakeLab fake(moves(milliseconds(300), "pop-sin"));
  fake.route_changes = {{milliseconds(200), "edge-ams"}, {milliseconds(400), "edge-sin"}, {milliseconds(700), "edge-sin"}};
  const Outcome r = run_on(fake, "      - expect: {settled: {within: 2s}}\n"
                                 "      - expect: {updates: {at-most: 20}}\n"
                                 "      - expect: {updates: {at-most: 3, router: edge-ams}}\n");
  ASSERT_EQ(r.out.steps.size(), 4u);
  const StepOutcome& settled = r.out.steps[1];
  EXPECT_TRUE(settled.pass()) << settled.measured;
  EXPECT_EQ(settled.text, "expect settled within 2s");
  EXPECT_EQ(settled.measured, "the last best-path change +0.700s after the event (edge-sin); 2 routers changed, 3 changes");
  EXPECT_EQ(settled.convergence, milliseconds(700));
  // edge-ams: 3 on one session, and 3 counted anew on the reset one (was 7); edge-sin 6.
  const StepOutcome& all = r.out.steps[2];
  EXPECT_TRUE(all.pass()) << all.measured;
  EXPECT_NE(all.measured.find("12 UPDATEs sent since the event (edge-ams 6, edge-sin 6); routes settled +0.700s"),
            std::string::npos)
      << all.measured;
  const StepOutcome& one = r.out.steps[3];
  EXPECT_FALSE(one.pass());
  EXPECT_EQ(one.text, "expect updates at-most 3 sent by edge-ams");
  ASSERT_TRUE(r.out.steps[0].cost);
  const checks::EventCost& c = *r.out.steps[0].cost;
  EXPECT_EQ(c.sent(), 12u);
  EXPECT_EQ(c.changed(), 2);
  EXPECT_EQ(c.changes(), 3);
  EXPECT_EQ(c.settled, milliseconds(700));
  ASSERT_EQ(c.routers.size(), 2u);
  EXPECT_EQ(c.routers[1].router, "edge-sin");
  EXPECT_EQ(c.routers[1].before, "192.0.2.0/24 via edge-ams");
  EXPECT_EQ(c.routers[1].after, "192.0.2.0/24 via pop-sin edge-sin");
  EXPECT_EQ(checks::cost_text(c), "12 UPDATEs sent, 0 received; 2 routers changed their best path (3 changes); "
                                  "settled 0.700s after the event");
}

// A change after the bound fails `settled` as soon as it is seen; with no
// change at all, it holds once the watch looked a quiet second past it.
TEST(Engine, SettledFailsOnALateChangeAndHoldsWithNone) {
  FakeLab late(moves(milliseconds(300), "pop-sin"));
  late.route_changes = {{milliseconds(200), "edge-ams"}, {milliseconds(1500), "edge-sin"}};
  const Outcome r = run_on(late, "      - expect: {settled: {within: 1s}}\n");
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_FALSE(e.pass());
  EXPECT_EQ(e.measured, "the last best-path change +1.500s after the event (edge-sin, over the bound); 2 routers "
                        "changed, 2 changes");
  EXPECT_LT(e.at - r.event, milliseconds(1800));

  FakeLab quiet(moves(milliseconds(300), "pop-sin"));
  const Outcome q = run_on(quiet, "      - expect: {settled: {within: 1s}}\n");
  EXPECT_TRUE(q.out.steps.at(1).pass());
  EXPECT_EQ(q.out.steps.at(1).measured, "no router's best path changed");
  EXPECT_EQ(checks::cost_text(*q.out.steps.at(0).cost), "0 UPDATEs sent, 0 received; no router's best path changed");
}

}  // namespace
}  // namespace anylab
