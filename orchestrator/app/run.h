#pragma once

#include <expected>
#include <string>
#include <vector>

#include "app/deploy.h"
#include "app/session.h"
#include "report/report.h"

namespace anylab {

struct ScenarioOptions {
  std::string only;        // one scenario by name; "" for all
  int repeat = 1;          // each scenario this many times
  std::string json_file;   // "" for none
  std::string junit_file;  // "" for none
  std::string html_file;   // "" for none
  bool record = false;     // write the steady state into the lab file first (app/record.h)
};

// What a run of scenarios tells as it goes (the CLI prints it), besides
// what its deploy and destroy tell.
class RunObserver : public Messages {
 public:
  virtual void run_started(const std::string& scenario, int run, int repeat) = 0;
  virtual void run_done(const ScenarioOutcome& outcome) = 0;
  // Every run of a scenario done (with --repeat: its spreads to tell).
  virtual void scenario_done(const ScenarioRuns& runs, int repeat) = 0;
  // The run over and its reports written (before `anylab test` destroys).
  virtual void run_finished(const struct RunResult& result) = 0;
};

// What a run measured, and how it ends: the exit code (0 all held, 1 a check
// failed, 2 no such scenario, 3 a report not written or the run stopped,
// 128 + the signal when cancelled), and what went wrong besides the checks.
struct RunResult {
  TestReport report;
  int exit_code = kExitOk;
  int signal = 0;  // the signal that interrupted it, or 0
  std::vector<std::string> problems{};
};

// The scenarios (or `only`) of a lab this command deployed or claimed, each
// `repeat` times; the report files written. What a signal cut short is in
// the report as interrupted, never as passed.
RunResult run_loaded(const Lab& lab, const std::string& file, const ScenarioOptions& options, RunObserver& observer,
                     const Cancel& cancel);
// `anylab run`: a deployed lab, by file or name, claimed while its scenarios
// run. The exit code alone when it cannot start.
std::expected<RunResult, int> run_deployed(const std::string& lab_or_name, const ScenarioOptions& options,
                                           RunObserver& observer, const Cancel& cancel);
// `anylab test`: load, check the machine, claim, deploy, run every
// scenario, destroy (whatever happened, unless someone else destroyed or
// redeployed the lab meanwhile).
std::expected<RunResult, int> test_lab_file(const std::string& lab_file, const DeployOptions& deploy_options,
                                            const ScenarioOptions& options, RunObserver& observer,
                                            const Cancel& cancel);

}  // namespace anylab
