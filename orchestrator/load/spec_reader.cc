#include "load/spec_reader.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <libyang/libyang.h>

#include "load/tree_builder.h"

namespace anylab {
namespace {

// Navigation over a validated tree: the schema guarantees types, so values
// parse; a missing optional child is nullptr.
class Reader {
 public:
  explicit Reader(const MarkTable& marks) : marks_(marks) {}

  static const lyd_node* child(const lyd_node* parent, std::string_view name) {
    if (!parent) return nullptr;
    for (const lyd_node* c = lyd_child(parent); c; c = c->next)
      if (name == c->schema->name) return c;
    return nullptr;
  }
  static std::vector<const lyd_node*> all(const lyd_node* parent, std::string_view name) {
    std::vector<const lyd_node*> out;
    if (!parent) return out;
    for (const lyd_node* c = lyd_child(parent); c; c = c->next)
      if (name == c->schema->name) out.push_back(c);
    return out;
  }
  static std::string text(const lyd_node* node) { return node ? lyd_get_value(node) : ""; }
  static uint64_t number(const lyd_node* node) { return std::strtoull(text(node).c_str(), nullptr, 10); }
  static Duration duration(const lyd_node* node) { return parse_duration(text(node)).value_or(Duration{}); }

  SourceMark mark(const lyd_node* node) const { return marks_.of(node); }
  SourceMark own_mark(const lyd_node* node) const { return marks_.written(node) ? marks_.of(node) : SourceMark{}; }

  Marked<std::string> str(const lyd_node* node) const { return {text(node), mark(node)}; }
  std::optional<Marked<std::string>> opt_str(const lyd_node* parent, std::string_view name) const {
    const lyd_node* n = child(parent, name);
    if (!n) return std::nullopt;
    return str(n);
  }
  std::optional<Marked<IpPrefix>> prefix(const lyd_node* parent, std::string_view name) const {
    const lyd_node* n = child(parent, name);
    if (!n) return std::nullopt;
    return Marked<IpPrefix>{IpPrefix::parse(text(n)).value_or(IpPrefix{}), mark(n)};
  }
  std::vector<Marked<IpPrefix>> prefixes(const lyd_node* parent, std::string_view name) const {
    std::vector<Marked<IpPrefix>> out;
    for (const lyd_node* n : all(parent, name))
      out.push_back({IpPrefix::parse(text(n)).value_or(IpPrefix{}), mark(n)});
    return out;
  }
  std::optional<uint32_t> opt_u32(const lyd_node* parent, std::string_view name) const {
    const lyd_node* n = child(parent, name);
    if (!n) return std::nullopt;
    return static_cast<uint32_t>(number(n));
  }
  std::optional<Duration> opt_duration(const lyd_node* parent, std::string_view name) const {
    const lyd_node* n = child(parent, name);
    if (!n) return std::nullopt;
    return duration(n);
  }
  NodePair pair(const lyd_node* parent, std::string_view name) const {
    auto items = all(parent, name);
    NodePair p;
    if (items.size() == 2) {
      p.a = str(items[0]);
      p.b = str(items[1]);
    }
    return p;
  }

 private:
  const MarkTable& marks_;
};

std::vector<Roa> read_roas(const Reader& r, const lyd_node* parent, std::string_view name) {
  std::vector<Roa> out;
  for (const lyd_node* n : Reader::all(parent, name)) {
    Roa roa;
    roa.mark = r.mark(n);
    roa.prefix = *r.prefix(n, "prefix");
    if (const lyd_node* m = Reader::child(n, "max-length"))
      roa.max_length = Marked<int>{static_cast<int>(Reader::number(m)), r.mark(m)};
    roa.asn = static_cast<uint32_t>(Reader::number(Reader::child(n, "asn")));
    out.push_back(std::move(roa));
  }
  return out;
}

DefaultsSpec read_defaults(const Reader& r, const lyd_node* d) {
  DefaultsSpec out;
  const lyd_node* bgp = Reader::child(d, "bgp");
  out.keepalive = static_cast<int>(Reader::number(Reader::child(bgp, "keepalive")));
  out.hold = static_cast<int>(Reader::number(Reader::child(bgp, "hold")));
  out.advertisement_interval = static_cast<int>(Reader::number(Reader::child(bgp, "advertisement-interval")));
  if (const lyd_node* ls = Reader::child(bgp, "link-subnets")) out.all_link_subnets = Reader::text(ls) == "all";
  out.bgp_mark = r.own_mark(bgp);
  const lyd_node* probe = Reader::child(d, "probe");
  out.probe_interval = Reader::duration(Reader::child(probe, "interval"));
  out.probe_timeout = Reader::duration(Reader::child(probe, "timeout"));
  out.settle = Reader::duration(Reader::child(d, "settle"));
  const lyd_node* rel = Reader::child(d, "relations");
  out.relations = {static_cast<uint32_t>(Reader::number(Reader::child(rel, "customer"))),
                   static_cast<uint32_t>(Reader::number(Reader::child(rel, "peer"))),
                   static_cast<uint32_t>(Reader::number(Reader::child(rel, "provider")))};
  if (const lyd_node* load = Reader::child(d, "load")) {
    const lyd_node* rate = Reader::child(load, "rate");
    out.load_rate = Marked<double>{std::strtod(Reader::text(rate).c_str(), nullptr), r.mark(rate)};
  }
  if (const lyd_node* images = Reader::child(d, "images"))
    for (NodeKind k : {NodeKind::kRouter, NodeKind::kInstance, NodeKind::kClient})
      if (auto image = r.opt_str(images, to_string(k))) out.images.emplace(k, *image);
  if (const lyd_node* e = Reader::child(d, "ecmp"))
    out.ecmp = EcmpSpec{static_cast<int>(Reader::number(Reader::child(e, "paths"))),
                        Reader::text(Reader::child(e, "hash")) == "l4", r.own_mark(e),
                        Reader::text(Reader::child(e, "resilient")) == "true", r.mark(Reader::child(e, "resilient"))};
  const lyd_node* igp = Reader::child(d, "igp");
  out.igp = {Reader::text(igp) == "isis" ? Igp::kIsis : Igp::kOspf, r.mark(igp)};
  return out;
}

ServiceSpec read_service(const Reader& r, const lyd_node* s) {
  ServiceSpec out;
  out.name = r.str(Reader::child(s, "name"));
  out.prefixes = r.prefixes(s, "prefix");
  for (const lyd_node* a : Reader::all(s, "address"))
    out.addresses.push_back({IpAddress::parse(Reader::text(a)).value_or(IpAddress{}), r.mark(a)});
  const lyd_node* asn = Reader::child(s, "asn");
  out.asn = {static_cast<uint32_t>(Reader::number(asn)), r.mark(asn)};
  const std::string probe = Reader::text(Reader::child(s, "probe"));
  out.probe = checks::parse_protocol(probe).value_or(ProbeKind::kUdp);  // the schema allows only these
  out.port = static_cast<uint16_t>(Reader::number(Reader::child(s, "port")));
  return out;
}

HealthSpec read_health(const Reader& r, const lyd_node* h) {
  HealthSpec out{.interval = Reader::duration(Reader::child(h, "interval")),
                 .rise = static_cast<int>(Reader::number(Reader::child(h, "rise"))),
                 .fall = static_cast<int>(Reader::number(Reader::child(h, "fall"))),
                 .mark = r.mark(h),
                 .withdraw_on_overload = std::nullopt,
                 .command = r.opt_str(h, "command"),
                 .timeout = Reader::duration(Reader::child(h, "timeout")),
                 .timeout_mark = r.mark(Reader::child(h, "timeout")),
                 .files = {}};
  for (const lyd_node* f : Reader::all(h, "files")) out.files.push_back({r.str(f), {}, {}});
  if (const lyd_node* o = Reader::child(h, "overload"); o && Reader::text(o) == "withdraw")
    out.withdraw_on_overload = Marked<bool>{true, r.mark(o)};
  return out;
}

BackgroundSpec read_background(const Reader& r, const lyd_node* b) {
  BackgroundSpec out;
  out.mark = r.mark(b);
  if (const lyd_node* routes = Reader::child(b, "routes"))
    out.routes = Marked<uint32_t>{static_cast<uint32_t>(Reader::number(routes)), r.mark(routes)};
  out.mrt = r.opt_str(b, "mrt");
  out.seed = static_cast<uint32_t>(Reader::number(Reader::child(b, "seed")));
  return out;
}

NodeSpec read_node(const Reader& r, const lyd_node* n) {
  NodeSpec out;
  out.name = r.str(Reader::child(n, "name"));
  const lyd_node* kind = Reader::child(n, "kind");
  const std::string k = Reader::text(kind);
  out.kind = {k == "router" ? NodeKind::kRouter : k == "instance" ? NodeKind::kInstance : NodeKind::kClient,
              r.mark(kind)};
  if (const lyd_node* asn = Reader::child(n, "asn"))
    out.asn = Marked<uint32_t>{static_cast<uint32_t>(Reader::number(asn)), r.mark(asn)};
  if (const lyd_node* id = Reader::child(n, "router-id"))
    out.router_id = Marked<IpAddress>{IpAddress::parse(Reader::text(id)).value_or(IpAddress{}), r.mark(id)};
  const lyd_node* bfd = Reader::child(n, "bfd");
  out.bfd = {Reader::text(bfd) == "true", r.mark(bfd)};
  if (const lyd_node* bgp = Reader::child(n, "bgp")) {
    out.bgp_mark = r.own_mark(bgp);
    if (const lyd_node* k2 = Reader::child(bgp, "keepalive")) out.bgp.keepalive = static_cast<int>(Reader::number(k2));
    if (const lyd_node* h = Reader::child(bgp, "hold")) out.bgp.hold = static_cast<int>(Reader::number(h));
    if (const lyd_node* a = Reader::child(bgp, "advertisement-interval"))
      out.bgp.advertisement_interval = Marked<int>{static_cast<int>(Reader::number(a)), r.mark(a)};
  }
  out.frr = r.opt_str(n, "frr");
  out.image = r.opt_str(n, "image");
  out.service = r.opt_str(n, "service");
  out.scope = r.opt_str(n, "scope");
  out.speaker = r.opt_str(n, "speaker");
  if (auto config = r.opt_str(n, "config")) {
    out.config.emplace();
    out.config->path = *config;
  }
  out.rpki = r.opt_str(n, "rpki");
  if (const lyd_node* f = Reader::child(n, "flows"))
    out.flows = Marked<int>{static_cast<int>(Reader::number(f)), r.mark(f)};
  if (const lyd_node* rr = Reader::child(n, "route-reflector"))
    out.route_reflector = Marked<bool>{Reader::text(rr) == "true", r.mark(rr)};
  if (const lyd_node* w = Reader::child(n, "weight"))
    out.weight = Marked<uint32_t>{static_cast<uint32_t>(Reader::number(w)), r.mark(w)};
  if (const lyd_node* c = Reader::child(n, "capacity"))
    out.capacity = Marked<double>{std::strtod(Reader::text(c).c_str(), nullptr), r.mark(c)};
  if (const lyd_node* d = Reader::child(n, "damping"))
    out.damping = DampingSpec{Reader::duration(Reader::child(d, "half-life")),
                              static_cast<int>(Reader::number(Reader::child(d, "reuse"))),
                              static_cast<int>(Reader::number(Reader::child(d, "suppress"))),
                              Reader::duration(Reader::child(d, "max-suppress")), r.mark(d)};
  if (const lyd_node* b = Reader::child(n, "background")) out.background = read_background(r, b);
  if (const lyd_node* h = Reader::child(n, "health")) out.health = read_health(r, h);
  const lyd_node* a = Reader::child(n, "announce");
  out.announce.mark = r.own_mark(a);
  out.announce.prepend = static_cast<int>(Reader::number(Reader::child(a, "prepend")));
  out.announce.at_start = Reader::text(Reader::child(a, "at-start")) != "false";
  out.announce.med = r.opt_u32(a, "med");
  for (const lyd_node* c : Reader::all(a, "communities")) out.announce.communities.push_back(Reader::text(c));
  for (const lyd_node* p : Reader::all(a, "more-specifics"))
    out.announce.more_specifics.push_back({IpPrefix::parse(Reader::text(p)).value_or(IpPrefix{}), r.mark(p)});
  return out;
}

LinkSpec read_link(const Reader& r, const lyd_node* l) {
  LinkSpec out;
  out.mark = r.mark(l);
  auto ends = Reader::all(l, "endpoints");
  auto end = [&](const lyd_node* e) {
    return EndpointSpec{r.str(Reader::child(e, "node")), r.opt_str(e, "interface")};
  };
  out.a = end(ends.at(0));
  out.b = end(ends.at(1));
  out.addresses = r.prefixes(l, "addresses");
  out.relation = r.opt_str(l, "relation");
  return out;
}

Target read_target(const Reader& r, const lyd_node* t) {
  Target out;
  if (Reader::child(t, "link")) {
    out.kind = Target::Kind::kLink;
    out.pair = r.pair(t, "link");
  } else if (Reader::child(t, "bgp")) {
    out.kind = Target::Kind::kBgp;
    out.pair = r.pair(t, "bgp");
  } else if (const lyd_node* s = Reader::child(t, "service")) {
    out.kind = Target::Kind::kService;
    out.node = r.str(s);
  } else {
    out.kind = Target::Kind::kNode;
    out.node = r.str(Reader::child(t, "node"));
  }
  return out;
}

// A share (`20%`) under `parent`, if written.
std::optional<Marked<double>> percent_of(const Reader& r, const lyd_node* parent, const char* name) {
  const lyd_node* p = parent ? Reader::child(parent, name) : nullptr;
  if (!p) return std::nullopt;
  return Marked<double>{std::strtod(Reader::text(p).c_str(), nullptr), r.mark(p)};
}

LoadExpect read_load(const Reader& r, const lyd_node* l) {
  LoadExpect le{r.str(Reader::child(l, "instance")), percent_of(r, l, "at-most"), percent_of(r, l, "at-least")};
  int rates = 0, bounds = 0;
  for (const char* bound : {"at-most", "at-least"})
    if (const lyd_node* p = Reader::child(l, bound)) {
      ++bounds;
      rates += Reader::text(p).ends_with("/s");
    }
  le.rate = rates > 0;
  le.mixed_units = rates > 0 && rates < bounds;
  return le;
}

RouteExpect read_route(const Reader& r, const lyd_node* rt) {
  RouteExpect re;
  re.node = r.str(Reader::child(rt, "node"));
  re.prefix = r.prefix(rt, "prefix");
  re.via = r.opt_str(rt, "via");
  if (const lyd_node* p = Reader::child(rt, "as-path")) re.as_path = Reader::text(p);
  if (const lyd_node* a = Reader::child(rt, "absent")) re.absent = Marked<bool>{Reader::text(a) == "true", r.mark(a)};
  re.rpki = r.opt_str(rt, "rpki");
  return re;
}

// `spread:` and `moved:`, on a client's flows.
void read_flow_expects(const Reader& r, const lyd_node* e, ExpectStep& out) {
  if (const lyd_node* sp = Reader::child(e, "spread")) {
    const lyd_node* each = Reader::child(sp, "each");
    SpreadExpect se{r.str(Reader::child(sp, "client")), {}, percent_of(r, each, "at-least"),
                    percent_of(r, each, "at-most")};
    for (const lyd_node* i : Reader::all(sp, "instances"))
      se.instances.push_back({r.str(Reader::child(i, "name")), percent_of(r, i, "at-least"), percent_of(r, i, "at-most")});
    out.spread = se;
  }
  if (const lyd_node* m = Reader::child(e, "moved")) {
    const lyd_node* h = Reader::child(m, "healthy");
    out.moved = MovedExpect{percent_of(r, m, "at-least"), percent_of(r, m, "at-most"), r.own_mark(m),
                            percent_of(r, h, "at-least"), percent_of(r, h, "at-most")};
  }
}

// A bound's percentiles, in the order 50, 95, 99.
std::vector<PercentileBound> read_percentiles(const Reader& r, const lyd_node* bound) {
  std::vector<PercentileBound> out;
  for (int p : {50, 95, 99}) {
    const std::string name = fmt::format("p{}", p);
    if (const lyd_node* leaf = Reader::child(bound, name))
      out.push_back({p, Reader::duration(leaf), r.mark(leaf)});
  }
  return out;
}

ExpectStep read_expect(const Reader& r, const lyd_node* e) {
  ExpectStep out;
  out.client = r.opt_str(e, "client");
  out.reaches = r.opt_str(e, "reaches");
  if (const lyd_node* w = Reader::child(e, "within")) {
    out.within = r.opt_duration(w, "max");
    out.within_percentiles = read_percentiles(r, w);
  }
  out.stable = r.opt_duration(e, "stable");
  if (const lyd_node* u = Reader::child(e, "unreachable")) out.unreachable = Reader::text(u) == "true";
  if (const lyd_node* m = Reader::child(e, "max-outage")) {
    out.max_outage = r.opt_duration(m, "max");
    out.outage_percentiles = read_percentiles(r, m);
  }
  if (const lyd_node* l = Reader::child(e, "loss"))
    out.loss = LossExpect{percent_of(r, l, "at-most"), percent_of(r, l, "at-least"), r.opt_duration(l, "over"),
                          r.own_mark(l)};
  if (const lyd_node* f = Reader::child(e, "flips")) {
    const lyd_node* most = Reader::child(f, "at-most");
    out.flips = FlipsExpect{{static_cast<uint32_t>(Reader::number(most)), r.mark(most)}, r.opt_duration(f, "over"),
                            r.own_mark(f)};
  }
  if (const lyd_node* u = Reader::child(e, "updates")) {
    const lyd_node* most = Reader::child(u, "at-most");
    out.updates = UpdatesExpect{{static_cast<uint64_t>(Reader::number(most)), r.mark(most)}, r.opt_str(u, "router"),
                                r.own_mark(u)};
  }
  if (const lyd_node* s = Reader::child(e, "settled")) {
    const lyd_node* within = Reader::child(s, "within");
    out.settled = SettledExpect{{Reader::duration(within), r.mark(within)}, r.own_mark(s)};
  }
  out.service = r.opt_str(e, "service");
  if (auto f = r.opt_str(e, "family"))
    out.family = Marked<Family>{parse_family(f->value).value_or(Family::kIpv4), f->mark};  // the schema allows only these
  for (const lyd_node* c : Reader::all(e, "catchment")) {
    CatchmentSpec cs{r.str(Reader::child(c, "instance")), {}};
    for (const lyd_node* cl : Reader::all(c, "clients")) cs.clients.push_back(r.str(cl));
    out.catchment.push_back(std::move(cs));
  }
  if (const lyd_node* rt = Reader::child(e, "route")) out.route = read_route(r, rt);
  if (const lyd_node* l = Reader::child(e, "load")) out.load = read_load(r, l);
  read_flow_expects(r, e, out);
  if (const lyd_node* t = Reader::child(e, "tcp"))
    out.tcp = TcpExpect{r.str(Reader::child(t, "client")), Reader::text(Reader::child(t, "survives")) == "true",
                        r.opt_str(t, "service"), r.opt_str(t, "on")};
  return out;
}

StepAction read_action(const Reader& r, const lyd_node* step) {
  for (const lyd_node* c = lyd_child(step); c; c = c->next) {
    const std::string_view name = c->schema->name;
    if (name == "fail") {
      FailStep f{read_target(r, c), std::nullopt};
      if (const lyd_node* m = Reader::child(c, "mode")) {
        const std::string v = Reader::text(m);
        f.mode = Marked<FailMode>{v == "crash" ? FailMode::kCrash : v == "freeze" ? FailMode::kFreeze : FailMode::kService,
                                  r.mark(m)};
      }
      return f;
    }
    if (name == "restore") return RestoreStep{read_target(r, c)};
    if (name == "announce" || name == "withdraw") {
      AnnounceStep a{r.str(Reader::child(c, "node")), r.prefix(c, "prefix"), name == "withdraw", std::nullopt};
      if (const lyd_node* o = Reader::child(c, "origin"))
        a.origin = Marked<uint32_t>{static_cast<uint32_t>(Reader::number(o)), r.mark(o)};
      return a;
    }
    if (name == "rpki") return RpkiStep{read_roas(r, c, "add"), read_roas(r, c, "remove")};
    if (name == "policy") {
      PolicyStep p{r.str(Reader::child(c, "node")), r.opt_str(c, "peer"), std::nullopt,
                   r.opt_u32(c, "local-pref"), r.opt_u32(c, "med"), std::nullopt};
      if (auto v = r.opt_u32(c, "prepend")) p.prepend = static_cast<int>(*v);
      if (const lyd_node* l = Reader::child(c, "leak")) p.leak = Marked<bool>{Reader::text(l) == "true", r.mark(l)};
      return p;
    }
    if (name == "impair") {
      ImpairStep s{r.pair(c, "link"), std::nullopt, std::nullopt};
      if (const lyd_node* l = Reader::child(c, "loss"))
        s.loss_percent = Marked<double>{std::strtod(Reader::text(l).c_str(), nullptr), r.mark(l)};
      if (const lyd_node* d = Reader::child(c, "delay")) s.delay = Marked<Duration>{Reader::duration(d), r.mark(d)};
      return s;
    }
    if (name == "flap")
      return FlapStep{r.pair(c, "link"), r.opt_str(c, "node"), static_cast<int>(Reader::number(Reader::child(c, "times"))),
                      Reader::duration(Reader::child(c, "period"))};
    if (name == "wait") return WaitStep{Reader::duration(c)};
    if (name == "expect") return read_expect(r, c);
  }
  return WaitStep{};  // unreachable: the schema's mandatory choice holds
}

}  // namespace

LabSpec read_spec(const lyd_node* lab, const MarkTable& marks) {
  Reader r(marks);
  LabSpec spec;
  spec.name = r.str(Reader::child(lab, "name"));
  spec.description = Reader::text(Reader::child(lab, "description"));
  spec.defaults = read_defaults(r, Reader::child(lab, "defaults"));
  for (const lyd_node* s : Reader::all(lab, "services")) spec.services.push_back(read_service(r, s));
  const lyd_node* topology = Reader::child(lab, "topology");
  for (const lyd_node* n : Reader::all(topology, "nodes")) spec.nodes.push_back(read_node(r, n));
  for (const lyd_node* l : Reader::all(topology, "links")) spec.links.push_back(read_link(r, l));
  if (const lyd_node* rpki = Reader::child(lab, "rpki")) spec.rpki = RpkiSpec{read_roas(r, rpki, "roas"), r.own_mark(rpki)};
  for (const lyd_node* sc : Reader::all(lab, "scenarios")) {
    ScenarioSpec scenario{r.str(Reader::child(sc, "name")), Reader::text(Reader::child(sc, "description")), {}};
    for (const lyd_node* st : Reader::all(sc, "steps"))
      scenario.steps.push_back({r.mark(st), read_action(r, st)});
    spec.scenarios.push_back(std::move(scenario));
  }
  return spec;
}

}  // namespace anylab
