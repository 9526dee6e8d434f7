#include "control_plane.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "evaluate.h"

namespace anylab::checks {
namespace {

// What one session counted in the window.
UpdateCounts delta(const UpdateCounts& before, const UpdateCounts& after) {
  auto since = [](uint64_t b, uint64_t a) { return a >= b ? a - b : a; };  // lower: reset with its session
  return {since(before.sent, after.sent), since(before.received, after.received)};
}

// A router's sessions in the window, summed; nullopt when it was not read at the end.
std::optional<UpdateCounts> router_delta(const SessionCounts& before, const SessionCounts& after,
                                         const std::string& router) {
  const auto a = after.find(router);
  if (a == after.end()) return std::nullopt;
  const auto b = before.find(router);
  UpdateCounts sum;
  for (const auto& [peer, counts] : a->second) {
    UpdateCounts was;
    if (b != before.end())
      if (auto p = b->second.find(peer); p != b->second.end()) was = p->second;
    const UpdateCounts d = delta(was, counts);
    sum.sent += d.sent;
    sum.received += d.received;
  }
  return sum;
}

// "prefix path; …": a router's best paths as last seen at or before `t`.
std::string paths_at(const std::vector<PathChange>& changes, const std::string& router, Micros t) {
  std::map<std::string, std::string> by_prefix;
  for (const PathChange& c : changes)
    if (c.router == router && c.at <= t) by_prefix[c.prefix] = c.path.empty() ? "none" : c.path;
  std::string out;
  for (const auto& [prefix, path] : by_prefix) out += (out.empty() ? "" : "; ") + prefix + " " + path;
  return out;
}

}  // namespace

uint64_t EventCost::sent() const {
  uint64_t n = 0;
  for (const RouterCost& r : routers) n += r.sent.value_or(0);
  return n;
}

uint64_t EventCost::received() const {
  uint64_t n = 0;
  for (const RouterCost& r : routers) n += r.received.value_or(0);
  return n;
}

int EventCost::changed() const {
  return static_cast<int>(std::ranges::count_if(routers, [](const RouterCost& r) { return r.changes > 0; }));
}

int EventCost::changes() const {
  int n = 0;
  for (const RouterCost& r : routers) n += r.changes;
  return n;
}

std::vector<PathChange> changes_in(const std::vector<PathChange>& changes, Micros from, Micros until,
                                   const std::vector<std::string>& prefixes) {
  std::vector<PathChange> out;
  for (const PathChange& c : changes)
    if (!c.first && c.at >= from && c.at < until &&
        (prefixes.empty() || std::ranges::find(prefixes, c.prefix) != prefixes.end()))
      out.push_back(c);
  return out;
}

EventCost event_cost(const std::vector<std::string>& routers, const std::vector<PathChange>& changes, Micros from,
                     Micros event, Micros until, const SessionCounts& before, const SessionCounts& after,
                     Micros resolution) {
  EventCost out{.from = from, .until = until, .resolution = resolution};
  const std::vector<PathChange> in = changes_in(changes, from, until);
  for (const std::string& router : routers) {
    RouterCost r{.router = router};
    if (auto d = router_delta(before, after, router)) {
      r.sent = d->sent;
      r.received = d->received;
    }
    for (const PathChange& c : in) {
      if (c.router != router) continue;
      ++r.changes;
      r.last_change = std::max(c.at - event, Micros(0));
      out.settled = std::max(out.settled.value_or(Micros(0)), *r.last_change);
    }
    r.before = paths_at(changes, router, from - Micros(1));
    r.after = paths_at(changes, router, until);
    out.routers.push_back(std::move(r));
  }
  return out;
}

uint64_t updates_sent(const SessionCounts& before, const SessionCounts& now, const std::string& router) {
  uint64_t n = 0;
  for (const auto& [name, sessions] : now)
    if (router.empty() || name == router)
      if (auto d = router_delta(before, now, name)) n += d->sent;
  return n;
}

std::optional<PathSeen> parse_best_path(const std::string& frr_json) {
  const auto j = nlohmann::json::parse(frr_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  PathSeen out{.version = j.value("version", uint64_t{0})};
  int multipath = 0;
  for (const auto& p : j.value("paths", nlohmann::json::array())) {
    const auto best = p.find("bestpath");
    if (best == p.end() || !best->value("overall", false)) {
      multipath += p.value("multipath", false) ? 1 : 0;
      continue;
    }
    std::string via = "?";
    if (const auto nh = p.find("nexthops"); nh != p.end() && nh->is_array() && !nh->empty())
      via = nh->front().value("ip", "?");
    std::string as_path;
    if (const auto a = p.find("aspath"); a != p.end() && a->is_object()) as_path = a->value("string", "");
    out.path = "via " + via + " as-path " + (as_path.empty() ? "(none)" : as_path);
    out.reason = best->value("selectionReason", "");
  }
  if (!out.path.empty() && multipath) out.path += " +" + std::to_string(multipath) + " multipath";
  return out;
}

std::string with_node_names(const std::string& path, const std::map<std::string, std::string>& node_of) {
  if (!path.starts_with("via ")) return path;
  const size_t end = path.find(' ', 4);
  const std::string ip = path.substr(4, end == std::string::npos ? std::string::npos : end - 4);
  const auto it = node_of.find(ip);
  if (it == node_of.end()) return path;
  return "via " + it->second + path.substr(end == std::string::npos ? path.size() : end);
}

std::optional<std::map<std::string, UpdateCounts>> parse_update_counts(const std::string& frr_json) {
  const auto j = nlohmann::json::parse(frr_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  std::map<std::string, UpdateCounts> out;
  for (const auto& [peer, n] : j.items()) {
    if (!n.is_object()) continue;
    const auto stats = n.find("messageStats");
    if (stats == n.end() || !stats->is_object()) continue;
    out[peer] = {stats->value("updatesSent", uint64_t{0}), stats->value("updatesRecv", uint64_t{0})};
  }
  return out;
}

std::string cost_text(const EventCost& c) {
  std::string out = std::to_string(c.sent()) + (c.sent() == 1 ? " UPDATE sent, " : " UPDATEs sent, ") +
                    std::to_string(c.received()) + " received; ";
  const int changed = c.changed();
  if (changed == 0) return out + "no router's best path changed";
  out += std::to_string(changed) + (changed == 1 ? " router changed its" : " routers changed their") +
         " best path (" + std::to_string(c.changes()) + (c.changes() == 1 ? " change" : " changes") + ")";
  if (c.settled) out += "; settled " + format_seconds(*c.settled) + " after the event";
  return out;
}

}  // namespace anylab::checks
