#include "app/run.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "app/record.h"

#include "report/html.h"
#include "runtime/destroy.h"
#include "runtime/journal.h"
#include "runtime/runtimes.h"
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

// "" when written, else why not.
std::string write_report(const std::string& file, const std::string& text, const char* what) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return fmt::format("cannot write the {} report to {}: {}", what, file, std::strerror(errno));
  return "";
}

void write_reports(RunResult& r, const ScenarioOptions& options) {
  for (const auto& [file, what, text] : {std::tuple{options.json_file, "JSON", &json_report},
                                         std::tuple{options.junit_file, "JUnit", &junit_report},
                                         std::tuple{options.html_file, "HTML", &html_report}})
    if (!file.empty())
      if (std::string why = write_report(file, text(r.report), what); !why.empty()) r.problems.push_back(why);
}

// One scenario, `repeat` times; after a signal, what was not run is said to
// be interrupted, so that no report reads as if it had passed or had not
// been asked for.
ScenarioRuns run_one(const Lab& lab, const NodeRuntime& runtime, const ScenarioSpec& sc, int repeat,
                     RunObserver& observer, const Cancel& cancel) {
  ScenarioRuns runs{sc.name.value, sc.description, {}};
  if (cancel) {
    runs.runs.push_back(interrupted_scenario(sc));
    return runs;
  }
  for (int k = 1; k <= repeat && !cancel; ++k) {
    observer.run_started(sc.name.value, k, repeat);
    runs.runs.push_back(run_scenario(lab, runtime, sc, &cancel.requested));
    observer.run_done(runs.runs.back());
  }
  if (!runs.runs.empty()) observer.scenario_done(runs, repeat);
  return runs;
}

}  // namespace

RunResult run_loaded(const Lab& lab, const std::string& file, const ScenarioOptions& options, RunObserver& observer,
                     const Cancel& cancel) {
  RunResult r{start_report(lab, file, options.repeat, utc_now())};
  const auto start = std::chrono::steady_clock::now();
  const NodeRuntime& runtime = runtime_of(lab);
  if (options.record) {
    auto recorded = record_into(lab, file, fmt::format("at {} on {}", utc_now(), lab.runtime));
    if (!recorded) r.problems.push_back(recorded.error().message);
    else observer.problem(*recorded);
  }
  for (const ScenarioSpec& sc : lab.spec.scenarios) {
    if (!options.only.empty() && sc.name.value != options.only) continue;
    if (options.record && sc.name.value == kRecordedScenario) continue;  // recorded anew, judged next time
    ScenarioRuns runs = run_one(lab, runtime, sc, options.repeat, observer, cancel);
    if (!runs.runs.empty()) r.report.scenarios.push_back(std::move(runs));
  }
  r.report.interrupted = bool(cancel);
  if (!options.only.empty() && r.report.scenarios.empty() && !cancel) {
    r.problems.push_back(fmt::format("lab {} has no scenario \"{}\"", lab.name, options.only));
    r.exit_code = kExitInvalidLab;
    return r;
  }
  r.report.seconds = seconds_since(start);
  write_reports(r, options);
  if (cancel) {
    r.signal = cancel.signal;
    r.exit_code = cancel.exit_code();
  } else if (!r.problems.empty()) {
    r.exit_code = kExitEnvironment;
  } else {
    r.exit_code = r.report.pass() ? kExitOk : kExitCheckFailed;
  }
  observer.run_finished(r);
  return r;
}

std::expected<RunResult, int> run_deployed(const std::string& lab_or_name, const ScenarioOptions& options,
                                           RunObserver& observer, const Cancel& cancel) {
  auto lab = find_lab(lab_or_name, observer);
  if (!lab) return std::unexpected(lab.error());
  if (Journal::read(lab->paths.runtime_root, lab->name).empty()) {
    observer.problem(fmt::format("lab {} is not deployed; `anylab deploy` it, or use `anylab test`", lab->name));
    return std::unexpected(kExitEnvironment);
  }
  // Held while the scenarios run: another job's destroy or deploy waits its turn.
  auto claim = claim_lab(lab->paths.runtime_root, lab->name, observer);
  if (!claim) return std::unexpected(claim.error());
  return run_loaded(*lab, lab_or_name, options, observer, cancel);
}

std::expected<RunResult, int> test_lab_file(const std::string& lab_file, const DeployOptions& deploy_options,
                                            const ScenarioOptions& options, RunObserver& observer,
                                            const Cancel& cancel) {
  DeployOptions o = deploy_options;
  o.keep_on_failure = false;
  auto lab = load_lab_file(lab_file, observer, o.runtime);
  if (!lab) return std::unexpected(lab.error());
  if (int rc = check_machine(*lab, observer); rc != kExitOk) return std::unexpected(rc);
  // Claimed from deploy to destroy: no other job deploys or removes it meanwhile.
  auto claim = claim_lab(lab->paths.runtime_root, lab->name, observer);
  if (!claim) return std::unexpected(claim.error());
  if (int rc = deploy_claimed(*lab, o, cancel, observer); rc != kExitOk) return std::unexpected(rc);
  // The lab this test deployed, told apart from one of the same name that
  // someone else deploys after destroying ours mid-test: its first process.
  auto first_process = [&]() -> std::optional<std::pair<pid_t, uint64_t>> {
    for (const JournalEntry& e : Journal::read(lab->paths.runtime_root, lab->name))
      if (e.kind == JournalEntry::Kind::kProcess) return std::pair{e.pid, e.start_time};
    return std::nullopt;
  };
  const auto ours = first_process();
  // Whatever happens while the scenarios run, the lab is destroyed after.
  RunResult r{start_report(*lab, lab_file, options.repeat, utc_now()), kExitEnvironment};
  try {
    r = run_loaded(*lab, lab_file, options, observer, cancel);
  } catch (const std::exception& e) {
    r.problems.push_back(fmt::format("the scenarios of {} stopped: {}", lab->name, e.what()));
  }
  if (first_process() == ours)
    observer.destroyed(lab->name, destroy_lab(lab->paths.runtime_root, lab->name));
  else
    r.problems.push_back(fmt::format("lab {} was destroyed or deployed again by someone else during the test; "
                                     "left as it is", lab->name));
  return r;
}

}  // namespace anylab
