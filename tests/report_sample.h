#pragma once

#include "report/report.h"

namespace anylab::test {

// A made-up test run for the report tests: two scenarios, the second run
// twice, with one expectation failing in its second run and one event that
// could not be applied, and short probe timelines.
inline TestReport sample_report() {
  using std::chrono::milliseconds;
  using checks::Micros;
  auto probes = [](std::vector<std::pair<int, const char*>> segments) {
    checks::ClientTimeline t;
    Micros at{0};
    for (auto [n, who] : segments)
      for (int i = 0; i < n; ++i, at += milliseconds(10))
        t.push_back({at, *who ? std::optional<std::string>(who) : std::nullopt});
    return t;
  };
  StepOutcome catchment{.text = "expect catchment", .kind = StepKind::kExpectation, .measured = "client-eu -> pop-ams",
                        .at = milliseconds(400), .since = milliseconds(300), .instance = "pop-ams", .line = 12};
  ScenarioOutcome baseline{.name = "baseline", .steps = {catchment}, .duration = milliseconds(500),
                           .timelines = {{"client-eu", "dns", Family::kIpv4, probes({{50, "pop-ams"}})}}};
  StepOutcome crash{.text = "fail node pop-ams (crash)", .measured = "applied at +0.300s", .at = milliseconds(300),
                    .line = 16};
  crash.cost = checks::EventCost{
      .from = milliseconds(295), .until = milliseconds(2500), .resolution = milliseconds(100),
      .routers = {{.router = "edge-ams", .sent = 1, .received = 0, .changes = 1, .last_change = milliseconds(95),
                   .before = "192.0.2.0/24 via 198.18.0.5 as-path 64500",
                   .after = "192.0.2.0/24 via 198.18.0.9 as-path 65020 64500"},
                  {.router = "edge-sin", .sent = 0, .received = 1, .changes = 0, .last_change = std::nullopt,
                   .before = "192.0.2.0/24 via 198.18.0.7 as-path 64500",
                   .after = "192.0.2.0/24 via 198.18.0.7 as-path 64500"}},
      .settled = milliseconds(95)};
  StepOutcome reaches{.text = "expect client-eu reaches pop-sin within 2s", .kind = StepKind::kExpectation,
                      .measured = "pop-sin from +0.090s, for 1.940s", .at = milliseconds(2330),
                      .since = milliseconds(300), .convergence = milliseconds(90), .instance = "pop-sin", .line = 17};
  StepOutcome outage{.text = "expect client-eu max-outage 1s", .kind = StepKind::kExpectation,
                     .measured = "longest outage 0.080s", .at = milliseconds(2400), .since = milliseconds(300),
                     .longest_outage = milliseconds(80), .line = 18};
  StepOutcome restore{.text = "restore node pop-ams", .status = Status::kError, .measured = "pop-ams runs nothing to restore",
                      .at = milliseconds(2500), .line = 19};
  ScenarioOutcome run1{.name = "crash", .steps = {crash, reaches, outage}, .duration = milliseconds(2600),
                       .timelines = {{"client-eu", "dns", Family::kIpv4, probes({{30, "pop-ams"}, {8, ""}, {222, "pop-sin"}})}}};
  StepOutcome late = reaches;
  late.status = Status::kFail;
  late.convergence = milliseconds(2400);
  late.measured = "pop-sin from +2.400s (expected within 2s)";
  StepOutcome outage2 = outage;
  outage2.longest_outage = milliseconds(120);
  ScenarioOutcome run2{.name = "crash", .steps = {crash, late, outage2, restore},
                       .duration = milliseconds(2600),
                       .timelines = {{"client-eu", "dns", Family::kIpv4, probes({{30, "pop-ams"}, {12, ""}, {218, "pop-sin"}})}}};
  return TestReport{.lab = "sample", .file = "labs/sample.yaml", .runtime = "netns", .started = "2026-11-22T08:00:00Z", .seconds = 5.7,
                    .repeat = 2, .probe_interval = milliseconds(10), .probe_timeout = milliseconds(100),
                    .nodes = {{"edge-ams", NodeKind::kRouter, 65010, ""}, {"edge-sin", NodeKind::kRouter, 65020, ""},
                              {"pop-ams", NodeKind::kInstance, 64500, "dns"}, {"pop-sin", NodeKind::kInstance, 64500, "dns"},
                              {"client-eu", NodeKind::kClient, 0, ""}},
                    .links = {{"client-eu", "edge-ams"}, {"edge-ams", "pop-ams"}, {"edge-sin", "pop-sin"},
                              {"edge-ams", "edge-sin"}},
                    .scenarios = {{"baseline", "", {baseline}}, {"crash", "Amsterdam crashes", {run1, run2}}}};
}

}  // namespace anylab::test
