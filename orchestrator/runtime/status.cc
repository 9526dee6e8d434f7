#include "runtime/status.h"

#include <fcntl.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan/background.h"
#include "plan/render_frr.h"
#include "tcp_session.h"
#include "runtime/frr_vty.h"
#include "runtime/rpki.h"
#include "runtime/process.h"
#include "runtime/parallel.h"

namespace anylab {

std::vector<SessionStatus> bgp_sessions(const Node& router) {
  std::vector<SessionStatus> out;
  for (const BgpNeighbor& n : router.neighbors) out.push_back({router.name, n.node, n.address.str(), "", n.family()});
  auto answer = frr_vty(router.netns, "bgpd", "show bgp summary json");
  if (!answer) return out;
  auto json = nlohmann::json::parse(*answer, nullptr, false);
  if (json.is_discarded()) return out;
  // One table per family: an IPv6 session is under ipv6Unicast.
  for (SessionStatus& s : out) {
    const auto& peers = json[s.family == Family::kIpv4 ? "ipv4Unicast" : "ipv6Unicast"]["peers"];
    if (peers.is_object() && peers.contains(s.peer_address)) {
      s.state = peers[s.peer_address].value("state", "");
      s.prefixes_received = peers[s.peer_address].value("pfxRcd", 0);
    }
  }
  return out;
}

ClientAnswer probe(const Lab& lab, const Node& client, const ServiceSpec& service, Family family,
                   std::chrono::milliseconds timeout) {
  ClientAnswer a{client.name, service.name.value, family, std::nullopt};
  RunOutput r = run_command({client.netns,
                             {lab.paths.host_helper_dir + "/anylab-probe", std::string(checks::protocol_name(service.probe)),
                              service.address(family)->str(), std::to_string(service.port), "--timeout",
                              fmt::format("{}ms", timeout.count())},
                             {},
                             ""},
                            "", timeout + std::chrono::seconds(2));
  if (r.exit_code == 0 && !r.out.empty()) a.instance = r.out.substr(0, r.out.find('\n'));
  return a;
}

namespace {

// Why an instance with a health check may announce nothing: its check.
std::string health_not_risen(const Node& instance) {
  const auto& h = instance.spec->health;
  if (!h) return "";
  if (!h->command) return " (its health check has not risen)";
  return fmt::format(" (its health check has not risen: your command \"{}\" has not exited 0 {} times in a row; "
                     "run it yourself in the instance, from {}, to see why)",
                     h->command->value, h->rise, instance.runtime_dir);
}

// A router with a background table is ready when its feeder holds the whole
// dump (its injector wrote kFeederDone) and has sent it: the session with
// bgpd is up. The table's way across the lab is the RIB sizes' to settle.
bool feeder_done(const Node& r, std::vector<std::string>& not_ready) {
  if (!std::filesystem::exists(r.runtime_dir + "/" + kFeederDone)) {
    not_ready.push_back(fmt::format("{}'s background feeder has not taken in its {} yet (see {}/inject.log)", r.name,
                                    background_text(r), r.runtime_dir));
    return false;
  }
  auto answer = frr_vty(r.netns, "bgpd", fmt::format("show bgp neighbors {} json", kFeederAddress.address.str()));
  auto json = answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json();
  const auto& peer = json.is_object() ? json.value(kFeederAddress.address.str(), nlohmann::json::object()) : nlohmann::json::object();
  if (peer.value("bgpState", "") != "Established") {
    not_ready.push_back(fmt::format("BGP {} -> its background feeder ({}): {}", r.name, kFeederAddress.address.str(),
                                    peer.value("bgpState", "bgpd does not answer")));
    return false;
  }
  const auto& af = peer.value("addressFamilyInfo", nlohmann::json::object()).value("ipv4Unicast", nlohmann::json::object());
  const size_t got = af.value("acceptedPrefixCounter", size_t{0});
  if (got < r.background_routes) {
    not_ready.push_back(fmt::format("{} has {} of its background feeder's {} routes", r.name, got, r.background_routes));
    return false;
  }
  return true;
}

// How many IPv4 routes each router's BGP table holds: in a lab with
// background tables, ready waits for them to stop changing, and for no
// update to wait in a session's queue (a queue a slow peer holds full
// changes no size).
void rib_sizes(const Lab& lab, std::map<std::string, std::string>& out, std::vector<std::string>& not_ready) {
  std::vector<const Node*> routers;
  for (const Node& n : lab.nodes)
    if (n.kind == NodeKind::kRouter) routers.push_back(&n);
  std::mutex m;
  parallel_for(routers, 4, [&](size_t, const Node* r) {
    auto answer = frr_vty(r->netns, "bgpd", "show bgp ipv4 unicast summary json");
    auto json = answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json();
    const long rib = json.is_object() ? json.value("ribCount", -1L) : -1L;
    // Updates still queued in or out count as a change to come.
    long queued = 0;
    if (json.is_object() && json.contains("peers") && json["peers"].is_object())
      for (const auto& [address, peer] : json["peers"].items()) queued += peer.value("inq", 0L) + peer.value("outq", 0L);
    std::lock_guard lock(m);
    out["rib " + r->name] = std::to_string(rib);
    if (queued) not_ready.push_back(fmt::format("{} has {} BGP messages queued in or out", r->name, queued));
  });
}

// A router is ready when every session is Established and every instance
// behind one announces (until then, clients may be answered by the wrong
// one: a health-checked instance announces after `rise` checks). Adds what
// is not to `not_ready`.
bool router_ready(const Lab& lab, const Node& r, std::vector<std::string>& not_ready) {
  bool all = true;
  for (const SessionStatus& s : bgp_sessions(r)) {
    if (!s.established()) {
      all = false;
      not_ready.push_back(fmt::format("BGP {} -> {} ({}): {}", s.router, s.peer_node, s.peer_address,
                                      s.state.empty() ? "bgpd does not answer" : s.state));
    } else if (lab.find(s.peer_node)->kind == NodeKind::kInstance && s.prefixes_received == 0 &&
               lab.find(s.peer_node)->spec->announce.at_start) {
      all = false;
      not_ready.push_back(fmt::format("instance {} announces nothing to {} yet{}", s.peer_node, s.router,
                                      health_not_risen(*lab.find(s.peer_node))));
    }
  }
  if (has_background(r)) all &= feeder_done(r, not_ready);
  // A validating router has the lab's ROAs from its cache: until then it
  // would judge every route "not found". Nothing needs judging again then:
  // before its cache is synchronised FRR matches no route as invalid, so an
  // enforcing router has denied nothing, and once synchronised it drops by
  // itself what the ROAs make invalid. (After a scenario, publish_roas
  // re-judges what a changed set asks.)
  if (validates_rpki(r) && !holds(r, lab.spec.rpki->roas)) {
    all = false;
    not_ready.push_back(fmt::format("{} does not hold the lab's {} ROA(s) from its RPKI cache yet", r.name,
                                    lab.spec.rpki->roas.size()));
  }
  return all;
}

// One round of every client asking every service over every family: who
// answered each.
std::map<std::string, std::string> ask_clients(const Lab& lab, const std::vector<const Node*>& clients,
                                               std::vector<std::string>& not_ready) {
  std::map<std::string, std::string> answers;
  std::mutex m;
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(lab.timings.ready_probe_timeout);
  // Two at a time: the machine has at least two cores.
  parallel_for(clients, 2, [&](size_t, const Node* c) {
    for (const ServiceSpec& s : lab.spec.services)
      for (Family f : s.families()) {
        ClientAnswer a = probe(lab, *c, s, f, timeout);
        std::lock_guard lock(m);
        answers[fmt::format("{} {} {}", c->name, s.name.value, to_string(f))] = a.instance.value_or("");
        if (!a.instance)
          not_ready.push_back(fmt::format("client {} gets no answer from service {} at {}", c->name, s.name.value,
                                          s.address(f)->str()));
      }
  });
  return answers;
}

// Why a session is not up, when the lab is given up on: what FRR says of the
// neighbour, whether its BGP port takes a TCP connection from the router's
// side (refused: nothing listens; no answer: the link or the address), and
// the last line the peer's ExaBGP logged, for an instance. Each a guess
// saved for the report: the next failure names its cause.
std::string session_diagnosis(const Lab& lab, const Node& router, const SessionStatus& s) {
  std::vector<std::string> parts;
  if (auto answer = frr_vty(router.netns, "bgpd", fmt::format("show bgp neighbors {} json", s.peer_address))) {
    auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_discarded() && j.contains(s.peer_address)) {
      const auto& nb = j[s.peer_address];
      std::string frr = fmt::format("FRR: {} connection(s) made, {} dropped", nb.value("connectionsEstablished", 0),
                                    nb.value("connectionsDropped", 0));
      if (nb.contains("lastResetDueTo")) frr += ", last reset: " + nb.value("lastResetDueTo", std::string());
      parts.push_back(frr);
    }
  }
  const std::string target = s.family == Family::kIpv6 ? fmt::format("[{}]", s.peer_address) : s.peer_address;
  const checks::UniqueFd netns(::open(netns_path(router.netns).c_str(), O_RDONLY | O_CLOEXEC));
  const auto tcp = checks::connect_in_netns(netns.get(), s.peer_address, 179, std::chrono::seconds(3));
  parts.push_back(fmt::format("TCP {}:179 from {}: {}", target, router.name,
                              tcp                                         ? "accepts connections"
                              : tcp.error().starts_with("no connection") ? "no answer in 3 s (the link, or the address)"
                                                                          : "refused or unreachable (nothing listens, "
                                                                            "or no route)"));
  const Node* peer = lab.find(s.peer_node);
  if (peer && peer->kind == NodeKind::kInstance) {
    const auto [file, who] = peer->spec->speaks_bird()    ? std::pair{"/bird.log", "BIRD"}
                             : peer->spec->speaks_gobgp() ? std::pair{"/gobgpd.log", "GoBGP"}
                                                          : std::pair{"/exabgp.log", "ExaBGP"};
    std::ifstream log(peer->runtime_dir + file);
    std::string line, last;
    while (std::getline(log, line))
      if (!line.empty()) last = line;
    if (!last.empty()) parts.push_back(fmt::format("{}'s {} last logged: {}", peer->name, who, last.substr(0, 200)));
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The first few sessions that are not up, each with its diagnosis (a TCP
// try of up to 3 s: a thousand of them would take an hour), unless a stop
// is asked for meanwhile.
void diagnose_sessions(const Lab& lab, const std::vector<const Node*>& routers, std::vector<std::string>& not_ready,
                       const std::atomic<bool>* cancel) {
  constexpr int kDiagnosed = 5;
  int diagnosed = 0;
  for (const Node* r : routers)
    for (const SessionStatus& s : bgp_sessions(*r)) {
      if (diagnosed == kDiagnosed || (cancel && cancel->load())) return;
      if (s.established() || s.state.empty()) continue;
      const std::string plain = fmt::format("BGP {} -> {} ({}): {}", s.router, s.peer_node, s.peer_address, s.state);
      std::erase(not_ready, plain);
      not_ready.push_back(plain + "; " + session_diagnosis(lab, *r, s));
      ++diagnosed;
    }
}

// One line per problem, sorted; past 40 of them, how many more.
std::string not_ready_report(std::vector<std::string> not_ready) {
  constexpr size_t kListed = 40;
  std::sort(not_ready.begin(), not_ready.end());
  std::string report;
  for (size_t k = 0; k < std::min(kListed, not_ready.size()); ++k) report += "  " + not_ready[k] + "\n";
  if (not_ready.size() > kListed) report += fmt::format("  and {} more\n", not_ready.size() - kListed);
  return report;
}

}  // namespace

// Polls every router's bgpd over its vty socket (cheap: no process) until
// every session is Established and every instance announces; then every
// client must get an answer, the same for the lab's ready-stable time: the
// last updates may still be crossing routers and kernels when the sessions
// are all up. (With ECMP hashing on ports, any answer: each probe is a new
// flow.)
std::expected<void, Error> wait_ready(const Lab& lab, std::chrono::steady_clock::time_point deadline,
                       const std::atomic<bool>* cancel) {
  std::vector<const Node*> routers_left, clients;
  for (const Node& n : lab.nodes) {
    if (n.kind == NodeKind::kRouter) routers_left.push_back(&n);
    if (n.kind == NodeKind::kClient) clients.push_back(&n);
  }
  std::vector<std::string> not_ready;
  std::map<std::string, std::string> last_answers;
  auto last_change = std::chrono::steady_clock::now();
  for (;;) {
    not_ready.clear();
    std::erase_if(routers_left, [&](const Node* r) { return router_ready(lab, *r, not_ready); });
    if (!routers_left.empty()) {
      for (const Node* c : clients) not_ready.push_back(fmt::format("client {}: not probed yet", c->name));
    } else if (auto answers = ask_clients(lab, clients, not_ready); not_ready.empty()) {
      // Hashing on ports (ecmp hash: l4), who answers a probe depends on
      // its source port, a new one each time: what must stay is that every
      // client is answered.
      if (lab.spec.defaults.ecmp && lab.spec.defaults.ecmp->l4)
        for (auto& [stream, who] : answers) who = "answered";
      if (lab_has_background(lab)) rib_sizes(lab, answers, not_ready);
      const auto now = std::chrono::steady_clock::now();
      if (not_ready.empty() && answers == last_answers && now - last_change >= lab.timings.ready_stable) return {};
      if (answers != last_answers) {
        last_answers = std::move(answers);
        last_change = now;
      }
      not_ready.push_back(
          fmt::format("the clients' answers{} have not been stable for {} yet",
                      lab_has_background(lab) ? " and the routers' BGP tables" : "", format_duration(lab.timings.ready_stable)));
    }
    if (std::getenv("ANYLAB_TIMING"))
      std::fprintf(stderr, "ready check: %zu routers left, %zu problems\n", routers_left.size(), not_ready.size());
    if (cancel && cancel->load()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      diagnose_sessions(lab, routers_left, not_ready, cancel);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fail(not_ready_report(std::move(not_ready)));
}

}  // namespace anylab
