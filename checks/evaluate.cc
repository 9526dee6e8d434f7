#include "evaluate.h"

#include <algorithm>
#include <cstdio>

namespace anylab::checks {

std::vector<Probe> window(const ClientTimeline& probes, Micros from, Micros to) {
  std::vector<Probe> out;
  for (const Probe& p : probes)
    if (p.sent >= from && p.sent < to) out.push_back(p);
  return out;
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
  const size_t start = final_run(w, want);
  if (start == std::string::npos) {
    v.measured = "answered by " + who(w.back().instance) + " at the end, not " + what;
    return v;
  }
  const Micros converged = w[start].sent - event;
  const Micros lasted = end - w[start].sent;
  v.convergence = converged;
  v.measured = what + " from +" + format_seconds(converged) + ", for " + format_seconds(lasted);
  v.pass = (!within || converged <= *within) && (!stable || lasted >= *stable);
  if (within && converged > *within) v.measured += " (later than " + format_seconds(*within) + ")";
  if (stable && lasted < *stable) v.measured += " (shorter than " + format_seconds(*stable) + ")";
  return v;
}

}  // namespace

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

}  // namespace anylab::checks
