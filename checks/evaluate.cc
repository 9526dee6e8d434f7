#include "evaluate.h"

#include <algorithm>
#include <map>
#include <set>
#include <cstdio>

namespace anylab::checks {

std::vector<Probe> window(const ClientTimeline& probes, Micros from, Micros to) {
  std::vector<Probe> out;
  for (const Probe& p : probes)
    if (p.sent >= from && p.sent < to) out.push_back(p);
  return out;
}

std::optional<std::string> unsent_probes(const ClientTimeline& probes, Micros from, Micros to) {
  size_t sent = 0, unsent = 0;
  const std::string* cause = nullptr;
  for (const Probe& p : probes) {
    if (p.sent < from || p.sent >= to) continue;
    ++sent;
    if (!p.error) continue;
    if (!unsent++) cause = &*p.error;
  }
  if (!unsent) return std::nullopt;
  return std::to_string(unsent) + " of " + std::to_string(sent) + " probes could not be sent: " + *cause;
}

ClientTimeline merge_flows(const std::vector<ClientTimeline>& flows) {
  if (flows.empty()) return {};
  size_t rounds = flows.front().size();
  for (const ClientTimeline& f : flows) rounds = std::min(rounds, f.size());
  ClientTimeline out;
  for (size_t i = 0; i < rounds; ++i) {
    Probe p{flows.front()[i].sent, std::nullopt, std::nullopt};
    std::set<std::string> answered;
    bool silent = false;
    for (const ClientTimeline& f : flows) {
      if (f[i].error && !p.error) p.error = f[i].error;
      if (f[i].instance) answered.insert(*f[i].instance);
      else silent = true;
    }
    if (!silent && !answered.empty()) {
      std::string all;
      for (const std::string& a : answered) all += (all.empty() ? "" : "+") + a;
      p.instance = all;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Segment> segments(const ClientTimeline& p, Micros interval) {
  std::vector<Segment> out;
  for (size_t i = 0; i < p.size();) {
    size_t j = i;
    while (j < p.size() && p[j].instance == p[i].instance) ++j;
    out.push_back({p[i].sent, j < p.size() ? p[j].sent : p[j - 1].sent + interval, p[i].instance, j - i});
    i = j;
  }
  return out;
}

size_t Answers::answered() const {
  size_t n = 0;
  for (const auto& [instance, count] : by) n += count;
  return n;
}

double Answers::lost_percent() const {
  return probes ? 100.0 * static_cast<double>(lost()) / static_cast<double>(probes) : 0;
}

Answers answers_of(const ClientTimeline& probes, Micros from, Micros to) {
  Answers a;
  for (const Probe& p : probes) {
    if (p.sent < from || p.sent >= to) continue;
    ++a.probes;
    if (p.instance) ++a.by[*p.instance];
  }
  return a;
}

std::string format_seconds(Micros t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(t.count()) / 1e6);
  return buf;
}

namespace {

// The index where the final run of probes matching `want` starts, or npos
// when the last probe does not match.
template <class Match>
size_t final_run(const std::vector<Probe>& w, Match want) {
  if (w.empty() || !want(w.back())) return std::string::npos;
  size_t i = w.size();
  while (i > 0 && want(w[i - 1])) --i;
  return i;
}

std::string who(const std::optional<std::string>& instance) { return instance ? *instance : "nobody"; }

// "answered only by a: 16 of 300 probes, 94.7% lost", or "answered by a
// (10) and b (6): ...".
std::string answers_text(const Answers& a) {
  std::string names;
  size_t k = 0;
  for (const auto& [instance, count] : a.by) {
    if (k > 0) names += k + 1 == a.by.size() ? " and " : ", ";
    names += a.by.size() == 1 ? instance : instance + " (" + std::to_string(count) + ")";
    ++k;
  }
  char tail[96];
  std::snprintf(tail, sizeof tail, ": %zu of %zu probes, %.1f%% lost", a.answered(), a.probes, a.lost_percent());
  return (a.by.size() == 1 ? "answered only by " : "answered by ") + names + tail;
}

// The longest run of consecutive probes answered by `instance`, from its
// first probe to the next probe after it (or `end`).
Micros longest_run(const std::vector<Probe>& w, const std::string& instance, Micros end) {
  Micros longest{0};
  for (size_t i = 0; i < w.size();) {
    if (w[i].instance != instance) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < w.size() && w[j].instance == instance) ++j;
    longest = std::max(longest, (j < w.size() ? w[j].sent : end) - w[i].sent);
    i = j;
  }
  return longest;
}

// Why a reaches (or unreachable) failed on a lossy path: who answered the
// answered probes and what share was lost, and for an instance, whether it
// ever answered `stable` in a row. Nothing when no probe was lost.
std::string loss_text(const std::vector<Probe>& w, const Answers& a, const std::string& what, Micros end,
                      std::optional<Micros> stable) {
  if (!a.lost()) return "";
  if (!a.answered()) return "none of " + std::to_string(a.probes) + " probes answered";
  std::string out = answers_text(a);
  if (what == "nobody") return out;
  if (!a.by.contains(what)) return out + "; never by " + what;
  const Micros run = longest_run(w, what, end);
  if (stable && run < *stable)
    out += "; " + std::string(a.by.size() == 1 ? "" : what + " ") + "never " + format_seconds(*stable) +
           " in a row (longest " + format_seconds(run) + ")";
  return out;
}

// Shared by reaches and unreachable: the final run of probes matching, its
// start measured from the event, checked against within and stable.
template <class Match>
Verdict settle(const ClientTimeline& probes, Micros event, Micros end, Match want, const std::string& what,
               std::optional<Micros> within, std::optional<Micros> stable) {
  Verdict v;
  const std::vector<Probe> w = window(probes, event, end);
  if (w.empty()) {
    v.measured = "no probes in the window";
    return v;
  }
  v.instance = w.back().instance;
  v.answers = answers_of(w, event, end);
  // Said only for a verdict that fails (this runs every judging round).
  auto lossy = [&] { return loss_text(w, *v.answers, what, end, stable); };
  const size_t start = final_run(w, want);
  if (start == std::string::npos) {
    // Unanswered at the end of a lossy window: what the answers were says
    // more than "nobody".
    const std::string l = lossy();
    if (!w.back().instance && v.answers->answered()) v.measured = l;
    else v.measured = "answered by " + who(w.back().instance) + " at the end, not " + what + (l.empty() ? "" : "; " + l);
    return v;
  }
  const Micros converged = w[start].sent - event;
  const Micros lasted = end - w[start].sent;
  v.convergence = converged;
  v.measured = what + " from +" + format_seconds(converged) + ", for " + format_seconds(lasted);
  v.pass = (!within || converged <= *within) && (!stable || lasted >= *stable);
  if (within && converged > *within) v.measured += " (later than " + format_seconds(*within) + ")";
  if (stable && lasted < *stable) v.measured += " (shorter than " + format_seconds(*stable) + ")";
  // Loss explains a run that did not last, not one that came late.
  if (stable && lasted < *stable)
    if (const std::string l = lossy(); !l.empty()) v.measured += "; " + l;
  return v;
}

template <class Match>
Decision decide(const ClientTimeline& probes, Micros event, Micros end, Match want, const std::string& what,
                std::optional<Micros> within, Micros stable, Micros deadline) {
  Decision d{.verdict = settle(probes, event, end, want, what, within, stable)};
  const bool run_in_time = d.verdict.convergence && (!within || *d.verdict.convergence <= *within);
  d.final = d.verdict.pass || end >= deadline || (within && end > event + *within && !run_in_time);
  return d;
}

}  // namespace

Decision decide_reaches(const ClientTimeline& probes, Micros event, Micros end, const std::string& instance,
                        std::optional<Micros> within, Micros stable, Micros deadline) {
  return decide(
      probes, event, end, [&](const Probe& p) { return p.instance == instance; }, instance, within, stable, deadline);
}

Decision decide_unreachable(const ClientTimeline& probes, Micros event, Micros end, std::optional<Micros> within,
                            Micros stable, Micros deadline) {
  Decision d = decide(
      probes, event, end, [](const Probe& p) { return !p.instance; }, "nobody", within, stable, deadline);
  // Who answered last after the event, and when (the last instance still
  // answering when a whole service went dark).
  if (d.verdict.pass) {
    const std::vector<Probe> w = window(probes, event, end);
    for (auto it = w.rbegin(); it != w.rend(); ++it)
      if (it->instance) {
        d.verdict.measured += "; last answered by " + *it->instance + " at +" + format_seconds(it->sent - event);
        break;
      }
  }
  return d;
}

Decision decide_max_outage(const ClientTimeline& probes, Micros event, Micros end, Micros bound, Micros stable,
                           Micros deadline) {
  Decision d{.verdict = max_outage(probes, event, end, bound)};
  const std::vector<Probe> w = window(probes, event, end);
  const bool answering = !w.empty() && w.back().instance;
  // Answered again and stable: for the last `stable`, every answer came from
  // the instance answering now, and most probes were answered (on a lossy
  // link some never are, and no run of answers lasts).
  auto settled = [&] {
    if (!answering || end - event < stable) return false;
    size_t in_span = 0, answered_in_span = 0;
    for (const Probe& p : w) {
      if (p.sent < end - stable) continue;
      ++in_span;
      if (!p.instance) continue;
      if (p.instance != w.back().instance) return false;
      ++answered_in_span;
    }
    return 2 * answered_in_span > in_span;
  };
  if (d.verdict.longest_outage && *d.verdict.longest_outage > bound) {
    d.final = true;
  } else if (d.verdict.pass && settled()) {
    d.final = true;
  } else if (end >= deadline) {
    d.final = true;
    if (!answering && !w.empty()) {
      d.verdict.pass = false;
      d.verdict.measured += ", and still unanswered at the end";
    }
  }
  return d;
}

Verdict reaches(const ClientTimeline& probes, Micros event, Micros end, const std::string& instance,
                std::optional<Micros> within, std::optional<Micros> stable) {
  return settle(
      probes, event, end, [&](const Probe& p) { return p.instance == instance; }, instance, within, stable);
}

Verdict unreachable(const ClientTimeline& probes, Micros event, Micros end, std::optional<Micros> within,
                    std::optional<Micros> stable) {
  return settle(
      probes, event, end, [](const Probe& p) { return !p.instance; }, "nobody", within, stable);
}

Verdict max_outage(const ClientTimeline& probes, Micros event, Micros end, Micros bound) {
  Verdict v;
  const std::vector<Probe> w = window(probes, event, end);
  Micros longest{0};
  std::optional<Micros> lost_since;
  for (const Probe& p : w) {
    if (!p.instance && !lost_since) lost_since = p.sent;
    if (p.instance && lost_since) {
      longest = std::max(longest, p.sent - *lost_since);
      lost_since.reset();
    }
  }
  if (lost_since) longest = std::max(longest, end - *lost_since);
  v.longest_outage = longest;
  v.instance = w.empty() ? std::nullopt : w.back().instance;
  v.pass = !w.empty() && longest <= bound;
  v.measured = w.empty() ? "no probes in the window" : "longest outage " + format_seconds(longest);
  return v;
}

std::optional<std::string> answering_at_end(const ClientTimeline& probes, Micros event, Micros end) {
  const Micros tail_start = end - (end - event) / 4;
  const std::vector<Probe> w = window(probes, std::max(event, tail_start), end);
  for (auto it = w.rbegin(); it != w.rend(); ++it)
    if (it->instance) return it->instance;
  return std::nullopt;
}

Verdict catchment(const std::map<std::string, ClientTimeline>& probes, Micros event, Micros end,
                  const std::map<std::string, std::string>& expected) {
  Verdict v;
  v.pass = true;
  for (const auto& [client, instance] : expected) {
    auto it = probes.find(client);
    const std::optional<std::string> seen =
        it == probes.end() ? std::nullopt : answering_at_end(it->second, event, end);
    if (!v.measured.empty()) v.measured += ", ";
    v.measured += client + " -> " + who(seen);
    if (seen != instance) {
      v.pass = false;
      v.measured += " (expected " + instance + ")";
    }
  }
  return v;
}

Verdict load_share(const std::map<std::string, ClientTimeline>& probes, const std::map<std::string, uint32_t>& weights,
                   Micros event, Micros end, const std::string& instance, std::optional<double> at_most,
                   std::optional<double> at_least) {
  uint64_t total = 0, served = 0;
  std::string who_serves;
  for (const auto& [client, weight] : weights) {
    total += weight;
    auto it = probes.find(client);
    if (it == probes.end() || answering_at_end(it->second, event, end) != instance) continue;
    served += weight;
    who_serves += (who_serves.empty() ? "" : ", ") + client + " " + std::to_string(weight);
  }
  const double share = total ? 100.0 * static_cast<double>(served) / static_cast<double>(total) : 0;
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", share);
  Verdict v;
  v.percent = share;
  v.measured = instance + " serves " + pct + " of the clients' weight (" +
               (who_serves.empty() ? std::string("nobody") : who_serves) + " of " + std::to_string(total) + ")";
  // A hair of slack: 1/3 of a weight of 3 is 33.33...%, which "33.3%" means.
  const double eps = 1e-9;
  v.pass = (!at_most || share <= *at_most + eps) && (!at_least || share >= *at_least - eps);
  if (!v.pass) {
    std::string want;
    char b[32];
    if (at_least) std::snprintf(b, sizeof b, "at least %g%%", *at_least), want += b;
    if (at_most) std::snprintf(b, sizeof b, "%sat most %g%%", want.empty() ? "" : ", ", *at_most), want += b;
    v.measured += " (expected " + want + ")";
  }
  return v;
}

Decision decide_loss(const ClientTimeline& probes, Micros from, Micros end, std::optional<Micros> until, ShareBounds bounds,
                     size_t min_probes, Micros deadline) {
  const Micros to = until ? std::min(*until, end) : end;
  size_t sent = 0, lost = 0;
  for (const Probe& p : probes) {
    if (p.sent < from || p.sent >= to) continue;
    ++sent;
    lost += !p.instance;
  }
  const double share = sent ? 100.0 * static_cast<double>(lost) / static_cast<double>(sent) : 0;
  char text[160];
  std::snprintf(text, sizeof text, "lost %zu of %zu probes (%.2f%%) from +0s to +%s", lost, sent, share,
                format_seconds(to - from).c_str());
  Decision d;
  d.verdict.measured = text;
  if (sent) d.verdict.percent = share;
  d.verdict.pass = sent > 0 && (!bounds.at_most || share <= *bounds.at_most + 1e-9) &&
                   (!bounds.at_least || share + 1e-9 >= *bounds.at_least);
  const bool window_over = until ? end >= *until : sent >= min_probes;
  d.final = window_over || end >= deadline;
  if (d.final && !d.verdict.pass && sent == 0) d.verdict.measured = "no probe was decided in the window";
  if (d.final && !d.verdict.pass && sent > 0) {
    char want[80];
    if (bounds.at_most && bounds.at_least)
      std::snprintf(want, sizeof want, " (expected %g%% to %g%%)", *bounds.at_least, *bounds.at_most);
    else if (bounds.at_most)
      std::snprintf(want, sizeof want, " (expected at most %g%%)", *bounds.at_most);
    else
      std::snprintf(want, sizeof want, " (expected at least %g%%)", bounds.at_least.value_or(0));
    d.verdict.measured += want;
  }
  return d;
}

namespace {

std::string pct(double share) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f%%", share);
  return b;
}

// "at least 30%, at most 50%"
std::string bounds_text(std::optional<double> at_least, std::optional<double> at_most) {
  std::string want;
  char b[48];
  if (at_least) std::snprintf(b, sizeof b, "at least %g%%", *at_least), want += b;
  if (at_most) std::snprintf(b, sizeof b, "%sat most %g%%", want.empty() ? "" : ", ", *at_most), want += b;
  return want;
}

std::string expected_bounds(std::optional<double> at_least, std::optional<double> at_most) {
  return " (expected " + bounds_text(at_least, at_most) + ")";
}

bool within_bounds(double share, std::optional<double> at_least, std::optional<double> at_most) {
  const double eps = 1e-9;
  return (!at_most || share <= *at_most + eps) && (!at_least || share >= *at_least - eps);
}

double share_of(size_t part, size_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0;
}

}  // namespace

FlowAnswers answers_between(const std::vector<ClientTimeline>& flows, Micros from, Micros before, bool answered) {
  FlowAnswers out;
  for (const ClientTimeline& f : flows) {
    std::optional<std::string> last;
    for (const Probe& p : f)
      if (p.sent >= from && p.sent < before && (p.instance || !answered)) last = p.instance;
    out.push_back(last);
  }
  return out;
}

Decision decide_flips(const ClientTimeline& probes, Micros from, Micros end, std::optional<Micros> until,
                      uint32_t at_most, Micros deadline) {
  const Micros to = until ? std::min(*until, end) : end;
  std::optional<std::string> last;
  size_t answered = 0;
  std::vector<std::string> flips;
  for (const Probe& p : probes) {
    if (p.sent >= to || !p.instance) continue;
    if (p.sent < from) {  // who answered last before: a failover is a flip
      last = p.instance;
      continue;
    }
    ++answered;
    if (last && *last != *p.instance)
      flips.push_back(*last + " -> " + *p.instance + " at +" + format_seconds(p.sent - from));
    last = p.instance;
  }
  Decision d;
  d.verdict.pass = flips.size() <= at_most;
  d.final = !d.verdict.pass || !until || end >= *until || end >= deadline;
  d.verdict.measured = std::to_string(flips.size()) + (flips.size() == 1 ? " flip in " : " flips in ") +
                       std::to_string(answered) + " answered probes from +0s to +" + format_seconds(to - from);
  for (size_t i = 0; i < flips.size() && i < 5; ++i) d.verdict.measured += (i ? ", " : ": ") + flips[i];
  if (flips.size() > 5) d.verdict.measured += " and " + std::to_string(flips.size() - 5) + " more";
  if (!d.verdict.pass) d.verdict.measured += " (expected at most " + std::to_string(at_most) + ")";
  if (answered && last) d.verdict.instance = last;
  return d;
}

Verdict spread(const FlowAnswers& answers, const std::vector<InstanceShare>& instances) {
  std::map<std::string, size_t> count;
  size_t unanswered = 0;
  for (const auto& a : answers) {
    if (a) ++count[*a];
    else ++unanswered;
  }
  // One set of bounds for all (`each:`) is said once, at the end; bounds of
  // an instance's own beside the share that broke them.
  const bool same = std::all_of(instances.begin(), instances.end(), [&](const InstanceShare& s) {
    return s.bounds.at_least == instances.front().bounds.at_least && s.bounds.at_most == instances.front().bounds.at_most;
  });
  Verdict v{.pass = !answers.empty()};
  std::string shares;
  for (const auto& [i, bounds] : instances) {
    const double share = share_of(count[i], answers.size());
    const bool within = within_bounds(share, bounds.at_least, bounds.at_most);
    v.pass = v.pass && within;
    shares += (shares.empty() ? "" : ", ") + i + " " + pct(share) + " (" + std::to_string(count[i]);
    shares += !within && !same ? ", expected " + bounds_text(bounds.at_least, bounds.at_most) + ")" : ")";
  }
  for (const auto& [i, n] : count)
    if (std::none_of(instances.begin(), instances.end(), [&](const InstanceShare& s) { return s.instance == i; })) {
      shares += ", " + i + " " + pct(share_of(n, answers.size())) + " (" + std::to_string(n) + ", not listed)";
      v.pass = false;
    }
  v.measured = shares + " of " + std::to_string(answers.size()) + " flows";
  // Flows still unanswered: the lab has not settled (or loses them).
  if (unanswered) v.measured += ", " + std::to_string(unanswered) + " unanswered (a spread wants every flow answered)";
  v.pass = v.pass && unanswered == 0;
  if (!v.pass && same && !instances.empty())
    v.measured += expected_bounds(instances.front().bounds.at_least, instances.front().bounds.at_most) + " each";
  return v;
}

Verdict moved(const FlowAnswers& before, const FlowAnswers& now, ShareBounds all, ShareBounds healthy) {
  std::set<std::string> answering_now;
  for (const auto& a : now)
    if (a) answering_now.insert(*a);
  size_t answered_before = 0, gone = 0, rehashed = 0, on_healthy = 0, silent = 0;
  for (size_t f = 0; f < before.size() && f < now.size(); ++f) {
    if (!before[f]) continue;
    ++answered_before;
    const bool still = answering_now.contains(*before[f]);
    on_healthy += still;
    if (!now[f]) ++silent;
    else if (*now[f] != *before[f]) ++(still ? rehashed : gone);
  }
  const size_t moved_flows = gone + rehashed;
  const double share = share_of(moved_flows, answered_before), healthy_share = share_of(rehashed, on_healthy);
  Verdict v{.pass = answered_before > 0 && within_bounds(share, all.at_least, all.at_most) &&
                    within_bounds(healthy_share, healthy.at_least, healthy.at_most),
            .percent = share};
  v.measured = std::to_string(moved_flows) + " of " + std::to_string(answered_before) + " flows (" + pct(share) +
               ") answered by another instance than before the last event: " + std::to_string(gone) +
               " from instances that answer no flow now, " + std::to_string(rehashed) + " of the " +
               std::to_string(on_healthy) + " on instances still answering (" + pct(healthy_share) + ", re-hashed)";
  if (silent) v.measured += "; " + std::to_string(silent) + " unanswered now";
  if (answered_before == 0) v.measured = "no flow was answered before the last event";
  if (!v.pass && answered_before && !within_bounds(share, all.at_least, all.at_most))
    v.measured += expected_bounds(all.at_least, all.at_most);
  if (!v.pass && answered_before && !within_bounds(healthy_share, healthy.at_least, healthy.at_most))
    v.measured += expected_bounds(healthy.at_least, healthy.at_most) + " of the healthy instances' flows";
  return v;
}

}  // namespace anylab::checks
