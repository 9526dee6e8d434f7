#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "evaluate.h"

namespace anylab {

using checks::Micros;
using json = nlohmann::ordered_json;

bool ScenarioRuns::pass() const {
  return !runs.empty() && std::all_of(runs.begin(), runs.end(), [](const ScenarioOutcome& o) { return o.pass(); });
}

bool TestReport::pass() const {
  return !interrupted && std::all_of(scenarios.begin(), scenarios.end(), [](const ScenarioRuns& s) { return s.pass(); });
}

TestReport start_report(const Lab& lab, const std::string& file, int repeat, std::string started) {
  TestReport r{.lab = lab.name, .file = file, .runtime = lab.runtime, .started = std::move(started), .repeat = repeat,
               .probe_interval = std::chrono::duration_cast<Micros>(lab.spec.defaults.probe_interval),
               .probe_timeout = std::chrono::duration_cast<Micros>(lab.spec.defaults.probe_timeout)};
  for (const Node& n : lab.nodes)
    r.nodes.push_back({n.name, n.kind, n.asn, n.service ? n.service->name.value : "",
                       n.service && n.asn != n.service->asn.value,
                       n.kind == NodeKind::kClient ? n.spec->weight_or_one() : 1});
  for (const Link& l : lab.links) r.links.push_back({l.a_node, l.b_node});
  return r;
}

Tally tally_of(const TestReport& r) {
  Tally t;
  for (const ScenarioRuns& s : r.scenarios) {
    t.scenarios_passed += s.pass();
    for (const ExpectationRuns& e : expectations(s)) {
      ++t.expectations;
      t.failed += std::ranges::any_of(e.failures, [](const StepOutcome* f) { return f->status == Status::kFail; });
    }
    for (const ScenarioOutcome& o : s.runs)
      for (const StepOutcome& st : o.steps) {
        t.errors += st.status == Status::kError;
        t.interrupted += st.status == Status::kInterrupted;
      }
  }
  return t;
}

std::optional<Worst> slowest_convergence(const TestReport& r) {
  std::optional<Worst> w;
  for (const ScenarioRuns& s : r.scenarios)
    for (const ScenarioOutcome& o : s.runs)
      for (const StepOutcome& st : o.steps)
        if (st.convergence && (!w || *st.convergence > w->time)) w = Worst{*st.convergence, s.name + ": " + st.text};
  return w;
}

std::optional<Worst> longest_outage(const TestReport& r) {
  std::optional<Worst> w;
  for (const ScenarioRuns& s : r.scenarios)
    for (const ScenarioOutcome& o : s.runs)
      for (const ClientProbes& t : o.timelines) {
        if (t.probes.empty()) continue;
        auto v = checks::max_outage(t.probes, Micros(0), t.probes.back().sent + r.probe_interval, Micros(0));
        if (v.longest_outage && *v.longest_outage > Micros(0) && (!w || *v.longest_outage > w->time))
          w = Worst{*v.longest_outage, fmt::format("{}: {} ({})", s.name, t.client, t.service)};
      }
  return w;
}

std::optional<Spread> spread(std::vector<Micros> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const Micros median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return Spread{v.front(), median, v.back()};
}

std::vector<ExpectationRuns> expectations(const ScenarioRuns& s) {
  std::vector<ExpectationRuns> out;
  if (s.runs.empty()) return out;
  for (size_t i = 0; i < s.runs.front().steps.size(); ++i) {
    if (!s.runs.front().steps[i].expectation()) continue;
    ExpectationRuns e;
    e.first = &s.runs.front().steps[i];
    std::vector<Micros> convergence, outage;
    std::vector<double> percent, rate;
    for (size_t r = 0; r < s.runs.size(); ++r) {
      if (i >= s.runs[r].steps.size()) continue;  // a run cut short (Ctrl-C)
      const StepOutcome& st = s.runs[r].steps[i];
      ++e.runs;
      e.worst = std::max(e.worst, st.status);
      if (st.pass()) {
        ++e.passed;
      } else {
        e.failures.push_back(&st);
        e.failed_runs.push_back(static_cast<int>(r + 1));
      }
      if (st.convergence) convergence.push_back(*st.convergence);
      if (st.longest_outage) outage.push_back(*st.longest_outage);
      if (st.percent) percent.push_back(*st.percent);
      if (st.rate) rate.push_back(*st.rate);
    }
    auto min_median_max = [](std::vector<double> v) -> std::optional<std::array<double, 3>> {
      if (v.empty()) return std::nullopt;
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      return std::array<double, 3>{v.front(), n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.back()};
    };
    e.percent = min_median_max(std::move(percent));
    e.rate = min_median_max(std::move(rate));
    e.convergence = spread(convergence);
    e.longest_outage = spread(outage);
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

double seconds(Micros t) { return std::round(static_cast<double>(t.count()) / 1e3) / 1e3; }  // ms precision

json optional_seconds(const std::optional<Micros>& t) { return t ? json(seconds(*t)) : json(nullptr); }

json spread_json(const std::optional<Spread>& s) {
  if (!s) return nullptr;
  return {{"min", seconds(s->min)}, {"median", seconds(s->median)}, {"max", seconds(s->max)}};
}

// A client's probes as segments of one answer: who answered (or null) from
// the first probe of a run to the first probe of the next.
json segments_json(const checks::ClientTimeline& probes, Micros interval) {
  json out = json::array();
  for (const checks::Segment& g : checks::segments(probes, interval))
    out.push_back({{"from", seconds(g.from)},
                   {"to", seconds(g.to)},
                   {"instance", g.instance ? json(*g.instance) : json(nullptr)},
                   {"probes", g.probes}});
  return out;
}

json step_json(const StepOutcome& s) {
  json j = {{"line", s.line}, {"kind", s.expectation() ? "expect" : "event"}, {"text", s.text},
            {"pass", s.pass()}, {"status", to_string(s.status)}, {"measured", s.measured}};
  if (s.expectation()) {
    j["since"] = seconds(s.since);
    j["until"] = seconds(s.at);
    j["convergence"] = optional_seconds(s.convergence);
    j["longest_outage"] = optional_seconds(s.longest_outage);
    j["instance"] = s.instance ? json(*s.instance) : json(nullptr);
    if (s.answers)
      j["answers"] = {{"probes", s.answers->probes},
                      {"lost", s.answers->lost()},
                      {"lost_percent", std::round(s.answers->lost_percent() * 10) / 10},
                      {"by", s.answers->by}};
  } else {
    j["at"] = seconds(s.at);
  }
  return j;
}

json worst_json(const std::optional<Worst>& w) {
  if (!w) return nullptr;
  return {{"seconds", seconds(w->time)}, {"where", w->where}};
}

json topology_json(const TestReport& r) {
  json nodes = json::array(), links = json::array();
  for (const ReportNode& n : r.nodes) {
    json j = {{"name", n.name}, {"kind", to_string(n.kind)}};
    if (n.asn) j["asn"] = n.asn;
    if (!n.service.empty()) j["service"] = n.service;
    if (n.hijacker) j["hijacker"] = true;
    if (n.kind == NodeKind::kClient && n.weight != 1) j["weight"] = n.weight;
    nodes.push_back(j);
  }
  for (const ReportLink& l : r.links) links.push_back({l.a, l.b});
  return {{"nodes", nodes}, {"links", links}};
}

json load_json(const LoadOutcome& l) {
  json clients = json::array(), instances = json::array();
  for (const LoadOutcome::Client& c : l.clients)
    clients.push_back({{"client", c.key.client}, {"service", c.key.service}, {"family", to_string(c.key.family)},
                       {"rate", c.rate}, {"sent", c.sent}, {"answered", c.answered}});
  for (const LoadOutcome::Instance& i : l.instances) {
    json seconds_ = json::array();
    for (const LoadOutcome::Second& s : i.seconds) seconds_.push_back({seconds(s.at), s.served, s.dropped});
    instances.push_back({{"instance", i.instance}, {"capacity", i.capacity ? json(*i.capacity) : json(nullptr)},
                         {"served", i.served}, {"dropped", i.dropped}, {"peak", peak_served(i)},
                         {"seconds", seconds_}});
  }
  return {{"rate", l.rate}, {"clients", clients}, {"instances", instances}};
}

}  // namespace

bool weighted(const TestReport& r) {
  return std::any_of(r.nodes.begin(), r.nodes.end(),
                     [](const ReportNode& n) { return n.kind == NodeKind::kClient && n.weight != 1; });
}

std::vector<ShareSeries> share_series(const TestReport& r, const ScenarioOutcome& o, Micros step, Micros span) {
  std::map<std::string, uint32_t> weight;
  for (const ReportNode& n : r.nodes)
    if (n.kind == NodeKind::kClient) weight[n.name] = n.weight;
  std::set<std::pair<std::string, Family>> streams;
  for (const ClientProbes& t : o.timelines) streams.insert({t.service, t.family});
  // Each client as its last two probes say: the share moves when answers
  // do (the catchment maps look further back, past replies lost in flight).
  const Micros window = 2 * r.probe_interval;
  std::vector<ShareSeries> out;
  if (step <= Micros(0)) return out;
  const size_t samples = static_cast<size_t>(span / step);
  for (const auto& [service, family] : streams) {
    ShareSeries s{service, family, step, {}};
    for (size_t k = 0; k < samples; ++k) {
      const Micros t = step * static_cast<int64_t>(k + 1);
      std::map<std::string, uint64_t> served;
      uint64_t total = 0;
      for (const ClientProbes& c : o.timelines) {
        if (c.service != service || c.family != family) continue;
        // The last answered probe sent in [t - window, t): probes are in
        // the order sent, so found from t backwards.
        std::optional<std::string> who;
        auto it = std::partition_point(c.probes.begin(), c.probes.end(),
                                       [&](const checks::Probe& p) { return p.sent < t; });
        while (it != c.probes.begin() && (--it)->sent >= t - window)
          if (it->instance) {
            who = it->instance;
            break;
          }
        const uint32_t w = weight.count(c.client) ? weight[c.client] : 1;
        served[who.value_or("")] += w;
        total += w;
      }
      for (const auto& [who, w] : served) {
        auto& v = s.shares[who];
        v.resize(k, 0.0);
        v.push_back(total ? 100.0 * static_cast<double>(w) / static_cast<double>(total) : 0.0);
      }
    }
    for (auto& [who, v] : s.shares) v.resize(samples, 0.0);
    out.push_back(std::move(s));
  }
  return out;
}

std::string measured_spreads(const ExpectationRuns& e) {
  std::string out;
  if (e.percent)
    out += fmt::format("; share min/median/max {:.1f}% / {:.1f}% / {:.1f}%", (*e.percent)[0], (*e.percent)[1], (*e.percent)[2]);
  if (e.rate)
    out += fmt::format("; rate min/median/max {:.0f}/s / {:.0f}/s / {:.0f}/s", (*e.rate)[0], (*e.rate)[1], (*e.rate)[2]);
  return out;
}

uint64_t peak_served(const LoadOutcome::Instance& i) {
  uint64_t peak = 0;
  for (const LoadOutcome::Second& s : i.seconds) peak = std::max(peak, s.served);
  return peak;
}

std::string load_text(const LoadOutcome& l) {
  std::string out;
  for (const LoadOutcome::Instance& i : l.instances) {
    if (i.served + i.dropped == 0 && !i.capacity) continue;
    out += fmt::format("  {}: served {}, dropped {}; busiest second {}/s{}\n", i.instance, i.served, i.dropped,
                       peak_served(i), i.capacity ? fmt::format(" (capacity {}/s)", *i.capacity) : "");
  }
  for (const LoadOutcome::Client& c : l.clients) {
    const double share = c.sent ? 100.0 * static_cast<double>(c.answered) / static_cast<double>(c.sent) : 0;
    out += fmt::format("  {} ({} {}): sent {} at {:.0f}/s, {} answered ({:.2f}%)\n", c.key.client, c.key.service,
                       to_string(c.key.family), c.sent, c.rate, c.answered, share);
  }
  return out;
}

namespace {

// Weighted clients: each instance's share of the weight every 100 ms, up
// to the last decided probe (the undecided tail is nobody's yet).
json shares_json(const TestReport& r, const ScenarioOutcome& o) {
  json shares = json::array();
  Micros probed{0};
  for (const ClientProbes& t : o.timelines)
    if (!t.probes.empty()) probed = std::max(probed, t.probes.back().sent + r.probe_interval);
  for (const ShareSeries& series : share_series(r, o, Micros(100'000), probed)) {
    json by = json::object();
    for (const auto& [who, v] : series.shares) {
      json values = json::array();
      for (double x : v) values.push_back(std::round(x * 10) / 10);
      by[who.empty() ? "(none)" : who] = values;
    }
    shares.push_back({{"service", series.service}, {"family", to_string(series.family)}, {"every", seconds(series.step)},
                      {"shares", by}});
  }
  return shares;
}

// Run `k` (0-based) of a scenario: its steps, timelines, load and shares.
json run_json(const TestReport& r, const ScenarioOutcome& o, size_t k) {
  json steps = json::array();
  for (const StepOutcome& st : o.steps) steps.push_back(step_json(st));
  json timelines = json::array();
  for (const ClientProbes& t : o.timelines)
    timelines.push_back({{"client", t.client}, {"service", t.service}, {"family", to_string(t.family)},
                         {"segments", segments_json(t.probes, r.probe_interval)}});
  json run = {{"run", k + 1}, {"pass", o.pass()}, {"status", to_string(o.status())},
              {"duration", seconds(o.duration)}, {"steps", steps}, {"timelines", timelines}};
  if (o.load) run["load"] = load_json(*o.load);
  if (weighted(r)) run["shares"] = shares_json(r, o);
  return run;
}

// One expectation over every run of its scenario.
json expectation_json(const ExpectationRuns& e) {
  json x = {{"line", e.first->line}, {"text", e.first->text}, {"runs", e.runs}, {"passed", e.passed},
            {"status", to_string(e.worst)},
            {"convergence", spread_json(e.convergence)}, {"longest_outage", spread_json(e.longest_outage)}};
  if (e.percent) x["percent"] = {{"min", (*e.percent)[0]}, {"median", (*e.percent)[1]}, {"max", (*e.percent)[2]}};
  if (e.rate) x["rate"] = {{"min", (*e.rate)[0]}, {"median", (*e.rate)[1]}, {"max", (*e.rate)[2]}};
  return x;
}

json scenario_json(const TestReport& r, const ScenarioRuns& s) {
  json runs = json::array();
  for (size_t k = 0; k < s.runs.size(); ++k) runs.push_back(run_json(r, s.runs[k], k));
  json exps = json::array();
  for (const ExpectationRuns& e : expectations(s)) exps.push_back(expectation_json(e));
  return {{"name", s.name}, {"description", s.description}, {"pass", s.pass()}, {"runs", runs}, {"expectations", exps}};
}

}  // namespace

std::string json_report(const TestReport& r) {
  json scenarios = json::array();
  for (const ScenarioRuns& s : r.scenarios) scenarios.push_back(scenario_json(r, s));
  const Tally tally = tally_of(r);
  json j = {{"format", "anylab-report/1"},
            {"lab", r.lab},
            {"file", r.file},
            {"runtime", r.runtime},
            {"started", r.started},
            {"seconds", std::round(r.seconds * 1000) / 1000},
            {"repeat", r.repeat},
            {"pass", r.pass()},
            {"interrupted", r.interrupted},
            {"probe", {{"interval", seconds(r.probe_interval)}, {"timeout", seconds(r.probe_timeout)}}},
            {"topology", topology_json(r)},
            {"summary",
             {{"scenarios", r.scenarios.size()},
              {"expectations", tally.expectations},
              {"failed", tally.failed},
              {"errors", tally.errors},
              {"interrupted", tally.interrupted},
              {"slowest_convergence", worst_json(slowest_convergence(r))},
              {"longest_outage", worst_json(longest_outage(r))}}},
            {"scenarios", scenarios}};
  return j.dump(2) + "\n";
}

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no other control characters.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r') out += c;
    }
  }
  return out;
}

std::string xml_seconds(Micros t) { return fmt::format("{:.3f}", static_cast<double>(t.count()) / 1e6); }

}  // namespace

std::string spread_text(const char* what, const std::optional<Spread>& s) {
  if (!s) return "";
  return fmt::format("; {} min/median/max {} / {} / {}", what, checks::format_seconds(s->min),
                     checks::format_seconds(s->median), checks::format_seconds(s->max));
}

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
  const std::string out = r.repeat > 1 ? fmt::format("{}/{} runs held{}{}{}", x.passed, x.runs,
                                                     spread_text("convergence", x.convergence),
                                                     spread_text("longest outage", x.longest_outage), measured_spreads(x))
                                       : st.measured;
  std::string text = testcase_open(r, suite, st, xml_seconds(st.at - st.since));
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
