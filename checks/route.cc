#include "route.h"

#include <vector>

#include <nlohmann/json.hpp>

namespace anylab::checks {

std::optional<BestPath> best_path(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("paths") || !j["paths"].is_array()) return std::nullopt;
  for (const auto& p : j["paths"]) {
    if (!p.value("/bestpath/overall"_json_pointer, false)) continue;
    BestPath b;
    b.as_path = p.value("/aspath/string"_json_pointer, std::string());
    if (b.as_path == "Local") b.as_path.clear();
    b.peer = p.value("/peer/peerId"_json_pointer, std::string());
    b.reason = p.value("/bestpath/selectionReason"_json_pointer, std::string());
    b.rpki = p.value("rpkiValidationState", std::string());
    if (b.rpki == "not found") b.rpki = "notfound";  // FRR's words; the lab file's have no space
    return b;
  }
  return std::nullopt;
}

std::string no_best_path_note(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("paths") || !j["paths"].is_array() || j["paths"].empty()) return "FRR holds no path";
  std::string why;
  for (const auto& p : j["paths"]) {
    if (p.value("/bestpath/overall"_json_pointer, false)) return "";
    std::string one = "from " + p.value("/peer/peerId"_json_pointer, std::string("?"));
    std::vector<std::string> reasons;
    if (p.contains("nexthops") && p["nexthops"].is_array())
      for (const auto& nh : p["nexthops"])
        if (!nh.value("accessible", true)) reasons.push_back("next hop " + nh.value("ip", nh.value("afi", std::string("?"))) + " inaccessible");
    if (p.value("stale", false)) reasons.push_back("stale");
    if (p.value("removed", false)) reasons.push_back("removed");
    if (p.value("history", false) || p.value("damped", false)) reasons.push_back("damped");
    if (reasons.empty() && !p.value("valid", false)) reasons.push_back("not valid");
    for (const std::string& r : reasons) one += ", " + r;
    why += (why.empty() ? "" : "; ") + one;
  }
  const size_t n = j["paths"].size();
  return "FRR holds " + std::to_string(n) + (n == 1 ? " path" : " paths") + ", none best: " + why;
}

Verdict route(const std::optional<BestPath>& best, const std::string& peer_name,
              const std::optional<std::string>& via, const std::optional<std::string>& via_peer,
              const std::optional<std::string>& as_path) {
  Verdict v;
  if (!best) {
    v.measured = "no route";
    return v;
  }
  v.measured = "best path via " + peer_name + ", AS path \"" + best->as_path + "\"";
  v.pass = (!via || (via_peer && best->peer == *via_peer)) && (!as_path || best->as_path == *as_path);
  if (!v.pass) {
    std::string want = "expected";
    if (via) want += " via " + *via;
    if (as_path) want += std::string(via ? "," : "") + " AS path \"" + *as_path + "\"";
    v.measured += " (" + want + ")";
    if (!best->reason.empty()) v.measured += "; FRR chose it by: " + best->reason;
    if (best->reason == "Older Path")
      v.measured += ", a tie up to age that the first session up wins: make the lab decide it"
                    " (prepend, local-pref, or bgp bestpath compare-routerid)";
  }
  return v;
}

Verdict route_rpki(const std::optional<BestPath>& best, const std::string& peer_name, const std::string& want) {
  if (!best) return {.pass = false, .measured = "no route"};
  Verdict v;
  const std::string state = best->rpki.empty() ? "not validated" : "RPKI " + best->rpki;
  v.measured = "best path via " + peer_name + ", AS path \"" + best->as_path + "\", " + state;
  v.pass = best->rpki == want;
  if (!v.pass) v.measured += " (expected RPKI " + want + ")";
  return v;
}

Verdict route_absent(const std::optional<BestPath>& best, const std::string& peer_name) {
  if (!best) return {.pass = true, .measured = "no route"};
  return {.pass = false,
          .measured = "best path via " + peer_name + ", AS path \"" + best->as_path + "\" (expected no route)"};
}

}  // namespace anylab::checks
