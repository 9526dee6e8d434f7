// The rules of a lab file's scenarios: every step and expectation names
// real links, sessions, clients and instances, and asks what can be measured.
#include "load/checker.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace anylab::load_detail {

// An expectation that a client reaches an instance its packets cannot.
void Checker::want_in_reach(SourceMark mark, const std::string& client, const std::string& instance) {
  const NodeSpec* c = spec_.find_node(client);
  const NodeSpec* i = spec_.find_node(instance);
  if (!c || !i || c->kind.value != NodeKind::kClient || i->kind.value != NodeKind::kInstance) return;
  if (auto r = routers_between(client, instance); r && *r > kMaxRouters)
    d_.error(mark, fmt::format("instance \"{}\" is {} routers from client \"{}\" on the shortest path, and a "
                               "packet crosses at most {} (the TTL is 64): it can never answer; put an instance "
                               "nearer or shorten the path",
                               instance, *r, client, kMaxRouters));
}

bool Checker::linked(const std::string& a, const std::string& b) const {
  auto it = links_of_.find(a);
  if (it == links_of_.end()) return false;
  for (const LinkSpec* l : it->second)
    if (l->a.node.value == b || l->b.node.value == b) return true;
  return false;
}

void Checker::want_link(const NodePair& p, std::string_view what) {
  if (!linked(p.a.value, p.b.value))
    d_.error(p.a.mark, fmt::format("there is no link between \"{}\" and \"{}\" to {}", p.a.value, p.b.value, what));
}

// eBGP over a link between a router and a router of another AS or an
// instance; iBGP between AS-mates (all of them, or to their reflectors).
bool Checker::session(const std::string& a, const std::string& b) const {
  const NodeSpec* na = spec_.find_node(a);
  const NodeSpec* nb = spec_.find_node(b);
  if (!na || !nb) return false;
  const auto ibgp = spec_.ibgp_peers(*na);
  if (std::find(ibgp.begin(), ibgp.end(), nb) != ibgp.end()) return true;
  const bool same_as = spec_.in_shared_as(*na) && spec_.in_shared_as(*nb) && na->asn->value == nb->asn->value;
  return linked(a, b) && !same_as && (kind(a) == NodeKind::kRouter || kind(b) == NodeKind::kRouter) &&
         kind(a) != NodeKind::kClient && kind(b) != NodeKind::kClient;
}

void Checker::want_session(const Marked<std::string>& a, const Marked<std::string>& b) {
  if (!session(a.value, b.value))
    d_.error(b.mark, fmt::format("there is no BGP session between \"{}\" and \"{}\"; eBGP runs over links "
                                 "between routers of different ASes, and between a router and an instance; iBGP "
                                 "between the routers of one AS (to its route reflectors, when it has some)",
                                 a.value, b.value));
}

void Checker::check_target(const Target& t, std::string_view verb) {
  if (t.kind == Target::Kind::kLink) want_link(t.pair, verb);
  if (t.kind == Target::Kind::kBgp) want_session(t.pair.a, t.pair.b);
  if (t.kind == Target::Kind::kNode && kind(t.node.value) == NodeKind::kClient)
    d_.error(t.node.mark, fmt::format("\"{}\" is a client; it runs nothing to {}", t.node.value, verb));
}

void Checker::check(const StepSpec&, const FailStep& f) {
  check_target(f.target, "fail");
  if (f.mode && f.target.kind != Target::Kind::kNode && f.target.kind != Target::Kind::kService)
    d_.error(f.mode->mark, "\"mode\" applies to a failing node or service, not to a link or a session");
  if (f.mode && f.mode->value == FailMode::kService && f.target.kind == Target::Kind::kNode &&
      kind(f.target.node.value) != NodeKind::kInstance)
    d_.error(f.mode->mark, fmt::format("mode \"service\" stops an instance's responder; \"{}\" is a {}",
                                       f.target.node.value, to_string(kind(f.target.node.value))));
}

void Checker::check(const StepSpec&, const RestoreStep& r) { check_target(r.target, "restore"); }

void Checker::check(const StepSpec&, const AnnounceStep& a) {
  want_kind(a.node, NodeKind::kInstance, a.withdraw ? "`withdraw: node:`" : "`announce: node:`");
  if (a.prefix) check_network(*a.prefix, "prefix");
}

void Checker::check(const StepSpec& st, const RpkiStep& r) {
  if (!spec_.rpki) {
    d_.error(st.mark, "an rpki step changes the lab's published ROAs, but the lab has no `rpki:` section: add one "
                      "(`rpki: {roas: []}` publishes none)");
    return;
  }
  if (r.add.empty() && r.remove.empty()) d_.error(st.mark, "an rpki step needs `add:` or `remove:` ROAs");
  for (const Roa& roa : r.add) check_roa(roa);
  for (const Roa& roa : r.remove) {
    check_roa(roa);
    const bool published = std::any_of(spec_.rpki->roas.begin(), spec_.rpki->roas.end(), [&](const Roa& o) { return o == roa; });
    if (!published)
      d_.error(roa.mark, fmt::format("ROA {} max-length {} AS {} is not among the lab's `rpki: roas:`, so it cannot "
                                     "be removed (each scenario starts from those)",
                                     roa.prefix.value.str(), roa.max(), roa.asn));
  }
}

void Checker::check(const StepSpec& st, const PolicyStep& p) {
  if (!p.prepend && !p.local_pref && !p.med && !p.leak)
    d_.error(st.mark, "a policy step needs prepend, local-pref, med or leak");
  if (kind(p.node.value) == NodeKind::kClient)
    d_.error(p.node.mark, fmt::format("\"{}\" is a client; policy applies to routers and instances", p.node.value));
  if (p.leak) {
    if (p.prepend || p.local_pref || p.med || p.peer)
      d_.error(p.leak->mark, "`leak:` is a step of its own, on all of a router's sessions: write prepend, local-pref, "
                             "med and peer in another policy step");
    else if (kind(p.node.value) != NodeKind::kRouter)
      d_.error(p.node.mark, fmt::format("\"{}\" is {}; `leak:` drops a router's valley-free export filter",
                                        p.node.value, a(kind(p.node.value))));
    else if (!has_upward_relation(p.node.value))
      d_.error(p.leak->mark, fmt::format("\"{}\" has no peer or provider by `relation:`, so it has no valley-free "
                                         "filter to drop; write `relation:` on its links",
                                         p.node.value));
    return;
  }
  if (const NodeSpec* n = spec_.find_node(p.node.value); n && n->config && kind(p.node.value) == NodeKind::kRouter)
    d_.error(p.node.mark, fmt::format("a policy step changes the route-maps anylab writes, and \"{}\" has its own "
                                      "config (`config:`): change yours in another lab file, or apply the policy at an "
                                      "instance",
                                      p.node.value));
  if (p.peer) want_session(p.node, *p.peer);
  if (kind(p.node.value) == NodeKind::kRouter && !p.peer)
    d_.error(p.node.mark, "a router's policy applies toward one neighbor: add `peer:`");
  if (kind(p.node.value) == NodeKind::kInstance && p.local_pref)
    d_.error(p.node.mark, "local-pref is a router's import policy; an instance can prepend or set med");
}

void Checker::check(const StepSpec& st, const ImpairStep& i) {
  want_link(i.link, "impair");
  if (!i.loss_percent && !i.delay) d_.error(st.mark, "an impair step needs loss, delay or both");
}

void Checker::check(const StepSpec&, const FlapStep& f) {
  if (f.node) want_kind(*f.node, NodeKind::kInstance, "`flap: node:`");
  else want_link(f.link, "flap");
}

void Checker::check(const StepSpec&, const WaitStep&) {}

// Percentiles of one measure cannot decrease, nor exceed the bound every
// run meets.
void Checker::check_percentiles(const std::vector<PercentileBound>& bounds, const std::optional<Duration>& max,
                                std::string_view key) {
  for (size_t k = 0; k < bounds.size(); ++k) {
    const PercentileBound& b = bounds[k];
    if (k > 0 && b.bound < bounds[k - 1].bound)
      d_.error(b.mark, fmt::format("{}: p{} {} is below p{} {}; a higher percentile is at least as long", key,
                                   b.percentile, format_duration(b.bound), bounds[k - 1].percentile,
                                   format_duration(bounds[k - 1].bound)));
    if (max && b.bound > *max)
      d_.error(b.mark, fmt::format("{}: p{} {} is over max {}, which every run must meet; no percentile can be over "
                                   "it",
                                   key, b.percentile, format_duration(b.bound), format_duration(*max)));
  }
}

void Checker::check(const StepSpec& st, const ExpectStep& e) {
  if (e.client) want_kind(*e.client, NodeKind::kClient, "`client:`");
  if (e.reaches) want_kind(*e.reaches, NodeKind::kInstance, "`reaches:`");
  if (e.reaches && e.client) want_in_reach(e.reaches->mark, e.client->value, e.reaches->value);
  const bool per_client = e.reaches || e.unreachable || e.outage() || e.loss || e.moved || e.flips;
  if (per_client && !e.client) d_.error(st.mark, "this expectation needs `client:`: which client is probing?");
  const bool control_plane = e.updates || e.settled;
  if (!per_client && !control_plane && e.client && !e.has_within() && !e.stable)
    d_.error(e.client->mark, "expect what of this client? add reaches, unreachable, max-outage, loss, flips or moved");
  if ((e.has_within() && !e.reaches && !e.unreachable && !e.spread) || (e.stable && !e.reaches && !e.unreachable))
    d_.error(st.mark, "within and stable bound `reaches` or `unreachable` (and within a `spread`); add one of them");
  if (e.reaches && e.unreachable && *e.unreachable)
    d_.error(e.reaches->mark, "a client cannot both reach an instance and reach nothing");
  if (!per_client && !e.client && e.catchment.empty() && !e.route && !e.tcp && !e.load && !e.spread && !control_plane)
    d_.error(st.mark, "an expect step needs something to check: reaches, unreachable, max-outage, catchment, "
                      "route, tcp, load, spread, moved, updates or settled");
  if (control_plane) check_control_plane(e);
  check_percentiles(e.within_percentiles, e.within, "within");
  check_percentiles(e.outage_percentiles, e.max_outage, "max-outage");
  if (!e.within_percentiles.empty() && e.spread)
    d_.error(e.within_percentiles.front().mark, "a spread's `within` is a deadline each run meets: write it as one "
                                                "duration (percentiles bound the convergence of reaches and unreachable)");
  if (e.spread) check_spread(*e.spread);
  if (e.moved) check_moved(*e.moved, e.client);
  if (e.load) check_load(*e.load);
  if (e.loss) check_loss(*e.loss);
  if (e.service) check_service(e);
  check_catchment(e);
  if (e.family) check_family(e);
  if (e.route) check_route(*e.route);
  if (e.tcp) check_tcp(*e.tcp);
}

void Checker::check_load(const LoadExpect& load) {
  want_kind(load.instance, NodeKind::kInstance, "`load: instance:`");
  if (!load.at_most && !load.at_least)
    d_.error(load.instance.mark, "a load expectation needs `at-most:` or `at-least:` (a share, like 60%)");
  if (load.mixed_units)
    d_.error(load.at_least->mark, "at-most and at-least bound one thing: both shares (like 60%) or both "
                                     "rates (like 900/s)");
  else if (load.at_most && load.at_least && load.at_least->value > load.at_most->value)
    d_.error(load.at_least->mark, fmt::format("at-least {0}{2} is more than at-most {1}{2}: no {3} can be both",
                                                 load.at_least->value, load.at_most->value,
                                                 load.rate ? "/s" : "%", load.rate ? "rate" : "share"));
  if (load.rate && !spec_.defaults.load_rate)
    d_.error((load.at_most ? load.at_most : load.at_least)->mark,
             "a rate of queries needs offered load: add `load: {rate: 2000/s}` under `defaults:` (or bound "
             "the share of the clients' weight instead, like 60%)");
}

// A share of flows needs a client with several.
void Checker::want_flows(const Marked<std::string>& client, std::string_view what) {
  const NodeSpec* c = spec_.find_node(client.value);
  if (c && c->kind.value == NodeKind::kClient && c->flows_or_one() < 2)
    d_.error(client.mark, fmt::format("{} is a share of a client's flows, and \"{}\" probes from one: give it "
                                      "`flows:` (like 64), each probe then sent from that many source ports",
                                      what, client.value));
}

void Checker::check_bounds(const std::optional<Marked<double>>& at_least, const std::optional<Marked<double>>& at_most,
                           SourceMark mark, std::string_view what) {
  if (!at_most && !at_least)
    d_.error(mark, fmt::format("{} needs `at-most:` or `at-least:` (a share of the client's flows, like 30%)", what));
  if (at_most && at_least && at_least->value > at_most->value)
    d_.error(at_least->mark, fmt::format("at-least {}% is more than at-most {}%: no share can be both",
                                         at_least->value, at_most->value));
}

void Checker::check_spread(const SpreadExpect& s) {
  want_kind(s.client, NodeKind::kClient, "`spread: client:`");
  want_flows(s.client, "a spread");
  const bool each = s.at_least || s.at_most;
  if (each) check_bounds(s.at_least, s.at_most, s.client.mark, "a spread's `each:`");
  std::string service;
  for (const auto& [i, at_least, at_most] : s.instances) {
    if (at_least || at_most) check_bounds(at_least, at_most, i.mark, "a spread's share");
    else if (!each)
      d_.error(i.mark, fmt::format("the spread gives no bounds for \"{0}\": write `{0}: {{at-least: 20%}}` under "
                                   "`instances:`, or bounds for every instance as `each: {{at-least: 20%}}`",
                                   i.value));
    want_kind(i, NodeKind::kInstance, "`spread: instances:`");
    const NodeSpec* n = spec_.find_node(i.value);
    if (!n || !n->service) continue;
    if (service.empty()) service = n->service->value;
    else if (n->service->value != service)
      d_.error(i.mark, fmt::format("\"{}\" is an instance of service \"{}\", and the spread's first instance of "
                                   "\"{}\": a spread shares one service's flows among its instances",
                                   i.value, n->service->value, service));
  }
}

void Checker::check_moved(const MovedExpect& m, const std::optional<Marked<std::string>>& client) {
  if (m.healthy_at_least || m.healthy_at_most)
    check_bounds(m.healthy_at_least, m.healthy_at_most, m.mark, "moved's `healthy:`");
  else
    check_bounds(m.at_least, m.at_most, m.mark, "a moved expectation");
  if (client) want_flows(*client, "moved");
}

void Checker::check_loss(const LossExpect& loss) {
  if (!loss.at_most && !loss.at_least)
    d_.error(loss.mark, "a loss expectation needs `at-most:` or `at-least:` (a share of the probes, like 1%)");
  if (loss.at_most && loss.at_least && loss.at_least->value > loss.at_most->value)
    d_.error(loss.at_least->mark, fmt::format("at-least {}% is more than at-most {}%: no loss can be both",
                                                 loss.at_least->value, loss.at_most->value));
}

// `updates` and `settled` judge the routers, in a step of their own.
void Checker::check_control_plane(const ExpectStep& e) {
  const SourceMark& mark = e.updates ? e.updates->mark : e.settled->mark;
  if (e.updates && e.settled)
    d_.error(e.settled->mark, "one expect step judges one thing: put `updates` and `settled` in two steps");
  const bool other = e.client || e.reaches || e.unreachable || !e.catchment.empty() || e.route || e.tcp || e.load ||
                     e.spread || e.moved || e.loss || e.flips || e.outage() || e.has_within();
  if (other)
    d_.error(mark, fmt::format("`{}` judges the routers, not a client's probes: give it an expect step of its own",
                               e.updates ? "updates" : "settled"));
  if (e.updates && e.updates->router) want_kind(*e.updates->router, NodeKind::kRouter, "`updates: router:`");
  if (e.settled && e.settled->within.value <= Duration::zero())
    d_.error(e.settled->within.mark, "settled within 0s cannot hold: the routers take some time; give a duration "
                                     "like 2s");
}

// `service:` beside `client:`: the probes of one service.
void Checker::check_service(const ExpectStep& e) {
  if (!e.unreachable && !e.outage() && !e.loss && !e.flips && !e.settled)
    d_.error(e.service->mark, "`service:` picks the probes of unreachable, max-outage, loss or flips, or the "
                              "prefixes `settled` watches; this expectation has none of them");
  if (e.reaches)
    if (const NodeSpec* n = spec_.find_node(e.reaches->value); n && n->service && n->service->value != e.service->value)
      d_.error(e.service->mark, fmt::format("\"{}\" is an instance of service \"{}\", not \"{}\"",
                                            e.reaches->value, n->service->value, e.service->value));
}

// One catchment per service a client is in.
void Checker::check_catchment(const ExpectStep& e) {
  std::set<std::pair<std::string, std::string>> seen;  // (service, client): one catchment per service
  for (const CatchmentSpec& c : e.catchment) {
    want_kind(c.instance, NodeKind::kInstance, "a catchment key");
    const NodeSpec* inst = spec_.find_node(c.instance.value);
    const std::string service = inst && inst->service ? inst->service->value : "";
    for (const auto& cl : c.clients) {
      want_kind(cl, NodeKind::kClient, "a catchment member");
      want_in_reach(cl.mark, cl.value, c.instance.value);
      if (!seen.insert({service, cl.value}).second)
        d_.error(cl.mark, fmt::format("client \"{}\" is in two catchments of service \"{}\"", cl.value, service));
    }
  }
}

void Checker::check_route(const RouteExpect& route) {
  want_kind(route.node, NodeKind::kRouter, "`route: node:`");
  if (route.prefix) check_network(*route.prefix, "prefix");
  else if (spec_.services.size() > 1)
    d_.error(route.node.mark, fmt::format("which prefix? this lab has {} services: give the route's `prefix:`",
                                             spec_.services.size()));
  else if (spec_.services.size() == 1 && spec_.services[0].prefixes.size() > 1)
    d_.error(route.node.mark, fmt::format("which prefix? service \"{}\" is dual-stack: give the route's "
                                             "`prefix:`",
                                             spec_.services[0].name.value));
  if (route.rpki && route.absent && route.absent->value)
    d_.error(route.rpki->mark, "a route that is absent has no validation state: give `absent: true` or `rpki:`");
  else if (route.rpki && !validates(route.node.value))
    d_.error(route.rpki->mark, fmt::format("\"{}\" does not validate route origins, so its routes have no "
                                              "validation state: give it `rpki: tag` (or `enforce`)",
                                              route.node.value));
  if (route.absent && route.absent->value && (route.via || route.as_path))
    d_.error(route.absent->mark, fmt::format("a route that is absent has no `via:` or `as-path:`: give "
                                                "`absent: true` alone, or what the route must be"));
  if (route.via && !session(route.node.value, route.via->value))
    d_.error(route.via->mark, fmt::format("\"{}\" is not a BGP neighbor of \"{}\", so no route of {} is "
                                          "learnt from it: name a router or an instance it has a session with",
                                          route.via->value, route.node.value, route.node.value));
}

void Checker::check_tcp(const TcpExpect& tcp) {
  want_kind(tcp.client, NodeKind::kClient, "`tcp: client:`");
  if (tcp.on) {
    want_kind(*tcp.on, NodeKind::kInstance, "`tcp: on:`");
    const NodeSpec* i = spec_.find_node(tcp.on->value);
    const std::string service = tcp.service ? tcp.service->value : spec_.services.empty() ? "" : spec_.services.front().name.value;
    if (i && i->service && i->service->value != service)
      d_.error(tcp.on->mark, fmt::format("\"{}\" is an instance of service \"{}\", and the connection goes to "
                                         "\"{}\"", tcp.on->value, i->service->value, service));
    else if (i && i->service) want_in_reach(tcp.on->mark, tcp.client.value, tcp.on->value);
  }
  if (!tcp.service && spec_.services.size() > 1)
    d_.error(tcp.client.mark, fmt::format("which service does the connection go to? this lab has {} services: "
                                             "add `service:` to `tcp:`",
                                             spec_.services.size()));
}

// `family:` narrows a per-client expectation to one family, which the
// services it is about must have.
void Checker::check_family(const ExpectStep& e) {
  const Family f = e.family->value;
  const auto lacks = [&](const std::string& service) {
    d_.error(e.family->mark, fmt::format("service \"{}\" has no {} prefix, so nothing is probed over {}",
                                         service, display_name(f), to_string(f)));
  };
  if (e.route) {
    d_.error(e.family->mark, "`family:` applies to reaches, unreachable, max-outage, catchment and tcp; a route's "
                             "family is its prefix's");
    return;
  }
  if (e.tcp) {
    const ServiceSpec* s = e.tcp->service ? spec_.find_service(e.tcp->service->value)
                                          : spec_.services.size() == 1 ? &spec_.services[0] : nullptr;
    if (s && !s->has(f)) lacks(s->name.value);
    return;
  }
  std::set<std::string> services;
  if (e.reaches)
    if (const NodeSpec* n = spec_.find_node(e.reaches->value); n && n->service) services.insert(n->service->value);
  for (const CatchmentSpec& c : e.catchment)
    if (const NodeSpec* n = spec_.find_node(c.instance.value); n && n->service) services.insert(n->service->value);
  if (e.service) services.insert(e.service->value);
  for (const std::string& name : services)
    if (const ServiceSpec* s = spec_.find_service(name); s && !s->has(f)) lacks(name);
  if (services.empty() && (e.unreachable || e.outage() || e.loss || e.flips)) {
    bool any = false;
    for (const ServiceSpec& s : spec_.services) any |= s.has(f);
    if (!any && !spec_.services.empty())
      d_.error(e.family->mark, fmt::format("no service of this lab has an {} prefix, so nothing is probed over {}",
                                           display_name(f), to_string(f)));
  }
}

}  // namespace anylab::load_detail
