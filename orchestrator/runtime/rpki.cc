#include "runtime/rpki.h"

#include <algorithm>
#include <cstdio>
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
  std::vector<std::string> times;
  std::vector<const Node*> left = routers;
  const auto deadline = published + budget;
  for (;;) {
    std::erase_if(left, [&](const Node* r) {
      if (!holds(*r, roas)) return false;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - published).count();
      times.push_back(fmt::format("{} {:.2f}s", r->name, s));
      if (r->spec->enforces_rpki())
        for (const char* family : {"ipv4", "ipv6"})
          (void)frr_vty(r->netns, "bgpd", fmt::format("clear bgp {} unicast * soft in", family));
      return true;
    });
    if (left.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::vector<std::string> names;
      for (const Node* r : left) names.push_back(r->name);
      return std::unexpected(fmt::format("the new ROAs were published, but {} did not get them from its RPKI cache "
                                         "within {} s (see stayrtr.log in its directory)",
                                         fmt::join(names, ", "), budget.count() / 1000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fmt::format("routers held the new ROAs after: {}", fmt::join(times, ", "));
}

}  // namespace anylab
