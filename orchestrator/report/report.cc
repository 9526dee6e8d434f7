#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "evaluate.h"

namespace anylab {

using checks::Micros;

bool ScenarioRuns::pass() const {
  if (runs.empty() || !std::all_of(runs.begin(), runs.end(), [](const ScenarioOutcome& o) { return o.pass(); }))
    return false;
  const auto all = expectations(*this);
  return std::all_of(all.begin(), all.end(), [](const ExpectationRuns& e) { return e.bounds_held(); });
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
                       n.kind == NodeKind::kClient ? n.spec->weight_or_one() : 1, n.background_routes});
  for (const Link& l : lab.links) r.links.push_back({l.a_node, l.b_node});
  return r;
}

Tally tally_of(const TestReport& r) {
  Tally t;
  for (const ScenarioRuns& s : r.scenarios) {
    t.scenarios_passed += s.pass();
    for (const ExpectationRuns& e : expectations(s)) {
      ++t.expectations;
      t.failed += std::ranges::any_of(e.failures, [](const StepOutcome* f) { return f->status == Status::kFail; }) ||
                  !e.bounds_held();
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
  auto rank = [&](size_t percent) { return v[std::max<size_t>(1, (percent * n + 99) / 100) - 1]; };
  return Spread{v.front(), median, rank(95), rank(99), v.back()};
}

namespace {

// Step i's bounds over the runs of s: each run's measure (a run that
// measured none counts as the longest), the percentile by nearest rank.
void judge_bounds(const ScenarioRuns& s, size_t i, ExpectationRuns& e) {
  const StepOutcome& first = *e.first;
  if (first.percentiles.empty()) return;
  std::vector<std::pair<Micros, int>> values;  // measure, run
  for (size_t r = 0; r < s.runs.size(); ++r) {
    if (i >= s.runs[r].steps.size()) continue;
    const StepOutcome& st = s.runs[r].steps[i];
    if (st.status == Status::kInterrupted) continue;
    const auto& v = first.percentiles_of_outage ? st.longest_outage : st.convergence;
    values.push_back({v.value_or(Micros::max()), static_cast<int>(r + 1)});
  }
  std::vector<Micros> sorted;
  for (const auto& [v, run] : values) sorted.push_back(v);
  std::sort(sorted.begin(), sorted.end());
  for (const PercentileBound& p : first.percentiles) {
    ExpectationRuns::Bound b{.percentile = p.percentile,
                             .bound = std::chrono::duration_cast<Micros>(p.bound)};
    if (!sorted.empty()) {
      const size_t rank = (static_cast<size_t>(p.percentile) * sorted.size() + 99) / 100;  // ceil(p% of n)
      const Micros m = sorted[std::max<size_t>(rank, 1) - 1];
      if (m != Micros::max()) b.measured = m;
    }
    for (const auto& [v, run] : values)
      if (v > b.bound) b.runs_over.push_back(run);
    e.bounds.push_back(std::move(b));
  }
}

}  // namespace

std::string bounds_text(const ExpectationRuns& e) {
  std::string out;
  for (const ExpectationRuns::Bound& b : e.bounds) {
    std::string runs;
    for (int r : b.runs_over) runs += (runs.empty() ? "" : ", ") + std::to_string(r);
    const std::string measured = b.measured ? fmt::format("{:.3f}s", static_cast<double>(b.measured->count()) / 1e6)
                                            : "not measured";
    out += fmt::format("; p{} {} {} {:.3f}s{}", b.percentile, measured, b.held() ? "within" : "over",
                       static_cast<double>(b.bound.count()) / 1e6,
                       runs.empty() ? "" : fmt::format(" (run{} {} over it)", b.runs_over.size() == 1 ? "" : "s", runs));
  }
  return out;
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
    e.convergence_values = convergence;
    e.outage_values = outage;
    e.convergence = spread(std::move(convergence));
    e.longest_outage = spread(std::move(outage));
    judge_bounds(s, i, e);
    if (!e.bounds_held()) e.worst = std::max(e.worst, Status::kFail);
    out.push_back(std::move(e));
  }
  return out;
}

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

std::string spread_text(const char* what, const std::optional<Spread>& s) {
  if (!s) return "";
  return fmt::format("; {} min/median/p95/p99/max {} / {} / {} / {} / {}", what, checks::format_seconds(s->min),
                     checks::format_seconds(s->median), checks::format_seconds(s->p95), checks::format_seconds(s->p99),
                     checks::format_seconds(s->max));
}

}  // namespace anylab
