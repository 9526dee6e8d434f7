// anylab run and anylab test: what app/run.h does, printed as it goes.
#include <iostream>

#include <fmt/format.h>

#include "app/run.h"
#include "cli/console.h"
#include "cli/lab_commands.h"

namespace anylab {
namespace {

class Printer : public Console<RunObserver> {
 public:
  void run_started(const std::string& scenario, int run, int repeat) override {
    std::cout << fmt::format("scenario {}{}\n", scenario, repeat > 1 ? fmt::format(" (run {}/{})", run, repeat) : "")
              << std::flush;
  }
  void run_done(const ScenarioOutcome& o) override {
    for (const StepOutcome& s : o.steps) {
      const char* tag = s.status == Status::kInterrupted ? "INTR"
                        : s.status == Status::kError     ? "ERR "
                        : s.status == Status::kFail      ? "FAIL"
                        : s.expectation()                ? "PASS"
                                                         : "    ";
      std::cout << fmt::format("  {}  {}{}\n", tag, s.text, s.measured.empty() ? "" : ": " + s.measured);
      if (s.cost) std::cout << fmt::format("        control plane: {}\n", checks::cost_text(*s.cost));
    }
    if (o.load) std::cout << fmt::format("  offered load {}/s:\n{}", o.load->rate, load_text(*o.load));
    std::cout << std::flush;
  }
  // With --repeat: each expectation over the runs, and the spread of what
  // it measured. It holds only if it held in every run.
  // Bounds over the runs (percentiles) are judged here, with one run too.
  void scenario_done(const ScenarioRuns& runs, int repeat) override {
    const auto all = expectations(runs);
    const bool bounds = std::ranges::any_of(all, [](const ExpectationRuns& e) { return !e.bounds.empty(); });
    if (repeat <= 1 && !bounds) return;
    std::cout << fmt::format("scenario {}: {} run{}\n", runs.name, runs.runs.size(), runs.runs.size() == 1 ? "" : "s");
    for (const ExpectationRuns& e : all) {
      if (repeat <= 1 && e.bounds.empty()) continue;
      std::string failed;
      for (int r : e.failed_runs) failed += (failed.empty() ? " (failed in run " : ", ") + std::to_string(r);
      if (!failed.empty()) failed += ")";
      std::cout << fmt::format("  {}  {}: {} in {}/{} runs{}{}{}{}{}\n",
                               e.held() ? "PASS" : e.worst == Status::kFail ? "FAIL" : to_string(e.worst),
                               e.first->text, e.first->bounded_each_run ? "held" : "measured", e.passed, e.runs, failed,
                               bounds_text(e),
                               spread_text("convergence", e.convergence),
                               spread_text("longest outage", e.longest_outage), measured_spreads(e));
    }
  }
  void run_finished(const RunResult& r) override {
    const Tally t = tally_of(r.report);
    std::cout << fmt::format(
        "{}: {} scenarios, {} expectations, {} failed{}{}{}\n", r.report.lab, r.report.scenarios.size(), t.expectations,
        t.failed, t.errors ? fmt::format(", {} errors (steps the harness could not do or measure)", t.errors) : "",
        r.report.interrupted ? fmt::format(", interrupted by signal {} ({} step{} not judged)", r.signal, t.interrupted,
                                           t.interrupted == 1 ? "" : "s")
                             : "",
        r.report.repeat > 1 ? fmt::format(" (each scenario run {} times)", r.report.repeat) : "");
  }
};

int printed(const std::expected<RunResult, int>& r) {
  if (!r) return r.error();
  for (const std::string& p : r->problems) std::cerr << "anylab: " << p << "\n";
  return r->exit_code;
}

}  // namespace

int run_scenarios(const std::string& lab_or_name, const ScenarioOptions& options) {
  Printer printer;
  return printed(run_deployed(lab_or_name, options, printer, catch_signals()));
}

int test_lab(const std::string& lab_file, const DeployOptions& deploy_options, const ScenarioOptions& options) {
  Printer printer;
  return printed(test_lab_file(lab_file, deploy_options, options, printer, catch_signals()));
}

}  // namespace anylab
