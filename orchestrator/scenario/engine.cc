#include "scenario/engine.h"

#include <functional>
#include <map>

#include <fmt/format.h>

#include "evaluate.h"
#include "loadgen.h"
#include "plan/render_exabgp.h"
#include "route.h"
#include "scenario/lab_ops.h"

namespace anylab {
namespace {

using checks::Decision;
using checks::Micros;
using checks::Verdict;
using namespace std::chrono_literals;

Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }

// Every target's probes at one moment, looked up by their key.
class Snapshot {
 public:
  Snapshot(std::vector<checks::ClientTimeline> t, const std::map<ProbeKey, size_t>& index)
      : timelines_(std::move(t)), index_(index) {}
  const checks::ClientTimeline& of(const ProbeKey& key) const { return timelines_.at(index_.at(key)); }

 private:
  std::vector<checks::ClientTimeline> timelines_;
  const std::map<ProbeKey, size_t>& index_;
};

// What a step is, in a word, for one a signal came before.
std::string step_word(const StepAction& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, FailStep>) return "fail";
        else if constexpr (std::is_same_v<T, RestoreStep>) return "restore";
        else if constexpr (std::is_same_v<T, AnnounceStep>) return a.withdraw ? "withdraw" : "announce";
        else if constexpr (std::is_same_v<T, PolicyStep>) return "policy on " + a.node.value;
        else if constexpr (std::is_same_v<T, ImpairStep>) return "impair";
        else if constexpr (std::is_same_v<T, FlapStep>) return "flap";
        else if constexpr (std::is_same_v<T, WaitStep>) return "wait";
        else if constexpr (std::is_same_v<T, RpkiStep>) return "rpki";
        else return "expectation";
      },
      action);
}

// A step a signal came before: interrupted, never judged.
StepOutcome not_reached(const StepSpec& st) {
  const bool expectation = std::holds_alternative<ExpectStep>(st.action);
  return {.text = fmt::format("{} (not reached)", step_word(st.action)),
          .kind = expectation ? StepKind::kExpectation : std::holds_alternative<WaitStep>(st.action) ? StepKind::kWait
                                                                                                     : StepKind::kEvent,
          .status = Status::kInterrupted, .measured = "interrupted before this step was reached"};
}

// One service over one family: what a client's expectation is judged on,
// once per stream it covers.
struct Stream {
  std::string service;
  Family family;
};

class Runner {
 public:
  Runner(LabOps& ops, const Lab& lab, const std::atomic<bool>* cancel)
      : ops_(ops), lab_(lab), cancel_(cancel), interval_(us(lab.spec.defaults.probe_interval)),
        timeout_(us(lab.spec.defaults.probe_timeout)), settle_(us(lab.spec.defaults.settle)),
        stable_(us(lab.timings.stable)) {}

  ScenarioOutcome run(const ScenarioSpec& sc) {
    ScenarioOutcome out{.name = sc.name.value};
    auto fail = [&](std::string what, std::string why) {
      out.steps.push_back(
          {.text = std::move(what), .kind = StepKind::kEvent, .status = Status::kError, .measured = std::move(why)});
      return out;
    };
    auto targets = ops_.targets();
    if (!targets) return fail("open the clients' namespaces", targets.error());
    for (size_t i = 0; i < targets->size(); ++i) index_[(*targets)[i]] = i;
    auto probes = ops_.start_probes();
    if (!probes) return fail("start the prober", probes.error());
    probes_ = std::move(*probes);
    probes_->sleep_until(now() + us(lab_.timings.warm_up));
    tcp_.clear();
    roas_ = lab_.spec.rpki ? lab_.spec.rpki->roas : std::vector<Roa>{};
    // Whatever happens from here (a step that throws included), what the
    // scenario broke is put back.
    const PutBack put_back{*this};
    for (const StepSpec& st : sc.steps)
      if (const auto* e = std::get_if<ExpectStep>(&st.action); e && e->tcp)
        for (const ProbeKey& k : watches_of(*e->tcp, e->family)) tcp_[k];
    open_tcp_sessions();
    last_event_ = now();
    for (const StepSpec& st : sc.steps) {
      // A signal: this step and every one after it are interrupted, and
      // none of them is judged on what was cut short.
      StepOutcome o = cancelled() ? not_reached(st) : std::visit([&](const auto& a) { return step(a); }, st.action);
      o.line = st.mark.line;
      out.steps.push_back(std::move(o));
    }
    out.duration = now();
    probes_->stop();
    out.load = probes_->load();
    const auto timelines = probes_->timelines();
    for (size_t i = 0; i < timelines.size(); ++i)
      out.timelines.push_back({(*targets)[i].client, (*targets)[i].service, (*targets)[i].family, timelines[i]});
    tcp_.clear();
    undo_all();
    ops_.wait_ready(settle_, cancel_);
    return out;
  }

 private:
  bool cancelled() const { return cancel_ && cancel_->load(); }
  Micros now() const { return probes_->now(); }
  void sleep_until(Micros t) {
    while (!cancelled() && now() < t) probes_->sleep_until(std::min(t, now() + Micros(50ms)));
  }
  Snapshot snapshot() const { return Snapshot(probes_->timelines(), index_); }

  using Result = std::expected<void, std::string>;

  // Every event: the long-lived TCP connections the scenario watches are
  // opened just before it, the event is applied, and bounds are measured
  // from the moment it was. `undo` puts back what it broke, after the
  // scenario.
  StepOutcome event(std::string text, const std::function<Result()>& apply, std::function<void()> undo = {}) {
    open_tcp_sessions();
    if (undo) undo_.push_back(std::move(undo));
    const Result r = apply();
    last_event_ = now();
    return {.text = std::move(text), .kind = StepKind::kEvent, .status = r ? Status::kPass : Status::kError,
            .measured = r ? fmt::format("applied at +{}", checks::format_seconds(last_event_)) : r.error(),
            .at = last_event_};
  }

  // Events ---------------------------------------------------------------
  // Parallel links are acted on together: the step says which.
  std::string parallel(const std::string& a, const std::string& b) const {
    const size_t n = lab_.links_between(a, b).size();
    return n > 1 ? fmt::format(" (all {} links: {})", n, lab_.links_text(a, b)) : "";
  }

  StepOutcome step(const FailStep& f) {
    const Target& t = f.target;
    const std::string a = t.pair.a.value, b = t.pair.b.value, node = t.node.value;
    if (t.kind == Target::Kind::kLink)
      return event(fmt::format("fail link {} -- {}{}", a, b, parallel(a, b)), [&] { return ops_.set_link(a, b, false); },
                   [=, this] { (void)ops_.set_link(a, b, true); });
    if (t.kind == Target::Kind::kNode) {
      const FailMode mode = f.mode ? f.mode->value : FailMode::kCrash;
      return event(fmt::format("fail node {} ({})", node, to_string(mode)), [&] { return ops_.fail_node(node, mode); },
                   [=, this] { (void)ops_.restore_node(node); });
    }
    if (t.kind == Target::Kind::kService) {
      // Every instance together (one step, one moment): the whole service's
      // health checks failing at once, as Facebook's DNS in October 2021.
      const FailMode mode = f.mode ? f.mode->value : FailMode::kCrash;
      const std::vector<std::string> all = instances_of(node);
      return event(fmt::format("fail service {}: {} ({})", node, fmt::join(all, ", "), to_string(mode)),
                   [&]() -> Result {
                     for (const std::string& i : all)
                       if (auto r = ops_.fail_node(i, mode); !r) return r;
                     return {};
                   },
                   [=, this] {
                     for (const std::string& i : all) (void)ops_.restore_node(i);
                   });
    }
    return event(fmt::format("shut down BGP {} -- {}", a, b), [&] { return ops_.set_bgp_session(a, b, false); },
                 [=, this] { (void)ops_.set_bgp_session(a, b, true); });
  }
  std::vector<std::string> instances_of(const std::string& service) const {
    std::vector<std::string> out;
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kInstance && n.service && n.service->name.value == service) out.push_back(n.name);
    return out;
  }
  StepOutcome step(const RestoreStep& r) {
    const Target& t = r.target;
    const std::string a = t.pair.a.value, b = t.pair.b.value, node = t.node.value;
    if (t.kind == Target::Kind::kLink)
      return event(fmt::format("restore link {} -- {}{}", a, b, parallel(a, b)), [&] { return ops_.set_link(a, b, true); });
    if (t.kind == Target::Kind::kNode)
      return event(fmt::format("restore node {}", node), [&] { return ops_.restore_node(node); });
    if (t.kind == Target::Kind::kService) {
      const std::vector<std::string> all = instances_of(node);
      return event(fmt::format("restore service {}: {}", node, fmt::join(all, ", ")), [&]() -> Result {
        for (const std::string& i : all)
          if (auto done = ops_.restore_node(i); !done) return done;
        return {};
      });
    }
    return event(fmt::format("enable BGP {} -- {}", a, b), [&] { return ops_.set_bgp_session(a, b, true); });
  }
  StepOutcome step(const AnnounceStep& a) {
    const Node& n = *lab_.find(a.node.value);
    // Without `prefix:`, every prefix of the service (both families).
    std::vector<IpPrefix> prefixes;
    if (a.prefix) prefixes.push_back(a.prefix->value);
    else
      for (const auto& p : n.service->prefixes) prefixes.push_back(p.value);
    // Afterwards the instance announces what it did as deployed: a prefix
    // of the lab file's again, another one no more.
    struct Route {
      std::string now, deployed;  // as the step announces it; as deployed
      bool announced_at_start;
    };
    std::vector<Route> routes;
    RouteAttributes attributes = announce_attributes(n);
    if (a.origin) attributes.origin = a.origin->value;
    for (const IpPrefix& prefix : prefixes) {
      bool deployed = false;
      for (const auto& p : n.service->prefixes) deployed |= prefix == p.value;
      for (const auto& m : n.spec->announce.more_specifics) deployed |= prefix == m.value;
      routes.push_back({exabgp_route(n, prefix.str(), attributes), exabgp_route(n, prefix.str(), announce_attributes(n)),
                        deployed && n.spec->announce.at_start});
    }
    const std::string name = n.name;
    const std::string verb = a.withdraw ? "withdraw " : "announce ";
    std::vector<std::string> texts;
    for (const IpPrefix& p : prefixes) texts.push_back(p.str());
    const std::string origin = a.origin ? fmt::format(" with forged origin AS {}", a.origin->value) : "";
    return event(fmt::format("{} {} from {}{}", a.withdraw ? "withdraw" : "announce", fmt::join(texts, " and "), n.name, origin),
                 [&]() -> Result {
                   for (const Route& r : routes)
                     if (auto done = ops_.exabgp(name, verb + r.now); !done) return done;
                   return {};
                 },
                 [=, this] {
                   for (const Route& r : routes)
                     (void)ops_.exabgp(name, r.announced_at_start ? "announce " + r.deployed : "withdraw " + r.now);
                 });
  }
  // The published ROAs change: timed from their publication (the step says
  // when each validating router held them and, if it enforces, had dropped
  // what became invalid); the lab's own ROAs are published again after the
  // scenario.
  StepOutcome step(const RpkiStep& r) {
    std::vector<std::string> words;
    auto roa_text = [](const Roa& roa) {
      return fmt::format("{} max-length {} AS {}", roa.prefix.value.str(), roa.max(), roa.asn);
    };
    for (const Roa& roa : r.add) {
      words.push_back("publish ROA " + roa_text(roa));
      if (std::find(roas_.begin(), roas_.end(), roa) == roas_.end()) roas_.push_back(roa);
    }
    for (const Roa& roa : r.remove) {
      words.push_back("withdraw ROA " + roa_text(roa));
      std::erase(roas_, roa);
    }
    const bool first = !roas_changed_;
    roas_changed_ = true;
    std::string note;
    const std::vector<Roa> now_published = roas_;
    Micros published{};
    StepOutcome o = event(
        "rpki: " + fmt::format("{}", fmt::join(words, ", ")),
        [&]() -> Result {
          published = now();
          auto done = ops_.publish_roas(now_published);
          if (!done) return std::unexpected(done.error());
          note = *done;
          return {};
        },
        first ? std::function<void()>([this] {
          (void)ops_.publish_roas(lab_.spec.rpki ? lab_.spec.rpki->roas : std::vector<Roa>{});
          roas_changed_ = false;
        })
              : std::function<void()>{});
    // Timed from the publication: what follows is measured from it.
    if (o.status == Status::kPass) {
      last_event_ = o.at = published;
      o.measured = fmt::format("published at +{}", checks::format_seconds(published));
      if (!note.empty()) o.measured += "; " + note;
    }
    return o;
  }
  StepOutcome step(const PolicyStep& p) {
    std::string text = "policy on " + p.node.value;
    if (p.peer) text += " toward " + p.peer->value;
    if (p.prepend) text += fmt::format(" prepend {}", *p.prepend);
    if (p.local_pref) text += fmt::format(" local-pref {}", *p.local_pref);
    if (p.med) text += fmt::format(" med {}", *p.med);
    if (p.leak) text += p.leak->value ? " leak: exports everything to everyone" : " valley-free again";
    return event(text, [&] { return ops_.apply_policy(p); }, [=, this] { (void)ops_.clear_policy(p); });
  }
  StepOutcome step(const ImpairStep& i) {
    std::string text = fmt::format("impair link {} -- {}{}", i.link.a.value, i.link.b.value, parallel(i.link.a.value, i.link.b.value));
    if (i.loss_percent) text += fmt::format(" loss {}%", i.loss_percent->value);
    if (i.delay) text += " delay " + format_duration(i.delay->value);
    return event(text, [&] { return ops_.impair(i); }, [=, this] { (void)ops_.clear_impairment(i); });
  }
  StepOutcome step(const WaitStep& w) {
    sleep_until(now() + us(w.duration));
    return {.text = fmt::format("wait {}", format_duration(w.duration)), .kind = StepKind::kWait,
            .status = cancelled() ? Status::kInterrupted : Status::kPass, .at = now()};
  }
  // A flap is one event that ends when the link comes up for the last time:
  // bounds after it are measured from then ("back within 5s of the flap").
  // An instance's announcements flap: withdrawn for half the period, then
  // announced again, `times` times (what flap damping punishes). Timed, as
  // a link's flap, from when the flapping stopped.
  StepOutcome flap_announcements(const FlapStep& f) {
    const Node& n = *lab_.find(f.node->value);
    std::vector<std::string> routes;
    for (const auto& p : n.service->prefixes) routes.push_back(exabgp_route(n, p.value.str(), announce_attributes(n)));
    for (const auto& m : n.spec->announce.more_specifics)
      routes.push_back(exabgp_route(n, m.value.str(), announce_attributes(n)));
    const std::string name = n.name;
    const bool at_start = n.spec->announce.at_start;
    const std::string text = fmt::format("flap announcements of {} {} times every {}", name, f.times, format_duration(f.period));
    undo_.push_back([=, this] {
      for (const std::string& r : routes) (void)ops_.exabgp(name, (at_start ? "announce " : "withdraw ") + r);
    });
    open_tcp_sessions();
    auto send = [&](const char* verb) -> Result {
      for (const std::string& r : routes)
        if (auto done = ops_.exabgp(name, verb + r); !done) return done;
      return {};
    };
    return flapping(text, f, [&] { return send("withdraw "); }, [&] { return send("announce "); });
  }
  // `times` times: down, half a period, up, half a period (not after the
  // last); timed from when the flapping stopped.
  StepOutcome flapping(const std::string& text, const FlapStep& f, const std::function<Result()>& down_once,
                       const std::function<Result()>& up_once) {
    const Micros start = now(), half = us(f.period) / 2;
    for (int i = 0; i < f.times && !cancelled(); ++i) {
      auto down = down_once();
      if (down) sleep_until(now() + half);
      auto up = up_once();
      if (!down || !up)
        return {.text = text, .kind = StepKind::kEvent, .status = Status::kError,
                .measured = !down ? down.error() : up.error()};
      if (i + 1 < f.times) sleep_until(now() + half);
    }
    last_event_ = now();
    return {.text = text, .kind = StepKind::kEvent, .status = cancelled() ? Status::kInterrupted : Status::kPass,
            .measured = fmt::format("from +{} to +{}", checks::format_seconds(start), checks::format_seconds(now())),
            .at = last_event_};
  }
  StepOutcome step(const FlapStep& f) {
    if (f.node) return flap_announcements(f);
    const std::string &a = f.link.a.value, &b = f.link.b.value;
    const std::string text =
        fmt::format("flap link {} -- {}{} {} times every {}", a, b, parallel(a, b), f.times, format_duration(f.period));
    undo_.push_back([=, this] { (void)ops_.set_link(a, b, true); });
    open_tcp_sessions();
    return flapping(text, f, [&] { return ops_.set_link(a, b, false); }, [&] { return ops_.set_link(a, b, true); });
  }

  // Expectations -----------------------------------------------------------
  // An expectation as decided. One that was not (a signal cut it short) is
  // interrupted, whatever it looked like so far; one whose measurement the
  // harness could not make is an error, with the cause.
  StepOutcome judged(std::string text, const Decision& d) {
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
  Decision until_decided(Decide decide) {
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
  Decision settle(Judge judge) {
    const Micros deadline = last_event_ + settle_;
    return until_decided([&](Micros end) {
      Verdict v = judge(end);
      return Decision{.final = v.pass || v.error || now() >= deadline, .verdict = v};
    });
  }

  // Probes of `keys` that the harness could not send since the last event:
  // what they would have measured is unknown, so the expectation is an
  // error, with its cause.
  std::optional<std::string> unsent(const Snapshot& s, const std::vector<ProbeKey>& keys, Micros end) const {
    for (const ProbeKey& k : keys)
      if (auto why = checks::unsent_probes(s.of(k), last_event_, end))
        return fmt::format("the prober failed from {} ({} {}): {}", k.client, k.service, to_string(k.family), *why);
    return std::nullopt;
  }

  // "ipv4: ...; ipv6: ...": what one stream measured, added to the whole.
  static void add_measured(std::string& all, const std::string& label, const std::string& part) {
    all += (all.empty() ? "" : "; ") + (label.empty() ? "" : label + ": ") + part;
  }

  // The streams an expectation covers: every family of each service (of
  // `service` only, if given), or only `family` where the service has it.
  std::vector<Stream> streams(const std::optional<std::string>& service, const std::optional<Marked<Family>>& family) const {
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
  Decision every_stream(const std::vector<Stream>& streams, Decide decide) {
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

  StepOutcome step(const ExpectStep& e) {
    if (e.route) return expect_route(*e.route);
    if (e.tcp) return expect_tcp(*e.tcp, e.family);
    if (!e.catchment.empty()) return expect_catchment(e.catchment, e.family);
    if (e.load) return expect_load(*e.load, e.family);
    const ClientExpect c{e, fmt::format("expect {} ", e.client->value), e.stable ? us(*e.stable) : stable_};
    if (e.loss) return expect_loss(c);
    if (e.max_outage) return expect_max_outage(c);
    return expect_reaches(c);
  }

  // An expectation on one client's probes, and what all its kinds share.
  struct ClientExpect {
    const ExpectStep& e;
    std::string text;  // "expect client-eu "
    Micros stable;
    const std::string& client() const { return e.client->value; }
    std::optional<std::string> service() const { return e.service ? std::optional(e.service->value) : std::nullopt; }
    std::string over() const { return e.family ? fmt::format(" over {}", to_string(e.family->value)) : ""; }
    std::string of() const { return e.service ? " of " + e.service->value : ""; }
    ProbeKey key(const Stream& st) const { return {client(), st.service, st.family}; }
    std::vector<ProbeKey> keys(const std::vector<Stream>& covered) const {
      std::vector<ProbeKey> out;
      for (const Stream& st : covered) out.push_back(key(st));
      return out;
    }
  };

  // Judged as probes come in; the probes the harness could not send since
  // the last event make it an error.
  template <class PerStream>
  Decision decide_streams(const ClientExpect& c, const std::vector<Stream>& all, Micros end, PerStream per_stream) {
    const Snapshot s = snapshot();
    if (auto why = unsent(s, c.keys(all), end)) return Decision{.final = true, .verdict = {.error = why}};
    return every_stream(all, [&](const Stream& st) { return per_stream(s.of(c.key(st))); });
  }

  StepOutcome expect_loss(const ClientExpect& c) {
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
    const checks::LossBounds bounds{l.at_most ? std::optional(l.at_most->value) : std::nullopt,
                                    l.at_least ? std::optional(l.at_least->value) : std::nullopt};
    // Without `over`: what the window holds when the step is reached, at
    // least 10 probes of it.
    return judged(text, until_decided([&](Micros end) {
      return decide_streams(c, all, end, [&](const checks::ClientTimeline& t) {
        return checks::decide_loss(t, last_event_, end, until, bounds, 10, deadline);
      });
    }));
  }

  StepOutcome expect_max_outage(const ClientExpect& c) {
    const std::string text = c.text + fmt::format("max-outage {}", format_duration(*c.e.max_outage)) + c.of() + c.over();
    const Micros bound = us(*c.e.max_outage), deadline = last_event_ + settle_;
    const auto all = streams(c.service(), c.e.family);
    return judged(text, until_decided([&](Micros end) {
      return decide_streams(c, all, end, [&](const checks::ClientTimeline& t) {
        return checks::decide_max_outage(t, last_event_, end, bound, c.stable, deadline);
      });
    }));
  }

  // `reaches`, or `unreachable` (reaching nobody).
  StepOutcome expect_reaches(const ClientExpect& c) {
    const ExpectStep& e = c.e;
    const std::optional<Micros> within = e.within ? std::optional<Micros>(us(*e.within)) : std::nullopt;
    const bool none = !e.reaches;
    std::string text = c.text + (none ? "unreachable" + c.of() : "reaches " + e.reaches->value) + c.over();
    if (within) text += " within " + format_duration(*e.within);
    if (e.stable) text += " stable " + format_duration(*e.stable);
    // With a bound, the outcome is certain by bound + stable; without one,
    // the lab may take up to `settle`.
    const Micros deadline = last_event_ + (within ? *within + c.stable + interval_ : settle_);
    const auto covered = none ? streams(c.service(), e.family)
                              : streams(lab_.find(e.reaches->value)->service->name.value, e.family);
    return judged(text, until_decided([&](Micros end) {
      return decide_streams(c, covered, end, [&](const checks::ClientTimeline& t) {
        if (!none) return checks::decide_reaches(t, last_event_, end, e.reaches->value, within, c.stable, deadline);
        return checks::decide_unreachable(t, last_event_, end, within, c.stable, deadline);
      });
    }));
  }

  // Per service and family: each client answered by the instance it is
  // listed under.
  // The timelines of one service and family of the clients keying `by_client`,
  // or why some of their probes could not be sent.
  template <class ByClient>
  std::expected<std::map<std::string, checks::ClientTimeline>, std::string> stream_timelines(
      const Snapshot& s, const ByClient& by_client, const std::string& service, Family f, Micros end) const {
    std::map<std::string, checks::ClientTimeline> t;
    std::vector<ProbeKey> keys;
    for (const auto& entry : by_client) {
      keys.push_back({entry.first, service, f});
      t[entry.first] = s.of(keys.back());
    }
    if (auto why = unsent(s, keys, end)) return std::unexpected(*why);
    return t;
  }

  StepOutcome expect_catchment(const std::vector<CatchmentSpec>& catchment, const std::optional<Marked<Family>>& family) {
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
          if (!t) return Verdict{.error = t.error()};
          Verdict one = checks::catchment(*t, last_event_, end, clients);
          all.pass = all.pass && one.pass;
          add_measured(all.measured, names_families(lab_.spec) ? to_string(st.family) : "", one.measured);
        }
      return all;
    }));
  }

  // Per family of the instance's service: the share of every client's
  // weight it serves, as soon as within the bounds (or at settle).
  StepOutcome expect_load(const LoadExpect& l, const std::optional<Marked<Family>>& family) {
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
        if (!t) return Verdict{.error = t.error()};
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
  StepOutcome expect_load_rate(const LoadExpect& l) {
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

  StepOutcome expect_route(const RouteExpect& r) {
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
  StepOutcome expect_tcp(const TcpExpect& t, const std::optional<Marked<Family>>& family) {
    std::string text = fmt::format("expect tcp from {} {}", t.client.value, t.survives ? "survives" : "breaks");
    if (family) text += fmt::format(" over {}", to_string(family->value));
    const auto keys = watches_of(t, family);
    Decision all{.final = true, .verdict = {.pass = true}};
    for (const ProbeKey& k : keys) {
      Decision one = judge_tcp(k, t.survives);
      if (keys.size() == 1 || !one.final) return judged(text, one);
      all.verdict.pass = all.verdict.pass && one.verdict.pass;
      add_measured(all.verdict.measured, to_string(k.family), one.verdict.measured);
    }
    return judged(text, all);
  }

  // Not final when a signal came while the path was settling.
  Decision judge_tcp(const ProbeKey& key, bool survives) {
    const TcpWatch& w = tcp_.at(key);
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

  // A `tcp` expectation's connections: its client to the service it goes to
  // (its `service:`, or the lab's only one: the loader refuses a lab of
  // several services without it), one per family (or only `family`).
  std::vector<ProbeKey> watches_of(const TcpExpect& t, const std::optional<Marked<Family>>& family) const {
    const std::string service = t.service ? t.service->value : lab_.spec.services.front().name.value;
    std::vector<ProbeKey> out;
    for (const Stream& st : streams(service, family)) out.push_back({t.client.value, st.service, st.family});
    return out;
  }

  // (Re)opens the scenario's watched TCP connections and notes who answers.
  void open_tcp_sessions() {
    for (auto& [watch, w] : tcp_) {
      w.session.reset();
      auto s = ops_.open_tcp(watch);
      if (!s) {
        w.error = s.error();
        continue;
      }
      auto first = (*s)->ask(Micros(1s));
      if (!first) {
        w.error = "the new connection got no answer: " + first.error();
        continue;
      }
      w.session = std::move(*s);
      w.instance = *first;
      w.opened = now();
    }
  }

  // Last broken, first mended; one undo that fails does not keep the others
  // from running.
  void undo_all() noexcept {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) try {
        (*it)();
      } catch (...) {
      }
    undo_.clear();
  }
  struct PutBack {
    Runner& runner;
    ~PutBack() { runner.undo_all(); }
  };

  LabOps& ops_;
  const Lab& lab_;
  const std::atomic<bool>* cancel_;
  const Micros interval_, timeout_, settle_, stable_;
  std::map<ProbeKey, size_t> index_;  // key -> target
  std::unique_ptr<ProbeRun> probes_;
  Micros last_event_{};
  std::vector<std::function<void()>> undo_;
  std::vector<Roa> roas_;       // published now, in this scenario
  bool roas_changed_ = false;   // an rpki step ran: the lab's ROAs go back after
  struct TcpWatch {
    std::unique_ptr<checks::TcpSession> session;
    std::string instance;  // who answered when it was opened
    Micros opened{};
    std::string error;     // why it could not be opened
  };
  std::map<ProbeKey, TcpWatch> tcp_;  // the scenario's `tcp` expectations' connections
};

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kError: return "error";
    case Status::kInterrupted: return "interrupted";
  }
  return "?";
}

Status ScenarioOutcome::status() const {
  Status worst = Status::kPass;
  for (const StepOutcome& st : steps) worst = std::max(worst, st.status);
  return worst;
}

ScenarioOutcome interrupted_scenario(const ScenarioSpec& scenario) {
  ScenarioOutcome out{.name = scenario.name.value};
  for (const StepSpec& st : scenario.steps) {
    out.steps.push_back(not_reached(st));
    out.steps.back().line = st.mark.line;
  }
  return out;
}

ScenarioOutcome run_scenario(LabOps& ops, const Lab& lab, const ScenarioSpec& scenario,
                             const std::atomic<bool>* cancel) {
  return Runner(ops, lab, cancel).run(scenario);
}

ScenarioOutcome run_scenario(const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel) {
  auto ops = live_lab(lab);
  return run_scenario(*ops, lab, scenario, cancel);
}

}  // namespace anylab
