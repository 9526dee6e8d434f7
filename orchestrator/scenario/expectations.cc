// Judging what a scenario measured: each kind of expectation.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "route.h"
#include "core/error.h"
#include "loadgen.h"
#include "scenario/runner.h"

namespace anylab::detail {
namespace {

// "2s", "p95 1s", "p95 1s, max 5s": a bound as the lab wrote it.
std::string bounds_text(const std::optional<Duration>& max, const std::vector<PercentileBound>& percentiles) {
  std::string out;
  for (const PercentileBound& p : percentiles)
    out += fmt::format("{}p{} {}", out.empty() ? "" : ", ", p.percentile, format_duration(p.bound));
  if (max) out += percentiles.empty() ? format_duration(*max) : ", max " + format_duration(*max);
  return out;
}


// A bound as the lab file gave it (with its mark) as the evaluators take it.
std::optional<double> plain(const std::optional<Marked<double>>& b) {
  return b ? std::optional(b->value) : std::nullopt;
}

}  // namespace

// An expectation as decided. One that was not (a signal cut it short) is
// interrupted, whatever it looked like so far; one whose measurement the
// harness could not make is an error, with the cause.
StepOutcome Runner::judged(std::string text, const Decision& d) {
  const Verdict& v = d.verdict;
  StepOutcome o{.text = std::move(text), .kind = StepKind::kExpectation,
                .status = v.pass ? Status::kPass : Status::kFail, .measured = v.measured, .at = now() - timeout_,
                .since = last_event_, .convergence = v.convergence, .longest_outage = v.longest_outage,
                .instance = v.instance, .percent = v.percent, .rate = v.rate, .answers = v.answers};
  if (v.error) {
    o.status = Status::kError;
    o.measured = *v.error;
  } else if (!d.final) {
    o.status = Status::kInterrupted;
    o.measured = "interrupted before it was decided (so far: " + v.measured + ")";
    o.convergence = o.longest_outage = std::nullopt;
    o.instance = std::nullopt;
  }
  return o;
}

// Judged again as probes come in until the outcome is certain: `decide`
// gets the end of the decided probes (older than the probe timeout).
template <class Decide>
Decision Runner::until_decided(Decide decide) {
  for (;;) {
    const Micros end = now() - timeout_;
    Decision d = decide(end);
    if (d.final || cancelled()) return d;
    probes_->sleep_until(now() + us(lab_.timings.judge_every));
  }
}

// For what holds at a moment (catchment, route, tcp path): decided as soon
// as it holds, or when `settle` has passed since the last event.
template <class Judge>
Decision Runner::settle(Judge judge) {
  const Micros deadline = last_event_ + settle_;
  return until_decided([&](Micros end) {
    Verdict v = judge(end);
    return Decision{.final = v.pass || v.error || now() >= deadline, .verdict = v};
  });
}

// Probes of `keys` that the harness could not send since the last event:
// what they would have measured is unknown, so the expectation is an
// error, with its cause.
std::optional<std::string> Runner::unsent(const Snapshot& s, const std::vector<ProbeKey>& keys, Micros end) const {
  for (const ProbeKey& k : keys)
    if (auto why = checks::unsent_probes(s.of(k), last_event_, end))
      return fmt::format("the prober failed from {} ({} {}): {}", k.client, k.service, to_string(k.family), *why);
  return std::nullopt;
}

// "ipv4: ...; ipv6: ...": what one stream measured, added to the whole.
void Runner::add_measured(std::string& all, const std::string& label, const std::string& part) {
  all += (all.empty() ? "" : "; ") + (label.empty() ? "" : label + ": ") + part;
}

// The streams an expectation covers: every family of each service (of
// `service` only, if given), or only `family` where the service has it.
std::vector<Stream> Runner::streams(const std::optional<std::string>& service, const std::optional<Marked<Family>>& family) const {
  std::vector<Stream> out;
  for (const ServiceSpec& sv : lab_.spec.services) {
    if (service && sv.name.value != *service) continue;
    for (Family f : sv.families())
      if (!family || family->value == f) out.push_back({sv.name.value, f});
  }
  return out;
}

// An expectation over several streams holds if it holds for each: decided
// once every stream's is, or once one of them failed for good. What was
// measured is said per stream (its service and family) when there are
// several, the longest outage is the longest of them, and convergence
// the latest.
template <class Decide>
Decision Runner::every_stream(const std::vector<Stream>& streams, Decide decide) {
  Decision all{.final = true, .verdict = {.pass = true}};
  bool failed_for_good = false;
  for (const Stream& st : streams) {
    Decision d = decide(st);
    all.final = all.final && d.final;
    failed_for_good |= d.final && !d.verdict.pass;
    all.verdict.pass = all.verdict.pass && d.verdict.pass;
    if (streams.size() == 1) {
      all.verdict = d.verdict;
      continue;
    }
    add_measured(all.verdict.measured, stream_label(lab_.spec, st.service, st.family), d.verdict.measured);
    if (d.verdict.longest_outage)
      all.verdict.longest_outage = std::max(all.verdict.longest_outage.value_or(Micros(0)), *d.verdict.longest_outage);
    if (d.verdict.convergence)
      all.verdict.convergence = std::max(all.verdict.convergence.value_or(Micros(0)), *d.verdict.convergence);
    // Who answers: the one instance every stream ends on, if they agree.
    if (d.verdict.percent) all.verdict.percent = std::max(all.verdict.percent.value_or(0), *d.verdict.percent);
    if (&st == &streams.front()) all.verdict.instance = d.verdict.instance;
    else if (all.verdict.instance != d.verdict.instance) all.verdict.instance = std::nullopt;
  }
  all.final = all.final || failed_for_good;
  if (failed_for_good) all.verdict.pass = false;
  return all;
}

StepOutcome Runner::step(const ExpectStep& e) {
  if (e.updates) return expect_updates(*e.updates);
  if (e.settled) return expect_settled(*e.settled, e.service);
  if (e.route) return expect_route(*e.route);
  if (e.tcp) return expect_tcp(*e.tcp, e.family);
  if (!e.catchment.empty()) return expect_catchment(e.catchment, e.family);
  if (e.load) return expect_load(*e.load, e.family);
  if (e.spread) return expect_spread(*e.spread, e.within, e.family);
  const ClientExpect c{e, fmt::format("expect {} ", e.client->value), e.stable ? us(*e.stable) : stable_};
  if (e.moved) return expect_moved(c);
  if (e.loss) return expect_loss(c);
  if (e.flips) return expect_flips(c);
  if (e.outage()) return expect_max_outage(c);
  return expect_reaches(c);
}

// Judged as probes come in; the probes the harness could not send since
// the last event make it an error.
template <class PerStream>
Decision Runner::decide_streams(const ClientExpect& c, const std::vector<Stream>& all, Micros end, PerStream per_stream) {
  const Snapshot s = snapshot();
  if (auto why = unsent(s, c.keys(all), end)) return Decision{.final = true, .verdict = {.error = why}};
  return every_stream(all, [&](const Stream& st) { return per_stream(s.of(c.key(st))); });
}

StepOutcome Runner::expect_loss(const ClientExpect& c) {
  const auto& l = *c.e.loss;
  std::string text = c.text + "loss";
  if (l.at_least) text += fmt::format(" at-least {}%", l.at_least->value);
  if (l.at_most) text += fmt::format(" at-most {}%", l.at_most->value);
  if (c.e.service) text += " of " + c.e.service->value;
  if (l.over) text += " over " + format_duration(*l.over);
  text += c.over();
  const std::optional<Micros> until = l.over ? std::optional<Micros>(last_event_ + us(*l.over)) : std::nullopt;
  const Micros deadline = until ? *until + timeout_ + interval_ : last_event_ + settle_;
  const auto all = streams(c.service(), c.e.family);
  const checks::ShareBounds bounds{plain(l.at_most), plain(l.at_least)};
  // Without `over`: what the window holds when the step is reached, at
  // least 10 probes of it.
  return judged(text, until_decided([&](Micros end) {
    return decide_streams(c, all, end, [&](const checks::ClientTimeline& t) {
      return checks::decide_loss(t, last_event_, end, until, bounds, 10, deadline);
    });
  }));
}

// Without `over`: judged at once on the probes since the last event.
StepOutcome Runner::expect_flips(const ClientExpect& c) {
  const auto& f = *c.e.flips;
  std::string text = c.text + fmt::format("flips at-most {}", f.at_most.value) + c.of();
  if (f.over) text += " over " + format_duration(*f.over);
  text += c.over();
  const std::optional<Micros> until = f.over ? std::optional<Micros>(last_event_ + us(*f.over)) : std::nullopt;
  const Micros deadline = until ? *until + timeout_ + interval_ : last_event_;
  const auto all = streams(c.service(), c.e.family);
  return judged(text, until_decided([&](Micros end) {
    return decide_streams(c, all, end, [&](const checks::ClientTimeline& t) {
      return checks::decide_flips(t, last_event_, end, until, f.at_most.value, deadline);
    });
  }));
}

// Only percentiles bound it: every run is measured, none fails on its own
// (an outage cannot outlast the window).
StepOutcome Runner::expect_max_outage(const ClientExpect& c) {
  const std::string text =
      c.text + "max-outage " + bounds_text(c.e.max_outage, c.e.outage_percentiles) + c.of() + c.over();
  const Micros deadline = last_event_ + settle_;
  const Micros bound = c.e.max_outage ? us(*c.e.max_outage) : settle_ + settle_;
  const auto all = streams(c.service(), c.e.family);
  StepOutcome out = judged(text, until_decided([&](Micros end) {
    return decide_streams(c, all, end, [&](const checks::ClientTimeline& t) {
      return checks::decide_max_outage(t, last_event_, end, bound, c.stable, deadline);
    });
  }));
  out.percentiles = c.e.outage_percentiles;
  out.percentiles_of_outage = true;
  out.bounded_each_run = c.e.max_outage.has_value();
  return out;
}

// `reaches`, or `unreachable` (reaching nobody).
StepOutcome Runner::expect_reaches(const ClientExpect& c) {
  const ExpectStep& e = c.e;
  const std::optional<Micros> within = e.within ? std::optional<Micros>(us(*e.within)) : std::nullopt;
  const bool none = !e.reaches;
  std::string text = c.text + (none ? "unreachable" + c.of() : "reaches " + e.reaches->value) + c.over();
  if (e.has_within()) text += " within " + bounds_text(e.within, e.within_percentiles);
  if (e.stable) text += " stable " + format_duration(*e.stable);
  // With a bound, the outcome is certain by bound + stable; without one,
  // the lab may take up to `settle`.
  const Micros deadline = last_event_ + (within ? *within + c.stable + interval_ : settle_);
  const auto covered = none ? streams(c.service(), e.family)
                            : streams(lab_.find(e.reaches->value)->service->name.value, e.family);
  StepOutcome out = judged(text, until_decided([&](Micros end) {
    return decide_streams(c, covered, end, [&](const checks::ClientTimeline& t) {
      if (!none) return checks::decide_reaches(t, last_event_, end, e.reaches->value, within, c.stable, deadline);
      return checks::decide_unreachable(t, last_event_, end, within, c.stable, deadline);
    });
  }));
  out.percentiles = e.within_percentiles;
  return out;
}

// Per service and family: each client answered by the instance it is
// listed under.
// The timelines of one service and family of the clients keying `by_client`,
// or why some of their probes could not be sent.
template <class ByClient>
std::expected<std::map<std::string, checks::ClientTimeline>, Error> Runner::stream_timelines(
      const Snapshot& s, const ByClient& by_client, const std::string& service, Family f, Micros end) const {
  std::map<std::string, checks::ClientTimeline> t;
  std::vector<ProbeKey> keys;
  for (const auto& entry : by_client) {
    keys.push_back({entry.first, service, f});
    t[entry.first] = s.of(keys.back());
  }
  if (auto why = unsent(s, keys, end)) return fail(*why);
  return t;
}

StepOutcome Runner::expect_catchment(const std::vector<CatchmentSpec>& catchment, const std::optional<Marked<Family>>& family) {
  std::map<std::string, std::map<std::string, std::string>> want;  // service -> client -> instance
  for (const CatchmentSpec& c : catchment)
    for (const auto& cl : c.clients) want[lab_.find(c.instance.value)->service->name.value][cl.value] = c.instance.value;
  const std::string text = family ? fmt::format("expect catchment over {}", to_string(family->value)) : "expect catchment";
  return judged(text, settle([&](Micros end) {
    const Snapshot s = snapshot();
    Verdict all{.pass = true};
    for (const auto& [service, clients] : want)
      for (const Stream& st : streams(service, family)) {
        auto t = stream_timelines(s, clients, service, st.family, end);
        if (!t) return Verdict{.error = t.error().message};
        Verdict one = checks::catchment(*t, last_event_, end, clients);
        all.pass = all.pass && one.pass;
        add_measured(all.measured, names_families(lab_.spec) ? to_string(st.family) : "", one.measured);
      }
    return all;
  }));
}

// Per family of the instance's service: the share of every client's
// weight it serves, as soon as within the bounds (or at settle).
StepOutcome Runner::expect_load(const LoadExpect& l, const std::optional<Marked<Family>>& family) {
  if (l.rate) return expect_load_rate(l);
  const std::string service = lab_.find(l.instance.value)->service->name.value;
  std::map<std::string, uint32_t> weights;
  for (const Node& n : lab_.nodes)
    if (n.kind == NodeKind::kClient) weights[n.name] = n.spec->weight_or_one();
  std::string text = fmt::format("expect load on {}", l.instance.value);
  if (l.at_least) text += fmt::format(" at-least {}%", l.at_least->value);
  if (l.at_most) text += fmt::format(" at-most {}%", l.at_most->value);
  if (family) text += " over " + std::string(to_string(family->value));
  return judged(text, settle([&](Micros end) {
    const Snapshot s = snapshot();
    Verdict all{.pass = true};
    for (const Stream& st : streams(service, family)) {
      auto t = stream_timelines(s, weights, service, st.family, end);
      if (!t) return Verdict{.error = t.error().message};
      Verdict one = checks::load_share(*t, weights, last_event_, end, l.instance.value,
                                       l.at_most ? std::optional<double>(l.at_most->value) : std::nullopt,
                                       l.at_least ? std::optional<double>(l.at_least->value) : std::nullopt);
      all.pass = all.pass && one.pass;
      if (one.percent) all.percent = std::max(all.percent.value_or(0), *one.percent);
      add_measured(all.measured, names_families(lab_.spec) ? to_string(st.family) : "", one.measured);
    }
    return all;
  }));
}

// With offered load: the queries a second the instance answered over the
// last second (a second after the last event at the earliest), as soon as
// within the bounds, or at settle.
StepOutcome Runner::expect_load_rate(const LoadExpect& l) {
  std::string text = fmt::format("expect load on {}", l.instance.value);
  if (l.at_least) text += fmt::format(" at-least {}/s", l.at_least->value);
  if (l.at_most) text += fmt::format(" at-most {}/s", l.at_most->value);
  return judged(text, settle([&](Micros end) {
    const Micros from = end - 1s;
    if (from < last_event_) return Verdict{.measured = "less than a second of load since the last event"};
    const double rate = checks::rate_in(probes_->load_answered(), l.instance.value, from, end);
    Verdict v{.pass = (!l.at_most || rate <= l.at_most->value) && (!l.at_least || rate >= l.at_least->value),
              .measured = fmt::format("{} answered {:.0f} queries/s of the offered load (from +{} to +{})",
                                      l.instance.value, rate, checks::format_seconds(from),
                                      checks::format_seconds(end)),
              .rate = rate};
    if (!v.pass) {
      if (l.at_least && l.at_most) v.measured += fmt::format(" (expected {}/s to {}/s)", l.at_least->value, l.at_most->value);
      else if (l.at_most) v.measured += fmt::format(" (expected at most {}/s)", l.at_most->value);
      else v.measured += fmt::format(" (expected at least {}/s)", l.at_least->value);
    }
    return v;
  }));
}

StepOutcome Runner::expect_route(const RouteExpect& r) {
  const Node& n = *lab_.find(r.node.value);
  // Without `prefix:`, the lab's one service's one prefix (the loader
  // refuses anything else).
  const IpPrefix prefix = r.prefix ? r.prefix->value : lab_.spec.services.front().prefixes.front().value;
  std::string text = fmt::format("expect route on {} to {}", n.name, prefix.str());
  std::optional<std::string> via, via_peer;
  if (r.via) {
    via = r.via->value;
    text += " via " + *via;
    // The session of the prefix's family toward it.
    for (const BgpNeighbor& nb : n.neighbors)
      if (nb.node == *via && nb.family() == prefix.family()) via_peer = nb.address.str();
  }
  if (r.as_path) text += fmt::format(" as-path \"{}\"", *r.as_path);
  const bool absent = r.absent && r.absent->value;
  if (absent) text += " absent";
  if (r.rpki) text += " rpki " + r.rpki->value;
  auto name_of = [&](const std::string& peer) {
    for (const BgpNeighbor& nb : n.neighbors)
      if (nb.address.str() == peer) return nb.node;
    return peer == "0.0.0.0" || peer == "::" ? n.name + " itself" : peer;
  };
  return judged(text, settle([&](Micros) {
    const auto json = ops_.bgp_route_json(n.name, prefix);
    if (!json) return Verdict{.error = fmt::format("{}'s bgpd did not answer on its vty socket in time", n.name)};
    auto best = checks::best_path(*json);
    if (absent) return checks::route_absent(best, best ? name_of(best->peer) : "");
    if (r.rpki) {
      Verdict v = checks::route_rpki(best, best ? name_of(best->peer) : "", r.rpki->value);
      if (!best) v.measured += " (" + checks::no_best_path_note(*json) + ")";
      return v;
    }
    Verdict v = checks::route(best, best ? name_of(best->peer) : "", via, via_peer, r.as_path);
    if (!best) v.measured += " (" + checks::no_best_path_note(*json) + ")";
    return v;
  }));
}

// A long-lived TCP connection, opened before the last event, is judged
// once the client's path has settled (its probes answered by one instance,
// or by none, for the tcp-settle time): a request on it must be answered
// by the same instance as before (it survived) or fail (it broke). A
// dual-stack service has one connection per family, and each must.
StepOutcome Runner::expect_tcp(const TcpExpect& t, const std::optional<Marked<Family>>& family) {
  std::string text = fmt::format("expect tcp from {} {}", t.client.value, t.survives ? "survives" : "breaks");
  if (t.on) text += " on " + t.on->value;
  if (family) text += fmt::format(" over {}", to_string(family->value));
  const auto keys = watches_of(t, family);
  Decision all{.final = true, .verdict = {.pass = true}};
  for (const ProbeKey& k : keys) {
    Decision one = judge_tcp(k, t.on ? t.on->value : "", t.survives);
    if (keys.size() == 1 || !one.final) return judged(text, one);
    all.verdict.pass = all.verdict.pass && one.verdict.pass;
    add_measured(all.verdict.measured, to_string(k.family), one.verdict.measured);
  }
  return judged(text, all);
}

// Not final when a signal came while the path was settling.
Decision Runner::judge_tcp(const ProbeKey& key, const std::string& on, bool survives) {
  const TcpWatch& w = tcp_.at({key, on});
  if (!w.session)
    return {.final = true, .verdict = {.measured = "no connection could be opened before the event: " + w.error}};
  const Decision path = settle([&](Micros end) {
    const auto probes = checks::window(snapshot().of(key), last_event_, end);
    Verdict settled;
    if (probes.empty()) return settled;
    size_t i = probes.size();
    while (i > 0 && probes[i - 1].instance == probes.back().instance) --i;
    settled.pass = end - probes[i].sent >= us(lab_.timings.tcp_settle);
    return settled;
  });
  if (!path.final) return {.final = false, .verdict = {.measured = "the path was still settling"}};
  const auto answer = w.session->ask(Micros(2s));
  const bool survived = answer && *answer == w.instance;
  std::string measured = fmt::format("the connection to {} opened at +{} ", w.instance, checks::format_seconds(w.opened));
  if (survived)
    measured += "survived: still answered by " + w.instance;
  else
    measured += "broke: " + (answer ? "answered by " + *answer + " instead" : answer.error());
  const auto now_answering = checks::answering_at_end(snapshot().of(key), last_event_, now() - timeout_);
  measured += fmt::format(" (the client's probes now reach {})", now_answering.value_or("nobody"));
  return {.final = true, .verdict = {.pass = survived == survives, .measured = measured, .instance = answer ? *answer : ""}};
}

// Expectations on a client's flows (`flows: N`): how they spread over the
// instances, and how many moved at the last event.
ProbeKey Runner::flow_key(const std::string& client, const std::optional<std::string>& instance,
                          const std::optional<Marked<Family>>& family) const {
  const ServiceSpec* s = &lab_.spec.services.front();
  if (instance)
    if (const Node* n = lab_.find(*instance); n && n->service) s = n->service;
  return {client, s->name.value, family && s->has(family->value) ? family->value : s->families().front()};
}

StepOutcome Runner::expect_spread(const SpreadExpect& s, const std::optional<Duration>& within,
                                  const std::optional<Marked<Family>>& family) {
  std::vector<checks::InstanceShare> shares;
  std::vector<std::string> named;
  for (const auto& [i, at_least, at_most] : s.instances) {
    // An instance's own bounds, else `each:`'s.
    const bool own = at_least || at_most;
    shares.push_back({i.value, {.at_most = plain(own ? at_most : s.at_most),
                                .at_least = plain(own ? at_least : s.at_least)}});
    named.push_back(i.value);
    if (at_least) named.back() += fmt::format(" at-least {}%", at_least->value);
    if (at_most) named.back() += fmt::format(" at-most {}%", at_most->value);
  }
  const ProbeKey key = flow_key(s.client.value, shares.front().instance, family);
  std::string text = fmt::format("expect spread of {}'s flows over {}", s.client.value, fmt::join(named, ", "));
  if (s.at_least) text += fmt::format(" at-least {}%", s.at_least->value);
  if (s.at_most) text += fmt::format(" at-most {}%", s.at_most->value);
  if (within) text += " within " + format_duration(*within);
  const Micros deadline = last_event_ + (within ? us(*within) : settle_);
  return judged(text, until_decided([&](Micros end) {
    const Snapshot snap = snapshot();
    if (auto why = unsent(snap, {key}, end)) return Decision{.final = true, .verdict = {.error = why}};
    if (end <= last_event_)
      return Decision{.verdict = {.measured = "no probe decided since the last event yet"}};
    const auto flows = snap.flows_of(key);
    Verdict v = checks::spread(checks::answers_between(flows, last_event_, end), shares);
    return Decision{.final = v.pass || now() >= deadline, .verdict = v};
  }));
}

StepOutcome Runner::expect_moved(const ClientExpect& c) {
  const auto& m = *c.e.moved;
  const ProbeKey key = flow_key(c.client(), std::nullopt, c.e.family);
  std::string text = c.text + "moved";
  if (m.at_least) text += fmt::format(" at-least {}%", m.at_least->value);
  if (m.at_most) text += fmt::format(" at-most {}%", m.at_most->value);
  if (m.healthy_at_least) text += fmt::format(" healthy at-least {}%", m.healthy_at_least->value);
  if (m.healthy_at_most) text += fmt::format(" healthy at-most {}%", m.healthy_at_most->value);
  // Judged on the first probes decided after the last event at the
  // earliest (a moment after it, when it comes right after the event).
  probes_->sleep_until(std::max(now(), last_event_ + timeout_ + interval_));
  const Micros end = now() - timeout_;
  const Snapshot snap = snapshot();
  if (auto why = unsent(snap, {key}, end)) return judged(text, {.final = true, .verdict = {.error = why}});
  const auto flows = snap.flows_of(key);
  return judged(text, {.final = true,
                       .verdict = checks::moved(checks::answers_between(flows, Micros(0), event_started_, true),
                                                checks::answers_between(flows, last_event_, end),
                                                {plain(m.at_most), plain(m.at_least)},
                                                {plain(m.healthy_at_most), plain(m.healthy_at_least)})});
}

}  // namespace anylab::detail

namespace anylab::detail {
namespace {

// "edge-ams 4, edge-sin 3": who sent the UPDATEs, the most first (five at most).
std::string senders(const checks::SessionCounts& before, const checks::SessionCounts& now) {
  std::vector<std::pair<uint64_t, std::string>> by;
  for (const auto& [router, sessions] : now)
    if (const uint64_t n = checks::updates_sent(before, now, router); n > 0) by.emplace_back(n, router);
  std::ranges::sort(by, [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::string out;
  for (size_t i = 0; i < by.size() && i < 5; ++i) out += fmt::format("{}{} {}", i ? ", " : "", by[i].second, by[i].first);
  if (by.size() > 5) out += ", …";
  return out;
}

}  // namespace

// The UPDATEs sent since the last event, judged once the routes settled
// (no best-path change for a quiet while and the counters still): read
// every quarter of a second, each read a question to every router.
StepOutcome Runner::expect_updates(const UpdatesExpect& u) {
  const std::string router = u.router ? u.router->value : "";
  const std::string text =
      fmt::format("expect updates at-most {}{}", u.at_most.value, router.empty() ? "" : " sent by " + router);
  if (!routes_) return judged(text, Decision{.final = true, .verdict = {.error = "the routers' routes are not watched"}});
  const Micros quiet = std::max<Micros>(Micros(1s), 2 * routes_->resolution());
  const Micros deadline = last_event_ + settle_;
  std::optional<uint64_t> previous;
  for (;;) {
    const checks::SessionCounts counts = ops_.update_counts();
    const uint64_t sent = checks::updates_sent(counts_before_, counts, router);
    const auto changes = checks::changes_in(routes_->changes(), event_started_, now() + Micros(1));
    const Micros last = changes.empty() ? last_event_ : std::max(last_event_, changes.back().at);
    const bool over = sent > u.at_most.value;
    const bool settled = now() >= last + quiet && previous == sent;
    const bool late = now() >= deadline;
    if (over || settled || late || cancelled()) {
      const std::string who = senders(counts_before_, counts);
      std::string measured = fmt::format("{} UPDATE{} sent since the event{}", sent, sent == 1 ? "" : "s", who.empty() ? "" : " (" + who + ")");
      if (settled) measured += fmt::format("; routes settled +{} after it", checks::format_seconds(last - last_event_));
      else if (late && !over) measured += "; routes still changing at the lab's settle time";
      return judged(text, Decision{.final = over || settled || late, .verdict = {.pass = !over, .measured = measured}});
    }
    previous = sent;
    sleep_until(now() + Micros(250ms));
  }
}

// The last best-path change after the last event (one during the event,
// a flap's, counts as 0): judged once the watch has looked a quiet while
// (a second, or two of its rounds) past the bound, or failed as soon as a
// change over it is seen.
StepOutcome Runner::expect_settled(const SettledExpect& s, const std::optional<Marked<std::string>>& service) {
  const std::string text = fmt::format("expect settled within {}{}", format_duration(s.within.value),
                                       service ? " for " + service->value : "");
  if (!routes_) return judged(text, Decision{.final = true, .verdict = {.error = "the routers' routes are not watched"}});
  const Micros bound = us(s.within.value);
  const auto prefixes = service_prefixes(service ? std::optional(service->value) : std::nullopt);
  return judged(text, until_decided([&](Micros) {
    const auto changes = checks::changes_in(routes_->changes(), event_started_, now() + Micros(1), prefixes);
    const Micros quiet = std::max<Micros>(Micros(1s), 2 * routes_->resolution());
    const bool seen = routes_->seen_until() >= last_event_ + bound + quiet;
    if (changes.empty())
      return Decision{.final = seen, .verdict = {.pass = true, .measured = "no router's best path changed",
                                                 .convergence = Micros(0)}};
    std::set<std::string> routers;
    for (const checks::PathChange& c : changes) routers.insert(c.router);
    const Micros last = std::max(changes.back().at - last_event_, Micros(0));
    const bool over = last > bound;
    const std::string measured =
        fmt::format("the last best-path change +{} after the event ({}{}); {} router{} changed, {} change{}",
                    checks::format_seconds(last), changes.back().router, over ? ", over the bound" : "",
                    routers.size(), routers.size() == 1 ? "" : "s", changes.size(), changes.size() == 1 ? "" : "s");
    return Decision{.final = over || seen, .verdict = {.pass = !over, .measured = measured, .convergence = last}};
  }));
}

}  // namespace anylab::detail
