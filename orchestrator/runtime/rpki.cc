#include "runtime/rpki.h"
#include "core/error.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan/render_frr.h"
#include "runtime/frr_vty.h"
#include "runtime/process.h"

namespace anylab {

Vrp vrp_of(const Roa& r) { return {r.prefix.value.address.str(), r.prefix.value.length, r.max(), r.asn}; }

std::optional<std::vector<Vrp>> parse_rpki_table(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("prefixes") || !j["prefixes"].is_array()) return std::nullopt;
  std::vector<Vrp> out;
  for (const auto& p : j["prefixes"])
    out.push_back({p.value("prefix", ""), p.value("prefixLenMin", 0), p.value("prefixLenMax", 0), p.value("asn", 0u)});
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::vector<Vrp>> rpki_table(const Node& router) {
  // FRR answers with a warning (not success) while unsynchronised.
  auto answer = frr_vty(router.netns, "bgpd", "show rpki prefix-table json");
  if (!answer) return std::nullopt;
  return parse_rpki_table(*answer);
}

RtrStatus rtr_status(const Node& router) {
  RtrStatus st{router.name, fmt::format("127.0.0.1:{}", kRtrPort), "", std::nullopt};
  if (auto answer = frr_vty(router.netns, "bgpd", "show rpki cache-connection json")) {
    const auto j = nlohmann::json::parse(*answer, nullptr, false);
    st.state = "disconnected";  // FRR answers {} until the session is synchronised
    if (j.is_object() && j.contains("connections") && j["connections"].is_array())
      for (const auto& c : j["connections"])
        if (c.value("state", "") == "connected") st.state = "connected";
  }
  if (auto table = rpki_table(router)) st.vrps = table->size();
  return st;
}

bool holds(const Node& router, const std::vector<Roa>& roas) {
  auto table = rpki_table(router);
  if (!table) return false;
  std::vector<Vrp> want;
  for (const Roa& r : roas) want.push_back(vrp_of(r));
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  return *table == want;
}

Validity validate_origin(const IpPrefix& prefix, const std::string& as_path, uint32_t own_asn,
                         const std::vector<Roa>& roas) {
  // The origin: the path's last AS; none when the path ends in an AS_SET.
  std::optional<uint32_t> origin;
  const size_t space = as_path.find_last_of(' ');
  const std::string last = space == std::string::npos ? as_path : as_path.substr(space + 1);
  if (last.empty()) origin = own_asn;
  else if (last.find_first_not_of("0123456789") == std::string::npos && last.size() <= 10)
    origin = static_cast<uint32_t>(std::stoull(last));
  bool covered = false;
  for (const Roa& roa : roas) {
    if (!roa.prefix.value.contains(prefix)) continue;
    covered = true;
    // AS 0 in a ROA says "never originated" (RFC 6483): it matches nothing.
    if (origin && roa.asn != 0 && *origin == roa.asn && prefix.length <= roa.max()) return Validity::kValid;
  }
  return covered ? Validity::kInvalid : Validity::kNotFound;
}

namespace {

bool path_has(const std::string& path, uint32_t asn) {
  const std::string a = std::to_string(asn);
  size_t from = 0;
  while (from <= path.size()) {
    size_t end = path.find(' ', from);
    if (end == std::string::npos) end = path.size();
    if (path.compare(from, end - from, a) == 0) return true;
    from = end + 1;
  }
  return false;
}

}  // namespace

std::optional<Revalidation> revalidation(uint32_t own_asn, const std::vector<ReceivedRoutes>& received,
                                         const std::string& table_json, const std::vector<Roa>& before,
                                         const std::vector<Roa>& after) {
  const auto table = nlohmann::json::parse(table_json, nullptr, false);
  if (!table.is_object()) return std::nullopt;
  // prefix -> the peers the table holds a path from
  std::map<std::string, std::set<std::string>> held;
  if (table.contains("routes") && table["routes"].is_object())
    for (const auto& [prefix, paths] : table["routes"].items())
      if (paths.is_array())
        for (const auto& p : paths) held[prefix].insert(p.value("peerId", ""));
  Revalidation r;
  for (const ReceivedRoutes& peer : received) {
    const auto j = nlohmann::json::parse(peer.json, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    if (!j.contains("receivedRoutes") || !j["receivedRoutes"].is_object()) continue;
    for (const auto& [text, route] : j["receivedRoutes"].items()) {
      const auto prefix = IpPrefix::parse(text);
      const std::string path = route.value("path", "");
      if (!prefix || path_has(path, own_asn)) continue;
      const Validity was = validate_origin(*prefix, path, own_asn, before);
      const Validity now = validate_origin(*prefix, path, own_asn, after);
      if (was == now || (was != Validity::kInvalid && now != Validity::kInvalid)) continue;
      const auto it = held.find(text);
      const bool in_table = it != held.end() && it->second.contains(peer.address);
      if (now == Validity::kInvalid && !in_table) ++r.dropped;
      else if (now != Validity::kInvalid && in_table) ++r.taken_back;
      else
        r.pending.push_back(fmt::format("{} from {}: {}", text, peer.peer,
                                        now == Validity::kInvalid ? "invalid now, still held" : "no longer invalid, not taken back"));
    }
  }
  return r;
}

std::optional<Revalidation> revalidation(const Node& router, const std::vector<Roa>& before,
                                         const std::vector<Roa>& after) {
  Revalidation all;
  for (Family f : {Family::kIpv4, Family::kIpv6}) {
    std::vector<ReceivedRoutes> received;
    for (const BgpNeighbor& n : router.neighbors) {
      if (n.family() != f) continue;
      const std::string address = n.address.str();
      auto json = frr_vty(router.netns, "bgpd",
                          fmt::format("show bgp {} unicast neighbors {} received-routes json", to_string(f), address));
      if (!json) return std::nullopt;
      received.push_back({n.node, address, std::move(*json)});
    }
    if (received.empty()) continue;
    auto table = frr_vty(router.netns, "bgpd", fmt::format("show bgp {} unicast json", to_string(f)));
    if (!table) return std::nullopt;
    auto one = revalidation(router.asn, received, *table, before, after);
    if (!one) return std::nullopt;
    all.taken_back += one->taken_back;
    all.dropped += one->dropped;
    all.pending.insert(all.pending.end(), one->pending.begin(), one->pending.end());
  }
  return all;
}

std::expected<void, Error> reapply_import_policy(const Node& router) {
  std::vector<std::string> clears;
  for (Family f : {Family::kIpv4, Family::kIpv6})
    if (std::any_of(router.neighbors.begin(), router.neighbors.end(), [f](const BgpNeighbor& n) { return n.family() == f; }))
      clears.push_back(fmt::format("clear bgp {} unicast * soft in", to_string(f)));
  return frr_enable(router.netns, "bgpd", clears);
}

namespace {

// One router after a publication: waiting for the new set, then (if it
// enforces) for its routes to be re-judged, then done.
struct Watch {
  const Node* router;
  bool holds = false, done = false;
  std::string said{};     // "isp-eu held them after 0.60s, re-judged ..."
  std::string pending{};  // what it has yet to re-judge
};

// Every validating router's cache file, replaced whole (by rename).
std::expected<void, Error> write_vrps(const std::vector<Watch>& watches, const std::string& text) {
  for (const Watch& w : watches) {
    const std::string path = w.router->runtime_dir + "/vrps.json";
    if (auto written = write_file_nofollow(path + ".new", text); !written) return fail(written.error());
    if (std::rename((path + ".new").c_str(), path.c_str()) != 0)
      return fail(fmt::format("cannot replace {}", path));
  }
  return {};
}

// One look at a router, `seconds` after the publication.
std::expected<void, Error> look(Watch& w, const std::vector<Roa>& before, const std::vector<Roa>& after,
                                      double seconds) {
  const Node& r = *w.router;
  if (!w.holds) {
    if (!holds(r, after)) return {};
    w.holds = true;
    w.said = fmt::format("{} held them after {:.2f}s", r.name, seconds);
    w.done = !r.spec->enforces_rpki();
    if (w.done) return {};
    if (auto cleared = reapply_import_policy(r); !cleared) return cleared;
  }
  const auto state = revalidation(r, before, after);
  if (!state || !state->pending.empty()) {
    w.pending = state ? fmt::format("{}", fmt::join(state->pending, "; ")) : "its bgpd did not answer";
    return {};
  }
  w.done = true;
  w.said += fmt::format(", re-judged its routes after {:.2f}s ({} taken back, {} dropped)", seconds,
                        state->taken_back, state->dropped);
  return {};
}

// Why the routers still watched were not done within the budget.
std::string late(const std::vector<Watch>& watches, std::chrono::milliseconds budget) {
  std::vector<std::string> without, judging;
  for (const Watch& w : watches) {
    if (w.done) continue;
    if (!w.holds) without.push_back(w.router->name);
    else judging.push_back(fmt::format("{} ({})", w.router->name, w.pending));
  }
  if (!without.empty())
    return fmt::format("the new ROAs were published, but {} did not get them from its RPKI cache within {} s "
                       "(see stayrtr.log in its directory)",
                       fmt::join(without, ", "), budget.count() / 1000);
  return fmt::format("{} got the new ROAs, but {} s after their publication its import policy had not re-judged what "
                     "it received: {}",
                     judging.size() == 1 ? "an enforcing router" : "enforcing routers", budget.count() / 1000,
                     fmt::join(judging, ", "));
}

}  // namespace

std::expected<std::string, Error> publish_roas(const Lab& lab, const std::vector<Roa>& before,
                                                     const std::vector<Roa>& roas, std::chrono::milliseconds budget) {
  std::vector<Watch> watches;
  for (const Node& n : lab.nodes)
    if (validates_rpki(n)) watches.push_back({&n});
  const auto published = std::chrono::steady_clock::now();
  if (auto w = write_vrps(watches, render_vrps(roas)); !w) return fail(w.error());
  for (;;) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - published).count();
    for (Watch& w : watches)
      if (!w.done)
        if (auto looked = look(w, before, roas, seconds); !looked) return fail(looked.error());
    if (std::all_of(watches.begin(), watches.end(), [](const Watch& w) { return w.done; })) break;
    if (std::chrono::steady_clock::now() >= published + budget) return fail(late(watches, budget));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<std::string> said;
  for (const Watch& w : watches) said.push_back(w.said);
  return fmt::format("from publication: {}", fmt::join(said, "; "));
}

}  // namespace anylab
