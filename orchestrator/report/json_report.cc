// The report as JSON (README, "JSON report").
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "evaluate.h"
#include "report/report.h"

namespace anylab {

using checks::Micros;
using json = nlohmann::ordered_json;

namespace {

double seconds(Micros t) { return std::round(static_cast<double>(t.count()) / 1e3) / 1e3; }  // ms precision

json optional_seconds(const std::optional<Micros>& t) { return t ? json(seconds(*t)) : json(nullptr); }

json spread_json(const std::optional<Spread>& s) {
  if (!s) return nullptr;
  return {{"min", seconds(s->min)},
          {"median", seconds(s->median)},
          {"p95", seconds(s->p95)},
          {"p99", seconds(s->p99)},
          {"max", seconds(s->max)}};
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

// What an event cost the control plane, every router's share.
json cost_json(const checks::EventCost& c) {
  json routers = json::array();
  for (const checks::RouterCost& r : c.routers)
    routers.push_back({{"router", r.router},
                       {"updates_sent", r.sent ? json(*r.sent) : json(nullptr)},
                       {"updates_received", r.received ? json(*r.received) : json(nullptr)},
                       {"changes", r.changes},
                       {"last_change", optional_seconds(r.last_change)},
                       {"before", r.before},
                       {"after", r.after}});
  return {{"from", seconds(c.from)},         {"until", seconds(c.until)},
          {"resolution", seconds(c.resolution)}, {"updates_sent", c.sent()},
          {"updates_received", c.received()}, {"routers_changed", c.changed()},
          {"changes", c.changes()},          {"settled", optional_seconds(c.settled)},
          {"routers", routers}};
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
    if (s.cost) j["control_plane"] = cost_json(*s.cost);
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
    if (n.background_routes) j["background_routes"] = n.background_routes;
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
  if (!e.bounds.empty()) {
    json bounds = json::array();
    for (const ExpectationRuns::Bound& b : e.bounds)
      bounds.push_back({{"percentile", b.percentile}, {"bound", seconds(b.bound)},
                        {"measured", optional_seconds(b.measured)}, {"held", b.held()}, {"runs_over", b.runs_over}});
    x["bounds"] = bounds;
  }
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

}  // namespace anylab
