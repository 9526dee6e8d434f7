#pragma once

#include <atomic>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control_plane.h"
#include "core/error.h"
#include "model/lab.h"
#include "runtime/node_runtime.h"
#include "scenario/engine.h"
#include "tcp_session.h"
#include "timeline.h"

namespace anylab {

// Every target's decided probes at one moment: per target, and for a
// client with several flows each flow's (per target; none otherwise).
struct ProbeSnapshot {
  std::vector<checks::ClientTimeline> timelines;
  std::vector<std::vector<checks::ClientTimeline>> flows;
};

// The probes of a scenario, running: its clock (the one events are stamped
// with), and every target's decided probes so far.
class ProbeRun {
 public:
  virtual ~ProbeRun() = default;
  virtual checks::Micros now() const = 0;
  // Waits until now() >= t (or a little less, if cancelled).
  virtual void sleep_until(checks::Micros t) = 0;
  // Per target, in the order of ProbeTargets below.
  // A client with several flows: the key's timeline is every flow's
  // (checks::merge_flows); snapshot() has each flow's too, read at the same
  // moment.
  virtual std::vector<checks::ClientTimeline> timelines() const = 0;
  virtual ProbeSnapshot snapshot() const { return {timelines(), {}}; }
  virtual void stop() = 0;
  // With offered load: the answers each instance gave so far, per tenth of
  // a second on this clock; and, once stopped, the whole of it.
  virtual std::map<std::string, std::vector<uint32_t>> load_answered() const { return {}; }
  virtual std::optional<LoadOutcome> load() const { return std::nullopt; }
};

// The routers' best paths to the services' prefixes, watched through a
// scenario: each router looked at in rounds, a change timed by the round
// that saw it.
class RouteWatch {
 public:
  virtual ~RouteWatch() = default;
  // Every change seen so far, each router's and prefix's first look too, in
  // the order seen.
  virtual std::vector<checks::PathChange> changes() const = 0;
  // The start of the last round that looked at every router: a change
  // before it has been seen.
  virtual checks::Micros seen_until() const = 0;
  // The longest time between two looks at a router so far: how late a
  // change may be seen.
  virtual checks::Micros resolution() const = 0;
  virtual void stop() = 0;
};

// What the scenario engine does to a running lab and asks of it. The engine
// knows nothing else of the lab's runtime, so that its judging (within,
// stable, settle, early verdicts) runs in unit tests on synthetic
// timelines and a fake clock, and so that another runtime is another
// implementation of this, not edits to the engine.
class LabOps {
 public:
  using Result = std::expected<void, Error>;
  virtual ~LabOps() = default;

  // The probe targets, clients in node order, each with every service and
  // each service with every family.
  virtual std::expected<std::vector<ProbeKey>, Error> targets() = 0;
  virtual std::expected<std::unique_ptr<ProbeRun>, Error> start_probes() = 0;
  // A long-lived TCP connection from a client to a service's address in a family.
  virtual std::expected<std::unique_ptr<checks::TcpSession>, Error> open_tcp(const ProbeKey& key) = 0;

  virtual Result set_link(const std::string& a, const std::string& b, bool up) = 0;
  virtual Result fail_node(const std::string& node, FailMode mode) = 0;
  virtual Result restore_node(const std::string& node) = 0;
  virtual Result set_bgp_session(const std::string& a, const std::string& b, bool up) = 0;
  virtual Result apply_policy(const PolicyStep& p) = 0;
  virtual Result clear_policy(const PolicyStep& p) = 0;
  virtual Result impair(const ImpairStep& i) = 0;
  virtual Result clear_impairment(const ImpairStep& i) = 0;
  // An ExaBGP API command to an instance ("announce route ...").
  virtual Result exabgp(const std::string& instance, const std::string& command) = 0;
  // The published ROAs replaced by these; when every validating router holds
  // them, a note of how long each took.
  virtual std::expected<std::string, Error> publish_roas(const std::vector<Roa>& roas) = 0;
  // FRR's `show bgp ipv4|ipv6 unicast PREFIX json` on a router, or nullopt if it does not answer.
  virtual std::optional<std::string> bgp_route_json(const std::string& router, const IpPrefix& prefix) = 0;
  // Watches every router's best path to every service prefix, timed on the
  // probes' clock, until stopped; nullptr for a lab without routers.
  virtual std::expected<std::unique_ptr<RouteWatch>, Error> watch_routes(const ProbeRun&) { return nullptr; }
  // The BGP UPDATEs each router counted so far, per session (FRR's
  // counters); a router that does not answer is left out.
  virtual checks::SessionCounts update_counts() { return {}; }
  // After a scenario: waits until the lab is ready again, at most `budget`.
  virtual void wait_ready(checks::Micros budget, const std::atomic<bool>* cancel) = 0;
};

// The lab running on this machine, as deploy built it.
std::unique_ptr<LabOps> live_lab(const Lab& lab, const NodeRuntime& runtime);

}  // namespace anylab
