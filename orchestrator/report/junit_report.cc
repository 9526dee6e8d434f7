// The report as JUnit XML.
#include <fmt/format.h>

#include "evaluate.h"
#include "report/markup.h"
#include "report/report.h"

namespace anylab {

using checks::Micros;

namespace {

std::string xml_escape(std::string_view s) { return markup_escape(s); }

std::string xml_seconds(Micros t) { return fmt::format("{:.3f}", static_cast<double>(t.count()) / 1e6); }

}  // namespace

namespace {

// A JUnit suite's counts.
struct SuiteCount {
  size_t tests = 0, failures = 0, errors = 0;
};

std::string testcase_open(const TestReport& r, const std::string& suite, const StepOutcome& st, const std::string& time) {
  return fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\" file=\"{}\" line=\"{}\">\n",
                     xml_escape(suite), xml_escape(fmt::format("line {}: {}", st.line, st.text)), time,
                     xml_escape(r.file), st.line);
}

// Events that could not be applied, or were interrupted: errors of the
// scenario, one testcase each.
std::string event_cases(const TestReport& r, const ScenarioRuns& s, const std::string& suite, SuiteCount& c) {
  std::string cases;
  for (size_t k = 0; k < s.runs.size(); ++k)
    for (const StepOutcome& st : s.runs[k].steps) {
      if (st.expectation() || st.pass()) continue;
      ++c.tests, ++c.errors;
      cases += testcase_open(r, suite, st, "0") +
               fmt::format("      <error message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
                           xml_escape(r.repeat > 1 ? fmt::format("run {}: {}", k + 1, st.measured) : st.measured),
                           st.status == Status::kInterrupted ? "interrupted" : "event");
    }
  return cases;
}

// An expectation over its runs. A measured failure is a <failure>; one that
// could not be measured or was cut short, in any run, an <error>: never a
// pass.
std::string expectation_case(const TestReport& r, const ExpectationRuns& x, const std::string& suite, SuiteCount& c) {
  ++c.tests;
  const StepOutcome& st = *x.first;
  const std::string out = r.repeat > 1 ? fmt::format("{}/{} runs held{}{}{}{}", x.passed, x.runs, bounds_text(x),
                                                     spread_text("convergence", x.convergence),
                                                     spread_text("longest outage", x.longest_outage), measured_spreads(x))
                                       : st.measured + bounds_text(x);
  std::string text = testcase_open(r, suite, st, xml_seconds(st.at - st.since));
  if (x.failures.empty() && !x.bounds_held()) {
    ++c.failures;
    const std::string broken = bounds_text(x).substr(2);
    text += fmt::format("      <failure message=\"{}\" type=\"expectation\">{}</failure>\n", xml_escape(broken),
                        xml_escape(broken + "\n"));
  }
  if (!x.failures.empty()) {
    const bool error = x.worst == Status::kError || x.worst == Status::kInterrupted;
    ++(error ? c.errors : c.failures);
    std::string detail;
    for (size_t k = 0; k < x.failures.size(); ++k)
      detail += fmt::format("run {}: {}{}\n", x.failed_runs[k],
                            x.failures[k]->status == Status::kFail ? "" : to_string(x.failures[k]->status) + std::string(": "),
                            x.failures[k]->measured);
    text += fmt::format("      <{} message=\"{}\" type=\"{}\">{}</{}>\n", error ? "error" : "failure",
                        xml_escape(x.failures.front()->measured),
                        error ? (x.worst == Status::kInterrupted ? "interrupted" : "harness") : "expectation",
                        xml_escape(detail), error ? "error" : "failure");
  }
  return text + fmt::format("      <system-out>{}</system-out>\n    </testcase>\n", xml_escape(out));
}

std::string scenario_suite(const TestReport& r, const ScenarioRuns& s, SuiteCount& all) {
  const std::string suite = r.lab + "." + s.name;
  SuiteCount c;
  Micros duration{};
  for (const ScenarioOutcome& o : s.runs) duration += o.duration;
  std::string cases = event_cases(r, s, suite, c);
  for (const ExpectationRuns& x : expectations(s)) cases += expectation_case(r, x, suite, c);
  all.tests += c.tests, all.failures += c.failures, all.errors += c.errors;
  return fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
                     "time=\"{}\" timestamp=\"{}\">\n{}  </testsuite>\n",
                     xml_escape(suite), c.tests, c.failures, c.errors, xml_seconds(duration), xml_escape(r.started), cases);
}

// A signal that came after the last step (while a scenario put the lab
// back) leaves every testcase judged: the run itself is still not a pass.
std::string interrupted_suite(const TestReport& r) {
  const std::string suite = r.lab + ".run";
  return fmt::format("  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" "
                     "timestamp=\"{}\">\n    <testcase classname=\"{}\" name=\"the run\" time=\"0\" file=\"{}\">\n"
                     "      <error message=\"anylab was interrupted by a signal: what it had not judged was not "
                     "judged\" type=\"interrupted\"/>\n    </testcase>\n  </testsuite>\n",
                     xml_escape(suite), xml_escape(r.started), xml_escape(suite), xml_escape(r.file));
}

}  // namespace

std::string junit_report(const TestReport& r) {
  std::string suites;
  SuiteCount all;
  for (const ScenarioRuns& s : r.scenarios) suites += scenario_suite(r, s, all);
  if (r.interrupted) {
    suites += interrupted_suite(r);
    ++all.tests, ++all.errors;
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"anylab {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n"
                     "{}</testsuites>\n",
                     xml_escape(r.lab), all.tests, all.failures, all.errors, r.seconds, suites);
}

}  // namespace anylab
