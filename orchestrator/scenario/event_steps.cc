// Each event step of a scenario, applied with its undo.
#include <algorithm>

#include <fmt/format.h>

#include "plan/render_exabgp.h"
#include "core/error.h"
#include "loadgen.h"
#include "scenario/runner.h"

namespace anylab::detail {

// Parallel links are acted on together: the step says which.
std::string Runner::parallel(const std::string& a, const std::string& b) const {
  const size_t n = lab_.links_between(a, b).size();
  return n > 1 ? fmt::format(" (all {} links: {})", n, lab_.links_text(a, b)) : "";
}

StepOutcome Runner::step(const FailStep& f) {
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

std::vector<std::string> Runner::instances_of(const std::string& service) const {
  std::vector<std::string> out;
  for (const Node& n : lab_.nodes)
    if (n.kind == NodeKind::kInstance && n.service && n.service->name.value == service) out.push_back(n.name);
  return out;
}

StepOutcome Runner::step(const RestoreStep& r) {
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

StepOutcome Runner::step(const AnnounceStep& a) {
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
StepOutcome Runner::step(const RpkiStep& r) {
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
        if (!done) return fail(done.error());
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

StepOutcome Runner::step(const PolicyStep& p) {
  std::string text = "policy on " + p.node.value;
  if (p.peer) text += " toward " + p.peer->value;
  if (p.prepend) text += fmt::format(" prepend {}", *p.prepend);
  if (p.local_pref) text += fmt::format(" local-pref {}", *p.local_pref);
  if (p.med) text += fmt::format(" med {}", *p.med);
  if (p.leak) text += p.leak->value ? " leak: exports everything to everyone" : " valley-free again";
  return event(text, [&] { return ops_.apply_policy(p); }, [=, this] { (void)ops_.clear_policy(p); });
}

StepOutcome Runner::step(const ImpairStep& i) {
  std::string text = fmt::format("impair link {} -- {}{}", i.link.a.value, i.link.b.value, parallel(i.link.a.value, i.link.b.value));
  if (i.loss_percent) text += fmt::format(" loss {}%", i.loss_percent->value);
  if (i.delay) text += " delay " + format_duration(i.delay->value);
  return event(text, [&] { return ops_.impair(i); }, [=, this] { (void)ops_.clear_impairment(i); });
}

StepOutcome Runner::step(const WaitStep& w) {
  sleep_until(now() + us(w.duration));
  return {.text = fmt::format("wait {}", format_duration(w.duration)), .kind = StepKind::kWait,
          .status = cancelled() ? Status::kInterrupted : Status::kPass, .at = now()};
}

// A flap is one event that ends when the link comes up for the last time:
// bounds after it are measured from then ("back within 5s of the flap").
// An instance's announcements flap: withdrawn for half the period, then
// announced again, `times` times (what flap damping punishes). Timed, as
// a link's flap, from when the flapping stopped.
StepOutcome Runner::flap_announcements(const FlapStep& f) {
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
StepOutcome Runner::flapping(const std::string& text, const FlapStep& f, const std::function<Result()>& down_once,
                       const std::function<Result()>& up_once) {
  begin_event();
  const Micros start = now(), half = us(f.period) / 2;
  for (int i = 0; i < f.times && !cancelled(); ++i) {
    auto down = down_once();
    if (down) sleep_until(now() + half);
    auto up = up_once();
    if (!down || !up)
      return {.text = text, .kind = StepKind::kEvent, .status = Status::kError,
              .measured = (!down ? down.error() : up.error()).message};
    if (i + 1 < f.times) sleep_until(now() + half);
  }
  last_event_ = now();
  return {.text = text, .kind = StepKind::kEvent, .status = cancelled() ? Status::kInterrupted : Status::kPass,
          .measured = fmt::format("from +{} to +{}", checks::format_seconds(start), checks::format_seconds(now())),
          .at = last_event_};
}

StepOutcome Runner::step(const FlapStep& f) {
  if (f.node) return flap_announcements(f);
  const std::string &a = f.link.a.value, &b = f.link.b.value;
  const std::string text =
      fmt::format("flap link {} -- {}{} {} times every {}", a, b, parallel(a, b), f.times, format_duration(f.period));
  undo_.push_back([=, this] { (void)ops_.set_link(a, b, true); });
  open_tcp_sessions();
  return flapping(text, f, [&] { return ops_.set_link(a, b, false); }, [&] { return ops_.set_link(a, b, true); });
}

}  // namespace anylab::detail
