// LabOps on a lab deployed on this machine: the runtime's events, FRR's vty,
// ExaBGP's control channel and the prober in the clients' namespaces.
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "capacity.h"
#include "core/error.h"
#include "loadgen.h"
#include "plan/render_exabgp.h"
#include "prober.h"
#include "runtime/client_targets.h"
#include "runtime/events.h"
#include "runtime/frr_vty.h"
#include "runtime/rpki.h"
#include "runtime/status.h"
#include "scenario/lab_ops.h"
#include "scenario/route_watch.h"

namespace anylab {
namespace {

using checks::Micros;

// Each client's share of the offered load, by its weight, split evenly over
// the streams it probes (every service, every family).
std::vector<checks::LoadTarget> load_targets(const Lab& lab, const ClientTargets& clients) {
  std::vector<checks::LoadTarget> out;
  if (!lab.spec.defaults.load_rate) return out;
  std::map<std::string, size_t> streams;
  for (const ProbeKey& k : clients.keys()) ++streams[k.client];
  for (size_t i = 0; i < clients.targets().size(); ++i) {
    const checks::ProbeTarget& t = clients.targets()[i];
    const std::string& client = clients.key(i).client;
    out.push_back({client, t.netns, t.address, t.port,
                   offered_rate(lab.spec, client) / static_cast<double>(streams[client])});
  }
  return out;
}

// What an instance's responder counted (its --stats file: a line per
// second of the monotonic clock) in the seconds that overlap [origin, origin
// + duration], on the scenario's clock.
LoadOutcome::Instance responder_counts(const Node& n, std::chrono::steady_clock::time_point origin, Micros duration) {
  LoadOutcome::Instance out{n.name};
  if (n.spec->capacity) out.capacity = n.spec->capacity->value;
  std::ifstream in(served_file(n));
  const Micros start = std::chrono::duration_cast<Micros>(origin.time_since_epoch());
  for (std::string line; std::getline(in, line);) {
    const auto s = checks::Capacity::parse(line);
    if (!s) continue;
    const Micros at = Micros(s->second * 1'000'000) - start;
    if (at + Micros(1'000'000) <= Micros(0) || at >= duration) continue;
    out.served += s->served;
    out.dropped += s->dropped;
    out.seconds.push_back({at, s->served, s->dropped});
  }
  return out;
}

class LiveProbes : public ProbeRun {
 public:
  LiveProbes(const Lab& lab, const ClientTargets& clients, Micros interval, Micros timeout)
      : lab_(lab), clients_(clients), keys_(clients.keys()), prober_(every_flow(clients), interval, timeout) {
    if (auto targets = load_targets(lab, clients); !targets.empty())
      load_ = std::make_unique<checks::LoadGenerator>(std::move(targets), prober_.origin());
  }
  std::expected<void, Error> start() {
    if (auto started = prober_.start(); !started) return fail(started.error());
    if (load_)
      if (auto started = load_->start(); !started) return fail("the offered load: " + started.error());
    return {};
  }
  Micros now() const override { return prober_.now(); }
  void sleep_until(Micros t) override {
    const Micros left = t - prober_.now();
    if (left > Micros(0)) std::this_thread::sleep_for(left);
  }
  std::vector<checks::ClientTimeline> timelines() const override { return snapshot().timelines; }
  ProbeSnapshot snapshot() const override {
    auto all = prober_.timelines();
    auto flows = flows_of(all);
    all.resize(keys_.size());
    for (size_t k = 0; k < flows.size(); ++k)
      if (!flows[k].empty()) all[k] = checks::merge_flows(flows[k]);
    return {std::move(all), std::move(flows)};
  }
  void stop() override {
    if (load_) load_->stop();
    stopped_at_ = prober_.now();
    prober_.stop();
  }
  std::map<std::string, std::vector<uint32_t>> load_answered() const override {
    return load_ ? load_->answered() : std::map<std::string, std::vector<uint32_t>>{};
  }
  std::optional<LoadOutcome> load() const override {
    if (!load_) return std::nullopt;
    LoadOutcome out{.rate = lab_.spec.defaults.load_rate->value};
    const auto counts = load_->counts();
    for (size_t i = 0; i < counts.size(); ++i)
      out.clients.push_back({keys_[i], load_->targets()[i].rate, counts[i].sent, counts[i].answered});
    for (const Node& n : lab_.nodes)
      if (n.kind == NodeKind::kInstance) out.instances.push_back(responder_counts(n, prober_.origin(), stopped_at_));
    return out;
  }

 private:
  // The prober's targets: one per key, then every other flow.
  static std::vector<checks::ProbeTarget> every_flow(const ClientTargets& clients) {
    std::vector<checks::ProbeTarget> all = clients.targets();
    all.insert(all.end(), clients.flow_targets().begin(), clients.flow_targets().end());
    return all;
  }
  // Per key, each of its flows' timelines (flow 0 first), or none.
  std::vector<std::vector<checks::ClientTimeline>> flows_of(const std::vector<checks::ClientTimeline>& all) const {
    std::vector<std::vector<checks::ClientTimeline>> out(keys_.size());
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (clients_.other_flows(k).empty()) continue;
      out[k].push_back(all.at(k));
      for (size_t f : clients_.other_flows(k)) out[k].push_back(all.at(keys_.size() + f));
    }
    return out;
  }

  const Lab& lab_;
  const ClientTargets& clients_;
  std::vector<ProbeKey> keys_;
  checks::Prober prober_;
  std::unique_ptr<checks::LoadGenerator> load_;
  Micros stopped_at_{};
};

class LiveLab : public LabOps {
 public:
  LiveLab(const Lab& lab, const NodeRuntime& runtime)
      : lab_(lab), events_(lab, runtime), clients_(ClientTargets::open(lab, runtime)) {}

  std::expected<std::vector<ProbeKey>, Error> targets() override {
    if (!clients_) return fail(clients_.error());
    return clients_->keys();
  }
  std::expected<std::unique_ptr<ProbeRun>, Error> start_probes() override {
    if (!clients_) return fail(clients_.error());
    auto p = std::make_unique<LiveProbes>(lab_, *clients_, us(lab_.spec.defaults.probe_interval),
                                          us(lab_.spec.defaults.probe_timeout));
    if (auto started = p->start(); !started) return fail(started.error());
    return p;
  }
  std::expected<std::unique_ptr<checks::TcpSession>, Error> open_tcp(const ProbeKey& key) override {
    if (!clients_) return fail(clients_.error());
    const checks::ProbeTarget& t = clients_->targets().at(clients_->index(key));
    auto session = checks::TcpSession::open(t.netns, t.address, t.port, Micros(std::chrono::seconds(1)));
    if (!session) return fail(session.error());
    return std::move(*session);
  }

  Result set_link(const std::string& a, const std::string& b, bool up) override {
    return events_.set_link(a, b, up);
  }
  Result fail_node(const std::string& node, FailMode mode) override { return events_.fail_node(node, mode); }
  Result restore_node(const std::string& node) override { return events_.restore_node(node); }
  Result set_bgp_session(const std::string& a, const std::string& b, bool up) override {
    return events_.set_bgp_session(a, b, up);
  }
  Result apply_policy(const PolicyStep& p) override { return events_.apply_policy(p); }
  Result clear_policy(const PolicyStep& p) override { return events_.clear_policy(p); }
  Result impair(const ImpairStep& i) override { return events_.impair(i); }
  Result clear_impairment(const ImpairStep& i) override { return events_.clear_impairment(i); }
  Result exabgp(const std::string& instance, const std::string& command) override {
    return events_.exabgp(instance, {command});
  }
  // Timed against what the routers held until now: the lab's ROAs, or what
  // the last step published.
  std::expected<std::string, Error> publish_roas(const std::vector<Roa>& roas) override {
    auto done = anylab::publish_roas(lab_, published_, roas, std::chrono::seconds(15));
    published_ = roas;
    return done;
  }
  std::optional<std::string> bgp_route_json(const std::string& router, const IpPrefix& prefix) override {
    return frr_vty(lab_.find(router)->netns, "bgpd",
                   fmt::format("show bgp {} unicast {} json", to_string(prefix.family()), prefix.str()));
  }
  std::expected<std::unique_ptr<RouteWatch>, Error> watch_routes(const ProbeRun& clock) override {
    return watch_frr_routes(lab_, [&clock] { return clock.now(); });
  }
  checks::SessionCounts update_counts() override { return frr_update_counts(lab_); }
  void wait_ready(Micros budget, const std::atomic<bool>* cancel) override {
    (void)anylab::wait_ready(lab_, std::chrono::steady_clock::now() + budget, cancel);
  }

 private:
  static Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }
  const Lab& lab_;
  LabEvents events_;
  std::expected<ClientTargets, Error> clients_;
  std::vector<Roa> published_ = lab_.spec.rpki ? lab_.spec.rpki->roas : std::vector<Roa>{};
};

}  // namespace

std::unique_ptr<LabOps> live_lab(const Lab& lab, const NodeRuntime& runtime) {
  return std::make_unique<LiveLab>(lab, runtime);
}

}  // namespace anylab
