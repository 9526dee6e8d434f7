#include "plan/own_config.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan/render_frr.h"
#include "plan/speaker_routes.h"

namespace anylab {
namespace {

using nlohmann::json;

json address_or_null(const std::optional<IpAddress>& a) { return a ? json(a->str()) : json(nullptr); }

json interface_facts(const Interface& i) {
  json out{{"name", i.name},
           {"peer", i.peer_node},
           {"peer_interface", i.peer_interface},
           {"relation", to_string(i.relation)},
           {"igp", i.igp}};
  for (const InterfaceAddress& a : i.addresses) {
    const std::string f = a.peer.family == Family::kIpv6 ? "ipv6" : "ipv4";
    out[f] = a.local.str();                  // 198.18.0.1/31
    out[f + "_address"] = a.local.address.str();  // 198.18.0.1
    out["peer_" + f] = a.peer.str();          // 198.18.0.0
  }
  return out;
}

json neighbor_facts(const Lab& lab, const BgpNeighbor& nb) {
  const Node* peer = lab.find(nb.node);
  return {{"name", nb.node},
          {"kind", peer ? to_string(peer->kind) : "router"},
          {"address", nb.address.str()},
          {"local_address", nb.local_address.str()},
          {"asn", nb.asn},
          {"family", nb.family() == Family::kIpv6 ? "ipv6" : "ipv4"},
          {"interface", nb.interface},
          {"relation", to_string(nb.relation)},
          {"ibgp", nb.ibgp},
          {"rr_client", nb.rr_client},
          {"bfd", nb.bfd}};
}

json service_facts(const ServiceSpec& s) {
  json out{{"name", s.name.value}, {"asn", s.asn.value}, {"port", s.port}};
  json prefixes = json::array(), addresses = json::array();
  for (const auto& p : s.prefixes) prefixes.push_back(p.value.str());
  for (const auto& a : s.addresses) addresses.push_back(a.value.str());
  for (Family f : s.families()) {
    const std::string name = f == Family::kIpv6 ? "ipv6" : "ipv4";
    out[name] = {{"prefix", s.prefix(f)->str()}, {"address", s.address(f)->str()}};
  }
  out["prefixes"] = prefixes;
  out["addresses"] = addresses;
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Whether a line of the config names this neighbor as its speaker writes
// one: FRR `neighbor 198.18.0.0 ...` (by address: anylab's readiness,
// route checks and session events name sessions so), BIRD
// `neighbor 198.18.0.0 as 65010;` (or `neighbor 198.18.0.0%eth1 ...`),
// GoBGP `neighbor-address = "198.18.0.0"`.
bool names_neighbor(const Node& n, const std::vector<std::string>& w, const BgpNeighbor& nb) {
  const std::string a = nb.address.str();
  if (n.kind == NodeKind::kRouter)
    return w.size() >= 2 && w[0] == "neighbor" && w[1] == a;
  if (n.spec->speaks_gobgp())
    return w.size() >= 3 && w[0] == "neighbor-address" && w[1] == "=" && w[2] == "\"" + a + "\"";
  const auto it = std::find(w.begin(), w.end(), "neighbor");
  if (it == w.end() || it + 1 == w.end()) return false;
  const std::string& b = *(it + 1);
  return b == a || b == a + ";" || b.starts_with(a + "%");
}

std::optional<uint32_t> router_bgp_asn(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    const auto w = words_of(line);
    if (w.size() < 3 || w[0] != "router" || w[1] != "bgp" || (w.size() > 3 && w[3] == "vrf")) continue;
    uint32_t asn = 0;
    const auto [end, ec] = std::from_chars(w[2].data(), w[2].data() + w[2].size(), asn);
    if (ec == std::errc() && end == w[2].data() + w[2].size()) return asn;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

json node_facts(const Lab& lab, const Node& n) {
  json f{{"lab", lab.name},
         {"name", n.name},
         {"kind", to_string(n.kind)},
         {"asn", n.asn},
         {"router_id", n.router_id.str()},
         {"loopback", address_or_null(n.loopback)},
         {"loopback6", address_or_null(n.loopback6)},
         {"keepalive", n.keepalive},
         {"hold", n.hold},
         {"advertisement_interval", n.advertisement_interval},
         {"bfd", n.bfd},
         {"dir", n.runtime_dir},
         {"ecmp", lab.spec.defaults.ecmp ? json{{"paths", lab.spec.defaults.ecmp->paths}} : json(nullptr)}};
  f["interfaces"] = json::array();
  for (const Interface& i : n.interfaces) f["interfaces"].push_back(interface_facts(i));
  f["neighbors"] = json::array();
  for (const BgpNeighbor& nb : n.neighbors) f["neighbors"].push_back(neighbor_facts(lab, nb));
  f["services"] = json::array();
  for (const ServiceSpec& s : lab.spec.services) f["services"].push_back(service_facts(s));
  if (n.service) f["service"] = service_facts(*n.service);
  if (n.kind == NodeKind::kRouter)
    f["rpki"] = validates_rpki(n) ? json{{"host", "127.0.0.1"}, {"port", kRtrPort}} : json(nullptr);
  if (n.spec->speaks_bird()) {
    json routes = json::object();
    for (const auto& p : n.service->prefixes) {
      const bool v6 = p.value.family() == Family::kIpv6;
      routes[v6 ? "ipv6" : "ipv4"] = n.runtime_dir + "/" + bird_routes_name(v6);
    }
    f["routes"] = routes;
  }
  return f;
}

std::vector<std::string> own_config_problems(const Node& n, const std::string& text) {
  std::vector<std::string> out;
  const std::vector<std::string> lines = lines_of(text);
  if (n.kind == NodeKind::kRouter) {
    const auto asn = router_bgp_asn(lines);
    if (!asn)
      out.push_back(fmt::format("{}: your config has no `router bgp {}` (the lab gives {} AS {}, and its events "
                                "configure BGP there)",
                                n.name, n.asn, n.name, n.asn));
    else if (*asn != n.asn)
      out.push_back(fmt::format("{}: your config says `router bgp {}`, but the lab gives {} AS {}", n.name, *asn,
                                n.name, n.asn));
  }
  std::vector<std::string> missing;
  for (const BgpNeighbor& nb : n.neighbors) {
    const bool found = std::ranges::any_of(lines, [&](const std::string& l) { return names_neighbor(n, words_of(l), nb); });
    if (!found)
      out.push_back(fmt::format("{}: no BGP session to {} in your config (no neighbor {}; the lab links {} to it on "
                                "{}, and anylab waits for that session)",
                                n.name, nb.node, nb.address.str(), n.name, nb.interface));
  }
  if (n.spec->speaks_bird())
    for (const auto& p : n.service->prefixes) {
      const bool v6 = p.value.family() == Family::kIpv6;
      const std::string file = n.runtime_dir + "/" + bird_routes_name(v6);
      if (text.find("include \"" + file + "\"") == std::string::npos)
        out.push_back(fmt::format("{}: your BIRD config does not include \"{}\" ({{{{ routes.{} }}}} in a template): "
                                  "anylab announces and withdraws {} through it, in a static protocol of yours",
                                  n.name, file, v6 ? "ipv6" : "ipv4", p.value.str()));
    }
  return out;
}

std::string frr_for_daemons(const std::string& text) {
  std::string out = "! as frr.conf, without the lines that end a block: each FRR daemon reads all of it\n";
  for (const std::string& line : lines_of(text)) {
    const auto w = words_of(line);
    if (w.size() == 1 && (w[0] == "exit" || w[0] == "end" || w[0] == "quit")) continue;
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> frr_daemons_for(const std::string& text) {
  bool bfd = false, statics = false, ospf = false, ospf6 = false, isis = false;
  for (const std::string& line : lines_of(text)) {
    const auto w = words_of(line);
    if (w.empty() || line[0] == ' ') continue;  // sections start at the line's start
    bfd |= w[0] == "bfd";
    statics |= w.size() >= 2 && (w[0] == "ip" || w[0] == "ipv6") && w[1] == "route";
    ospf |= w.size() >= 2 && w[0] == "router" && w[1] == "ospf";
    ospf6 |= w.size() >= 2 && w[0] == "router" && w[1] == "ospf6";
    isis |= w.size() >= 2 && w[0] == "router" && w[1] == "isis";
  }
  std::vector<std::string> out;
  for (const auto& [on, daemon] : {std::pair{bfd, "bfdd"}, {statics, "staticd"}, {ospf, "ospfd"}, {ospf6, "ospf6d"},
                                   {isis, "isisd"}})
    if (on) out.push_back(daemon);
  out.push_back("bgpd");
  return out;
}

}  // namespace anylab
