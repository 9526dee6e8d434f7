// anylab run and anylab test: scenarios on a deployed lab, and the reports.
#include <ctime>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/lab_commands.h"
#include "app/deploy.h"
#include "app/session.h"
#include "evaluate.h"
#include "report/html.h"
#include "report/report.h"
#include "runtime/destroy.h"
#include "runtime/journal.h"
#include "scenario/engine.h"

namespace anylab {
namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void print_steps(const ScenarioOutcome& o) {
  for (const StepOutcome& s : o.steps) {
    const char* tag = s.status == Status::kInterrupted ? "INTR"
                      : s.status == Status::kError     ? "ERR "
                      : s.status == Status::kFail      ? "FAIL"
                      : s.expectation()                ? "PASS"
                                                       : "    ";
    std::cout << fmt::format("  {}  {}{}\n", tag, s.text, s.measured.empty() ? "" : ": " + s.measured);
  }
  if (o.load) std::cout << fmt::format("  offered load {}/s:\n{}", o.load->rate, load_text(*o.load));
}

// With --repeat: each expectation over the runs, and the spread of what it
// measured. It holds only if it held in every run.
void print_spreads(const ScenarioRuns& runs) {
  std::cout << fmt::format("scenario {}: {} runs\n", runs.name, runs.runs.size());
  for (const ExpectationRuns& e : expectations(runs)) {
    std::string failed;
    for (int r : e.failed_runs) failed += (failed.empty() ? " (failed in run " : ", ") + std::to_string(r);
    if (!failed.empty()) failed += ")";
    const std::string share = measured_spreads(e);
    std::cout << fmt::format("  {}  {}: held in {}/{} runs{}{}{}{}\n",
                             e.passed == e.runs ? "PASS" : e.worst == Status::kFail ? "FAIL" : to_string(e.worst),
                             e.first->text, e.passed, e.runs, failed, spread_text("convergence", e.convergence),
                             spread_text("longest outage", e.longest_outage), share);
  }
}

bool write_report(const std::string& file, const std::string& text, const char* what) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << fmt::format("anylab: cannot write the {} report to {}: {}\n", what, file, std::strerror(errno));
    return false;
  }
  return true;
}

int run_loaded(const Lab& lab, const std::string& file, const ScenarioOptions& options) {
  TestReport report = start_report(lab, file, options.repeat, utc_now());
  const auto start = std::chrono::steady_clock::now();
  for (const ScenarioSpec& sc : lab.spec.scenarios) {
    if (!options.only.empty() && sc.name.value != options.only) continue;
    ScenarioRuns runs{sc.name.value, sc.description, {}};
    // After a signal, what was not run is said to be interrupted, so that
    // no report reads as if it had passed or had not been asked for.
    if (g_cancel) {
      runs.runs.push_back(interrupted_scenario(sc));
      report.scenarios.push_back(std::move(runs));
      continue;
    }
    for (int k = 1; k <= options.repeat && !g_cancel; ++k) {
      std::cout << fmt::format("scenario {}{}\n", sc.name.value,
                               options.repeat > 1 ? fmt::format(" (run {}/{})", k, options.repeat) : "")
                << std::flush;
      runs.runs.push_back(run_scenario(lab, sc, &g_cancel));
      print_steps(runs.runs.back());
      std::cout << std::flush;
    }
    if (options.repeat > 1 && !runs.runs.empty()) print_spreads(runs);
    if (!runs.runs.empty()) report.scenarios.push_back(std::move(runs));
  }
  report.interrupted = g_cancel;
  if (!options.only.empty() && report.scenarios.empty() && !g_cancel) {
    std::cerr << fmt::format("anylab: lab {} has no scenario \"{}\"\n", lab.name, options.only);
    return kExitInvalidLab;
  }
  report.seconds = seconds_since(start);
  bool written = true;
  if (!options.json_file.empty()) written &= write_report(options.json_file, json_report(report), "JSON");
  if (!options.junit_file.empty()) written &= write_report(options.junit_file, junit_report(report), "JUnit");
  if (!options.html_file.empty()) written &= write_report(options.html_file, html_report(report), "HTML");
  const Tally t = tally_of(report);
  std::cout << fmt::format("{}: {} scenarios, {} expectations, {} failed{}{}{}\n", lab.name, report.scenarios.size(),
                           t.expectations, t.failed,
                           t.errors ? fmt::format(", {} errors (steps the harness could not do or measure)", t.errors)
                                    : "",
                           report.interrupted
                               ? fmt::format(", interrupted by signal {} ({} step{} not judged)", g_signal.load(),
                                             t.interrupted, t.interrupted == 1 ? "" : "s")
                               : "",
                           options.repeat > 1 ? fmt::format(" (each scenario run {} times)", options.repeat) : "");
  if (g_cancel) return 128 + g_signal;
  if (!written) return kExitEnvironment;
  return report.pass() ? kExitOk : kExitCheckFailed;
}

}  // namespace

int run_scenarios(const std::string& lab_or_name, const ScenarioOptions& options) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  if (Journal::read(lab->paths.runtime_root, lab->name).empty()) {
    std::cerr << fmt::format("anylab: lab {} is not deployed; `anylab deploy` it, or use `anylab test`\n", lab->name);
    return kExitEnvironment;
  }
  // Held while the scenarios run: another job's destroy or deploy waits its turn.
  auto claim = claim_lab(lab->paths.runtime_root, lab->name);
  if (!claim) return claim.error();
  catch_signals();
  return run_loaded(*lab, lab_or_name, options);
}

int test_lab(const std::string& lab_file, const DeployOptions& deploy_options, const ScenarioOptions& options) {
  DeployOptions o = deploy_options;
  o.keep_on_failure = false;
  auto lab = load_lab_file(lab_file, o.runtime);
  if (!lab) return lab.error();
  if (int rc = check_machine(*lab); rc != kExitOk) return rc;
  // Claimed from deploy to destroy: no other job deploys or removes it meanwhile.
  auto claim = claim_lab(lab->paths.runtime_root, lab->name);
  if (!claim) return claim.error();
  if (int rc = deploy_claimed(*lab, lab_file, o); rc != kExitOk) return rc;
  // The lab this test deployed, told apart from one of the same name that
  // someone else deploys after destroying ours mid-test: its first process.
  auto first_process = [&]() -> std::optional<std::pair<pid_t, uint64_t>> {
    for (const JournalEntry& e : Journal::read(lab->paths.runtime_root, lab->name))
      if (e.kind == JournalEntry::Kind::kProcess) return std::pair{e.pid, e.start_time};
    return std::nullopt;
  };
  const auto ours = first_process();
  // Whatever happens while the scenarios run, the lab is destroyed after.
  int rc = kExitEnvironment;
  try {
    rc = run_loaded(*lab, lab_file, options);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("anylab: the scenarios of {} stopped: {}\n", lab->name, e.what());
  }
  if (first_process() == ours)
    print_destroy(lab->name, destroy_lab(lab->paths.runtime_root, lab->name));
  else
    std::cerr << fmt::format("anylab: lab {} was destroyed or deployed again by someone else during the test; "
                             "left as it is\n", lab->name);
  return rc;
}

}  // namespace anylab
