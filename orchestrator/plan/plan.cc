#include "plan/plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "plan/background.h"
#include "plan/own_config.h"
#include "plan/render_speakers.h"
#include "plan/render_exabgp.h"
#include "plan/render_frr.h"
#include "plan/render_igp.h"
#include "plan/render_policy.h"

namespace anylab {
namespace {

// Each item as `text` makes it, separated by `sep`.
template <class Range, class Text>
std::string joined(const Range& items, std::string_view sep, Text text) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(sep)) + text(item);
  return out;
}

// The addresses an instance's ExaBGP listens on for its routers' sessions.
std::string listen_addresses(const Node& n) {
  return joined(n.neighbors, " ", [](const BgpNeighbor& nb) { return nb.local_address.str(); });
}

std::string addresses(const ServiceSpec& s, std::string_view sep) {
  return joined(s.addresses, sep, [](const auto& a) { return a.value.str(); });
}

// 192.0.2.53:53 and [2001:db8:53::53]:53
std::string endpoints(const ServiceSpec& s) {
  return joined(s.addresses, " and ", [&](const auto& a) {
    return a.value.is_v6() ? fmt::format("[{}]:{}", a.value.str(), s.port) : fmt::format("{}:{}", a.value.str(), s.port);
  });
}

std::string prefixes(const ServiceSpec& s) {
  return joined(s.prefixes, " and ", [](const auto& p) { return p.value.str(); });
}

class Planner {
 public:
  explicit Planner(const Lab& lab) : lab_(lab) {}

  std::vector<Action> run() {
    for (const Node& n : lab_.nodes) add({CreateNamespace{n.netns}}, n.name, role(n));
    // IPv6 on: without duplicate address detection, an address is usable
    // the moment it is added (else a second or more later), link-local ones
    // too, which FRR uses as IPv6 next hops; and kept when a link goes down
    // (Linux flushes IPv6 addresses then, so a cut link would come back
    // without them). Set before the links exist,
    // since an interface takes the namespace's defaults when it is made.
    if (lab_.spec.link_families().size() > 1)
      for (const Node& n : lab_.nodes)
        for (const auto& [key, value] : {std::pair{"net.ipv6.conf.all.disable_ipv6", "0"},
                                          {"net.ipv6.conf.default.disable_ipv6", "0"},
                                          {"net.ipv6.conf.default.accept_dad", "0"},
                                          {"net.ipv6.conf.default.keep_addr_on_down", "1"}})
          add({SetSysctl{n.netns, key, value}}, n.name,
              "IPv6 on, addresses usable at once (no DAD) and kept while a link is down");
    for (const Link& l : lab_.links) {
      const Node& a = *lab_.find(l.a_node);
      const Node& b = *lab_.find(l.b_node);
      add({CreateVeth{a.netns, l.a_interface, b.netns, l.b_interface}}, "", link_name(l));
    }
    for (const Node& n : lab_.nodes)
      if (has_background(n))
        add({CreateVeth{n.netns, kFeedRouterInterface, n.netns, kFeederInterface}}, n.name,
            "the background feeder's own link, inside the router");
    router_sysctls();
    add({CreateDirectory{lab_.runtime_dir, false}}, "", "the lab's configs, logs and journal");
    for (const Node& n : lab_.nodes) configs(n);
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kRouter) frr(n, "zebra", "FRR's zebra: routes from bgpd into the kernel");
    // bgpd (and bfdd) connect to zebra once at start and, if zebra is not
    // listening yet, retry only ~10 s later: the lab would route nothing
    // until then. Seen on a loaded machine, intermittently.
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kRouter)
        add({WaitForSocket{frr_run_dir(n.netns) + "/zserv.api"}}, n.name,
            "zebra ready before bgpd connects to it");
    // Links come up once zebra runs, as on a router that boots: zebra
    // learns each one as it comes up. FRR 10's zebra never makes the
    // connected route of a veth that was already up when it started (it
    // takes the peer's index for a parent interface, FRRouting/frr#23044),
    // and bgpd then never tries the neighbor across it.
    for (const Node& n : lab_.nodes) addressing(n);
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kRouter) routing(n);
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kInstance) instance(n);
    return std::move(actions_);
  }

 private:
  // Routers forward (IPv6 too when the lab has it), and hash ECMP flows
  // as `defaults.ecmp` says.
  void router_sysctls() {
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kRouter)
        add({SetSysctl{n.netns, "net.ipv4.ip_forward", "1"}}, n.name, "routers forward");
    if (lab_.spec.link_families().size() > 1)
      for (const Node& n : lab_.nodes)
        if (n.kind == NodeKind::kRouter)
          add({SetSysctl{n.netns, "net.ipv6.conf.all.forwarding", "1"}}, n.name, "routers forward IPv6");
    const auto& e = lab_.spec.defaults.ecmp;
    if (!e) return;
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kRouter)
        for (Family f : lab_.spec.link_families())
          add({SetSysctl{n.netns, fmt::format("net.{}.fib_multipath_hash_policy", f == Family::kIpv4 ? "ipv4" : "ipv6"),
                         e->l4 ? "1" : "0"}},
              n.name,
              e->l4 ? "ECMP hashes a flow on its addresses and ports (ecmp hash: l4)"
                    : "ECMP hashes a flow on its addresses (ecmp hash: l3)");
  }

  // A router's daemons after zebra: as anylab renders it, or as the
  // router's own frr.conf asks (every daemon reads that one file).
  void routing(const Node& n) {
    if (const auto& e = lab_.spec.defaults.ecmp; e && e->resilient)
      add({StartProcess{n.netns, "resilient-ecmp", resilient_ecmp_argv(lab_), {}, n.runtime_dir + "/resilient-ecmp.log"}},
          n.name,
          fmt::format("the service prefixes' equal paths in a resilient group of {} buckets (ecmp resilient: true): "
                      "a copy of zebra's routes in table {}, looked up first",
                      kResilientBuckets, kResilientTable));
    if (!n.spec->config && uses_bfd(n)) frr(n, "bfdd", "bfd: true", "bfdd.conf");
    if (validates_rpki(n))
      add({StartProcess{n.netns, "stayrtr", stayrtr_argv(n), {}, n.runtime_dir + "/stayrtr.log"}}, n.name,
          fmt::format("the lab's RPKI cache (StayRTR): {} ROA(s) over RTR on 127.0.0.1:{}, for rpki: {}",
                      lab_.spec.rpki->roas.size(), kRtrPort, n.spec->rpki->value));
    if (n.spec->config) {
      const auto it = n.files.find("frr.conf");
      for (const std::string& daemon : frr_daemons_for(it == n.files.end() ? "" : it->second))
        frr(n, daemon, fmt::format("{} of your config ({})", daemon, n.spec->config->path.value));
      return;
    }
    if (n.loopback) igp(n);
    frr(n, "bgpd", fmt::format("{} BGP session(s), AS {}{}", n.neighbors.size(), n.asn, relations(n)));
    if (has_background(n))
      add({StartProcess{n.netns, "feeder", feeder_argv(n), {}, n.runtime_dir + "/feeder.log"}}, n.name,
          fmt::format("the background feeder (GoBGP, AS {}): {}, into bgpd over {}", feeder_asn(lab_),
                      background_text(n), kFeedRouterInterface));
  }

  static std::string role(const Node& n) {
    switch (n.kind) {
      case NodeKind::kRouter: return fmt::format("router, AS {}", n.asn);
      case NodeKind::kInstance:
        return fmt::format("instance of {}, AS {}{}", n.service->name.value, n.asn,
                           n.spec->local() ? ", local node (announces with NO_EXPORT)" : "");
      case NodeKind::kClient: break;
    }
    return "client: probes the services from here";
  }

  // "; customers pop-ams, peers isp-ap, providers tier1 (valley-free)" for a
  // router with relations.
  std::string relations(const Node& n) const {
    if (!has_relations(n)) return "";
    std::string out;
    for (Relation r : {Relation::kCustomer, Relation::kPeer, Relation::kProvider, Relation::kNone}) {
      std::vector<std::string> names;
      for (const BgpNeighbor& nb : n.neighbors)
        if (nb.relation == r && std::find(names.begin(), names.end(), nb.node) == names.end()) names.push_back(nb.node);
      if (names.empty()) continue;
      const std::string what = r == Relation::kNone ? "no relation" : fmt::format("{}s", to_string(r));
      const RelationPrefs& p = lab_.spec.defaults.relations;
      out += fmt::format("{}{} {}{}", out.empty() ? "; " : ", ", what, joined(names, " ", [](const std::string& s) { return s; }),
                         r == Relation::kNone ? "" : fmt::format(" (local-pref {})", p.of(r)));
    }
    return out + "; valley-free export";
  }

  void add(ActionKind what, const std::string& node, std::string reason) {
    actions_.push_back({std::move(what), node, std::move(reason)});
  }

  static std::string link_name(const Link& l) {
    return fmt::format("link {}:{} -- {}:{}", l.a_node, l.a_interface, l.b_node, l.b_interface);
  }

  // The IGP inside an AS of several routers, before bgpd: its iBGP
  // sessions run between the loopbacks the IGP carries.
  void igp(const Node& n) {
    const Igp igp = lab_.spec.defaults.igp.value;
    std::vector<std::string> mates;
    for (const Interface& i : n.interfaces)
      if (i.igp) mates.push_back(fmt::format("{} on {}", i.peer_node, i.name));
    const std::string links = joined(mates, ", ", [](const std::string& s) { return s; });
    frr(n, igp_daemon(igp),
        fmt::format("AS {}'s IGP ({}): loopback {}{} and links to {}", n.asn, igp == Igp::kIsis ? "IS-IS" : "OSPF",
                    n.loopback->str(), n.loopback6 && igp == Igp::kIsis ? " and " + n.loopback6->str() : "", links),
        igp_config_file(igp));
    if (n.loopback6 && igp == Igp::kOspf)
      frr(n, "ospf6d", fmt::format("AS {}'s IGP for IPv6 (OSPFv3): loopback {} and links to {}", n.asn,
                                   n.loopback6->str(), links),
          "ospf6d.conf");
  }

  void addressing(const Node& n) {
    add({SetLinkUp{n.netns, "lo"}}, n.name, "loopback up");
    if (n.loopback)
      add({AddAddress{n.netns, "lo", {*n.loopback, n.loopback->width()}}}, n.name,
          fmt::format("loopback {}: its router ID, iBGP's end inside AS {}", n.loopback->str(), n.asn));
    if (n.loopback6)
      add({AddAddress{n.netns, "lo", {*n.loopback6, n.loopback6->width()}}}, n.name,
          fmt::format("IPv6 loopback {}: iBGP's IPv6 end inside AS {}", n.loopback6->str(), n.asn));
    for (const Link& l : lab_.links)
      for (const Link::Addresses& p : l.addresses) {
        if (l.a_node == n.name) add({AddAddress{n.netns, l.a_interface, p.a}}, n.name, link_name(l));
        if (l.b_node == n.name) add({AddAddress{n.netns, l.b_interface, p.b}}, n.name, link_name(l));
      }
    for (const Interface& i : n.interfaces)
      add({SetLinkUp{n.netns, i.name}}, n.name, fmt::format("link toward {}", i.peer_node));
    if (has_background(n)) {
      add({AddAddress{n.netns, kFeedRouterInterface, kFeedRouterAddress}}, n.name, "the router's end toward its feeder");
      add({AddAddress{n.netns, kFeederInterface, kFeederAddress}}, n.name, "the background feeder's end");
      for (const char* i : {kFeedRouterInterface, kFeederInterface})
        add({SetLinkUp{n.netns, i}}, n.name, "the background feeder's link");
    }
    if (n.kind == NodeKind::kInstance)
      for (const auto& a : n.service->addresses)
        add({AddAddress{n.netns, "lo", {a.value, a.value.width()}}}, n.name,
            fmt::format("service {} address, answered by the responder", n.service->name.value));
    for (const IpAddress& g : n.gateways)
      add({AddRoute{n.netns, {{g.family, 0}, 0}, g}}, n.name,
          fmt::format("default route toward its router, so that {} reach back", n.kind == NodeKind::kInstance
                                                                                      ? "replies"
                                                                                      : "probes"));
  }

  void configs(const Node& n) {
    if (n.kind == NodeKind::kClient) return;
    // FRR's daemons drop to the frr user and write their pid files here.
    add({CreateDirectory{n.runtime_dir, n.kind == NodeKind::kRouter || uses_bfd(n)}}, n.name,
        "configs, logs and pid files");
    for (const auto& [file, text] : n.files)
      add({WriteFile{n.runtime_dir + "/" + file, text}}, n.name, fmt::format("rendered {}", file));
  }

  // FRR's daemons run in the foreground (no -d), so the pid we spawn is the
  // daemon's; -N gives each router its own /var/run/frr/<name>/. FRR sizes
  // its event tables by the open-file limit (the machine's may be 20000 or
  // more): --limit-fds keeps a lab router at what its sessions need, a
  // quarter less memory (measured: 20 MB PSS for zebra + bgpd at 20000, 14.7
  // MB at 128).
  void frr(const Node& n, const std::string& daemon, std::string reason, std::string config = "frr.conf") {
    const std::string& d = n.runtime_dir;
    if (n.kind == NodeKind::kRouter && n.spec->config) config = kFrrDaemonsConfig;
    const size_t fds = std::max<size_t>(128, 32 + 4 * n.neighbors.size());
    std::vector<std::string> argv{frr_daemon(daemon), "-N", n.netns, "-f", d + "/" + config, "-i", d + "/" + daemon + ".pid",
                                  "--log", "file:" + d + "/" + daemon + ".log", "--limit-fds", std::to_string(fds)};
    if (daemon == "bgpd" && validates_rpki(n)) argv.insert(argv.end(), {"-M", "rpki"});  // FRR's RPKI module
    add({StartProcess{n.netns, daemon, std::move(argv), {}, d + "/" + daemon + ".out"}}, n.name, std::move(reason));
  }

  void instance(const Node& n) {
    const std::string& d = n.runtime_dir;
    const ServiceSpec& s = *n.service;
    std::vector<std::string> responder{lab_.paths.helper_dir + "/anylab-responder", addresses(s, ","),
                                       std::to_string(s.port), n.name};
    std::string what = fmt::format("answers {} on {} with its name", s.name.value, endpoints(s));
    if (n.spec->capacity) {
      responder.insert(responder.end(), {"--capacity", fmt::format("{}", n.spec->capacity->value)});
      what += fmt::format(", {}/s at most (drops the rest)", n.spec->capacity->value);
    }
    if (counts_served(lab_, n)) {
      responder.insert(responder.end(), {"--stats", served_file(n)});
      what += ", counting what it served and dropped";
    }
    add({StartProcess{n.netns, "responder", std::move(responder), {}, d + "/responder.log"}}, n.name, std::move(what));
    if (n.spec->speaks_bird() || n.spec->speaks_gobgp()) return speaker(n);
    // ExaBGP in the foreground, as root (it would drop to nobody), logging
    // to its output file, without the CLI's named pipes.
    if (uses_bfd(n)) frr(n, "bfdd", "bfd: true (ExaBGP has no BFD)", "bfdd.conf");
    add({StartProcess{n.netns,
                      "exabgp",
                      {lab_.paths.python, "-m", "exabgp", d + "/exabgp.conf"},
                      {{"exabgp_daemon_daemonize", "false"},
                       {"exabgp_daemon_user", "root"},
                       {"exabgp_log_destination", "stdout"},
                       {"exabgp_api_cli", "false"},
                       {"exabgp_tcp_bind", listen_addresses(n)},
                       {"exabgp_tcp_port", "179"}},
                      d + "/exabgp.log"}},
        n.name,
        fmt::format("announces {}{}", prefixes(s), n.spec->health ? ", withdrawn when unhealthy" : ""));
  }

  // BIRD or GoBGP, and the relay that changes their routes (started first:
  // it makes the control FIFO, and keeps trying until the speaker answers),
  // and the health loop that tells the relay.
  void speaker(const Node& n) {
    const std::string& d = n.runtime_dir;
    const bool bird = n.spec->speaks_bird();
    add({StartProcess{n.netns, "relay", speaker_relay_argv(lab_, n), {}, d + "/relay.log"}}, n.name,
        bird ? "anylab's control channel into BIRD: announce and withdraw rewrite the static routes, then configure"
             : "anylab's control channel into GoBGP: announce and withdraw add and delete routes in its RIB");
    const std::string what =
        fmt::format("{} announces {}{}", bird ? "BIRD" : "GoBGP", prefixes(*n.service),
                    n.spec->health ? ", withdrawn when unhealthy" : "");
    if (bird) {
      add({StartProcess{n.netns, "bird", {kBird, "-f", "-c", d + "/bird.conf", "-s", bird_socket(n)}, {}, d + "/bird.log"}},
          n.name, what);
    } else {
      if (uses_bfd(n)) frr(n, "bfdd", "bfd: true (GoBGP has no BFD)", "bfdd.conf");
      // gobgpd does not take over the API socket a killed gobgpd left
      // ("address already in use"): removed first, then gobgpd in the
      // shell's place (the recorded pid is gobgpd's).
      add({StartProcess{n.netns,
                        "gobgpd",
                        {"/bin/sh", "-c",
                         fmt::format("rm -f {} && exec {} -f {}/gobgpd.toml -t toml --api-hosts=unix://{} "
                                     "--pprof-disable --log-plain",
                                     gobgp_socket(n), kGobgpd, d, gobgp_socket(n))},
                        {},
                        d + "/gobgpd.log"}},
          n.name, what);
    }
    if (n.spec->health)
      add({StartProcess{n.netns, "health", {"/bin/sh", d + "/health-loop.sh"}, {}, d + "/health.log"}}, n.name,
          fmt::format("the health check every {}: rise {}, fall {}", format_duration(n.spec->health->interval),
                      n.spec->health->rise, n.spec->health->fall));
  }

  const Lab& lab_;
  std::vector<Action> actions_;
};

std::string argv_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += a.find_first_of(" \"'") == std::string::npos ? a : fmt::format("'{}'", a);
  }
  return out;
}

struct Describe {
  std::string operator()(const CreateNamespace& a) const { return fmt::format("netns add {}", a.netns); }
  std::string operator()(const CreateVeth& a) const {
    return fmt::format("veth {}:{} <-> {}:{}", a.netns_a, a.interface_a, a.netns_b, a.interface_b);
  }
  std::string operator()(const AddAddress& a) const {
    return fmt::format("address {} on {}:{}", a.address.str(), a.netns, a.interface);
  }
  std::string operator()(const SetLinkUp& a) const { return fmt::format("up {}:{}", a.netns, a.interface); }
  std::string operator()(const SetSysctl& a) const {
    return fmt::format("sysctl {} {}={}", a.netns, a.key, a.value);
  }
  std::string operator()(const AddRoute& a) const {
    return fmt::format("route {} {} via {}", a.netns, a.destination.length == 0 ? "default" : a.destination.str(),
                       a.via.str());
  }
  std::string operator()(const CreateDirectory& a) const {
    return fmt::format("mkdir {}{}", a.path, a.frr_owned ? " (owned by frr)" : "");
  }
  std::string operator()(const WaitForSocket& a) const { return fmt::format("wait for {}", a.path); }
  std::string operator()(const SetLinkDown& a) const { return fmt::format("down {}:{}", a.netns, a.interface); }
  std::string operator()(const ConfigureFrr& a) const {
    return fmt::format("configure {} of {}: {}{}", a.daemon, a.instance, fmt::join(a.lines, "; "),
                       a.then.empty() ? "" : fmt::format(", then {}", fmt::join(a.then, "; ")));
  }
  std::string operator()(const SendToExabgp& a) const { return fmt::format("exabgp {}: {}", a.fifo, a.command); }
  std::string operator()(const KillProcess& a) const { return fmt::format("kill {} (pid {})", a.name, a.pid); }
  std::string operator()(const SetLoss& a) const {
    return fmt::format("loss {}% into {}:{}", a.percent, a.netns, a.interface);
  }
  std::string operator()(const ClearLoss& a) const { return fmt::format("no loss into {}:{}", a.netns, a.interface); }
  std::string operator()(const SetDelay& a) const {
    return fmt::format("delay {}us out of {}:{}", a.delay.count(), a.netns, a.interface);
  }
  std::string operator()(const ClearDelay& a) const { return fmt::format("no delay out of {}:{}", a.netns, a.interface); }
  std::string operator()(const WriteFile& a) const {
    if (a.path.ends_with(".mrt")) return fmt::format("write {} ({} bytes)", a.path, a.content.size());
    size_t lines = static_cast<size_t>(std::count(a.content.begin(), a.content.end(), '\n'));
    return fmt::format("write {} ({} line{})", a.path, lines, lines == 1 ? "" : "s");
  }
  std::string operator()(const StartProcess& a) const {
    std::string env;
    for (const auto& [k, v] : a.env) env += fmt::format("{}={} ", k, v);
    return fmt::format("start {} in {}: {}{} > {}", a.name, a.netns, env, argv_text(a.argv), a.log_file);
  }
};

}  // namespace

std::vector<Action> plan_deploy(const Lab& lab) { return Planner(lab).run(); }

std::string describe(const ActionKind& action) { return std::visit(Describe{}, action); }

// What each client will offer and each instance can take: the arithmetic a
// lab's capacities are designed with, before anything runs.
std::string format_load(const Lab& lab) {
  bool capacities = false;
  for (const Node& n : lab.nodes) capacities |= n.spec->capacity.has_value();
  const auto& rate = lab.spec.defaults.load_rate;
  if (!rate && !capacities) return "";
  const double probes = 1e6 / static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                     lab.spec.defaults.probe_interval).count());
  std::string out = rate ? fmt::format("\nload ({}/s offered by the clients, by weight, split over the services and "
                                       "families each probes; probes add {:.0f}/s per client and stream):\n",
                                       rate->value, probes)
                         : fmt::format("\nload (none offered: only the probes, {:.0f}/s per client and stream):\n", probes);
  size_t streams = 0;
  for (const ServiceSpec& s : lab.spec.services) streams += s.families().size();
  if (rate)
    for (const Node& n : lab.nodes)
      if (n.kind == NodeKind::kClient)
        out += fmt::format("  {} (weight {}): {:.0f}/s, {:.0f}/s to each of {} stream{}\n", n.name,
                           n.spec->weight_or_one(), offered_rate(lab.spec, n.name),
                           offered_rate(lab.spec, n.name) / static_cast<double>(std::max<size_t>(1, streams)), streams,
                           streams == 1 ? "" : "s");
  for (const Node& n : lab.nodes)
    if (n.spec->capacity)
      out += fmt::format("  {}: capacity {}/s{}\n", n.name, n.spec->capacity->value,
                         n.spec->health && n.spec->health->withdraw_on_overload ? ", withdraws while over it" : "");
  return out;
}

std::string format_plan(const Lab& lab, const std::vector<Action>& actions) {
  size_t routers = 0, instances = 0, clients = 0;
  for (const Node& n : lab.nodes) {
    routers += n.kind == NodeKind::kRouter;
    instances += n.kind == NodeKind::kInstance;
    clients += n.kind == NodeKind::kClient;
  }
  std::string out = fmt::format(
      "lab {}: {} routers, {} instances, {} clients, {} links, {} scenarios\n", lab.name, routers, instances,
      clients, lab.links.size(), lab.spec.scenarios.size());
  out += fmt::format("deploy takes {} actions:\n", actions.size());
  size_t i = 0;
  for (const Action& a : actions)
    out += fmt::format("{:4}  {}\n        # {}{}\n", ++i, describe(a.what), a.node.empty() ? "" : a.node + ": ",
                       a.reason);
  out += fmt::format("\ntimings (probes every {}, timeout {}; an expectation without `within` waits at most {}):\n",
                     format_duration(lab.spec.defaults.probe_interval), format_duration(lab.spec.defaults.probe_timeout),
                     format_duration(lab.spec.defaults.settle));
  out += format_timings(lab.timings);
  out += format_load(lab);
  out += "\nrouting:\n";
  for (const Node& n : lab.nodes) {
    if (n.kind == NodeKind::kClient) {
      const std::string via = joined(n.gateways, " and ", [](const IpAddress& g) { return g.str(); });
      out += fmt::format("  {} (client): default via {}\n", n.name, via.empty() ? "-" : via);
      continue;
    }
    out += fmt::format("  {} ({}, AS {}, router-id {}):\n", n.name, to_string(n.kind), n.asn, n.router_id.str());
    for (const BgpNeighbor& nb : n.neighbors)
      out += fmt::format("    {} {} -> {} AS {} {}{}{}\n", nb.ibgp ? "iBGP" : "eBGP", nb.local_address.str(),
                         nb.address.str(), nb.asn, nb.ibgp ? "to " + nb.node : "on " + nb.interface,
                         nb.rr_client ? " (route-reflector client)" : "", nb.bfd ? " with BFD" : "");
  }
  return out;
}

std::string sh_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+-@%") ==
                           std::string::npos)
    return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace anylab
