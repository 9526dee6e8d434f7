// The rules of a lab file's topology: services, nodes, links, relations,
// damping, ROAs, addresses, attachments, and clients within reach of an
// instance.
#include "load/checker.h"

#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

namespace anylab::load_detail {

NodeKind Checker::kind(const std::string& name) const { return spec_.find_node(name)->kind.value; }

void Checker::want_kind(const Marked<std::string>& ref, NodeKind k, std::string_view role) {
  const NodeSpec* n = spec_.find_node(ref.value);
  if (n && n->kind.value != k)
    d_.error(ref.mark, fmt::format("{} must name {}, but \"{}\" is {}", role, a(k), ref.value, a(n->kind.value)));
}

void Checker::check_timers(int keepalive, int hold, SourceMark mark) {
  if (hold != 0 && keepalive * 3 > hold)
    d_.error(mark, fmt::format("BGP hold time {}s is less than three keepalives ({}s each); "
                               "one lost keepalive would drop the session: raise hold or lower keepalive",
                               hold, keepalive));
}

void Checker::check_network(const Marked<IpPrefix>& p, std::string_view what) {
  if (p.value.has_host_bits())
    d_.error(p.mark, fmt::format("{} {} has host bits set; the network is {}", what, p.value.str(),
                                 p.value.network().str()));
}

void Checker::check_service(const ServiceSpec& s) {
  std::map<Family, const Marked<IpPrefix>*> prefix;
  for (const auto& p : s.prefixes) {
    check_network(p, "prefix");
    auto [first, fresh] = prefix.emplace(p.value.family(), &p);
    if (!fresh)
      d_.error(p.mark, fmt::format("service \"{}\" has two {} prefixes ({} and {}); a dual-stack service lists "
                                   "one IPv4 and one IPv6 prefix",
                                   s.name.value, display_name(p.value.family()), first->second->value.str(),
                                   p.value.str()));
  }
  std::set<Family> addressed;
  for (const auto& a : s.addresses) {
    const Family f = a.value.family;
    if (!addressed.insert(f).second) {
      d_.error(a.mark, fmt::format("service \"{}\" has two {} addresses; it answers on one per family",
                                   s.name.value, display_name(f)));
    } else if (!prefix.contains(f)) {
      d_.error(a.mark, fmt::format("service address {} is {}, but the service has no {} prefix; list a prefix "
                                   "of each family it has an address in",
                                   a.value.str(), display_name(f), display_name(f)));
    } else if (!prefix[f]->value.contains(a.value)) {
      d_.error(a.mark, fmt::format("service address {} is outside the service prefix {}", a.value.str(),
                                   prefix[f]->value.str()));
    }
  }
  for (const auto& [f, p] : prefix)
    if (!addressed.contains(f))
      d_.error(p->mark, fmt::format("prefix {} has no address: add an {} address inside it to `address:`",
                                    p->value.str(), display_name(f)));
  check_asn(s.asn);
  for (const ServiceSpec& o : spec_.services) {
    if (&o == &s) break;
    for (const auto& op : o.prefixes)
      for (const auto& p : s.prefixes)
        if (op.value.overlaps(p.value))
          d_.error(p.mark, fmt::format("prefix {} overlaps service \"{}\" ({}); each service needs its own",
                                       p.value.str(), o.name.value, op.value.str()));
  }
}

void Checker::check_asn(const Marked<uint32_t>& asn) {
  if (asn.value == 23456)
    d_.error(asn.mark, "ASN 23456 is AS_TRANS, reserved for 4-byte ASN transition; pick another");
}

void Checker::not_for(const NodeSpec& n, bool present, SourceMark mark, std::string_view key, std::string_view who) {
  if (present)
    d_.error(mark, fmt::format("\"{}\" is for {} only; \"{}\" is {}", key, who, n.name.value, a(n.kind.value)));
}

void Checker::check_node(const NodeSpec& n) {
  const bool router = n.kind.value == NodeKind::kRouter;
  const bool instance = n.kind.value == NodeKind::kInstance;
  if (n.asn) check_asn(*n.asn);
  if (router && !n.asn)
    d_.error(n.name.mark, fmt::format("router \"{}\" needs an `asn:`", n.name.value));
  if (instance && !n.service)
    d_.error(n.name.mark, fmt::format("instance \"{}\" needs a `service:` (one of the lab's services)",
                                      n.name.value));
  check_kind_keys(n);
  check_own_config(n);
  check_routing(n);
  check_instance(n);
  if (n.router_id) {
    auto [it, fresh] = router_ids_.emplace(n.router_id->value, n.name.value);
    if (!fresh)
      d_.error(n.router_id->mark, fmt::format("router-id {} is already used by \"{}\"",
                                              n.router_id->value.str(), it->second));
  }
}

// Keys that belong to another kind of node, and an instance's capacity.
void Checker::check_kind_keys(const NodeSpec& n) {
  const bool router = n.kind.value == NodeKind::kRouter;
  const bool instance = n.kind.value == NodeKind::kInstance;
  not_for(n, !instance && n.service.has_value(), n.service ? n.service->mark : SourceMark{}, "service", "instances");
  not_for(n, !instance && n.health.has_value(), n.health ? n.health->mark : SourceMark{}, "health", "instances");
  not_for(n, !instance && n.scope.has_value(), n.scope ? n.scope->mark : SourceMark{}, "scope", "instances");
  not_for(n, !instance && n.speaker.has_value(), n.speaker ? n.speaker->mark : SourceMark{}, "speaker", "instances");
  not_for(n, !router && n.rpki.has_value(), n.rpki ? n.rpki->mark : SourceMark{}, "rpki", "routers");
  not_for(n, !router && n.damping.has_value(), n.damping ? n.damping->mark : SourceMark{}, "damping", "routers");
  not_for(n, !router && n.background.has_value(), n.background ? n.background->mark : SourceMark{}, "background",
          "routers");
  if (router && n.background && n.background->routes.has_value() == n.background->mrt.has_value())
    d_.error(n.background->mark, fmt::format("\"{}\"'s background needs one of `routes: N` (synthetic routes) or "
                                             "`mrt: FILE` (a RIB dump to replay){}",
                                             n.name.value, n.background->routes ? ", not both" : ""));
  not_for(n, n.kind.value != NodeKind::kClient && n.flows.has_value(), n.flows ? n.flows->mark : SourceMark{},
          "flows", "clients");
  not_for(n, !router && n.route_reflector.has_value(), n.route_reflector ? n.route_reflector->mark : SourceMark{},
          "route-reflector", "routers");
  not_for(n, n.kind.value != NodeKind::kClient && n.weight.has_value(), n.weight ? n.weight->mark : SourceMark{},
          "weight", "clients");
  not_for(n, !instance && n.capacity.has_value(), n.capacity ? n.capacity->mark : SourceMark{}, "capacity",
          "instances");
  if (n.capacity && !(n.capacity->value > 0))
    d_.error(n.capacity->mark, "a capacity is more than 0 queries a second, like 500/s");
  if (instance && n.health && n.health->withdraw_on_overload && !n.capacity)
    d_.error(n.health->withdraw_on_overload->mark,
             fmt::format("\"{}\" withdraws on overload but has no capacity to be over: add `capacity:` (like "
                         "500/s) to it, or leave `overload:` out",
                         n.name.value));
}

// `config:` replaces what anylab renders: its keys that go into that
// rendering have nowhere to go, and ExaBGP's config is anylab's (its API
// process is how announcements are made).
void Checker::check_own_config(const NodeSpec& n) {
  if (!n.config) return;
  const SourceMark at = n.config->path.mark;
  if (n.kind.value == NodeKind::kClient)
    return d_.error(at, fmt::format("\"config\" is for routers and instances only; \"{}\" is a client", n.name.value));
  if (n.kind.value == NodeKind::kInstance && !n.speaks_bird() && !n.speaks_gobgp())
    return d_.error(at, fmt::format("\"{}\" announces with ExaBGP, whose config anylab writes (its API process is how "
                                    "anylab announces and withdraws); for a config of your own, use `speaker: bird` "
                                    "or `speaker: gobgp`",
                                    n.name.value));
  auto in_yours = [&](bool present, SourceMark mark, std::string_view key) {
    if (present)
      d_.error(mark, fmt::format("\"{}\" goes into the config anylab writes, and \"{}\" has its own (`config:`): "
                                 "write it in yours",
                                 key, n.name.value));
  };
  in_yours(n.frr.has_value(), n.frr ? n.frr->mark : SourceMark{}, "frr");
  in_yours(n.damping.has_value(), n.damping ? n.damping->mark : SourceMark{}, "damping");
  in_yours(n.background.has_value(), n.background ? n.background->mark : SourceMark{}, "background");
}

// A router's damping and RPKI, keys for BGP speakers, and BGP timers.
void Checker::check_routing(const NodeSpec& n) {
  const bool router = n.kind.value == NodeKind::kRouter;
  const bool instance = n.kind.value == NodeKind::kInstance;
  if (router && n.damping) check_damping(*n.damping);
  if (router && n.rpki && !spec_.rpki)
    d_.error(n.rpki->mark, fmt::format("\"{}\" validates route origins (rpki: {}), but the lab has no `rpki:` "
                                       "section with its ROAs: add one (`rpki: {{roas: []}}` publishes none)",
                                       n.name.value, n.rpki->value));
  not_for(n, !instance && n.announce.mark.line != 0, n.announce.mark, "announce", "instances");
  not_for(n, n.kind.value == NodeKind::kClient && n.bfd.value, n.bfd.mark, "bfd", "routers and instances");
  not_for(n, !router && n.frr.has_value(), n.frr ? n.frr->mark : SourceMark{}, "frr", "routers");
  not_for(n, n.kind.value == NodeKind::kClient && n.asn.has_value(), n.asn ? n.asn->mark : SourceMark{}, "asn",
          "routers and instances");
  not_for(n, n.kind.value == NodeKind::kClient && n.bgp_mark.line != 0, n.bgp_mark, "bgp",
          "routers and instances");
  not_for(n, !router && n.bgp.advertisement_interval.has_value(),
          n.bgp.advertisement_interval ? n.bgp.advertisement_interval->mark : SourceMark{}, "advertisement-interval",
          "routers");
  if (n.bgp.keepalive || n.bgp.hold)
    check_timers(n.bgp.keepalive.value_or(spec_.defaults.keepalive), n.bgp.hold.value_or(spec_.defaults.hold),
                 n.bgp_mark);
}

// An instance's more-specifics and health check.
void Checker::check_instance(const NodeSpec& n) {
  const bool instance = n.kind.value == NodeKind::kInstance;
  if (instance && n.service) {
    if (const ServiceSpec* s = spec_.find_service(n.service->value)) {
      for (const auto& m : n.announce.more_specifics) {
        check_network(m, "more-specific");
        const IpPrefix* p = s->prefix(m.value.family());
        if (!p)
          d_.error(m.mark, fmt::format("more-specific {} is {}, but service \"{}\" has no {} prefix", m.value.str(),
                                       display_name(m.value.family()), s->name.value, display_name(m.value.family())));
        else if (!p->contains(m.value) || m.value.length <= p->length)
          d_.error(m.mark, fmt::format("more-specific {} is not inside the service prefix {}", m.value.str(),
                                       p->str()));
      }
    }
  }
  if (instance && n.health && !n.announce.at_start)
    d_.error(n.announce.mark, fmt::format("\"{}\" has `health:`, whose check announces as soon as it rises: "
                                          "`at-start: false` cannot keep it silent; leave one out",
                                          n.name.value));
  if (n.health && n.health->interval.count() % 1'000'000 != 0)
    d_.error(n.health->mark, "health interval must be whole seconds (ExaBGP's healthcheck counts in seconds)");
  if (n.health && (n.health->timeout.count() % 1'000'000 != 0 || n.health->timeout.count() == 0))
    d_.error(n.health->timeout_mark, "a health command's timeout is whole seconds, at least 1s (ExaBGP's healthcheck "
                             "counts in seconds)");
  if (n.health) check_health_files(n);
  if (n.health && n.health->command && n.health->withdraw_on_overload)
    d_.error(n.health->withdraw_on_overload->mark,
             fmt::format("\"{}\" checks its health with your command, and `overload: withdraw` is a failure of "
                         "anylab's own check of the responder: leave one out (your command can test the load itself)",
                         n.name.value));
}

// A health command's files land in the instance's directory under their own
// names: not beside one another twice, and never over one of anylab's.
void Checker::check_health_files(const NodeSpec& n) {
  const HealthSpec& h = *n.health;
  if (!h.files.empty() && !h.command)
    d_.error(h.files.front().path.mark, fmt::format("\"{}\" copies files for a health command and has none: add "
                                                    "`command:` (like \"sh {}\"), or leave `files:` out",
                                                    n.name.value, h.files.front().name));
  static const std::set<std::string_view> anylabs{"exabgp.conf", "healthcheck.conf", "health-check.sh", "bfdd.conf",
                                                   "hosts", "start.sh", "control.fifo", "served.tsv", "bird.conf",
                                                   "bird.ctl", "anycast4.conf", "anycast6.conf", "health-loop.sh",
                                                   "gobgpd.toml", "gobgp.sock"};
  std::map<std::string, int> lines;
  for (const HealthSpec::File& f : h.files) {
    const std::string_view name = f.name;
    if (anylabs.contains(name) || name.ends_with(".pid") || name.ends_with(".log") || name.ends_with(".out"))
      d_.error(f.path.mark, fmt::format("\"{}\" is a name anylab gives a file of the instance's own: rename your "
                                        "file (its name is kept in the instance's directory)",
                                        name));
    else if (auto [first, fresh] = lines.emplace(f.name, f.path.mark.line); !fresh)
      d_.error(f.path.mark, fmt::format("a second file named \"{}\" (the first is on line {}): the files land in "
                                        "one directory under their own names",
                                        name, first->second));
  }
}

void Checker::check_link(const LinkSpec& l) {
  if (l.a.node.value == l.b.node.value) {
    d_.error(l.b.node.mark, fmt::format("a link from \"{}\" to itself; a link joins two nodes", l.a.node.value));
    return;
  }
  for (const EndpointSpec* e : {&l.a, &l.b}) {
    links_of_[e->node.value].push_back(&l);
    if (!e->interface) continue;
    if (e->interface->value == "lo")
      d_.error(e->interface->mark, "\"lo\" is the loopback; a link needs an interface of its own, like eth1");
    auto [it, fresh] = interfaces_.emplace(e->node.value + ":" + e->interface->value, e->interface->mark);
    if (!fresh)
      d_.error(e->interface->mark, fmt::format("interface {}:{} is already used by the link on line {}",
                                               e->node.value, e->interface->value, it->second.line));
  }
  const NodeKind ka = kind(l.a.node.value), kb = kind(l.b.node.value);
  if (ka != NodeKind::kRouter && kb != NodeKind::kRouter)
    d_.error(l.mark, fmt::format("a link between {} \"{}\" and {} \"{}\": {}s and {}s connect to routers",
                                 to_string(ka), l.a.node.value, to_string(kb), l.b.node.value, to_string(ka),
                                 to_string(kb)));
  if (ka == NodeKind::kRouter && kb == NodeKind::kRouter && l.relation) {
    const NodeSpec* a = spec_.find_node(l.a.node.value);
    const NodeSpec* b = spec_.find_node(l.b.node.value);
    if (a->asn && b->asn && a->asn->value == b->asn->value)
      d_.error(l.relation->mark, fmt::format("routers \"{}\" and \"{}\" are both in AS {}, one network: a "
                                             "relation is between ASes; remove `relation:`",
                                             a->name.value, b->name.value, a->asn->value));
  }
  if (l.relation) check_relation(l, ka, kb);
  const auto& addr = l.addresses;
  if (addr.size() % 2 != 0) {
    d_.error(addr.back().mark, "a link takes two addresses per family, one per endpoint, or none (then they come "
                               "from the pool)");
    return;
  }
  std::set<Family> written;
  for (size_t i = 0; i + 1 < addr.size(); i += 2) {
    if (addr[i].value.family() != addr[i + 1].value.family()) {
      d_.error(addr[i + 1].mark, fmt::format("link addresses {} and {} are of different families; write them in "
                                             "pairs, [a, b] of IPv4 then [a, b] of IPv6",
                                             addr[i].value.str(), addr[i + 1].value.str()));
      continue;
    }
    if (!written.insert(addr[i].value.family()).second) {
      d_.error(addr[i].mark, fmt::format("this link already has its {} pair; write one pair per family",
                                         display_name(addr[i].value.family())));
      continue;
    }
    check_link_addresses(l, addr[i], addr[i + 1]);
  }
}

void Checker::check_relation(const LinkSpec& l, NodeKind ka, NodeKind kb) {
  const SourceMark mark = l.relation->mark;
  if (ka == NodeKind::kRouter && kb == NodeKind::kRouter) {
    const Relation b = l.relation_of_b();
    if (b == Relation::kCustomer) customers_[l.a.node.value].push_back({l.b.node.value, mark});
    if (b == Relation::kProvider) customers_[l.b.node.value].push_back({l.a.node.value, mark});
    return;
  }
  if (ka != NodeKind::kRouter && kb != NodeKind::kRouter) return;  // said above
  const bool a_instance = ka == NodeKind::kInstance, b_instance = kb == NodeKind::kInstance;
  if (!a_instance && !b_instance) {
    d_.error(mark, fmt::format("`relation:` is for a link between two routers, or a router and an instance; \"{}\" "
                               "is {}: remove `relation:`",
                               ka == NodeKind::kClient ? l.a.node.value : l.b.node.value, a(NodeKind::kClient)));
    return;
  }
  const Relation instance_is = a_instance ? l.relation_of_a() : l.relation_of_b();
  if (instance_is != Relation::kCustomer)
    d_.error(mark, fmt::format("an instance is its router's customer, but this says \"{}\" is \"{}\"'s {}: write "
                               "`relation: {}` or leave it out",
                               a_instance ? l.a.node.value : l.b.node.value, a_instance ? l.b.node.value : l.a.node.value,
                               to_string(instance_is), a_instance ? "c2p" : "p2c"));
}

// FRR takes the half-life and the longest suppression in whole minutes:
// half-life 1..45, max-suppress 1..255; reuse below suppress.
void Checker::check_damping(const DampingSpec& d) {
  using std::chrono::minutes;
  auto whole_minutes = [](Duration t) { return t.count() % std::chrono::duration_cast<Duration>(minutes(1)).count() == 0; };
  const auto half = std::chrono::duration_cast<minutes>(d.half_life).count();
  const auto max = std::chrono::duration_cast<minutes>(d.max_suppress).count();
  if (!whole_minutes(d.half_life) || half < 1 || half > 45)
    d_.error(d.mark, fmt::format("damping half-life is {}: FRR takes whole minutes from 1m to 45m",
                                 format_duration(d.half_life)));
  if (!whole_minutes(d.max_suppress) || max < 1 || max > 255)
    d_.error(d.mark, fmt::format("damping max-suppress is {}: FRR takes whole minutes from 1m to 255m",
                                 format_duration(d.max_suppress)));
  if (d.reuse >= d.suppress)
    d_.error(d.mark, fmt::format("damping reuse {} must be below suppress {}: a route is suppressed above "
                                 "suppress and used again below reuse",
                                 d.reuse, d.suppress));
}

void Checker::check_roa(const Roa& r) {
  check_network(r.prefix, "ROA prefix");
  if (!r.max_length) return;
  const int max = r.max_length->value, width = r.prefix.value.address.width();
  if (max < r.prefix.value.length)
    d_.error(r.max_length->mark, fmt::format("max-length {} is shorter than the ROA's prefix {}: it would authorise "
                                             "nothing; give at least {}",
                                             max, r.prefix.value.str(), r.prefix.value.length));
  else if (max > width)
    d_.error(r.max_length->mark, fmt::format("max-length {} is longer than an {} prefix can be ({})", max,
                                             display_name(r.prefix.value.family()), width));
}

bool Checker::validates(const std::string& router) const {
  const NodeSpec* n = spec_.find_node(router);
  return n && n->rpki;
}

// Whether a router has a peer or a provider by `relation:`.
bool Checker::has_upward_relation(const std::string& router) const {
  for (const LinkSpec& l : spec_.links) {
    if (l.a.node.value == router && (l.relation_of_b() == Relation::kPeer || l.relation_of_b() == Relation::kProvider))
      return true;
    if (l.b.node.value == router && (l.relation_of_a() == Relation::kPeer || l.relation_of_a() == Relation::kProvider))
      return true;
  }
  return false;
}

// Providers in a circle (a is b's provider, b is c's, c is a's) make
// valley-free export meaningless: reported once, at the link that closes it.
void Checker::check_provider_cycles() {
  std::map<std::string, int> state;  // 1 on the path, 2 done
  std::vector<std::pair<std::string, SourceMark>> path;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    state[n] = 1;
    for (const auto& [customer, mark] : customers_[n]) {
      if (state[customer] == 1) {
        std::vector<std::string> circle;
        bool in = false;
        for (const auto& step : path) {
          in = in || step.first == customer;
          if (in) circle.push_back(step.first);
        }
        circle.push_back(customer);
        std::string text;
        for (size_t i = 0; i + 1 < circle.size(); ++i)
          text += fmt::format("{}\"{}\" is \"{}\"'s provider", i ? ", " : "", circle[i], circle[i + 1]);
        d_.error(mark, fmt::format("providers in a circle: {}; make one of these links p2p or turn it round", text));
        return true;
      }
      if (state[customer] == 2) continue;
      path.push_back({customer, mark});
      if (visit(customer)) return true;
      path.pop_back();
    }
    state[n] = 2;
    return false;
  };
  for (const NodeSpec& n : spec_.nodes)
    if (!state[n.name.value]) {
      path = {{n.name.value, {}}};
      if (visit(n.name.value)) return;
    }
}

void Checker::check_link_addresses(const LinkSpec& l, const Marked<IpPrefix>& ma, const Marked<IpPrefix>& mb) {
  const IpPrefix a = ma.value, b = mb.value;
  const bool v4 = a.family() == Family::kIpv4;
  if (a.length != b.length || a.network() != b.network() || a.length > a.address.width() - 1) {
    d_.error(mb.mark, fmt::format("link addresses {} and {} are not in one subnet; write two addresses of one {}",
                                  a.str(), b.str(),
                                  v4 ? "/31 or /30, like 198.18.9.0/31 and 198.18.9.1/31"
                                     : "/127 or /64, like 2001:db8:9::/127 and 2001:db8:9::1/127"));
    return;
  }
  if (a.address == b.address) d_.error(mb.mark, "both ends of the link have the same address");
  for (const auto& [net, line] : link_nets_)
    if (net.overlaps(a.network()))
      d_.error(ma.mark, fmt::format("link subnet {} overlaps the link on line {}", a.network().str(), line));
  for (const ServiceSpec& s : spec_.services)
    for (const auto& p : s.prefixes)
      if (p.value.overlaps(a.network()))
        d_.error(ma.mark, fmt::format("link subnet {} overlaps service \"{}\" ({})", a.network().str(),
                                      s.name.value, p.value.str()));
  link_nets_.emplace_back(a.network(), l.mark.line);
}

void Checker::check_attachments() {
  for (const NodeSpec& n : spec_.nodes)
    if (n.kind.value != NodeKind::kRouter && !links_of_.contains(n.name.value))
      d_.error(n.name.mark, fmt::format("{} \"{}\" has no link; link it to a router", to_string(n.kind.value),
                                        n.name.value));
}

// Every client must have an instance of every service within reach of
// its packets, or it is never answered and the lab never ready.
void Checker::check_clients_in_reach() {
  for (const NodeSpec& c : spec_.nodes) {
    if (c.kind.value != NodeKind::kClient || !links_of_.contains(c.name.value)) continue;
    for (const ServiceSpec& s : spec_.services) {
      std::optional<size_t> nearest;
      std::string who;
      for (const NodeSpec& i : spec_.nodes)
        if (i.service && i.service->value == s.name.value)
          if (auto r = routers_between(c.name.value, i.name.value); r && (!nearest || *r < *nearest))
            nearest = r, who = i.name.value;
      if (nearest && *nearest > kMaxRouters)
        d_.error(c.name.mark, fmt::format("client \"{}\" is {} routers from the nearest instance of service \"{}\" "
                                          "({}), and a packet crosses at most {} (the TTL is 64): it would never be "
                                          "answered; put an instance nearer or shorten the path",
                                          c.name.value, *nearest, s.name.value, who, kMaxRouters));
    }
  }
}

}  // namespace anylab::load_detail

namespace anylab::load_detail {

// An AS of several routers: its routers joined by links inside the AS (the
// IGP runs over those only), and a route reflector with clients to reflect
// to.
void Checker::check_autonomous_systems() {
  std::set<uint32_t> done;
  for (const NodeSpec& n : spec_.nodes) {
    if (n.reflects() && n.kind.value == NodeKind::kRouter && !spec_.in_shared_as(n))
      d_.error(n.route_reflector->mark, fmt::format("\"{}\" is a route reflector alone in its AS{}: it has no "
                                                    "AS-mates to reflect to; give other routers its ASN, or remove "
                                                    "`route-reflector:`",
                                                    n.name.value, n.asn ? fmt::format(" ({})", n.asn->value) : ""));
    if (!spec_.in_shared_as(n) || !done.insert(n.asn->value).second) continue;
    const uint32_t asn = n.asn->value;
    const auto mates = spec_.routers_of(asn);
    // Who n reaches over links between routers of the AS.
    std::set<std::string> reached{n.name.value};
    for (bool grew = true; grew;) {
      grew = false;
      for (const LinkSpec& l : spec_.links) {
        const NodeSpec* a = spec_.find_node(l.a.node.value);
        const NodeSpec* b = spec_.find_node(l.b.node.value);
        if (!a || !b || !spec_.in_shared_as(*a) || !spec_.in_shared_as(*b) || a->asn->value != asn ||
            b->asn->value != asn)
          continue;
        if (reached.contains(a->name.value) != reached.contains(b->name.value)) {
          reached.insert(a->name.value);
          reached.insert(b->name.value);
          grew = true;
        }
      }
    }
    for (const NodeSpec* m : mates)
      if (!reached.contains(m->name.value))
        d_.error(m->asn->mark, fmt::format("routers \"{}\" and \"{}\" are both in AS {} but no path joins them "
                                           "inside the AS (its IGP runs over links between its own routers): link "
                                           "them, or give them different ASNs",
                                           n.name.value, m->name.value, asn));
    const bool reflector = std::any_of(mates.begin(), mates.end(), [](const NodeSpec* m) { return m->reflects(); });
    const bool client = std::any_of(mates.begin(), mates.end(), [](const NodeSpec* m) { return !m->reflects(); });
    if (reflector && !client)
      d_.error(mates.front()->route_reflector->mark,
               fmt::format("every router of AS {} is a route reflector, so none has clients to reflect to: "
                           "leave `route-reflector: true` on some of them only",
                           asn));
  }
}

}  // namespace anylab::load_detail
