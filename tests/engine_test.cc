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
    void sleep_until(Micros t) override { lab_.clock = std::max(lab_.clock, t); }
    // Every 10 ms; decided once older than the 100 ms timeout.
    std::vector<checks::ClientTimeline> timelines() const override {
      checks::ClientTimeline t;
      for (Micros s{0}; s <= lab_.clock - milliseconds(100); s += milliseconds(10)) {
        std::optional<Micros> since;
        if (lab_.event && s >= *lab_.event) since = s - *lab_.event;
        t.push_back({s, lab_.script_(since)});
      }
      return {t};
    }
    void stop() override {}

   private:
    FakeLab& lab_;
  };

  std::expected<std::vector<ProbeKey>, std::string> targets() override {
    return std::vector<ProbeKey>{{"client-eu", "dns", Family::kIpv4}};
  }
  std::expected<std::unique_ptr<ProbeRun>, std::string> start_probes() override {
    return std::make_unique<Probes>(*this);
  }
  std::expected<std::unique_ptr<checks::TcpSession>, std::string> open_tcp(const ProbeKey&) override {
    return std::unexpected("no TCP in the fake lab");
  }
  Result applied() {
    event = clock;
    return {};
  }
  Result set_link(const std::string&, const std::string&, bool) override { return applied(); }
  Result fail_node(const std::string&, FailMode) override { return applied(); }
  Result restore_node(const std::string&) override { return applied(); }
  Result set_bgp_session(const std::string&, const std::string&, bool) override { return applied(); }
  Result apply_policy(const PolicyStep&) override { return applied(); }
  Result clear_policy(const PolicyStep&) override { return {}; }
  Result impair(const ImpairStep&) override { return applied(); }
  Result clear_impairment(const ImpairStep&) override { return {}; }
  Result exabgp(const std::string&, const std::string&) override { return applied(); }
  std::optional<std::string> bgp_route_json(const std::string&, const IpPrefix&) override { return "{}"; }
  void wait_ready(Micros, const std::atomic<bool>*) override {}

  Micros clock{0};
  std::optional<Micros> event;

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

Outcome run(const std::string& steps, Script script) {
  Lab lab = fake_lab("  - name: s\n    steps:\n      - fail: {node: pop-ams}\n" + steps);
  FakeLab fake(std::move(script));
  Outcome r{run_scenario(fake, lab, lab.spec.scenarios.front(), nullptr), {}};
  r.event = r.out.steps.at(0).at;  // (fake.event is the undo's, by now)
  return r;
}

// A `within` is a bound, not a wait: the expectation passes once the client
// has answered from the instance for `stable` (0.5 s by default), judged on
// probes decided 0.1 s (the timeout) later, not once 10 s have passed.
TEST(Engine, ReachesWithinPassesOnceStableNotAtTheBound) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 10s}\n", moves(milliseconds(200), "pop-sin"));
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_TRUE(e.pass) << e.measured;
  EXPECT_EQ(e.convergence, milliseconds(200));
  EXPECT_LE(r.out.duration, r.event + milliseconds(200 + 500 + 100 + 40));
  EXPECT_GE(r.out.duration, r.event + milliseconds(200 + 500 + 100));
}

// Nothing converges: the verdict is FAIL as soon as the bound has passed.
TEST(Engine, ReachesWithinFailsOnceTheBoundPassed) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s}\n", moves(milliseconds(0), "pop-ams"));
  const StepOutcome& e = r.out.steps.at(1);
  EXPECT_FALSE(e.pass);
  EXPECT_EQ(e.measured, "answered by pop-ams at the end, not pop-sin");
  EXPECT_LE(r.out.duration, r.event + milliseconds(1000 + 100 + 40));
}

// Without `within`, the lab may take up to `settle` (30 s) to get there.
TEST(Engine, WithoutABoundItWaitsForTheLabToSettle) {
  Outcome slow = run("      - expect: {client: client-eu, reaches: pop-sin}\n", moves(milliseconds(12000), "pop-sin"));
  EXPECT_TRUE(slow.out.steps.at(1).pass) << slow.out.steps.at(1).measured;
  EXPECT_EQ(slow.out.steps.at(1).convergence, milliseconds(12000));
  EXPECT_LE(slow.out.duration, slow.event + milliseconds(12000 + 500 + 100 + 40));
  Outcome never = run("      - expect: {client: client-eu, reaches: pop-sin}\n", moves(milliseconds(0), "pop-ams"));
  EXPECT_FALSE(never.out.steps.at(1).pass);
  EXPECT_GE(never.out.duration, never.event + milliseconds(30000));
  EXPECT_LE(never.out.duration, never.event + milliseconds(30000 + 100 + 40));  // its probes judged to the end
}

// A written `stable` is waited for in full, and a flap inside it counts.
TEST(Engine, StableIsHeldInFull) {
  Outcome r = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s, stable: 3s}\n",
              moves(milliseconds(100), "pop-sin"));
  EXPECT_TRUE(r.out.steps.at(1).pass) << r.out.steps.at(1).measured;
  EXPECT_GE(r.out.duration, r.event + milliseconds(100 + 3000 + 100));
  Script flap = [](std::optional<Micros> since) -> std::optional<std::string> {
    if (!since || *since < milliseconds(100)) return "pop-ams";
    if (*since >= milliseconds(1500) && *since < milliseconds(1600)) return std::nullopt;
    return "pop-sin";
  };
  Outcome f = run("      - expect: {client: client-eu, reaches: pop-sin, within: 1s, stable: 3s}\n", flap);
  EXPECT_FALSE(f.out.steps.at(1).pass);
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
  EXPECT_FALSE(over.out.steps.at(1).pass);
  EXPECT_LE(over.out.duration, over.event + milliseconds(300 + 100 + 40));
  Outcome ok = run("      - expect: {client: client-eu, max-outage: 1s}\n", dark);
  EXPECT_TRUE(ok.out.steps.at(1).pass) << ok.out.steps.at(1).measured;
  EXPECT_EQ(ok.out.steps.at(1).longest_outage, milliseconds(800));
  EXPECT_LE(ok.out.duration, ok.event + milliseconds(800 + 500 + 100 + 40));
}

// unreachable: a blackhole proven once nobody has answered for `stable`.
TEST(Engine, UnreachablePassesOnceNobodyAnsweredForStable) {
  Outcome r = run("      - expect: {client: client-eu, unreachable: true, within: 5s}\n", moves(milliseconds(300), std::nullopt));
  EXPECT_TRUE(r.out.steps.at(1).pass) << r.out.steps.at(1).measured;
  EXPECT_EQ(r.out.steps.at(1).convergence, milliseconds(300));
  EXPECT_LE(r.out.duration, r.event + milliseconds(300 + 500 + 100 + 40));
}

}  // namespace
}  // namespace anylab
