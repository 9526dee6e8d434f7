#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "report/markup.h"

namespace anylab {
namespace {

using json = nlohmann::json;
using Figures = std::vector<std::pair<std::string, std::optional<double>>>;

constexpr double kCountTolerance = 2;  // UPDATEs and changes: a difference of two or fewer is noise

// A step's figures in one report: what the comparison is made of.
struct StepFigures {
  std::string text;
  bool event = false;
  Figures figures;
  double resolution = 0;  // events: the route watch's, the slowest of the runs
};

std::optional<double> number(const json& j) {
  return j.is_number() ? std::optional(j.get<double>()) : std::nullopt;
}

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::ranges::sort(v);
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// An event's control-plane figures, medians over the runs.
StepFigures event_figures(const json& scenario, size_t step) {
  StepFigures out{.text = scenario["runs"][0]["steps"][step].value("text", ""), .event = true, .figures = {}};
  std::vector<double> sent, changes, settled;
  for (const json& run : scenario["runs"]) {
    const json& s = run["steps"].at(step);
    if (!s.contains("control_plane")) continue;
    const json& c = s["control_plane"];
    if (auto n = number(c["updates_sent"])) sent.push_back(*n);
    if (auto n = number(c["changes"])) changes.push_back(*n);
    if (auto n = number(c["settled"])) settled.push_back(*n);
    out.resolution = std::max(out.resolution, number(c["resolution"]).value_or(0));
  }
  if (sent.empty()) return out;
  out.figures = {{"UPDATEs sent", median(sent)}, {"best-path changes", median(changes)}, {"settled", median(settled)}};
  return out;
}

// An expectation's figures over the runs: held (in every run), and the
// median of what it measured, and its p95 from 20 runs on (below 20 the
// nearest-rank p95 is the max: one slow run would decide).
StepFigures expectation_figures(const json& e, int repeat) {
  StepFigures out{.text = e.value("text", ""), .event = false, .figures = {}};
  out.figures.push_back({"held", e.value("passed", 0) == e.value("runs", 1) && e.value("status", "") == "pass" ? 1 : 0});
  for (const auto& [key, name] : {std::pair{"convergence", "convergence"}, std::pair{"longest_outage", "longest outage"}}) {
    const json& s = e.contains(key) ? e[key] : json(nullptr);
    if (!s.is_object()) continue;
    out.figures.push_back({name, number(s["median"])});
    if (repeat >= 20) out.figures.push_back({std::string(name) + " p95", number(s["p95"])});
  }
  return out;
}

// A scenario's steps in order: its expectations (over the runs) and its
// events (their cost), as the first run has them.
std::vector<StepFigures> steps_of(const json& scenario, int repeat) {
  std::vector<StepFigures> out;
  if (!scenario.contains("runs") || scenario["runs"].empty()) return out;
  const json& steps = scenario["runs"][0]["steps"];
  size_t expectation = 0;
  for (size_t k = 0; k < steps.size(); ++k) {
    if (steps[k].value("kind", "") == "event") out.push_back(event_figures(scenario, k));
    else if (expectation < scenario["expectations"].size())
      out.push_back(expectation_figures(scenario["expectations"][expectation++], repeat));
  }
  return out;
}

// "text#2" for the second step of that text: how A's steps find B's.
std::map<std::string, const StepFigures*> by_key(const std::vector<StepFigures>& steps) {
  std::map<std::string, const StepFigures*> out;
  std::map<std::string, int> seen;
  for (const StepFigures& s : steps) out[fmt::format("{}#{}", s.text, ++seen[s.text])] = &s;
  return out;
}

std::optional<double> figure(const StepFigures* s, const std::string& name) {
  if (!s) return std::nullopt;
  for (const auto& [n, v] : s->figures)
    if (n == name) return v;
  return std::nullopt;
}

FigureDelta judge(const std::string& name, std::optional<double> a, std::optional<double> b, double slower_by,
                  double tolerance) {
  FigureDelta d{.figure = name, .a = a, .b = b, .seconds = name != "held" && name.find("UPDATEs") == std::string::npos &&
                                                          name.find("changes") == std::string::npos,
                .verdict = "same", .regression = false};
  if (name == "held") {
    if (a && b && *a > *b) d.verdict = "broke", d.regression = true;
    else if (a && b && *a < *b) d.verdict = "mended";
    return d;
  }
  if (!a || !b) {
    d.verdict = a ? "only in A" : "only in B";
    return d;
  }
  const bool worse = *b - *a > tolerance && *b > *a * (1 + slower_by);
  const bool better = *a - *b > tolerance && *a > *b * (1 + slower_by);
  if (worse) d.verdict = d.seconds ? "slower" : "more", d.regression = true;
  else if (better) d.verdict = d.seconds ? "faster" : "fewer";
  return d;
}

// One step of A against B's (nullptr: not in B).
StepDelta compare_step(const std::string& scenario, const StepFigures& a, const StepFigures* b,
                       const CompareOptions& o, double tolerance_seconds) {
  StepDelta out{.scenario = scenario, .text = a.text, .event = a.event, .figures = {}};
  if (!b) {
    out.figures.push_back({.figure = "step", .a = std::nullopt, .b = std::nullopt, .seconds = false,
                           .verdict = "only in A", .regression = false});
    return out;
  }
  for (const auto& [name, va] : a.figures) {
    const bool counted = name == "UPDATEs sent" || name == "best-path changes";
    const double tolerance = counted ? kCountTolerance
                             : name == "settled" ? std::max(tolerance_seconds, std::max(a.resolution, b->resolution))
                                                 : tolerance_seconds;
    if (va || figure(b, name)) out.figures.push_back(judge(name, va, figure(b, name), o.slower_by, tolerance));
  }
  return out;
}

void compare_scenario(Comparison& c, const std::string& name, const json& sa, const json& sb, int repeat,
                      const CompareOptions& o) {
  const auto steps_a = steps_of(sa, repeat);
  const auto steps_b = sb.is_null() ? std::vector<StepFigures>{} : steps_of(sb, repeat);
  const auto in_b = by_key(steps_b);
  std::map<std::string, int> seen;
  for (const StepFigures& s : steps_a) {
    const auto it = in_b.find(fmt::format("{}#{}", s.text, ++seen[s.text]));
    c.steps.push_back(compare_step(name, s, it == in_b.end() ? nullptr : it->second, o, c.tolerance_seconds));
  }
  const auto in_a = by_key(steps_a);
  for (const auto& [key, s] : in_b)
    if (!in_a.contains(key))
      c.steps.push_back({.scenario = name, .text = s->text, .event = s->event,
                         .figures = {{.figure = "step", .a = std::nullopt, .b = std::nullopt, .seconds = false,
                                      .verdict = "only in B", .regression = false}}});
}

std::string label(const json& r, const std::string& name) {
  return fmt::format("{} ({}, {})", name, r.value("runtime", "?"), r.value("started", "?"));
}

std::string value_text(const FigureDelta& f, const std::optional<double>& v) {
  if (!v) return "-";
  if (f.figure == "held") return *v > 0 ? "yes" : "no";
  if (f.seconds) return fmt::format("{:.3f}s", *v);
  return fmt::format("{:g}", *v);
}

std::string delta_text(const FigureDelta& f) {
  if (!f.a || !f.b || f.figure == "held") return "";
  const double d = *f.b - *f.a;
  std::string out = f.seconds ? fmt::format("{:+.3f}s", d) : fmt::format("{:+g}", d);
  if (*f.a > 0) out += fmt::format(" ({:+.0f}%)", 100 * d / *f.a);
  return out;
}

std::string thresholds_text(const Comparison& c, const CompareOptions& o) {
  return fmt::format("B is worse where a time is over A's by more than {:g}% and {:.3f}s ({:g} probe intervals), "
                     "a count by more than {:g}% and {:g}, or an expectation that held in A did not in B",
                     o.slower_by * 100, c.tolerance_seconds, o.tolerance, o.slower_by * 100, kCountTolerance);
}

}  // namespace

int Comparison::regressions() const {
  int n = 0;
  for (const StepDelta& s : steps)
    for (const FigureDelta& f : s.figures) n += f.regression ? 1 : 0;
  return n;
}

int Comparison::count(const std::string& verdict) const {
  int n = 0;
  for (const StepDelta& s : steps)
    for (const FigureDelta& f : s.figures) n += f.verdict == verdict ? 1 : 0;
  return n;
}

std::expected<Comparison, std::string> compare_reports(const json& a, const std::string& name_a, const json& b,
                                                       const std::string& name_b, const CompareOptions& o) {
  for (const auto& [r, name] : {std::pair{&a, &name_a}, std::pair{&b, &name_b}})
    if (!r->is_object() || r->value("format", "") != "anylab-report/1" || !r->contains("scenarios"))
      return std::unexpected(*name + ": not an anylab JSON report (anylab test --json FILE writes one)");
  Comparison c{.lab_a = a.value("lab", ""), .lab_b = b.value("lab", ""), .label_a = label(a, name_a),
               .label_b = label(b, name_b), .tolerance_seconds = 0, .steps = {}};
  const double interval = std::max(number(a["probe"]["interval"]).value_or(0), number(b["probe"]["interval"]).value_or(0));
  c.tolerance_seconds = o.tolerance * interval;
  const int repeat = std::min(a.value("repeat", 1), b.value("repeat", 1));
  std::map<std::string, const json*> scenarios_b;
  for (const json& s : b["scenarios"]) scenarios_b[s.value("name", "")] = &s;
  bool common = false;
  for (const json& s : a["scenarios"]) {
    const std::string name = s.value("name", "");
    const auto it = scenarios_b.find(name);
    common |= it != scenarios_b.end();
    compare_scenario(c, name, s, it == scenarios_b.end() ? json(nullptr) : *it->second, repeat, o);
  }
  if (!common)
    return std::unexpected(fmt::format("{} and {} have no scenario in common (labs \"{}\" and \"{}\"): compare two "
                                       "runs of one lab",
                                       name_a, name_b, c.lab_a, c.lab_b));
  return c;
}

std::string comparison_text(const Comparison& c, const CompareOptions& o) {
  std::string out = fmt::format("A: {}\nB: {}\n", c.label_a, c.label_b);
  std::string scenario;
  for (const StepDelta& s : c.steps) {
    if (s.scenario != scenario) out += fmt::format("scenario {}\n", scenario = s.scenario);
    out += fmt::format("  {}\n", s.text);
    for (const FigureDelta& f : s.figures)
      out += fmt::format("    {:<22} {:>9} {:>9}  {:<18} {}{}\n", f.figure, value_text(f, f.a), value_text(f, f.b),
                         delta_text(f), f.regression ? "WORSE " : "", f.verdict);
  }
  out += fmt::format("compare: {} worse ({} slower, {} more, {} broke), {} better ({} faster, {} fewer, {} mended), "
                     "{} same; {}\n",
                     c.regressions(), c.count("slower"), c.count("more"), c.count("broke"),
                     c.count("faster") + c.count("fewer") + c.count("mended"), c.count("faster"), c.count("fewer"),
                     c.count("mended"), c.count("same"), thresholds_text(c, o));
  return out;
}

std::string comparison_json(const Comparison& c, const CompareOptions& o) {
  json steps = json::array();
  for (const StepDelta& s : c.steps) {
    json figures = json::array();
    for (const FigureDelta& f : s.figures)
      figures.push_back({{"figure", f.figure}, {"a", f.a ? json(*f.a) : json(nullptr)},
                         {"b", f.b ? json(*f.b) : json(nullptr)}, {"unit", f.figure == "held" ? "held" : f.seconds ? "seconds" : "count"},
                         {"verdict", f.verdict}, {"worse", f.regression}});
    steps.push_back({{"scenario", s.scenario}, {"kind", s.event ? "event" : "expect"}, {"text", s.text},
                     {"figures", figures}});
  }
  const nlohmann::ordered_json j = {{"format", "anylab-compare/1"}, {"a", c.label_a}, {"b", c.label_b},
                  {"slower_by_percent", o.slower_by * 100}, {"tolerance_seconds", c.tolerance_seconds},
                  {"worse", c.regressions()}, {"steps", steps}};
  return j.dump(2) + "\n";
}

std::string comparison_html(const Comparison& c, const CompareOptions& o) {
  auto esc = [](const std::string& s) { return markup_escape(s); };
  std::string rows;
  std::string scenario;
  for (const StepDelta& s : c.steps) {
    if (s.scenario != scenario)
      rows += fmt::format("<tr class=\"sc\"><th colspan=\"5\">scenario {}</th></tr>", esc(scenario = s.scenario));
    rows += fmt::format("<tr class=\"step\"><td colspan=\"5\">{}</td></tr>", esc(s.text));
    for (const FigureDelta& f : s.figures)
      rows += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                          f.regression ? "worse" : f.verdict == "same" ? "" : "changed", esc(f.figure),
                          value_text(f, f.a), value_text(f, f.b), esc(delta_text(f)), esc(f.verdict));
  }
  return fmt::format(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>anylab compare: {0}</title><style>"
      "body{{font-family:sans-serif;margin:24px}}table{{border-collapse:collapse}}"
      "td,th{{border-bottom:1px solid #eee;padding:3px 8px;text-align:left}}tr.sc th{{background:#f3f3f3}}"
      "tr.step td{{font-weight:bold;padding-top:8px}}tr.worse td{{background:#fde2e2}}tr.changed td{{background:#e8f4e8}}"
      "</style></head><body><h1>{1} worse, {2} better</h1><p>A: {3}<br>B: {4}</p><p>{5}</p>"
      "<table><tr><th>figure</th><th>A</th><th>B</th><th>B − A</th><th>verdict</th></tr>{6}</table></body></html>\n",
      esc(c.lab_a), c.regressions(), c.count("faster") + c.count("fewer") + c.count("mended"), esc(c.label_a),
      esc(c.label_b), esc(thresholds_text(c, o)), rows);
}

}  // namespace anylab
