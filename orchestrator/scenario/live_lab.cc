// LabOps on a lab deployed on this machine: the runtime's events, FRR's vty,
// ExaBGP's control channel and the prober in the clients' namespaces.
#include <thread>

#include <fmt/format.h>

#include "prober.h"
#include "runtime/client_targets.h"
#include "runtime/events.h"
#include "runtime/exabgp_control.h"
#include "runtime/frr_vty.h"
#include "runtime/rpki.h"
#include "runtime/status.h"
#include "scenario/lab_ops.h"

namespace anylab {
namespace {

using checks::Micros;

class LiveProbes : public ProbeRun {
 public:
  LiveProbes(const std::vector<checks::ProbeTarget>& targets, Micros interval, Micros timeout)
      : prober_(targets, interval, timeout) {}
  std::optional<std::string> start() { return prober_.start(); }
  Micros now() const override { return prober_.now(); }
  void sleep_until(Micros t) override {
    const Micros left = t - prober_.now();
    if (left > Micros(0)) std::this_thread::sleep_for(left);
  }
  std::vector<checks::ClientTimeline> timelines() const override { return prober_.timelines(); }
  void stop() override { prober_.stop(); }

 private:
  checks::Prober prober_;
};

class LiveLab : public LabOps {
 public:
  explicit LiveLab(const Lab& lab) : lab_(lab), clients_(ClientTargets::open(lab)) {}

  std::expected<std::vector<ProbeKey>, std::string> targets() override {
    if (!clients_) return std::unexpected(clients_.error());
    return clients_->keys();
  }
  std::expected<std::unique_ptr<ProbeRun>, std::string> start_probes() override {
    if (!clients_) return std::unexpected(clients_.error());
    auto p = std::make_unique<LiveProbes>(clients_->targets(), us(lab_.spec.defaults.probe_interval),
                                          us(lab_.spec.defaults.probe_timeout));
    if (auto err = p->start()) return std::unexpected(*err);
    return p;
  }
  std::expected<std::unique_ptr<checks::TcpSession>, std::string> open_tcp(const ProbeKey& key) override {
    if (!clients_) return std::unexpected(clients_.error());
    const checks::ProbeTarget& t = clients_->targets().at(clients_->index(key));
    return checks::TcpSession::open(t.netns, t.address, t.port, Micros(std::chrono::seconds(1)));
  }

  Result set_link(const std::string& a, const std::string& b, bool up) override { return anylab::set_link(lab_, a, b, up); }
  Result fail_node(const std::string& node, FailMode mode) override { return anylab::fail_node(lab_, node, mode); }
  Result restore_node(const std::string& node) override { return anylab::restore_node(lab_, node); }
  Result set_bgp_session(const std::string& a, const std::string& b, bool up) override {
    return anylab::set_bgp_session(lab_, a, b, up);
  }
  Result apply_policy(const PolicyStep& p) override { return anylab::apply_policy(lab_, p); }
  Result clear_policy(const PolicyStep& p) override { return anylab::clear_policy(lab_, p); }
  Result impair(const ImpairStep& i) override { return impair_link(lab_, i); }
  Result clear_impairment(const ImpairStep& i) override { return anylab::clear_impairment(lab_, i); }
  Result exabgp(const std::string& instance, const std::string& command) override {
    return exabgp_send(*lab_.find(instance), command);
  }
  std::expected<std::string, std::string> publish_roas(const std::vector<Roa>& roas) override {
    return anylab::publish_roas(lab_, roas, std::chrono::seconds(15));
  }
  std::optional<std::string> bgp_route_json(const std::string& router, const IpPrefix& prefix) override {
    return frr_vty(lab_.find(router)->netns, "bgpd",
                   fmt::format("show bgp {} unicast {} json", to_string(prefix.family()), prefix.str()));
  }
  void wait_ready(Micros budget, const std::atomic<bool>* cancel) override {
    (void)anylab::wait_ready(lab_, std::chrono::steady_clock::now() + budget, cancel);
  }

 private:
  static Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }
  const Lab& lab_;
  std::expected<ClientTargets, std::string> clients_;
};

}  // namespace

std::unique_ptr<LabOps> live_lab(const Lab& lab) { return std::make_unique<LiveLab>(lab); }

}  // namespace anylab
