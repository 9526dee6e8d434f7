#include "plan/resolve.h"

#include "plan/background.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "plan/address_pool.h"
#include "plan/render_speakers.h"
#include "plan/speaker_routes.h"
#include "plan/render_exabgp.h"
#include "plan/render_frr.h"
#include "plan/render_igp.h"

namespace anylab {
namespace {

Node make_node(const Lab& lab, const NodeSpec& spec) {
  Node n;
  n.name = spec.name.value;
  n.kind = spec.kind.value;
  n.spec = &spec;
  n.netns = netns_name(lab.name, n.name);
  n.runtime_dir = fmt::format("{}/{}", lab.runtime_dir, n.name);
  n.bfd = spec.bfd.value;
  n.keepalive = spec.bgp.keepalive.value_or(lab.spec.defaults.keepalive);
  n.hold = spec.bgp.hold.value_or(lab.spec.defaults.hold);
  n.advertisement_interval = spec.bgp.advertisement_interval ? spec.bgp.advertisement_interval->value
                                                             : lab.spec.defaults.advertisement_interval;
  if (spec.service) n.service = lab.spec.find_service(spec.service->value);
  if (spec.asn) n.asn = spec.asn->value;
  else if (n.service) n.asn = n.service->asn.value;
  return n;
}

// Interfaces the user named are kept; the rest are eth1, eth2, ... in link
// order, skipping names already taken on that node (containerlab's scheme).
std::string next_interface(std::set<std::string>& used) {
  for (int i = 1;; ++i) {
    std::string name = fmt::format("eth{}", i);
    if (used.insert(name).second) return name;
  }
}

// Each phase of resolve() adds to the lab and reports what it cannot decide.
class Resolver {
 public:
  Resolver(Lab& lab, Diagnostics& diag) : lab_(lab), diag_(diag) {}

  // Nodes in file order, with router IDs from the pool unless written.
  void nodes() {
    AddressPool ids(kRouterIdPool, 32);
    ids.reserve({kRouterIdPool.address, 32});  // never hand out .0
    ids.reserve(kFeedSubnet);                  // a background feeder's, inside its router
    for (const NodeSpec& n : lab_.spec.nodes)
      if (n.router_id) ids.reserve({n.router_id->value, 32});
    for (const NodeSpec& ns : lab_.spec.nodes) {
      Node n = make_node(lab_, ns);
      if (n.kind != NodeKind::kClient) {
        if (ns.router_id) {
          n.router_id = ns.router_id->value;
        } else if (auto id = ids.next()) {
          n.router_id = id->address;
        } else {
          diag_.error(ns.name.mark, "no router ID left in 198.19.0.0/16; write `router-id:` on some nodes");
        }
      }
      if (lab_.spec.in_shared_as(ns)) n.loopback = n.router_id;
      if (n.loopback && lab_.spec.link_families().size() > 1)
        n.loopback6 = IpAddress::v6(0x200100020000ffffULL, static_cast<uint64_t>(n.router_id.value));
      lab_.nodes.push_back(std::move(n));
    }
  }

  // Links: interfaces named eth1, eth2, ... unless written; per family the
  // lab's links carry, a /31 (/127) from the pool (skipping service prefixes
  // and written subnets) unless written.
  void links() {
    const std::vector<Family> families = lab_.spec.link_families();
    std::map<Family, AddressPool> pools{{Family::kIpv4, AddressPool(kLinkPool, 31)},
                                        {Family::kIpv6, AddressPool(kLinkPool6, 127)}};
    for (auto& [f, pool] : pools) {
      for (const ServiceSpec& s : lab_.spec.services)
        for (const auto& p : s.prefixes) pool.reserve(p.value);
      for (const LinkSpec& l : lab_.spec.links)
        if (auto w = l.written(f)) pool.reserve(w->first.network());
    }
    std::map<std::string, std::set<std::string>> used;
    for (const LinkSpec& l : lab_.spec.links)
      for (const EndpointSpec* e : {&l.a, &l.b})
        if (e->interface) used[e->node.value].insert(e->interface->value);
    for (const LinkSpec& ls : lab_.spec.links) {
      Link l;
      l.a_node = ls.a.node.value;
      l.b_node = ls.b.node.value;
      l.a_interface = ls.a.interface ? ls.a.interface->value : next_interface(used[l.a_node]);
      l.b_interface = ls.b.interface ? ls.b.interface->value : next_interface(used[l.b_node]);
      for (Family f : families) {
        if (auto w = ls.written(f)) {
          l.addresses.push_back({w->first, w->second});
        } else if (auto net = pools.at(f).next()) {
          l.addresses.push_back({*net, {net->address.plus(1), net->length}});
        } else {
          diag_.error(ls.mark, fmt::format("no link subnet left in {}; write `addresses:` on some links",
                                           (f == Family::kIpv4 ? kLinkPool : kLinkPool6).str()));
        }
      }
      Node& a = node(l.a_node);
      Node& b = node(l.b_node);
      const bool igp = a.loopback && b.loopback && a.asn == b.asn;
      Interface ia{l.a_interface, {}, b.name, l.b_interface, ls.relation_of_b(), igp},
          ib{l.b_interface, {}, a.name, l.a_interface, ls.relation_of_a(), igp};
      for (const Link::Addresses& p : l.addresses) {
        ia.addresses.push_back({p.a, p.b.address});
        ib.addresses.push_back({p.b, p.a.address});
      }
      a.interfaces.push_back(std::move(ia));
      b.interfaces.push_back(std::move(ib));
      lab_.links.push_back(std::move(l));
    }
  }

  // eBGP on every link between a router and a router or an instance, one
  // session per family the link carries (with an instance, per family of
  // its service: another would carry nothing); a default route per family
  // toward the first linked router for the others.
  // A router with relations treats its instances as customers (their
  // routes are its own to give to everyone); without, no session has one.
  void sessions() {
    auto carries = [](const Node& n, Family f) { return n.kind != NodeKind::kInstance || n.service->has(f); };
    for (Node& n : lab_.nodes) {
      const bool relations = std::ranges::any_of(n.interfaces, [](const Interface& i) { return i.relation != Relation::kNone; });
      for (const Interface& i : n.interfaces) {
        const Node& peer = node(i.peer_node);
        const bool session = n.kind != NodeKind::kClient && peer.kind != NodeKind::kClient &&
                             (n.kind == NodeKind::kRouter || peer.kind == NodeKind::kRouter) && !i.igp;
        for (const InterfaceAddress& a : i.addresses) {
          const Family f = a.peer.family;
          if (session && carries(n, f) && carries(peer, f))
            n.neighbors.push_back({peer.name, i.name, a.peer, a.local.address, peer.asn, n.bfd && peer.bfd,
                                   relations && n.kind == NodeKind::kRouter && peer.kind == NodeKind::kInstance
                                       ? Relation::kCustomer
                                       : i.relation});
          const bool has_gateway =
              std::ranges::any_of(n.gateways, [&](const IpAddress& g) { return g.family == f; });
          if (n.kind != NodeKind::kRouter && !has_gateway && peer.kind == NodeKind::kRouter) n.gateways.push_back(a.peer);
        }
      }
      if (n.loopback) ibgp(n);
    }
  }

  // iBGP between loopbacks, to every AS-mate or to the AS's reflectors (a
  // reflector's clients are the AS-mates that do not reflect).
  void ibgp(Node& n) {
    for (const NodeSpec* m : lab_.spec.ibgp_peers(*n.spec)) {
      const Node& peer = node(m->name.value);
      // One session per family, as on eBGP: IPv6 between the IPv6 loopbacks.
      for (const auto& [mine, theirs] : {std::pair{n.loopback, peer.loopback}, std::pair{n.loopback6, peer.loopback6}})
        if (mine && theirs)
          n.neighbors.push_back({.node = peer.name,
                                 .interface = "lo",
                                 .address = *theirs,
                                 .local_address = *mine,
                                 .asn = peer.asn,
                                 .ibgp = true,
                                 .rr_client = n.spec->reflects() && !m->reflects()});
    }
  }

  void configs() {
    for (Node& n : lab_.nodes) {
      if (validates_rpki(n)) n.files["vrps.json"] = render_vrps(lab_.spec.rpki->roas);
      // A router's own config is its whole frr.conf, every daemon's
      // (app/own_configs.h puts it in place).
      if (n.kind == NodeKind::kRouter && n.spec->config) continue;
      if (n.kind == NodeKind::kRouter) n.files["frr.conf"] = render_frr(lab_, n);
      if (has_background(n)) {
        n.files[kFeederConfig] = render_feeder(lab_, n);
        n.files[kBackgroundDump] = background_dump(lab_, n);
        n.background_routes = background_accepted(lab_, n);
      }
      if (n.kind == NodeKind::kInstance) speaker_configs(n);
      if (n.kind == NodeKind::kInstance && n.spec->health && n.spec->health->command) {
        n.files["health-check.sh"] = render_health_script(lab_, n);
        for (const HealthSpec::File& f : n.spec->health->files) n.files[f.name] = f.text;
      }
      if (uses_bfd(n)) n.files["bfdd.conf"] = render_bfdd(lab_, n);
      if (n.loopback) n.files[igp_config_file(lab_.spec.defaults.igp.value)] = render_igp(lab_, n);
      if (n.loopback6 && lab_.spec.defaults.igp.value == Igp::kOspf) n.files["ospf6d.conf"] = render_ospf6(lab_, n);
    }
  }

 private:
  // ExaBGP's config (and its healthcheck's), or BIRD's (and its routes) or
  // GoBGP's, and the health loop that drives them.
  void speaker_configs(Node& n) {
    if (!n.spec->speaks_bird() && !n.spec->speaks_gobgp()) {
      n.files["exabgp.conf"] = render_exabgp(lab_, n);
      if (n.spec->health) n.files["healthcheck.conf"] = render_healthcheck(lab_, n);
      return;
    }
    if (n.spec->speaks_gobgp()) n.files["gobgpd.toml"] = render_gobgp(lab_, n);
    if (n.spec->speaks_bird()) {
      n.files["bird.conf"] = render_bird(lab_, n);
      for (const auto& p : n.service->prefixes) {
        const bool v6 = p.value.family() == Family::kIpv6;
        n.files[bird_routes_name(v6)] = render_bird_routes(n, v6);
      }
    }
    if (n.spec->health) n.files["health-loop.sh"] = render_health_loop(lab_, n);
  }

  Node& node(const std::string& name) {
    for (Node& n : lab_.nodes)
      if (n.name == name) return n;
    throw std::logic_error("resolve: unknown node " + name);  // the loader checked references
  }

  Lab& lab_;
  Diagnostics& diag_;
};

}  // namespace

std::expected<Lab, Diagnostics> resolve(LabSpec spec, const Paths& paths) {
  Lab lab;
  lab.spec = std::move(spec);
  lab.paths = paths;
  lab.timings = timings_of(lab.spec.defaults);
  lab.name = lab.spec.name.value;
  lab.runtime_dir = fmt::format("{}/{}", paths.runtime_root, lab.name);
  Diagnostics diag;
  Resolver r(lab, diag);
  r.nodes();
  r.links();
  r.sessions();
  if (!diag.empty()) return std::unexpected(diag);
  r.configs();
  return lab;
}

}  // namespace anylab
