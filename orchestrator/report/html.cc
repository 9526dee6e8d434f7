#include "report/html.h"
#include "report/markup.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace anylab {
namespace {

// A step's or scenario's verdict in a word, as the badges say it.
const char* verdict_word(Status s, bool upper = false) {
  switch (s) {
    case Status::kPass: return upper ? "PASS" : "pass";
    case Status::kFail: return "FAIL";
    case Status::kError: return "ERROR";
    case Status::kInterrupted: return "INTERRUPTED";
  }
  return "?";
}

using checks::Micros;

std::string esc(std::string_view s) { return markup_escape(s); }

std::string secs(Micros t) { return fmt::format("{:.3f} s", static_cast<double>(t.count()) / 1e6); }

// Instances in the lab's node order get these colours (20, so that a
// generated lab's 10 sites are told apart: with 8, site-9 was site-1's
// blue); "nobody" is drawn as a dark hatch, so a blackhole stands out from
// every instance.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                    "#bcbd22", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2",
                                    "#7f7f7f", "#dbdb8d", "#9edae5", "#393b79", "#637939", "#8c6d31"};
constexpr const char* kNobody = "url(#nobody)";
// A hijacker (an instance of a service in another AS) is red, a colour no
// real instance gets: whoever it answers stands out.
constexpr const char* kHijacker = "#d62728";

class Colors {
 public:
  explicit Colors(const TestReport& r) {
    size_t i = 0;
    for (const ReportNode& n : r.nodes) {
      if (n.kind != NodeKind::kInstance) continue;
      if (n.hijacker) {
        of_[n.name] = kHijacker;
        hijackers_.insert(n.name);
      } else {
        of_[n.name] = kPalette[i++ % std::size(kPalette)];
      }
    }
  }
  bool hijacker(const std::string& instance) const { return hijackers_.contains(instance); }
  std::string operator()(const std::optional<std::string>& instance) const {
    if (!instance) return kNobody;
    auto it = of_.find(*instance);
    return it == of_.end() ? "#999" : it->second;
  }
  const std::map<std::string, std::string>& all() const { return of_; }

 private:
  std::map<std::string, std::string> of_;
  std::set<std::string> hijackers_;
};

// Who answered the client just before `t`: the last answer to a probe sent
// in a short window before it, or nobody if none was answered there. The
// last probes before an event may be lost to the event itself (a link cut
// drops the replies in flight): they do not make an answered client look
// unanswered on the map of the state before it.
std::optional<std::string> answering_before(const checks::ClientTimeline& p, Micros t, Micros window) {
  std::optional<std::string> who;
  for (const checks::Probe& probe : p)
    if (probe.sent >= t - window && probe.sent < t && probe.instance) who = probe.instance;
  return who;
}

// Node positions for the catchment maps: instances on top, routers in rows
// by their distance from the nearest instance, clients at the bottom; in
// each row, nodes sit under the average of their neighbours above.
struct Point {
  double x = 0, y = 0;
};
std::map<std::string, Point> layout(const TestReport& r, double w, double h) {
  std::map<std::string, std::vector<std::string>> adj;
  for (const ReportLink& l : r.links) {
    adj[l.a].push_back(l.b);
    adj[l.b].push_back(l.a);
  }
  std::map<std::string, NodeKind> kind;
  for (const ReportNode& n : r.nodes) kind[n.name] = n.kind;
  std::map<std::string, int> layer;
  std::vector<std::string> frontier;
  for (const ReportNode& n : r.nodes)
    if (n.kind == NodeKind::kInstance) layer[n.name] = 0, frontier.push_back(n.name);
  int deepest = 0;
  while (!frontier.empty()) {
    std::vector<std::string> next;
    for (const std::string& n : frontier)
      for (const std::string& m : adj[n])
        if (kind[m] == NodeKind::kRouter && !layer.contains(m)) {
          layer[m] = layer[n] + 1;
          deepest = std::max(deepest, layer[m]);
          next.push_back(m);
        }
    frontier = std::move(next);
  }
  for (const ReportNode& n : r.nodes) {
    if (n.kind == NodeKind::kRouter && !layer.contains(n.name)) layer[n.name] = std::max(deepest, 1);
    if (n.kind == NodeKind::kClient) layer[n.name] = std::max(deepest, 1) + 1;
  }
  int rows = 0;
  for (const auto& [n, l] : layer) rows = std::max(rows, l + 1);
  std::map<std::string, Point> at;
  const double margin_x = 30, margin_y = 22;
  for (int l = 0; l < rows; ++l) {
    std::vector<std::pair<double, std::string>> row;  // (barycentre, name), in node order
    for (const ReportNode& n : r.nodes) {
      if (!layer.contains(n.name) || layer[n.name] != l) continue;
      double sum = 0;
      int count = 0;
      for (const std::string& m : adj[n.name])
        if (at.contains(m)) sum += at[m].x, ++count;
      row.push_back({count ? sum / count : 1e9, n.name});
    }
    std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < row.size(); ++i)
      at[row[i].second] = {margin_x + (w - 2 * margin_x) * (static_cast<double>(i) + 0.5) / static_cast<double>(row.size()),
                           rows == 1 ? h / 2 : margin_y + (h - 2 * margin_y) * l / (rows - 1)};
  }
  return at;
}

// The hatch for "no answer".
std::string svg_defs() {
  return "<defs><pattern id=\"nobody\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#2b2b2b\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d32f2f\" stroke-width=\"3\"/></pattern></defs>";
}

// One service's catchment: its instances in their colours (another
// service's in grey), each client in the colour of the instance answering it.
std::string catchment_map(const TestReport& r, const std::map<std::string, Point>& at, const std::string& service,
                          const std::map<std::string, std::optional<std::string>>& answering, const Colors& colors,
                          const std::string& caption) {
  const double w = 260, h = 190;
  std::string s = fmt::format("<figure class=\"map\"><svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">", w, h, w, h);
  for (const ReportLink& l : r.links) {
    const Point a = at.at(l.a), b = at.at(l.b);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"link\"/>", a.x, a.y, b.x, b.y);
  }
  for (const ReportNode& n : r.nodes) {
    const Point p = at.at(n.name);
    if (n.kind == NodeKind::kRouter) {
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"14\" rx=\"2\" class=\"router\">"
                       "<title>{} (AS {})</title></rect>",
                       p.x - 7, p.y - 7, esc(n.name), n.asn);
    } else if (n.kind == NodeKind::kInstance) {
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"9\" fill=\"{}\" class=\"instance\"><title>{} ({})</title></circle>",
                       p.x, p.y, n.service == service ? colors(n.name) : "#e0e0e0", esc(n.name), esc(n.service));
    } else {
      auto it = answering.find(n.name);
      const std::optional<std::string> who = it == answering.end() ? std::nullopt : it->second;
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"7\" fill=\"{}\" class=\"client\"><title>{}: {}</title></circle>",
                       p.x, p.y, colors(who), esc(n.name), esc(who.value_or("no answer")));
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"maplabel\">{}</text>", p.x,
                     p.y + (n.kind == NodeKind::kClient ? 18 : n.kind == NodeKind::kInstance ? -13 : 19), esc(n.name));
  }
  s += fmt::format("</svg><figcaption>{}</figcaption></figure>", caption);
  return s;
}

// Ticks at a round step that gives about eight of them.
Micros tick_step(Micros d) {
  for (int64_t ms : {100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000})
    if (d / std::chrono::milliseconds(ms) <= 10) return std::chrono::milliseconds(ms);
  return std::chrono::minutes(10);
}

// A scenario's events (not its waits or expectations), numbered 1, 2, ... in
// the drawing, the steps table and the catchment maps alike.
std::vector<const StepOutcome*> event_steps(const ScenarioOutcome& o) {
  std::vector<const StepOutcome*> out;
  for (const StepOutcome& st : o.steps)
    if (st.kind == StepKind::kEvent) out.push_back(&st);
  return out;
}

// Where things go in a scenario's timeline drawing.
struct Geometry {
  double left = 130, plot = 810, row_h = 20, gap = 6, top = 30;
  Micros span{1000};  // the drawing spans the decided probes and every step
  double expects_top = 0, bottom = 0;
  double x(Micros t) const {
    return left + plot * std::clamp(static_cast<double>(t.count()) / static_cast<double>(span.count()), 0.0, 1.0);
  }
};

// One band per client, service and family, coloured by who answered.
std::string client_bands(const TestReport& r, const ScenarioOutcome& o, const Colors& colors, const Geometry& g) {
  std::set<std::string> services;
  std::set<Family> families;
  for (const ClientProbes& t : o.timelines) services.insert(t.service), families.insert(t.family);
  std::string s;
  double y = g.top;
  for (const auto& [client, service, family, probes] : o.timelines) {
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"rowlabel\">{}{}{}</text>", g.left - 8, y + 14, esc(client),
                     services.size() > 1 ? " · " + esc(service) : "",
                     families.size() > 1 ? std::string(" · ") + display_name(family) : "");
    s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" class=\"lane\"/>", g.left, y, g.plot, g.row_h);
    for (const checks::Segment& seg : checks::segments(probes, r.probe_interval)) {
      const double x0 = g.x(seg.from), x1 = std::max(g.x(seg.to), x0 + 1.5);
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: {} from +{} to +{} ({} probes)</title></rect>",
                       x0, y, x1 - x0, g.row_h, colors(seg.instance), esc(client),
                       seg.instance ? "answered by " + esc(*seg.instance) : std::string("no answer"), secs(seg.from),
                       secs(seg.to), seg.probes);
    }
    y += g.row_h + g.gap;
  }
  return s;
}

// Each expectation's window, with the moment it converged.
std::string expectation_windows(const std::vector<const StepOutcome*>& expects, const Geometry& g) {
  std::string s;
  double y = g.expects_top;
  for (size_t i = 0; i < expects.size(); ++i) {
    const StepOutcome& e = *expects[i];
    const double x0 = g.x(e.since), x1 = std::max(g.x(e.at), x0 + 3);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"rowlabel {}\">E{} {}</text>", g.left - 8, y + 12,
                     e.pass() ? "ok" : "bad", i + 1, verdict_word(e.status));
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"16\" class=\"window {}\"><title>{}: {}</title></rect>",
                     x0, y, x1 - x0, e.pass() ? "ok" : "bad", esc(e.text), esc(e.measured));
    std::string label;
    if (e.convergence) {
      const double xc = g.x(e.since + *e.convergence);
      s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"converged\"/>", xc, y - 2, xc,
                       y + 18);
      label = "converged " + secs(*e.convergence);
    }
    if (e.longest_outage) label += (label.empty() ? "" : ", ") + std::string("outage ") + secs(*e.longest_outage);
    if (label.empty()) label = e.instance ? *e.instance : "";
    // Beside the window if it fits, else inside it.
    const bool room_right = x1 + 8 + 6.5 * static_cast<double>(label.size()) < g.left + g.plot + 20;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"winlabel\">{}</text>", room_right ? x1 + 6 : x0 + 6,
                     y + 12, esc(label));
    y += 16 + g.gap;
  }
  return s;
}

// A numbered marker across everything for each event, and the time axis.
std::string events_and_axis(const std::vector<const StepOutcome*>& events, const Geometry& g) {
  std::string s;
  for (size_t i = 0; i < events.size(); ++i) {
    const StepOutcome& e = *events[i];
    const double xe = g.x(e.at);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"event {}\"/>", xe, g.top - 8, xe,
                     g.bottom, e.pass() ? "" : "bad");
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{}\" r=\"9\" class=\"eventdot {}\"><title>+{} {}</title></circle>"
                     "<text x=\"{:.1f}\" y=\"{}\" class=\"eventnum\">{}</text>",
                     xe, g.top - 16, e.pass() ? "" : "bad", secs(e.at), esc(e.text), xe, g.top - 12, i + 1);
  }
  const Micros step = tick_step(g.span);
  for (Micros t{0}; t <= g.span; t += step) {
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"tick\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"ticklabel\">{:g} s</text>",
                     g.x(t), g.bottom + 2, g.x(t), g.bottom + 8, g.x(t), g.bottom + 20, static_cast<double>(t.count()) / 1e6);
  }
  return s;
}

std::string timeline_svg(const TestReport& r, const ScenarioOutcome& o, const Colors& colors) {
  Geometry g;
  for (const auto& [client, service, family, probes] : o.timelines)
    if (!probes.empty()) g.span = std::max(g.span, probes.back().sent + r.probe_interval);
  for (const StepOutcome& st : o.steps) g.span = std::max(g.span, st.at);
  std::vector<const StepOutcome*> expects;
  for (const StepOutcome& st : o.steps)
    if (st.expectation()) expects.push_back(&st);
  g.expects_top = g.top + static_cast<double>(o.timelines.size()) * (g.row_h + g.gap) + 10;
  g.bottom = g.expects_top + static_cast<double>(expects.size()) * (16 + g.gap);
  const double width = g.left + g.plot + 20, height = g.bottom + 28;
  return fmt::format("<svg class=\"timeline\" width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\">", width, height,
                     width, height) +
         client_bands(r, o, colors, g) + expectation_windows(expects, g) + events_and_axis(event_steps(o), g) + "</svg>";
}

// Each instance's share of the clients' weight over time, stacked, per
// service and family, on the timeline's time axis: where the load goes
// when a site fails.
std::string load_svg(const TestReport& r, const ScenarioOutcome& o, const Colors& colors) {
  Geometry g;
  for (const auto& [client, service, family, probes] : o.timelines)
    if (!probes.empty()) g.span = std::max(g.span, probes.back().sent + r.probe_interval);
  for (const StepOutcome& st : o.steps) g.span = std::max(g.span, st.at);
  const int slices = 200;
  const Micros step = std::max(Micros(1), g.span / slices);
  const std::vector<ShareSeries> all = share_series(r, o, step, step * slices);
  const double h = 60, gap = 22;
  std::string s;
  double y = 8;
  for (const ShareSeries& series : all) {
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"rowlabel\">load{}{}</text>", g.left - 8, y + h / 2 + 4,
                     all.size() > 1 ? " · " + esc(series.service) : "",
                     all.size() > 1 ? std::string(" · ") + display_name(series.family) : "");
    s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" class=\"lane\"/>", g.left, y, g.plot, h);
    // The instances in the legend's order from the bottom, others after
    // them, no answer on top.
    std::vector<std::string> order;
    for (const auto& [instance, colour] : colors.all())
      if (series.shares.count(instance)) order.push_back(instance);
    for (const auto& [who, v] : series.shares)
      if (!who.empty() && !colors.all().count(who)) order.push_back(who);
    if (series.shares.count("")) order.push_back("");
    for (int i = 0; i < slices; ++i) {
      const Micros from = step * i, to = step * (i + 1);
      double bottom = y + h;
      for (const std::string& who : order) {
        const double share = series.shares.at(who)[static_cast<size_t>(i)];
        if (share <= 0) continue;
        const double part = h * share / 100.0;
        bottom -= part;
        const std::optional<std::string> instance = who.empty() ? std::nullopt : std::optional(who);
        s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>+{}: {} "
                         "{:.0f}%</title></rect>",
                         g.x(from), bottom, g.x(to) - g.x(from) + 0.3, part, colors(instance), secs(to),
                         instance ? esc(*instance) : std::string("no answer"), share);
      }
    }
    y += h + gap;
  }
  const double width = g.left + g.plot + 20;
  return fmt::format("<svg class=\"load\" width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\">", width, y, width, y) + s +
         "</svg>";
}

// With offered load: per service, the queries each instance's responder
// served in each second, stacked, and on top (red) what they dropped: where
// the load went, and whether the site it went to kept up.
std::string served_svg(const TestReport& r, const ScenarioOutcome& o, const Colors& colors) {
  Geometry g;
  g.span = o.duration;
  for (const StepOutcome& st : o.steps) g.span = std::max(g.span, st.at);
  if (g.span <= Micros(0)) return "";
  std::map<std::string, std::vector<const LoadOutcome::Instance*>> by_service;
  for (const LoadOutcome::Instance& i : o.load->instances)
    for (const ReportNode& n : r.nodes)
      if (n.name == i.instance) by_service[n.service].push_back(&i);
  const double h = 80, gap = 22;
  std::string s;
  double y = 8;
  for (const auto& [service, instances] : by_service) {
    std::map<int64_t, uint64_t> total;  // per second: served and dropped
    for (const LoadOutcome::Instance* i : instances)
      for (const LoadOutcome::Second& sec : i->seconds) total[sec.at.count()] += sec.served + sec.dropped;
    uint64_t top = 1;
    for (const auto& [at, n] : total) top = std::max(top, n);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"rowlabel\">served/s{}</text>", g.left - 8, y + h / 2 + 4,
                     by_service.size() > 1 ? " · " + esc(service) : "");
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"rowlabel\">{}</text>", g.left - 8, y + 10, top);
    s += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" class=\"lane\"/>", g.left, y, g.plot, h);
    std::map<int64_t, double> bottom;
    auto bar = [&](Micros at, uint64_t n, const std::string& fill, const std::string& title) {
      if (!n) return;
      const Micros from = std::max(at, Micros(0)), to = std::min(at + Micros(1'000'000), g.span);
      if (to <= from) return;
      double& b = bottom.try_emplace(at.count(), y + h).first->second;
      const double part = h * static_cast<double>(n) / static_cast<double>(top);
      b -= part;
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>+{}: {}</title></rect>",
                       g.x(from), b, g.x(to) - g.x(from) + 0.3, part, fill, secs(at), title);
    };
    for (const LoadOutcome::Instance* i : instances)
      for (const LoadOutcome::Second& sec : i->seconds)
        bar(sec.at, sec.served, colors(i->instance), fmt::format("{} served {}/s{}", esc(i->instance), sec.served,
                                                                 i->capacity ? fmt::format(" (capacity {}/s)", *i->capacity) : ""));
    for (const LoadOutcome::Instance* i : instances)
      for (const LoadOutcome::Second& sec : i->seconds)
        bar(sec.at, sec.dropped, "#c62828", fmt::format("{} dropped {}/s (over capacity)", esc(i->instance), sec.dropped));
    y += h + gap;
  }
  const double width = g.left + g.plot + 20;
  return fmt::format("<svg class=\"load\" width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\">", width, y, width, y) + s +
         "</svg>";
}

// Events and expectations, in order, as a table beside the drawing.
std::string steps_table(const ScenarioOutcome& o) {
  std::string s = "<table class=\"steps\"><tr><th></th><th>line</th><th>step</th><th>at / window</th><th>measured</th></tr>";
  size_t ev = 0, ex = 0;
  for (const StepOutcome& st : o.steps) {
    std::string tag, when;
    if (st.expectation()) {
      tag = fmt::format("<span class=\"badge {}\">E{} {}</span>", st.pass() ? "ok" : "bad", ++ex, verdict_word(st.status));
      when = fmt::format("+{} … +{}", secs(st.since), secs(st.at));
    } else {
      if (st.kind == StepKind::kEvent) tag = fmt::format("<span class=\"evnum {}\">{}</span>", st.pass() ? "" : "bad", ++ev);
      when = "+" + secs(st.at);
    }
    s += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     st.pass() ? "" : "badrow", tag, st.line, esc(st.text), when, esc(st.measured));
  }
  return s + "</table>";
}

// What each event cost the control plane: a row per router that sent
// UPDATEs or changed its best path, with its paths before and after.
std::string cost_tables(const ScenarioOutcome& o) {
  std::string s;
  size_t ev = 0;
  for (const StepOutcome& st : o.steps) {
    if (st.kind == StepKind::kEvent) ++ev;
    if (!st.cost) continue;
    s += fmt::format("<p class=\"cost\"><b>Event {} control plane</b>: {} (best paths looked at every {} at most)</p>",
                     ev, esc(checks::cost_text(*st.cost)), secs(st.cost->resolution));
    std::string rows;
    for (const checks::RouterCost& r : st.cost->routers) {
      if (r.sent.value_or(0) == 0 && r.received.value_or(0) == 0 && r.changes == 0) continue;
      auto count = [](const std::optional<uint64_t>& n) { return n ? std::to_string(*n) : std::string("?"); };
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                          esc(r.router), count(r.sent), count(r.received), r.changes,
                          r.last_change ? "+" + secs(*r.last_change) : "", esc(r.before), esc(r.after));
    }
    if (!rows.empty())
      s += "<table class=\"steps\"><tr><th>router</th><th>UPDATEs sent</th><th>received</th><th>best-path "
           "changes</th><th>last change</th><th>best path before</th><th>after</th></tr>" +
           rows + "</table>";
  }
  return s;
}

// The catchment before the first event and after each one (just before
// the next, once it had time to settle): one row of maps per service and
// family, since a client sits in one catchment per service and family
// (IPv4 and IPv6 catchments may differ).
std::string catchment_rows(const TestReport& r, const ScenarioOutcome& o, const Colors& colors,
                           const std::map<std::string, Point>& at) {
  const std::vector<const StepOutcome*> events = event_steps(o);
  const Micros window = std::max<Micros>(std::chrono::milliseconds(300), 3 * r.probe_interval + r.probe_timeout);
  std::set<std::pair<std::string, Family>> streams;
  std::set<std::string> services;
  std::set<Family> families;
  for (const ClientProbes& t : o.timelines)
    streams.insert({t.service, t.family}), services.insert(t.service), families.insert(t.family);
  std::string s;
  for (const auto& [service, family] : streams) {
    auto state_at = [&](Micros t) {
      std::map<std::string, std::optional<std::string>> m;
      for (const ClientProbes& c : o.timelines)
        if (c.service == service && c.family == family) m[c.client] = answering_before(c.probes, t, window);
      return m;
    };
    std::string which = services.size() > 1 ? esc(service) : "";
    if (families.size() > 1) which += (which.empty() ? "" : " ") + std::string(display_name(family));
    if (!which.empty()) which = "<b>" + which + "</b> ";
    s += "<div class=\"maps\">";
    const Micros first = events.empty() ? o.duration : events.front()->at;
    s += catchment_map(r, at, service, state_at(first), colors,
                       which + (events.empty() ? "catchment at the end"
                                               : fmt::format("before the first event (+{})", secs(first))));
    for (size_t i = 0; i < events.size(); ++i) {
      const Micros until = i + 1 < events.size() ? events[i + 1]->at : o.duration;
      s += catchment_map(r, at, service, state_at(until), colors,
                         which + fmt::format("after <b>{}</b> {} <span class=\"muted\">(as of +{})</span>", i + 1,
                                             esc(events[i]->text), secs(until)));
    }
    s += "</div>";
  }
  return s;
}

std::string scenario_html(const TestReport& r, const ScenarioRuns& runs, size_t k, const Colors& colors,
                          const std::map<std::string, Point>& at) {
  const ScenarioOutcome& o = runs.runs[k];
  std::string s = fmt::format("<section class=\"scenario {}\"><h2><span class=\"badge {}\">{}</span> {}{}</h2>",
                              o.pass() ? "ok" : "bad", o.pass() ? "ok" : "bad", verdict_word(o.status(), true), esc(runs.name),
                              runs.runs.size() > 1 ? fmt::format(" <small>run {} of {}</small>", k + 1, runs.runs.size())
                                                   : "");
  if (!runs.description.empty()) s += "<p class=\"description\">" + esc(runs.description) + "</p>";
  s += timeline_svg(r, o, colors);
  if (weighted(r)) s += load_svg(r, o, colors);
  if (o.load) s += served_svg(r, o, colors);
  s += steps_table(o);
  s += cost_tables(o);
  s += catchment_rows(r, o, colors, at);
  return s + "</section>";
}

// A step CDF of what one expectation measured over the runs (its
// convergence, or the longest outage a max-outage bounds), with its bounds
// over the runs as vertical lines (green held, red broken).
std::string cdf_svg(const ExpectationRuns& e) {
  const bool outage = e.first->percentiles_of_outage;
  std::vector<Micros> v = outage ? e.outage_values : e.convergence_values;
  if (v.size() < 2) return "";
  std::sort(v.begin(), v.end());
  Micros top = v.back();
  for (const ExpectationRuns::Bound& b : e.bounds) top = std::max(top, b.bound);
  const double w = 300, h = 110, left = 34, bottom = 18, span = static_cast<double>(top.count()) * 1.08 + 1;
  auto x = [&](Micros t) { return left + (w - left - 8) * static_cast<double>(t.count()) / span; };
  auto y = [&](double f) { return 6 + (h - bottom - 6) * (1 - f); };
  std::string path = fmt::format("M{:.1f},{:.1f}", x(Micros(0)), y(0));
  for (size_t k = 0; k < v.size(); ++k)
    path += fmt::format(" H{:.1f} V{:.1f}", x(v[k]), y(static_cast<double>(k + 1) / static_cast<double>(v.size())));
  std::string s = fmt::format("<figure class=\"cdf\"><svg width=\"{}\" height=\"{}\" role=\"img\">", w, h);
  s += fmt::format("<line class=\"tick\" x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\"/>", left, y(0), w - 8);
  s += fmt::format("<text class=\"ticklabel\" x=\"{}\" y=\"{}\">0</text>", left, h - 4);
  s += fmt::format("<text class=\"ticklabel\" x=\"{:.1f}\" y=\"{}\">{}</text>", std::max(x(v.back()), left + 44), h - 4,
                   secs(v.back()));
  s += fmt::format("<text class=\"ticklabel\" x=\"16\" y=\"{:.1f}\">100%</text>", y(1) + 4);
  for (const ExpectationRuns::Bound& b : e.bounds)
    s += fmt::format("<line class=\"bound {0}\" x1=\"{1:.1f}\" y1=\"4\" x2=\"{1:.1f}\" y2=\"{2:.1f}\"/>"
                     "<text class=\"boundlabel {0}\" x=\"{1:.1f}\" y=\"12\">p{3}</text>",
                     b.held() ? "ok" : "bad", x(b.bound), y(0), b.percentile);
  s += fmt::format("<path class=\"cdfline\" d=\"{}\"/></svg><figcaption>{}: {} over {} runs{}</figcaption></figure>", path,
                   esc(e.first->text), outage ? "longest outage" : "convergence", v.size(), esc(bounds_text(e)));
  return s;
}

// The CDFs of a scenario's expectations over its runs (--repeat).
std::string cdfs_html(const ScenarioRuns& runs) {
  std::string figures;
  for (const ExpectationRuns& e : expectations(runs)) figures += cdf_svg(e);
  if (figures.empty()) return "";
  return fmt::format("<section class=\"cdfs\"><h3>{}: each expectation over {} runs (CDF)</h3>{}</section>",
                     esc(runs.name), runs.runs.size(), figures);
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:16px}
header{padding:16px 20px;border-radius:8px;margin-bottom:14px;color:#fff}
header.ok{background:#2e7d32}header.bad{background:#c62828}
header h1{margin:0 0 4px;font-size:24px}header p{margin:0;opacity:.9}
.stats{display:flex;gap:10px;margin-top:12px;flex-wrap:wrap}
.stat{background:rgba(255,255,255,.16);border-radius:6px;padding:6px 12px}
.stat b{display:block;font-size:20px}
.failures{border:2px solid #c62828;background:#fff5f5;border-radius:8px;padding:8px 16px;margin-bottom:14px}
.failures h2{color:#c62828;margin:6px 0}.failures li{margin:4px 0}
.legend{margin:8px 0 14px}.legend span{display:inline-block;margin-right:14px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px}
.scenario{background:#fff;border:1px solid #ddd;border-radius:8px;padding:6px 16px 14px;margin-bottom:16px}
.scenario.bad{border:2px solid #c62828}
.scenario h2{font-size:18px}.scenario small{color:#666;font-weight:normal}
.description{color:#555;margin-top:-8px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:bold}
.badge.ok{background:#2e7d32}.badge.bad{background:#c62828}
.evnum{display:inline-block;width:18px;height:18px;border-radius:9px;background:#455a64;color:#fff;text-align:center;font-size:12px}
.evnum.bad{background:#c62828}
table.steps{border-collapse:collapse;width:100%;margin-top:6px;font-size:13px}
table.steps td,table.steps th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
tr.badrow td{background:#fff0f0}
svg text{font:11px system-ui,sans-serif}
.rowlabel{text-anchor:end;fill:#333}.rowlabel.bad{fill:#c62828;font-weight:bold}.rowlabel.ok{fill:#2e7d32}
.lane{fill:#f1f1f1}
.window.ok{fill:#c8e6c9;stroke:#2e7d32}.window.bad{fill:#ffcdd2;stroke:#c62828;stroke-width:2}
.winlabel{fill:#333}.converged{stroke:#000;stroke-width:2}
.event{stroke:#455a64;stroke-dasharray:4 3}.event.bad{stroke:#c62828}
.eventdot{fill:#455a64}.eventdot.bad{fill:#c62828}.eventnum{fill:#fff;text-anchor:middle;font-weight:bold}
.tick{stroke:#888}.ticklabel{text-anchor:middle;fill:#666}
.maps{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
figure.map{margin:0;border:1px solid #eee;border-radius:6px;background:#fcfcfc}
figure.map figcaption{font-size:12px;padding:0 6px 6px;max-width:250px}
.link{stroke:#bbb;stroke-width:1.5}.router{fill:#90a4ae;stroke:#455a64}.instance{stroke:#222}.client{stroke:#222}
.maplabel{text-anchor:middle;font-size:9px;fill:#333}.muted{color:#777}
.cdfs{background:#fff;border:1px solid #ddd;border-radius:8px;padding:6px 16px 10px;margin-bottom:16px;display:flex;flex-wrap:wrap;gap:8px}
.cdfs h3{width:100%;margin:6px 0}figure.cdf{margin:0}figure.cdf figcaption{font-size:12px;max-width:300px}
.cdfline{fill:none;stroke:#1565c0;stroke-width:2}.bound.ok{stroke:#2e7d32;stroke-dasharray:3 2}
.bound.bad{stroke:#c62828;stroke-width:2}.boundlabel{font-size:10px}.boundlabel.bad{fill:#c62828}.boundlabel.ok{fill:#2e7d32}
)";

}  // namespace

namespace {

// Every step that did not pass (with its run), for the top of the page.
std::string failures_list(const TestReport& r) {
  std::string failures;
  for (const ScenarioRuns& sc : r.scenarios)
    for (size_t k = 0; k < sc.runs.size(); ++k)
      for (const StepOutcome& st : sc.runs[k].steps) {
        if (st.pass()) continue;
        failures += fmt::format("<li><b>{}</b>{} · line {} · {}{}: <b>{}</b></li>", esc(sc.name),
                                r.repeat > 1 ? fmt::format(" (run {})", k + 1) : "", st.line,
                                st.status == Status::kInterrupted ? "interrupted: "
                                : st.status == Status::kError    ? (st.expectation() ? "could not be measured: "
                                                                                    : "event could not be applied: ")
                                                                 : "",
                                esc(st.text), esc(st.measured));
      }
  // Bounds over the runs that broke, every run having held its own.
  for (const ScenarioRuns& sc : r.scenarios)
    for (const ExpectationRuns& e : expectations(sc))
      if (!e.bounds_held())
        failures += fmt::format("<li><b>{}</b> · line {} · over the runs · {}: <b>{}</b></li>", esc(sc.name),
                                e.first->line, esc(e.first->text), esc(bounds_text(e).substr(2)));
  return failures;
}

// The verdict, the counts, the slowest convergence and the longest outage.
std::string header_html(const TestReport& r, const char* verdict) {
  const Tally tally = tally_of(r);
  const std::optional<Worst> slowest = slowest_convergence(r), longest = longest_outage(r);
  std::string s = fmt::format(
      "<header class=\"{}\"><h1>{} · lab {}</h1><p>{} · runtime {} · started {} · {:.1f} s{}</p><div class=\"stats\">",
      r.pass() ? "ok" : "bad", verdict, esc(r.lab), esc(r.file), esc(r.runtime), esc(r.started), r.seconds,
      r.repeat > 1 ? fmt::format(" · each scenario run {} times", r.repeat) : "");
  s += fmt::format("<div class=\"stat\"><b>{}/{}</b>scenarios passed</div>", tally.scenarios_passed, r.scenarios.size());
  size_t held = 0;
  for (const ScenarioRuns& sc : r.scenarios)
    for (const ExpectationRuns& e : expectations(sc)) held += e.held();
  s += fmt::format("<div class=\"stat\"><b>{}/{}</b>expectations held</div>", held, tally.expectations);
  if (tally.errors) s += fmt::format("<div class=\"stat\"><b>{}</b>errors (not measured)</div>", tally.errors);
  if (tally.interrupted) s += fmt::format("<div class=\"stat\"><b>{}</b>steps interrupted</div>", tally.interrupted);
  if (slowest)
    s += fmt::format("<div class=\"stat\"><b>{}</b>slowest convergence<br><small>{}</small></div>",
                     secs(slowest->time), esc(slowest->where));
  if (longest)
    s += fmt::format("<div class=\"stat\"><b>{}</b>longest outage<br><small>{}</small></div>", secs(longest->time),
                     esc(longest->where));
  return s + "</div></header>";
}

std::string legend_html(const TestReport& r, const Colors& colors) {
  std::string s = "<div class=\"legend\">";
  for (const auto& [instance, colour] : colors.all())
    s += fmt::format("<span><i class=\"swatch\" style=\"background:{}\"></i>{}{}</span>", colour, esc(instance),
                     colors.hijacker(instance) ? " <b>(hijacker)</b>" : "");
  s += "<span><svg width=\"12\" height=\"12\">"
       "<rect width=\"12\" height=\"12\" fill=\"url(#nobody)\"/></svg> no answer</span>"
       "<span><span class=\"evnum\">1</span> event</span>"
       "<span><i class=\"swatch\" style=\"background:#c8e6c9;border:1px solid #2e7d32\"></i>expectation window "
       "(black tick: converged)</span>";
  bool ipv6 = false, load = false;
  for (const ScenarioRuns& sc : r.scenarios)
    for (const ScenarioOutcome& o : sc.runs) {
      load |= o.load.has_value();
      for (const ClientProbes& t : o.timelines) ipv6 |= t.family == Family::kIpv6;
    }
  if (ipv6) s += "<span>a band per client and family: <b>· IPv4</b>, <b>· IPv6</b> (catchments may differ)</span>";
  if (load)
    s += "<span><i class=\"swatch\" style=\"background:#c62828\"></i>served/s: queries dropped over capacity</span>";
  return s + "</div>";
}

}  // namespace

std::string html_report(const TestReport& r) {
  const Colors colors(r);
  const auto at = layout(r, 260, 190);
  const char* verdict = r.pass() ? "PASS" : r.interrupted ? "INTERRUPTED" : tally_of(r).failed ? "FAIL" : "ERROR";
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  s += fmt::format("<title>anylab {}: {}</title><style>{}</style></head><body><main>", esc(r.lab), verdict, kStyle);
  // The hatch for "no answer", defined once for every drawing below.
  s += "<svg width=\"0\" height=\"0\" style=\"position:absolute\">" + svg_defs() + "</svg>";
  // The summary and every failure before anything else.
  s += header_html(r, verdict);
  if (const std::string failures = failures_list(r); !failures.empty())
    s += "<section class=\"failures\"><h2>What failed</h2><ul>" + failures + "</ul></section>";
  s += legend_html(r, colors);
  for (const ScenarioRuns& sc : r.scenarios) {
    // Every run of a failing scenario that failed, else its first run.
    bool drawn = false;
    for (size_t k = 0; k < sc.runs.size(); ++k)
      if (!sc.runs[k].pass()) s += scenario_html(r, sc, k, colors, at), drawn = true;
    if (!drawn && !sc.runs.empty()) s += scenario_html(r, sc, 0, colors, at);
    s += cdfs_html(sc);
  }
  s += "<p class=\"muted\">Made by anylab from the same data as its JSON report. Times are on each scenario's own "
       "clock, from the start of its probes.</p></main></body></html>\n";
  return s;
}

}  // namespace anylab
