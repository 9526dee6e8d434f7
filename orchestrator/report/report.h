// report/: what `anylab test` and `anylab run` did, written for people and
// for CI: the TestReport (the one source every report is made from) and
// what is counted from it (report.cc: tallies, spreads over repeated runs,
// shares), as JSON (json_report.cc), JUnit XML (junit_report.cc) and HTML
// (html.h), text escaped by markup.h.
#pragma once

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/engine.h"

namespace anylab {

// One scenario run `repeat` times.
struct ScenarioRuns {
  std::string name;
  std::string description;
  std::vector<ScenarioOutcome> runs{};
  bool pass() const;
};

// The lab's topology, for the catchment maps.
struct ReportNode {
  std::string name;
  NodeKind kind = NodeKind::kClient;
  uint32_t asn = 0;     // 0 for clients
  std::string service;  // instances
  // An instance announcing its service's prefix from another AS than the
  // service's: a hijacker (drawn in its own colour).
  bool hijacker = false;
  uint32_t weight = 1;  // clients: the users behind it
  size_t background_routes = 0;  // routers: the routes of its background table (`background:`)
};
struct ReportLink {
  std::string a, b;
};

struct TestReport {
  std::string lab;
  std::string file;     // the lab file as the user named it
  std::string runtime;  // what measured it: times may differ by runtime, verdicts must not
  std::string started;  // UTC, ISO 8601
  double seconds = 0;   // wall time of the whole test
  int repeat = 1;
  checks::Micros probe_interval{};
  checks::Micros probe_timeout{};
  std::vector<ReportNode> nodes{};
  std::vector<ReportLink> links{};
  std::vector<ScenarioRuns> scenarios{};
  bool interrupted = false;  // a signal stopped the run: nothing after it was measured
  bool pass() const;
};

// A report for a run of this lab, with its topology and probe settings; the
// scenarios are added as they run.
TestReport start_report(const Lab& lab, const std::string& file, int repeat, std::string started);

// Min, median and max of the values one expectation measured over the runs.
// A measured time over the runs: min, median (the mean of the two middle
// values for an even count), the 95th and 99th percentiles (nearest rank:
// the ceil(p% of n)-th smallest, so a run that measured it), and max.
struct Spread {
  checks::Micros min{}, median{}, p95{}, p99{}, max{};
};
std::optional<Spread> spread(std::vector<checks::Micros> values);
// "; convergence min/median/p95/p99/max 0.088s / 0.089s / 0.090s / 0.090s /
// 0.090s", or "" for none.
std::string spread_text(const char* what, const std::optional<Spread>& s);

// One expectation of a scenario over all its runs: step `index` of each run.
struct ExpectationRuns {
  const StepOutcome* first = nullptr;  // the first run's outcome (text, line)
  int runs = 0;
  int passed = 0;
  Status worst = Status::kPass;  // of its runs
  std::optional<Spread> convergence;
  std::optional<Spread> longest_outage;
  std::vector<checks::Micros> convergence_values, outage_values;  // each run's, in run order (for CDFs)
  std::optional<std::array<double, 3>> percent;  // min, median, max of a share measured (load, loss)
  std::optional<std::array<double, 3>> rate;     // min, median, max of queries a second measured (load)
  std::vector<const StepOutcome*> failures;  // every run that did not pass, in run order
  std::vector<int> failed_runs;              // 1-based run numbers of those
  // Its bounds over the runs (`within: {p95: 1s}`), each judged: the
  // percentile measured (nearest rank; a run that measured nothing counts
  // as longest) and the runs over the bound.
  struct Bound {
    int percentile = 0;
    checks::Micros bound{};
    std::optional<checks::Micros> measured{};  // nullopt: not measured in enough runs
    std::vector<int> runs_over{};              // 1-based
    bool held() const { return measured && *measured <= bound; }
  };
  std::vector<Bound> bounds;
  bool bounds_held() const {
    return std::all_of(bounds.begin(), bounds.end(), [](const Bound& b) { return b.held(); });
  }
  // It held: in every run, and over the runs.
  bool held() const { return passed == runs && bounds_held(); }
};
std::vector<ExpectationRuns> expectations(const ScenarioRuns& s);
// "; share min/median/max 1.0% / 2.0% / 3.0%; rate min/median/max 800/s /
// 850/s / 900/s" for what an expectation measured over the runs, or "".
std::string measured_spreads(const ExpectationRuns& e);
// "; p95 2.400s over its bound 2s (runs 3, 7 over it)" for each bound over
// the runs, held or not; "" without bounds.
std::string bounds_text(const ExpectationRuns& e);

// What every report counts, counted once: scenarios that passed,
// expectations (each over all its runs) and those that failed in any run
// (measured, and did not hold), steps the harness could not do or measure
// (errors: events not applied, expectations not measurable), and steps
// interrupted by a signal.
struct Tally {
  size_t scenarios_passed = 0, expectations = 0, failed = 0, errors = 0, interrupted = 0;
};
Tally tally_of(const TestReport& report);

// The worst of a whole run, for the summaries: the slowest convergence any
// expectation measured, and the longest time any client went unanswered
// by any service (from the probe timelines, whether an expectation asked
// or not), with where it happened.
struct Worst {
  checks::Micros time{};
  std::string where;  // "scenario: step" or "scenario: client (service)"
};
std::optional<Worst> slowest_convergence(const TestReport& report);
std::optional<Worst> longest_outage(const TestReport& report);

// Each instance's share of the clients' weight over time, per service and
// family, sampled every `step` (the value at t is what the probes sent in
// the two probe intervals before t say: each client counted for whoever
// answered it last, or for nobody). `shares[k]` is at `step * (k + 1)`;
// instance "" is nobody.
struct ShareSeries {
  std::string service;
  Family family = Family::kIpv4;
  checks::Micros step{};
  std::map<std::string, std::vector<double>> shares;  // percent
};
std::vector<ShareSeries> share_series(const TestReport& r, const ScenarioOutcome& o, checks::Micros step,
                                      checks::Micros span);
// Whether the lab weighs its clients (then shares over time are reported).
bool weighted(const TestReport& r);

// With offered load: a line per instance (what its responder served and
// dropped, its busiest second against its capacity) and per client (what
// it sent and had answered), each starting with two spaces.
std::string load_text(const LoadOutcome& load);
// Its busiest second: the most it served in one second.
uint64_t peak_served(const LoadOutcome::Instance& i);

// The report as JSON (documented in the README, "JSON report"): every
// step's outcome and measured times, every client's timeline as segments,
// and per-expectation spreads when scenarios ran more than once.
std::string json_report(const TestReport& report);
// Its JSON Schema (draft 2020-12; report/report_schema.json): every field,
// described, for pipelines that read the report.
extern const char kReportSchema[];

// The report as JUnit XML: a testsuite per scenario, a testcase per
// expectation, <failure> for a check that did not hold, <error> for an event
// that could not be applied, an expectation the harness could not measure,
// or a step a signal interrupted (type="interrupted").
std::string junit_report(const TestReport& report);

}  // namespace anylab
