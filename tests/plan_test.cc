#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/own_configs.h"
#include "load/loader.h"
#include "plan/export_clabernetes.h"
#include "plan/export_containerlab.h"
#include "plan/export_mininet.h"
#include "generate/as_rel.h"
#include "generate/internet.h"
#include "plan/background.h"
#include "plan/graph.h"
#include "plan/own_config.h"
#include "app/record.h"
#include "app/sweep.h"
#include "plan/plan.h"
#include "plan/render_exabgp.h"
#include "plan/render_frr.h"
#include "plan/render_igp.h"
#include "plan/render_policy.h"
#include "plan/resolve.h"
#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

Lab resolve_file(const std::string& path) {
  SourceFile f(path, test::read_file(path));
  auto spec = load_lab(f);
  if (!spec) throw std::runtime_error(format_diagnostics(f, spec.error()));
  auto lab = resolve(std::move(*spec), Paths{});  // fixed paths: plans do not depend on the machine
  if (!lab) throw std::runtime_error(format_diagnostics(f, lab.error()));
  if (const Diagnostics own = apply_own_configs(*lab); !own.empty())
    throw std::runtime_error(format_diagnostics(f, own));
  return std::move(*lab);
}

// The plan and every rendered file, as one text.
std::string full_plan(const Lab& lab) {
  std::string out = format_plan(lab, plan_deploy(lab));
  for (const Node& n : lab.nodes)
    for (const auto& [name, text] : n.files)
      out += "\n===== " + n.name + "/" + name + "\n" +
             (name.ends_with(".mrt") ? fmt::format("(an MRT dump of {} bytes)\n", text.size()) : text.str());
  return out;
}

// FRR applies a route-map when it is attached, not when an attached one is
// edited: every policy change (and its removal) ends with a soft clear in
// the direction it touched, so a second change on one session counts too.
TEST(Policy, EveryChangeEndsWithASoftClearInItsDirection) {
  Lab lab = resolve_file(test::source_dir() + "/labs/traffic-eng.yaml");
  const Node& core = *lab.find("core");
  const BgpNeighbor& b = core.neighbors.at(1);
  ASSERT_EQ(b.node, "transit-b");
  const std::string addr = b.address.str();
  PolicyStep lp;
  lp.local_pref = 50;
  FrrChange in = policy_change(core, b, lp);
  EXPECT_EQ(in.config, (std::vector<std::string>{"route-map ANYLAB-IN-transit-b permit 10", "set local-preference 50",
                                                 "exit", "router bgp 65000", "address-family ipv4 unicast",
                                                 "neighbor " + addr + " route-map ANYLAB-IN-transit-b in",
                                                 "exit-address-family", "exit"}));
  EXPECT_EQ(in.then, std::vector<std::string>{"clear bgp ipv4 unicast " + addr + " soft in"});
  EXPECT_EQ(policy_removal(core, b, lp).then, in.then);

  PolicyStep out;
  out.prepend = 3;
  out.med = 10;
  FrrChange o = policy_change(core, b, out);
  EXPECT_NE(std::find(o.config.begin(), o.config.end(), "set as-path prepend 65000 65000 65000"), o.config.end());
  EXPECT_NE(std::find(o.config.begin(), o.config.end(), "set metric 10"), o.config.end());
  EXPECT_EQ(o.then, std::vector<std::string>{"clear bgp ipv4 unicast " + addr + " soft out"});
  FrrChange removed = policy_removal(core, b, out);
  EXPECT_EQ(removed.config.back(), "no route-map ANYLAB-OUT-transit-b");
  EXPECT_EQ(removed.then, o.then);
}

// `prepend: 0` takes the prepend away (FRR has no empty prepend).
TEST(Policy, PrependZeroRemovesThePrepend) {
  Lab lab = resolve_file(test::source_dir() + "/labs/traffic-eng.yaml");
  const Node& tb = *lab.find("transit-b");
  PolicyStep none;
  none.prepend = 0;
  FrrChange c = policy_change(tb, tb.neighbors.front(), none);
  EXPECT_NE(std::find(c.config.begin(), c.config.end(), "no set as-path prepend"), c.config.end());
  for (const std::string& l : c.config) EXPECT_FALSE(l.starts_with("set as-path")) << l;
}

TEST(Plan, GoldenForEveryLab) {
  for (const std::string& path : test::lab_files()) {
    SCOPED_TRACE(path);
    Lab lab = resolve_file(path);
    test::expect_golden(test::source_dir() + "/tests/golden/plans/" + fs::path(path).stem().string() + ".plan",
                        full_plan(lab));
  }
}

TEST(Plan, SameInputSameOutput) {
  const std::string path = test::source_dir() + "/labs/dns-three-pops.yaml";
  EXPECT_EQ(full_plan(resolve_file(path)), full_plan(resolve_file(path)));
}

TEST(Resolve, InterfacesAddressesAndSessions) {
  Lab lab = resolve_file(test::source_dir() + "/labs/two-pops.yaml");
  const Node& tb = *lab.find("transit-b");
  // transit-b: eth1 (to transit-a), eth2 (to pop-sin), eth9 as written.
  ASSERT_EQ(tb.interfaces.size(), 3u);
  EXPECT_EQ(tb.interfaces[0].name, "eth1");
  EXPECT_EQ(tb.interfaces[1].name, "eth2");
  EXPECT_EQ(tb.interfaces[2].name, "eth9");
  ASSERT_EQ(tb.interfaces[2].addresses.size(), 1u);  // an IPv4-only lab: IPv4 links
  EXPECT_EQ(tb.interfaces[2].addresses[0].local.str(), "198.18.9.1/31");
  EXPECT_EQ(tb.interfaces[2].addresses[0].peer.str(), "198.18.9.0");
  // Links from the pool in link order, first endpoint even.
  EXPECT_EQ(lab.links[0].addresses.at(0).a.str(), "198.18.0.0/31");
  EXPECT_EQ(lab.links[0].addresses.at(0).b.str(), "198.18.0.1/31");
  // eBGP to routers and instances, not to clients.
  const Node& edge = *lab.find("edge-ams");
  ASSERT_EQ(edge.neighbors.size(), 2u);
  EXPECT_EQ(edge.neighbors[0].node, "pop-ams");
  EXPECT_EQ(edge.neighbors[0].asn, 64500u);
  EXPECT_EQ(edge.neighbors[1].asn, 65001u);
  // Instances and clients route back through their router.
  EXPECT_EQ(lab.find("pop-ams")->gateways.at(0).str(), edge.interfaces[1].addresses[0].local.address.str());
  EXPECT_EQ(lab.find("client-ap")->gateways, std::vector<IpAddress>{*IpAddress::parse("198.18.9.1")});
  EXPECT_EQ(lab.find("transit-a")->router_id.str(), "198.19.0.1");
  EXPECT_EQ(lab.find("pop-ams")->netns, "anylab-two-pops_pop-ams");
}

TEST(Render, FrrHasTheLabsTimersAndNoRouteMapDelay) {
  Lab lab = resolve_file(test::source_dir() + "/labs/quickstart.yaml");
  const std::string& conf = lab.find("edge-ams")->files.at("frr.conf");
  EXPECT_NE(conf.find("frr defaults datacenter"), std::string::npos);
  EXPECT_NE(conf.find(" timers bgp 1 3\n"), std::string::npos);
  EXPECT_NE(conf.find("bgp route-map delay-timer 0"), std::string::npos);
  EXPECT_NE(conf.find("timers connect 1"), std::string::npos);
}

TEST(Render, PrependAndHealthcheck) {
  Lab two = resolve_file(test::source_dir() + "/labs/two-pops.yaml");
  EXPECT_NE(two.find("pop-sin")->files.at("exabgp.conf").str().find("as-path [ 64500 64500 64500 ]"), std::string::npos);
  EXPECT_NE(two.find("pop-ams")->files.at("healthcheck.conf").str().find("ip=192.0.2.0/24\n"), std::string::npos);
  EXPECT_NE(two.find("pop-ams")->files.at("healthcheck.conf").str().find("cmd=/usr/libexec/anylab/anylab-probe udp 192.0.2.53 53"),
            std::string::npos);
  EXPECT_FALSE(two.find("pop-sin")->files.contains("healthcheck.conf"));
}

// `health: {command}`: the healthcheck runs a script of the instance's own,
// which runs the user's line from the instance's directory, where the
// command's `files:` are copied, with the instance's facts in its
// environment, quoted for sh.
TEST(Render, AHealthCommandRunsTheUsersLineBesideItsFiles) {
  Lab lab = resolve_file(test::source_dir() + "/labs/all-sites-down.yaml");
  const Node& sin = *lab.find("pop-sin");
  const std::string& conf = sin.files.at("healthcheck.conf");
  EXPECT_NE(conf.find("cmd=/bin/sh /run/anylab/all-sites-down/pop-sin/health-check.sh\ntimeout=2\n"), std::string::npos)
      << conf;
  const std::string& script = sin.files.at("health-check.sh");
  EXPECT_NE(script.find("cd '/run/anylab/all-sites-down/pop-sin' || exit 1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("ANYLAB_ADDRESS=192.0.2.53 ANYLAB_PORT=53\n"), std::string::npos) << script;
  EXPECT_TRUE(script.ends_with("\nsh dns-answers.sh\n")) << script;
  EXPECT_EQ(sin.files.at("dns-answers.sh"), test::read_file(test::source_dir() + "/labs/health/dns-answers.sh"));
  EXPECT_FALSE(lab.find("pop-ams")->files.contains("health-check.sh")) << "anylab's own check needs no script";
  EXPECT_NE(lab.find("pop-ams")->files.at("healthcheck.conf").str().find("cmd=/usr/libexec/anylab/anylab-probe dns"),
            std::string::npos);
}

// `scope: local` (RFC 4786's local node): the instance announces with
// NO_EXPORT, in its config and on ExaBGP's API alike; a global one does not.
TEST(Render, ALocalNodeAnnouncesWithNoExport) {
  Lab lab = resolve_file(test::source_dir() + "/labs/local-nodes.yaml");
  EXPECT_NE(lab.find("node-sin")->files.at("exabgp.conf").str().find("route 192.0.2.0/24 next-hop self community [ no-export ]"),
            std::string::npos)
      << lab.find("node-sin")->files.at("exabgp.conf");
  EXPECT_EQ(lab.find("node-ams")->files.at("exabgp.conf").str().find("no-export"), std::string::npos);
  EXPECT_EQ(exabgp_route(*lab.find("node-sin"), "192.0.2.0/25", announce_attributes(*lab.find("node-sin"))),
            "route 192.0.2.0/25 next-hop self community [ no-export ]");
}

TEST(Graph, DotAndMermaidGolden) {
  Lab lab = resolve_file(test::source_dir() + "/labs/quickstart.yaml");
  test::expect_golden(test::source_dir() + "/tests/golden/graphs/quickstart.dot", render_graph(lab, GraphFormat::kDot));
  test::expect_golden(test::source_dir() + "/tests/golden/graphs/quickstart.mmd",
                      render_graph(lab, GraphFormat::kMermaid));
}

// `anylab export --containerlab`: the topology and what each node's
// start.sh does, byte for byte; every link of the lab is a containerlab
// link, every node binds its directory where its configs say it is.
TEST(Export, ContainerlabTopologyIsGolden) {
  for (const char* name : {"quickstart", "dns-three-pops"}) {
    Lab lab = resolve_file(test::source_dir() + "/labs/" + name + ".yaml");
    const auto files = export_containerlab(lab);
    std::string all;
    for (const auto& [file, text] : files) all += "===== " + file + "\n" + text;
    test::expect_golden(test::source_dir() + "/tests/golden/export/" + name + ".txt", all);
    const std::string& topo = files.at(lab.name + ".clab.yml");
    for (const Link& l : lab.links)
      EXPECT_NE(topo.find("[\"" + l.a_node + ":" + l.a_interface + "\", \"" + l.b_node + ":" + l.b_interface + "\"]"),
                std::string::npos);
    for (const Node& n : lab.nodes) {
      EXPECT_TRUE(files.contains(n.name + "/start.sh")) << n.name;
      EXPECT_NE(topo.find("\"" + n.name + ":" + n.runtime_dir + "\""), std::string::npos) << n.name;
      for (const auto& [file, text] : n.files) EXPECT_EQ(files.at(n.name + "/" + file), text);
    }
  }
}

// `anylab export --clabernetes`: a ConfigMap per node with the files the
// containerlab export binds, and the Topology, byte for byte; images are
// pulled there (a cluster's nodes cannot see images built on this machine).
TEST(Export, ClabernetesTopologyIsGolden) {
  Lab lab = resolve_file(test::source_dir() + "/labs/quickstart.yaml");
  const auto files = export_clabernetes(lab);
  ASSERT_EQ(files.size(), 1u);
  const std::string& text = files.at("quickstart.clabernetes.yaml");
  test::expect_golden(test::source_dir() + "/tests/golden/export/quickstart.clabernetes.yaml", text);
  for (const Node& n : lab.nodes) EXPECT_NE(text.find("name: quickstart-" + n.name + "-files"), std::string::npos);
  EXPECT_EQ(text.find("image-pull-policy: never"), std::string::npos);
}

// `anylab export --mininet`: the script (the plan as rows, the first
// scenario's expectations), byte for byte.
TEST(Export, MininetScriptIsGolden) {
  Lab lab = resolve_file(test::source_dir() + "/labs/dual-stack-dns.yaml");
  const std::string script = export_mininet(lab);
  test::expect_golden(test::source_dir() + "/tests/golden/export/dual-stack-dns.mininet.py", script);
  EXPECT_NE(script.find(R"(["client-us","dns","2001:db8:53::53",53,"dns","ipv6","ns-iad"])"), std::string::npos);
  EXPECT_NE(script.find(R"(["client-eu","dns","192.0.2.53",53,"dns","ipv4","ns-fra"])"), std::string::npos);
}

// RPKI: a validating router runs its own StayRTR serving the lab's ROAs,
// bgpd loads the RPKI module and asks it (in both FRR releases' words);
// enforcing adds the deny of invalid routes before everything else on the
// way in; `tag` validates and drops nothing.
TEST(Rpki, ValidatingRoutersGetACacheTheModuleAndTheirPolicy) {
  Lab lab = resolve_file(test::source_dir() + "/labs/dns-hijack.yaml");
  const Node& eu = *lab.find("isp-eu");
  const Node& ap = *lab.find("isp-ap");
  EXPECT_EQ(eu.files.at("vrps.json"), "{\"roas\": [\n  {\"prefix\": \"192.0.2.0/24\", \"maxLength\": 24, \"asn\": \"AS64500\"}\n]}\n");
  EXPECT_EQ(render_vrps({}), "{\"roas\": []}\n");
  const std::string& conf = eu.files.at("frr.conf");
  for (const char* want : {"rpki\n rpki polling_period 5\n rpki cache 127.0.0.1 8282 preference 1\n rpki cache tcp 127.0.0.1 8282 preference 1\n",
                           "route-map ANYLAB-IN-tier1 deny 5\n match rpki invalid\nexit\n",
                           "route-map ANYLAB-IN-pop-ams deny 5\n", "  neighbor 198.18.0.0 route-map ANYLAB-IN-tier1 in\n"})
    EXPECT_NE(conf.find(want), std::string::npos) << want << "\n" << conf;
  EXPECT_EQ(ap.files.at("frr.conf").str().find("match rpki"), std::string::npos) << "tag drops nothing";
  EXPECT_NE(ap.files.at("frr.conf").str().find("rpki cache 127.0.0.1 8282"), std::string::npos);
  EXPECT_FALSE(lab.find("tier1")->files.contains("vrps.json"));
  bool stayrtr = false, module = false;
  for (const Action& a : plan_deploy(lab))
    if (const auto* s = std::get_if<StartProcess>(&a.what); s && a.node == "isp-eu") {
      stayrtr |= s->name == "stayrtr" && s->argv.front() == "/usr/bin/stayrtr";
      module |= s->name == "bgpd" && std::find(s->argv.begin(), s->argv.end(), "rpki") != s->argv.end();
    }
  EXPECT_TRUE(stayrtr);
  EXPECT_TRUE(module);
  // A local-pref step toward a session whose map is deployed goes after it.
  PolicyStep lp;
  lp.local_pref = 300;
  const BgpNeighbor& pop = *std::find_if(eu.neighbors.begin(), eu.neighbors.end(), [](const BgpNeighbor& n) { return n.node == "pop-ams"; });
  EXPECT_EQ(policy_change(eu, pop, lp).config.front(), "route-map ANYLAB-IN-pop-ams permit 20");
  EXPECT_EQ(policy_removal(eu, pop, lp).config, std::vector<std::string>{"no route-map ANYLAB-IN-pop-ams permit 20"});
}

// An instance silent at start has no static routes in its exabgp.conf; a
// forged origin ends the path it announces.
TEST(Render, SilentInstanceAndForgedOrigin) {
  Lab lab = resolve_file(test::source_dir() + "/labs/dns-hijack.yaml");
  const Node& rogue = *lab.find("rogue");
  EXPECT_EQ(rogue.files.at("exabgp.conf").str().find("route 192.0.2.0/24"), std::string::npos);
  RouteAttributes forged = announce_attributes(rogue);
  forged.origin = 64500;
  EXPECT_EQ(exabgp_route(rogue, "192.0.2.0/25", forged), "route 192.0.2.0/25 next-hop self as-path [ 64666 64500 ]");
}

// Flap damping renders FRR's bgp dampening in minutes, in each address
// family; `damping: true` takes RFC 2439's usual values.
TEST(Render, FlapDamping) {
  Lab lab = resolve_file(test::source_dir() + "/labs/flap-damping.yaml");
  EXPECT_NE(lab.find("edge-ams")->files.at("frr.conf").str().find("  bgp dampening 1 1800 2000 4\n"), std::string::npos);
  EXPECT_EQ(lab.find("edge-sin")->files.at("frr.conf").str().find("dampening"), std::string::npos);
  SourceFile f("d.yaml", "name: d\nservices:\n  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500}\n"
                         "topology:\n  nodes:\n    r1: {kind: router, asn: 65001, damping: true}\n"
                         "    pop: {kind: instance, service: dns}\n    c1: {kind: client}\n"
                         "  links:\n    - [c1, r1]\n    - [r1, pop]\n");
  auto spec = load_lab(f);
  ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
  Lab d = resolve(std::move(*spec), Paths{}).value();
  EXPECT_NE(d.find("r1")->files.at("frr.conf").str().find("  bgp dampening 15 750 2000 60\n"), std::string::npos);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// A lab with an IPv6 service: every link carries both families, routers
// peer over both, and an instance only in its service's families (an
// IPv6-only service's instance has no IPv4 session, which would carry
// nothing). Clients get a default route per family.
TEST(Plan, SessionsPerFamilyAndInstancesOnlyInTheirServicesFamilies) {
  Lab lab = resolve_file(test::source_dir() + "/labs/ipv6-web.yaml");
  const Node& edge = *lab.find("edge-ams");
  std::vector<std::pair<std::string, Family>> sessions;
  for (const BgpNeighbor& nb : edge.neighbors) sessions.emplace_back(nb.node, nb.family());
  EXPECT_EQ(sessions, (std::vector<std::pair<std::string, Family>>{
                          {"web-ams", Family::kIpv6}, {"edge-sin", Family::kIpv4}, {"edge-sin", Family::kIpv6}}));
  const Node& web = *lab.find("web-ams");
  ASSERT_EQ(web.neighbors.size(), 1u);
  EXPECT_EQ(web.neighbors[0].address.str(), edge.interfaces[1].addresses[1].local.address.str());
  const Node& client = *lab.find("client-eu");
  ASSERT_EQ(client.gateways.size(), 2u);
  EXPECT_EQ(client.gateways[0].family, Family::kIpv4);
  EXPECT_EQ(client.gateways[1].str(), edge.interfaces[0].addresses[1].local.address.str());
  for (const Link& l : lab.links) {
    ASSERT_EQ(l.addresses.size(), 2u);
    EXPECT_EQ(l.addresses[1].a.length, 127);
    EXPECT_TRUE(IpPrefix::parse("2001:2::/48")->contains(l.addresses[1].a.address));
    EXPECT_EQ(l.addresses[1].b.address, l.addresses[1].a.address.plus(1));
  }
}

// Relationships: sessions by `relation:` get local-pref and a mark of where
// a route came from; toward a peer or a provider, what came from a peer or
// a provider is denied; an instance is its router's customer; a router
// without relations renders no route-map at all.
TEST(Relations, LocalPrefMarksAndValleyFreeExport) {
  Lab lab = resolve_file(test::source_dir() + "/labs/valley-free.yaml");
  const Node& eu = *lab.find("isp-eu");
  auto relation_of = [](const Node& n, const std::string& peer) {
    for (const BgpNeighbor& nb : n.neighbors)
      if (nb.node == peer) return nb.relation;
    return Relation::kNone;
  };
  EXPECT_EQ(relation_of(eu, "tier1"), Relation::kProvider);
  EXPECT_EQ(relation_of(eu, "isp-ap"), Relation::kPeer);
  EXPECT_EQ(relation_of(eu, "cust"), Relation::kCustomer);
  EXPECT_EQ(relation_of(*lab.find("tier1"), "isp-eu"), Relation::kCustomer);
  EXPECT_EQ(relation_of(*lab.find("tier1"), "pop-fra"), Relation::kCustomer);  // an instance: a customer
  const std::string& conf = eu.files.at("frr.conf");
  for (const char* want : {"route-map ANYLAB-IN-tier1 permit 10\n set local-preference 50\n set large-community 65010:0:3 additive\n on-match next\n",
                           "route-map ANYLAB-IN-isp-ap permit 10\n set local-preference 100\n set large-community 65010:0:2 additive\n",
                           "route-map ANYLAB-IN-cust permit 10\n set local-preference 200\n set large-community 65010:0:1 additive\n",
                           "route-map ANYLAB-OUT-tier1 deny 10\n match large-community ANYLAB-FROM-PEER-OR-PROVIDER\n",
                           "route-map ANYLAB-OUT-isp-ap deny 10\n",
                           "bgp large-community-list standard ANYLAB-FROM-PEER-OR-PROVIDER permit 65010:0:2\n",
                           "bgp large-community-list standard ANYLAB-FROM-PEER-OR-PROVIDER permit 65010:0:3\n",
                           "  neighbor 198.18.0.0 route-map ANYLAB-OUT-tier1 out\n"})
    EXPECT_NE(conf.find(want), std::string::npos) << want << "\n" << conf;
  EXPECT_EQ(conf.find("route-map ANYLAB-OUT-cust deny"), std::string::npos) << "a customer gets every route";
  EXPECT_EQ(resolve_file(test::source_dir() + "/labs/two-pops.yaml").find("transit-a")->files.at("frr.conf").str().find("route-map ANYLAB"),
            std::string::npos);
}

// Defaults can change the preferences.
TEST(Relations, DefaultsRelationsChangeLocalPref) {
  const std::string path = test::source_dir() + "/labs/valley-free.yaml";
  SourceFile f(path, test::read_file(path));
  LabSpec spec = load_lab(f).value();
  spec.defaults.relations.peer = 150;
  Lab lab = resolve(std::move(spec), Paths{}).value();
  EXPECT_NE(lab.find("isp-eu")->files.at("frr.conf").str().find("route-map ANYLAB-IN-isp-ap permit 10\n set local-preference 150\n"),
            std::string::npos);
}

// A policy step on a session with a relation goes between the relationship's
// entries (20), and its removal leaves them; a leak removes only the deny.
TEST(Relations, PolicyStepsAndLeaksKeepTheRelationship) {
  Lab lab = resolve_file(test::source_dir() + "/labs/valley-free.yaml");
  const Node& eu = *lab.find("isp-eu");
  const BgpNeighbor& tier1 = eu.neighbors.front();
  ASSERT_EQ(tier1.node, "tier1");
  PolicyStep lp;
  lp.local_pref = 300;
  FrrChange on = policy_change(eu, tier1, lp);
  EXPECT_NE(std::find(on.config.begin(), on.config.end(), "route-map ANYLAB-IN-tier1 permit 20"), on.config.end());
  FrrChange off = policy_removal(eu, tier1, lp);
  EXPECT_EQ(off.config, std::vector<std::string>{"no route-map ANYLAB-IN-tier1 permit 20"});
  FrrChange leak = leak_change(eu, true);
  EXPECT_EQ(leak.config, (std::vector<std::string>{"no route-map ANYLAB-OUT-tier1 deny 10", "no route-map ANYLAB-OUT-isp-ap deny 10"}));
  EXPECT_EQ(leak.then.size(), 2u);
  FrrChange back = leak_change(eu, false);
  EXPECT_EQ(back.config.front(), "route-map ANYLAB-OUT-tier1 deny 10");
  EXPECT_EQ(back.config[1], "match large-community ANYLAB-FROM-PEER-OR-PROVIDER");
}

// An AS of several routers (labs/backbone.yaml: two reflectors, two edges
// in AS 65010): its routers' loopbacks are their router IDs, iBGP runs
// between loopbacks (clients to the reflectors only, reflectors to every
// AS-mate), no eBGP across the links inside the AS, and an IGP over them.
TEST(Resolve, AnAsOfSeveralRoutersRunsIbgpBetweenLoopbacksOverItsIgp) {
  Lab lab = resolve_file(test::source_dir() + "/labs/backbone.yaml");
  const Node& core1 = *lab.find("core-1");
  const Node& edge = *lab.find("edge-fra");
  ASSERT_TRUE(core1.loopback && edge.loopback);
  EXPECT_EQ(*core1.loopback, core1.router_id);
  EXPECT_FALSE(lab.find("pop-fra")->loopback) << "instances have no loopback of their own";
  std::vector<std::string> peers;
  for (const BgpNeighbor& nb : edge.neighbors)
    peers.push_back(fmt::format("{} {} {}{}", nb.ibgp ? "iBGP" : "eBGP", nb.node, nb.interface,
                                nb.rr_client ? " client" : ""));
  EXPECT_EQ(peers, (std::vector<std::string>{"eBGP pop-fra eth3", "iBGP core-1 lo", "iBGP core-2 lo"}))
      << "no session to edge-ams, another client of the reflectors";
  peers.clear();
  for (const BgpNeighbor& nb : core1.neighbors) peers.push_back(nb.node + (nb.rr_client ? " client" : ""));
  EXPECT_EQ(peers, (std::vector<std::string>{"core-2", "edge-ams client", "edge-fra client"}));
  for (const Interface& i : core1.interfaces) EXPECT_TRUE(i.igp) << i.name << ": every link of core-1 is inside the AS";
  EXPECT_FALSE(edge.interfaces.at(2).igp) << "the link to pop-fra is eBGP";
  const std::string& frr = edge.files.at("frr.conf");
  EXPECT_NE(frr.find(" neighbor 198.19.0.1 update-source 198.19.0.4\n"), std::string::npos) << frr;
  EXPECT_NE(frr.find("  neighbor 198.19.0.1 next-hop-self\n"), std::string::npos) << frr;
  EXPECT_EQ(frr.find("route-reflector-client"), std::string::npos) << "an edge reflects nothing";
  EXPECT_NE(core1.files.at("frr.conf").str().find("  neighbor 198.19.0.3 route-reflector-client\n"), std::string::npos);
  const std::string& ospf = edge.files.at("ospfd.conf");
  for (const char* line : {"interface eth1\n", "interface eth2\n", " ip ospf passive\n", " ospf router-id 198.19.0.4\n"})
    EXPECT_NE(ospf.find(line), std::string::npos) << line;
  EXPECT_EQ(ospf.find("interface eth3"), std::string::npos) << "no OSPF toward the instance";
}

// Each router of the AS: its loopback address, then ospfd after the wait
// for zebra and before bgpd, whose sessions need the loopbacks it carries.
TEST(Plan, TheIgpStartsBeforeBgpdOnEveryRouterOfASharedAs) {
  Lab lab = resolve_file(test::source_dir() + "/labs/backbone.yaml");
  for (const char* router : {"core-1", "core-2", "edge-ams", "edge-fra"}) {
    SCOPED_TRACE(router);
    std::vector<std::string> order;
    for (const Action& a : plan_deploy(lab)) {
      if (a.node != router) continue;
      if (const auto* s = std::get_if<StartProcess>(&a.what)) order.push_back(s->name);
      if (std::holds_alternative<WaitForSocket>(a.what)) order.push_back("wait");
      if (const auto* ad = std::get_if<AddAddress>(&a.what); ad && ad->interface == "lo")
        order.push_back("lo " + ad->address.str());
    }
    ASSERT_EQ(order.size(), 5u);
    EXPECT_EQ(order[0], "zebra");
    EXPECT_EQ(order[1], "wait");
    EXPECT_EQ(order[2], "lo " + lab.find(router)->loopback->str() + "/32");
    EXPECT_EQ(order[3], "ospfd");
    EXPECT_EQ(order[4], "bgpd");
  }
}

// IS-IS instead (`defaults.igp: isis`): isisd.conf, a NET from the router
// ID, and the timers before the NET (FRR 8.4 makes its first LSP when it
// reads the NET, and spaces the next by the interval then in force).
TEST(Resolve, IsisHasANetFromTheRouterIdAndItsTimersBeforeIt) {
  EXPECT_EQ(isis_net(IpAddress::parse("198.19.0.1").value()), "49.0001.1980.1900.0001.00");
  EXPECT_EQ(isis_net(IpAddress::parse("10.0.12.254").value()), "49.0001.0100.0001.2254.00");
  std::string text = test::read_file(test::source_dir() + "/labs/backbone.yaml");
  text.replace(text.find("igp: ospf"), 9, "igp: isis");
  SourceFile f("backbone.yaml", text);
  Lab lab = resolve(load_lab(f).value(), Paths{}).value();
  const Node& edge = *lab.find("edge-fra");
  EXPECT_FALSE(edge.files.contains("ospfd.conf"));
  const std::string& isis = edge.files.at("isisd.conf");
  EXPECT_LT(isis.find(" lsp-gen-interval 1\n"), isis.find(" net 49.0001.1980.1900.0004.00\n")) << isis;
  EXPECT_NE(isis.find("interface eth2\n description toward core-2\n ip router isis anylab\n"), std::string::npos) << isis;
  EXPECT_NE(isis.find(" isis passive\n"), std::string::npos) << isis;
}

// A lab that carries IPv6: each router of the AS has an IPv6 loopback too
// (2001:2:0:ffff:: and its router ID), an IPv6 iBGP session beside each
// IPv4 one, and OSPFv3 (ospf6d) beside OSPF; IS-IS carries both itself.
TEST(Resolve, AnAsOfSeveralRoutersCarriesIpv6OverItsOwnLoopbacks) {
  std::string text = test::read_file(test::source_dir() + "/labs/backbone.yaml");
  text = text.substr(0, text.find("scenarios:"));  // its routes name no prefix: dual-stack, they must
  const std::string v4 = "prefix: 192.0.2.0/24, address: 192.0.2.53";
  text.replace(text.find(v4), v4.size(),
               "prefix: [192.0.2.0/24, \"2001:db8:53::/48\"], address: [192.0.2.53, \"2001:db8:53::53\"]");
  SourceFile f("backbone.yaml", text);
  auto spec = load_lab(f);
  ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
  Lab lab = resolve(std::move(*spec), Paths{}).value();
  const Node& edge = *lab.find("edge-fra");
  ASSERT_TRUE(edge.loopback6);
  EXPECT_EQ(edge.loopback6->str(), "2001:2:0:ffff::c613:4");
  std::vector<std::string> ibgp;
  for (const BgpNeighbor& nb : edge.neighbors)
    if (nb.ibgp) ibgp.push_back(nb.node + " " + nb.address.str());
  EXPECT_EQ(ibgp, (std::vector<std::string>{"core-1 198.19.0.1", "core-1 2001:2:0:ffff::c613:1", "core-2 198.19.0.2",
                                            "core-2 2001:2:0:ffff::c613:2"}));
  EXPECT_NE(edge.files.at("frr.conf").str().find(" neighbor 2001:2:0:ffff::c613:1 update-source 2001:2:0:ffff::c613:4\n"),
            std::string::npos);
  const std::string& ospf6 = edge.files.at("ospf6d.conf");
  EXPECT_NE(ospf6.find("interface eth1\n ipv6 ospf6 area 0\n"), std::string::npos) << ospf6;
  EXPECT_NE(ospf6.find(" ipv6 ospf6 passive\n"), std::string::npos) << ospf6;
  size_t ospf6d = 0;
  for (const Action& a : plan_deploy(lab))
    if (const auto* p = std::get_if<StartProcess>(&a.what); p && p->name == "ospf6d") ++ospf6d;
  EXPECT_EQ(ospf6d, 4u) << "every router of the AS";
}

// Without reflectors, every router of the AS peers with every other.
TEST(Resolve, AnAsWithoutReflectorsIsAFullMesh) {
  SourceFile f("mesh.yaml", R"(name: mesh
services:
  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500}
topology:
  nodes:
    a: {kind: router, asn: 65010}
    b: {kind: router, asn: 65010}
    c: {kind: router, asn: 65010}
    pop: {kind: instance, service: dns}
    c1: {kind: client}
  links:
    - [a, b]
    - [b, c]
    - [c, pop]
    - [c1, a]
)");
  Lab lab = resolve(load_lab(f).value(), Paths{}).value();
  for (const char* r : {"a", "b", "c"}) {
    size_t ibgp = 0;
    for (const BgpNeighbor& nb : lab.find(r)->neighbors) ibgp += nb.ibgp && !nb.rr_client;
    EXPECT_EQ(ibgp, 2u) << r << " peers with both AS-mates, linked or not";
  }
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// The contract's example of networks as operators run them (fenced `yaml
// planned` in lab-format.md, which is read-only here) loads whole with the
// templates of labs/configs/ as its `config:` files: rendered with each
// node's facts, checked by vtysh -C and bird -p, and holding every session
// the lab links (iBGP to the reflector over loopbacks, OSPF under it).
TEST(OwnConfig, TheContractsOperatorsExampleLoadsWithTheLabsTemplates) {
  auto planned = test::lab_format_planned_examples();
  if (planned.empty()) GTEST_SKIP() << "../shared/lab-format.md is not beside the project, or has no planned example";
  SourceFile f(test::source_dir() + "/labs/operators.yaml", "name: operators\n" + planned.front());
  auto spec = load_lab(f);
  ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
  Lab lab = resolve(std::move(*spec), Paths{}).value();
  const Diagnostics own = apply_own_configs(lab);
  ASSERT_TRUE(own.empty()) << format_diagnostics(f, own);
  const std::string& frr = lab.find("edge-fra")->files.at("frr.conf");
  for (const char* line : {"router bgp 65010", "router ospf", " neighbor 198.19.0.2 update-source 198.19.0.4",
                           "  neighbor 198.19.0.2 next-hop-self"})
    EXPECT_NE(frr.find(line), std::string::npos) << line << " in\n" << frr;
  EXPECT_NE(lab.find("ams-2")->files.at("bird.conf").str().find("include \"/run/anylab/operators/ams-2/anycast4.conf\""),
            std::string::npos);
  // Every daemon reads the config without the lines that end a block, and
  // ospfd starts because the config has `router ospf`.
  const std::string plan = format_plan(lab, plan_deploy(lab));
  EXPECT_NE(plan.find("/usr/lib/frr/ospfd -N anylab-operators_edge-fra -f /run/anylab/operators/edge-fra/"
                      "frr-daemons.conf"),
            std::string::npos)
      << plan;
  EXPECT_EQ(lab.find("edge-fra")->files.at(kFrrDaemonsConfig).str().find("\nexit\n"), std::string::npos);
}

TEST(OwnConfig, FrrDaemonsAreThoseTheConfigHasSectionsFor) {
  EXPECT_EQ(frr_daemons_for("router bgp 1\n"), std::vector<std::string>{"bgpd"});
  EXPECT_EQ(frr_daemons_for("bfd\n profile x\n exit\nip route 10.0.0.0/8 blackhole\nrouter isis A\nrouter bgp 1\n"),
            (std::vector<std::string>{"bfdd", "staticd", "isisd", "bgpd"}));
  EXPECT_EQ(frr_daemons_for("router ospf\nrouter ospf6\n"), (std::vector<std::string>{"ospfd", "ospf6d", "bgpd"}));
  EXPECT_EQ(frr_for_daemons("bfd\n profile x\n  exit\nexit\nrouter bgp 1\n neighbor a b\nend\n"),
            "! as frr.conf, without the lines that end a block: each FRR daemon reads all of it\n"
            "bfd\n profile x\nrouter bgp 1\n neighbor a b\n");
}

// What a BIRD instance's template sees: its sessions, its service, and the
// routes files anylab announces through.
TEST(OwnConfig, FactsHoldWhatATemplateNeeds) {
  Lab lab = resolve_file(test::source_dir() + "/labs/bird-anycast.yaml");
  const nlohmann::json facts = node_facts(lab, *lab.find("pop-fra"));
  EXPECT_EQ(facts["asn"], 64500);
  EXPECT_EQ(facts["bfd"], true);
  EXPECT_EQ(facts["routes"]["ipv6"], "/run/anylab/bird-anycast/pop-fra/anycast6.conf");
  EXPECT_EQ(facts["service"]["ipv4"]["prefix"], "192.0.2.0/24");
  ASSERT_EQ(facts["neighbors"].size(), 2u);
  EXPECT_EQ(facts["neighbors"][0]["name"], "edge-fra");
  EXPECT_EQ(facts["neighbors"][0]["asn"], 65020);
  EXPECT_EQ(facts["neighbors"][1]["family"], "ipv6");
  EXPECT_EQ(facts["interfaces"][0]["peer_ipv4"], facts["neighbors"][0]["address"]);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// `anylab generate --internet`: the same seed gives the same file (golden),
// and what it writes loads and resolves, every link with its relation and
// ASNs from their ranges, at sizes up to the scale issue's 1000 ASes.
TEST(Generate, AnInternetLabIsGoldenAndLoads) {
  InternetOptions o{.ases = 30, .sites = 3, .clients = 5, .seed = 7,
                    .command = "anylab generate --internet 30 --sites 3 --clients 5 --seed 7"};
  const auto text = generate_internet(o);
  ASSERT_TRUE(text) << text.error();
  test::expect_golden(test::source_dir() + "/tests/golden/generate/internet-30-seed-7.yaml", *text);
  EXPECT_EQ(*generate_internet(o), *text);
  // labs/internet-100.yaml is what its header's command writes, as it is.
  EXPECT_EQ(*generate_internet({.ases = 100, .sites = 5, .clients = 10, .seed = 7,
                                .command = "anylab generate --internet 100 --sites 5 --clients 10 --seed 7"}),
            test::read_file(test::source_dir() + "/labs/internet-100.yaml"));
  for (int n : {10, 100, 1000}) {
    SCOPED_TRACE(n);
    o.ases = n;
    o.seed = static_cast<uint32_t>(n);
    o.clients = n == 10 ? 3 : 50;
    o.sites = n == 10 ? 2 : 10;
    const auto big = generate_internet(o);
    ASSERT_TRUE(big) << big.error();
    SourceFile f("generated.yaml", *big);
    auto spec = load_lab(f);
    ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
    size_t routers = 0;
    for (const NodeSpec& node : spec->nodes) routers += node.kind.value == NodeKind::kRouter;
    EXPECT_EQ(routers, static_cast<size_t>(n));
    for (const LinkSpec& l : spec->links) {
      const bool to_router = spec->find_node(l.a.node.value)->kind.value == NodeKind::kRouter &&
                             spec->find_node(l.b.node.value)->kind.value == NodeKind::kRouter;
      EXPECT_EQ(l.relation.has_value(), to_router) << l.a.node.value << " -- " << l.b.node.value;
    }
    ASSERT_TRUE(resolve(std::move(*spec), Paths{}));
  }
}

// `anylab generate --as-rel`: a CAIDA file written by hand becomes the lab
// of the ASes on valley-free paths from the clients to the sites (golden),
// which loads and resolves; the valley and the far chain stay out.
std::string hand_file() { return test::read_file(test::source_dir() + "/tests/golden/generate/as-rel-hand.txt"); }

AsRelOptions hand_options() {
  return {.file = "as-rel-hand.txt", .origin = 64500, .sites = {300, 200}, .clients = {1000, 4000, 4200000001u},
          .depth = 3, .command = "anylab generate --as-rel as-rel-hand.txt --sites 300,200 --clients 1000,4000,4200000001"};
}

TEST(Generate, AnAsRelLabJoinsSitesAndClientsAlongValleyFreePaths) {
  const auto text = generate_from_as_rel(hand_options(), hand_file());
  ASSERT_TRUE(text) << text.error();
  test::expect_golden(test::source_dir() + "/tests/golden/generate/as-rel-hand.yaml", *text);
  for (const char* absent : {"as7777:", "as8000:", "as5000:", "as64500:"}) EXPECT_EQ(text->find(absent), std::string::npos) << absent;
  SourceFile f("as-rel.yaml", *text);
  auto spec = load_lab(f);
  ASSERT_TRUE(spec) << format_diagnostics(f, spec.error());
  ASSERT_TRUE(resolve(std::move(*spec), Paths{}));
  auto shallow = hand_options();
  shallow.depth = 1;  // 4000 is two links from 200 (up to 30, down to 200)
  EXPECT_EQ(generate_from_as_rel(shallow, hand_file()).error(),
            "--clients 4000: AS4000 reaches no site within 1 AS links along valley-free paths in as-rel-hand.txt: "
            "raise --depth, or name a site nearer it");
}

TEST(Generate, AnAsRelFileOrOptionThatIsWrongIsNamed) {
  auto o = hand_options();
  auto err = [&](std::string_view text) { return generate_from_as_rel(o, text).error(); };
  EXPECT_EQ(err("# c\n10|20|0\n10|20\n"), "as-rel-hand.txt:3: `10|20` is not a link: CAIDA's lines are "
                                          "`provider|customer|-1` or `peer|peer|0`, with `|source` in serial-2");
  EXPECT_EQ(err("10|x|0\n"), "as-rel-hand.txt:1: `x` is not an AS number (1 to 4294967295)");
  EXPECT_EQ(err("10|4294967296|0\n"), "as-rel-hand.txt:1: `4294967296` is not an AS number (1 to 4294967295)");
  EXPECT_EQ(err("10|20|1\n"), "as-rel-hand.txt:1: relation `1` is neither -1 (provider to customer) nor 0 (peers)");
  EXPECT_EQ(err("# nothing\n"), "as-rel-hand.txt: no AS links in it (lines `provider|customer|-1` or `peer|peer|0`)");
  o.clients = {1000, 9999};
  EXPECT_EQ(generate_from_as_rel(o, hand_file()).error(), "--clients 9999: AS9999 is not in as-rel-hand.txt (16 ASes, 19 links)");
  o.clients = {8000};
  EXPECT_EQ(generate_from_as_rel(o, hand_file()).error(),
            "--clients 8000: AS8000 reaches no site within 3 AS links along valley-free paths in as-rel-hand.txt: "
            "raise --depth, or name a site nearer it");
  o.sites = {64500};
  EXPECT_EQ(generate_from_as_rel(o, hand_file()).error(),
            "--sites 64500: AS64500 is the service's own (--origin); name the networks it connects to");
  // Providers in a circle (a lab anylab refuses): named by the file's lines.
  const AsRelOptions circle{.file = "circle.txt", .origin = 64500, .sites = {10}, .clients = {40}, .depth = 3,
                            .command = "anylab generate --as-rel circle.txt --sites 10 --clients 40"};
  EXPECT_EQ(generate_from_as_rel(circle, "# a circle\n10|20|-1\n20|30|-1\n30|10|-1\n30|40|-1\n").error(),
            "circle.txt:2: providers in a circle among the ASes taken: AS10 provides AS20 (line 2), AS20 provides "
            "AS30 (line 3), AS30 provides AS10 (line 4); a lab needs a top to its providers: make one of these a "
            "peering (0) in the file, or lower --depth to leave it out");
  EXPECT_TRUE(generate_from_as_rel(circle, "10|20|-1\n20|30|-1\n30|10|0\n30|40|-1\n").has_value());
  EXPECT_EQ(parse_asn_list("--sites", "3356,AS1299").value(), (std::vector<uint32_t>{3356, 1299}));
  EXPECT_EQ(parse_asn_list("--sites", "3356,,1").error(), "--sites 3356,,1: `` is not an AS number (1 to 4294967295)");
}

// defaults.bgp.link-subnets: a lean lab carries only the subnets of links
// to clients in BGP (each router with a client redistributes them through a
// route-map, the others nothing); from 100 routers that is the default.
TEST(Generate, ABigLabCarriesOnlyTheClientsLinkSubnets) {
  const auto count = [](const std::string& text, std::string_view what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  std::string quick = test::read_file(test::source_dir() + "/labs/quickstart.yaml");
  quick.replace(quick.find("hold: 3}"), 8, "hold: 3, link-subnets: clients}");
  SourceFile qf("quickstart.yaml", quick);
  auto lean = resolve(std::move(*load_lab(qf)), Paths{});
  ASSERT_TRUE(lean);
  const std::string& ams = lean->find("edge-ams")->files.at("frr.conf");
  EXPECT_EQ(count(ams, "  redistribute connected route-map anylab-clients\n"), 1u) << ams;
  EXPECT_EQ(count(ams, "ip prefix-list anylab-clients seq 5 permit 198.18.0.0/31\n"), 1u) << ams;
  EXPECT_EQ(count(ams, "ip prefix-list anylab-clients seq"), 1u) << ams;
  const auto text = generate_internet({.ases = 100, .sites = 5, .clients = 10, .seed = 7});
  ASSERT_TRUE(text);
  for (const bool all : {false, true}) {
    std::string t = *text;
    if (all) t.replace(t.find("hold: 3}"), 8, "hold: 3, link-subnets: all}");
    SourceFile f("internet-100.yaml", t);
    auto lab = resolve(std::move(*load_lab(f)), Paths{});
    ASSERT_TRUE(lab);
    EXPECT_EQ(lab->carries_link_subnets(), all);
    size_t bare = 0, mapped = 0, with_clients = 0;
    for (const Node& n : lab->nodes) {
      if (n.kind != NodeKind::kRouter) continue;
      const std::string& conf = n.files.at("frr.conf");
      bare += count(conf, "  redistribute connected\n");
      mapped += count(conf, "  redistribute connected route-map anylab-clients\n");
      with_clients += std::ranges::any_of(n.interfaces, [&](const Interface& i) {
        return lab->find(i.peer_node)->kind == NodeKind::kClient;
      });
    }
    EXPECT_EQ(bare, all ? 100u : 0u);
    EXPECT_EQ(mapped, all ? 0u : with_clients);
    EXPECT_EQ(with_clients, 10u);
  }
}

TEST(Generate, SaysWhatToChange) {
  EXPECT_EQ(generate_internet({.ases = 5}).error(), "--internet takes 10 to 5000 ASes");
  EXPECT_EQ(generate_internet({.ases = 10, .clients = 9}).error(),
            "--clients 9: 10 ASes make 6 stubs, and each client sits in a stub of its own");
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// `sweep --vary`: a knob's forms, its values in order, and what is wrong
// with one that is not.
TEST(Sweep, KnobsAndTheirValues) {
  const auto range = parse_knob("prepend:pop-sin=0..3");
  ASSERT_TRUE(range) << range.error();
  EXPECT_EQ(range->instance, "pop-sin");
  EXPECT_EQ(range->values, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(parse_knob("med:pop-ams=0,100")->values, (std::vector<uint32_t>{0, 100}));
  EXPECT_EQ(parse_knob("site:pop-ams=on,off")->values, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(parse_knob("prepend:pop-sin=a").error(), "--vary prepend:pop-sin=a: the values are numbers, like 0..3 or 0,2,4");
  EXPECT_EQ(parse_knob("prepend:pop-sin=17").error(), "--vary prepend:pop-sin=17: a prepend is 0 to 16");
  EXPECT_EQ(parse_knob("site:x=up").error(), "--vary site:x=up: the values are on and off, like on,off");
  EXPECT_EQ(parse_knob("weight:x=1").error(),
            "--vary weight:x=1: no knob \"weight\"; give prepend:INSTANCE=0..3, med:INSTANCE=0,100 or "
            "site:INSTANCE=on,off");
  EXPECT_FALSE(parse_knob("prepend:pop-sin=3..1"));
}

// The matrix: a row per setting, a column per client, the shares by weight.
TEST(Sweep, TheMatrixAsPrinted) {
  SweepResult r{.lab = "q", .clients = {"c1", "c2"}, .rows = {}};
  r.rows.push_back({.setting = {{"prepend:a", 0}}, .answers = {{"dns ipv4", {{"c1", "a"}, {"c2", "b"}}}},
                    .shares = {{"dns ipv4", {{"a", 75}, {"b", 25}}}}, .settled = true});
  r.rows.push_back({.setting = {{"prepend:a", 3}}, .answers = {{"dns ipv4", {{"c1", "b"}, {"c2", ""}}}},
                    .shares = {{"dns ipv4", {{"b", 75}, {"(nobody)", 25}}}}, .settled = false});
  EXPECT_EQ(sweep_text(r),
            "sweep q: who answers each client (dns ipv4)\n"
            "  setting                    c1             c2             shares of the clients' weight\n"
            "  prepend:a=0                a              b              a 75%, b 25%\n"
            "  prepend:a=3 (not settled)  b              NOBODY         (nobody) 25%, b 75%\n");
  EXPECT_NE(sweep_json(r).find("\"format\": \"anylab-sweep/1\""), std::string::npos);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// --record's edit of the lab file: the recorded scenario added after the
// others, or put in place of an earlier recording (its comment lines too,
// not the next scenario's), or under a new `scenarios:`; the rest as it was.
TEST(Record, TheLabFileKeepsEverythingButTheRecording) {
  const std::string rec = "  # Recorded by anylab\n  - name: recorded\n    steps:\n      - expect: {catchment: {a: [c]}}\n";
  const std::string lab = "name: x\n# a comment\nscenarios:\n  - name: one\n    steps: []\n\nrpki: {roas: []}\n";
  EXPECT_EQ(scenario_indent(lab), "  ");
  EXPECT_EQ(with_recorded(lab, rec), "name: x\n# a comment\nscenarios:\n  - name: one\n    steps: []\n" + rec +
                                         "\nrpki: {roas: []}\n");
  const std::string again = "name: x\nscenarios:\n  # Recorded by anylab old\n  - name: recorded\n    steps:\n"
                            "      - expect: {catchment: {b: [c]}}\n  # the next one\n  - name: two\n    steps: []\n";
  EXPECT_EQ(with_recorded(again, rec), "name: x\nscenarios:\n" + rec + "  # the next one\n  - name: two\n    steps: []\n");
  EXPECT_EQ(with_recorded("name: x\n", rec), "name: x\nscenarios:\n" + rec);
  EXPECT_EQ(scenario_indent("scenarios:\n- name: a\n"), "");
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// `background: {routes: N}`: the same table for the same seed, laid out
// where the Internet routes (never private, reserved or documentation
// space, nor the lab's own prefixes), lengths and paths of the table's mix.
TEST(Background, SyntheticRoutesAreTheSameForASeedAndStayOutOfTheLab) {
  const std::vector<IpPrefix> lab{*IpPrefix::parse("192.0.2.0/24"), *IpPrefix::parse("5.0.0.0/16")};
  const std::vector<uint32_t> asns{3356, 1299, 64500};
  const auto a = synthetic_routes(100000, 7, lab, asns);
  ASSERT_EQ(a.size(), 100000u);
  const auto b = synthetic_routes(100000, 7, lab, asns);
  EXPECT_TRUE(std::ranges::equal(a, b, [](const mrt::Route& x, const mrt::Route& y) {
    return x.prefix == y.prefix && x.as_path == y.as_path;
  }));
  const auto c = synthetic_routes(100000, 8, lab, asns);
  EXPECT_NE(a[5].as_path, c[5].as_path);
  const IpPrefix never[] = {*IpPrefix::parse("10.0.0.0/8"), *IpPrefix::parse("127.0.0.0/8"),
                            *IpPrefix::parse("198.18.0.0/15"), *IpPrefix::parse("224.0.0.0/3"),
                            *IpPrefix::parse("192.168.0.0/16"), lab[0], lab[1]};
  std::set<IpPrefix> seen;
  size_t slash24 = 0, hops = 0;
  for (const mrt::Route& r : a) {
    EXPECT_TRUE(seen.insert(r.prefix).second) << r.prefix.str();
    EXPECT_FALSE(r.prefix.has_host_bits()) << r.prefix.str();
    for (const IpPrefix& p : never) ASSERT_FALSE(p.overlaps(r.prefix)) << r.prefix.str() << " in " << p.str();
    ASSERT_GE(r.as_path.size(), 1u);
    ASSERT_LE(r.as_path.size(), 8u);
    for (uint32_t asn : r.as_path) ASSERT_TRUE(std::ranges::find(asns, asn) == asns.end()) << asn;
    slash24 += r.prefix.length == 24;
    hops += r.as_path.size();
  }
  EXPECT_NEAR(static_cast<double>(slash24) / 100000, 0.58, 0.05);  // over half of the table
  EXPECT_NEAR(static_cast<double>(hops) / 100000, 3.2, 0.2);
  // A whole table's worth fits in the unicast space.
  EXPECT_EQ(synthetic_routes(1000000, 1, lab, asns).size(), 1000000u);
}

// The router takes the feeder's routes with its own next hop, never the
// lab's prefixes, keeps no second copy of tables between routers, and
// sends its instances nothing; the feeder is GoBGP over the node's own pair.
TEST(Background, TheRouterPeersWithItsFeederInsideItsNode) {
  Lab lab = resolve_file(test::source_dir() + "/labs/full-table.yaml");
  const Node& t = *lab.find("transit-a");
  EXPECT_EQ(t.background_routes, 100000u);
  const std::string& frr = t.files.at("frr.conf");
  for (const char* line : {" neighbor 198.19.255.250 remote-as 4200000000\n", " neighbor 198.19.255.250 passive\n",
                           " neighbor 198.19.255.250 timers 30 90\n",
                           "  neighbor 198.19.255.250 route-map ANYLAB-IN-FEEDER in\n",
                           " set ip next-hop 198.19.255.254\n", "permit 192.0.2.0/24 le 32\n",
                           "permit 198.18.0.0/15 le 32\n", " set large-community 3356:0:2 additive\n"})
    EXPECT_NE(frr.find(line), std::string::npos) << line << frr;
  EXPECT_EQ(frr.find("soft-reconfiguration"), std::string::npos) << frr;
  const std::string& edge = lab.find("edge-ams")->files.at("frr.conf");
  EXPECT_NE(edge.find("prefix-list ANYLAB-NOTHING out"), std::string::npos) << edge;
  EXPECT_NE(edge.find("soft-reconfiguration inbound"), std::string::npos) << edge;  // toward its instance
  const std::string& toml = t.files.at(kFeederConfig);
  EXPECT_NE(toml.find("port = -1"), std::string::npos);
  EXPECT_NE(toml.find("peer-as = 3356"), std::string::npos);
  // The dump is rendered by what writes it (deploy's plan, an export), not
  // by every command that loads the lab.
  EXPECT_FALSE(t.files.at(kBackgroundDump).rendered());
  const Node copy = t;  // copies share it: rendered once
  auto rib = mrt::read_rib(copy.files.at(kBackgroundDump).str());
  EXPECT_TRUE(t.files.at(kBackgroundDump).rendered());
  ASSERT_TRUE(rib) << rib.error();
  EXPECT_EQ(rib->ipv4_prefixes, 100000u + 4096u);  // and the repeats GoBGP 3.10 may drop
  const auto plan = plan_deploy(lab);
  EXPECT_TRUE(std::ranges::any_of(plan, [&](const Action& a) {
    const auto* v = std::get_if<CreateVeth>(&a.what);
    return v && v->netns_a == t.netns && v->netns_b == t.netns && v->interface_a == "feed0";
  }));
  EXPECT_FALSE(lab.find("edge-ams")->files.contains(kBackgroundDump));
}

}  // namespace
}  // namespace anylab
