#include "runtime/rpki.h"

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

std::expected<std::string, std::string> publish_roas(const Lab& lab, const std::vector<Roa>& roas,
                                                     std::chrono::milliseconds budget) {
  std::vector<const Node*> routers;
  for (const Node& n : lab.nodes)
    if (validates_rpki(n)) routers.push_back(&n);
  const std::string text = render_vrps(roas);
  const auto published = std::chrono::steady_clock::now();
  for (const Node* r : routers) {
    const std::string path = r->runtime_dir + "/vrps.json";
    if (auto w = write_file_nofollow(path + ".new", text); !w) return std::unexpected(w.error());
    if (std::rename((path + ".new").c_str(), path.c_str()) != 0)
      return std::unexpected(fmt::format("cannot replace {}", path));
  }
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - published).count(); };
  std::map<std::string, std::string> times;
  std::vector<const Node*> left = routers, dropping;
  const auto deadline = published + budget;
  for (;;) {
    std::erase_if(left, [&](const Node* r) {
      if (!holds(*r, roas)) return false;
      times[r->name] = fmt::format("{} held them after {:.2f}s", r->name, since());
      if (r->spec->enforces_rpki()) {
        for (const char* family : {"ipv4", "ipv6"})
          (void)frr_vty(r->netns, "bgpd", fmt::format("clear bgp {} unicast * soft in", family));
        dropping.push_back(r);
      }
      return true;
    });
    // An enforcing router then drops what became invalid: when its table
    // has no invalid route left.
    std::erase_if(dropping, [&](const Node* r) {
      for (const char* family : {"ipv4", "ipv6"}) {
        auto answer = frr_vty(r->netns, "bgpd", fmt::format("show bgp {} unicast rpki invalid json", family));
        const auto j = answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json();
        if (j.is_object() && j.contains("routes") && j["routes"].is_object() && !j["routes"].empty()) return false;
      }
      times[r->name] += fmt::format(", had no invalid route after {:.2f}s", since());
      return true;
    });
    if (left.empty() && dropping.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::vector<std::string> names;
      for (const Node* r : left) names.push_back(r->name);
      if (names.empty()) {
        for (const Node* r : dropping) names.push_back(r->name);
        return std::unexpected(fmt::format("{} got the new ROAs but still holds RPKI-invalid routes after {} s",
                                           fmt::join(names, ", "), budget.count() / 1000));
      }
      return std::unexpected(fmt::format("the new ROAs were published, but {} did not get them from its RPKI cache "
                                         "within {} s (see stayrtr.log in its directory)",
                                         fmt::join(names, ", "), budget.count() / 1000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<std::string> said;
  for (const Node* r : routers) said.push_back(times[r->name]);
  return fmt::format("from publication: {}", fmt::join(said, "; "));
}

}  // namespace anylab
