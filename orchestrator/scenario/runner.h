// The engine's Runner, shared by the files that implement it: engine.cc
// (a scenario's run, its clock, what is put back after it, TCP watches),
// event_steps.cc (each event, with its undo) and expectations.cc (judging
// what was measured). Not for use outside scenario/.
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "evaluate.h"
#include "scenario/engine.h"
#include "scenario/lab_ops.h"

namespace anylab::detail {

using checks::Decision;
using checks::Micros;
using checks::Verdict;
using namespace std::chrono_literals;

inline Micros us(Duration d) { return std::chrono::duration_cast<Micros>(d); }

// Every target's probes at one moment, looked up by their key.
class Snapshot {
 public:
  Snapshot(std::vector<checks::ClientTimeline> t, const std::map<ProbeKey, size_t>& index,
           std::vector<std::vector<checks::ClientTimeline>> flows = {})
      : timelines_(std::move(t)), flows_(std::move(flows)), index_(index) {}
  const checks::ClientTimeline& of(const ProbeKey& key) const { return timelines_.at(index_.at(key)); }
  // Each flow's timeline of a key whose client has several (else none).
  std::vector<checks::ClientTimeline> flows_of(const ProbeKey& key) const {
    const size_t i = index_.at(key);
    return i < flows_.size() ? flows_[i] : std::vector<checks::ClientTimeline>{};
  }

 private:
  std::vector<checks::ClientTimeline> timelines_;
  std::vector<std::vector<checks::ClientTimeline>> flows_;
  const std::map<ProbeKey, size_t>& index_;
};

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

  ScenarioOutcome run(const ScenarioSpec& sc);

 private:
  bool cancelled() const { return cancel_ && cancel_->load(); }
  Micros now() const { return probes_->now(); }
  void sleep_until(Micros t);
  Snapshot snapshot() const {
    ProbeSnapshot p = probes_->snapshot();
    return Snapshot(std::move(p.timelines), index_, std::move(p.flows));
  }

  using Result = std::expected<void, Error>;

  // Every event: the long-lived TCP connections the scenario watches are
  // opened just before it, the event is applied, and bounds are measured
  // from the moment it was. `undo` puts back what it broke, after the
  // scenario.
  StepOutcome event(std::string text, const std::function<Result()>& apply, std::function<void()> undo = {});

  // Events ---------------------------------------------------------------
  // Parallel links are acted on together: the step says which.
  std::string parallel(const std::string& a, const std::string& b) const;

  StepOutcome step(const FailStep& f);
  std::vector<std::string> instances_of(const std::string& service) const;
  StepOutcome step(const RestoreStep& r);
  StepOutcome step(const AnnounceStep& a);
  // The published ROAs change: timed from their publication (the step says
  // when each validating router held them and, if it enforces, had dropped
  // what became invalid); the lab's own ROAs are published again after the
  // scenario.
  StepOutcome step(const RpkiStep& r);
  StepOutcome step(const PolicyStep& p);
  StepOutcome step(const ImpairStep& i);
  StepOutcome step(const WaitStep& w);
  // A flap is one event that ends when the link comes up for the last time:
  // bounds after it are measured from then ("back within 5s of the flap").
  // An instance's announcements flap: withdrawn for half the period, then
  // announced again, `times` times (what flap damping punishes). Timed, as
  // a link's flap, from when the flapping stopped.
  StepOutcome flap_announcements(const FlapStep& f);
  // `times` times: down, half a period, up, half a period (not after the
  // last); timed from when the flapping stopped.
  StepOutcome flapping(const std::string& text, const FlapStep& f, const std::function<Result()>& down_once,
                       const std::function<Result()>& up_once);
  StepOutcome step(const FlapStep& f);

  // Expectations -----------------------------------------------------------
  // An expectation as decided. One that was not (a signal cut it short) is
  // interrupted, whatever it looked like so far; one whose measurement the
  // harness could not make is an error, with the cause.
  StepOutcome judged(std::string text, const Decision& d);

  // Judged again as probes come in until the outcome is certain: `decide`
  // gets the end of the decided probes (older than the probe timeout).
  template <class Decide>
  Decision until_decided(Decide decide);
  // For what holds at a moment (catchment, route, tcp path): decided as soon
  // as it holds, or when `settle` has passed since the last event.
  template <class Judge>
  Decision settle(Judge judge);

  // Probes of `keys` that the harness could not send since the last event:
  // what they would have measured is unknown, so the expectation is an
  // error, with its cause.
  std::optional<std::string> unsent(const Snapshot& s, const std::vector<ProbeKey>& keys, Micros end) const;

  // "ipv4: ...; ipv6: ...": what one stream measured, added to the whole.
  static void add_measured(std::string& all, const std::string& label, const std::string& part);

  // The streams an expectation covers: every family of each service (of
  // `service` only, if given), or only `family` where the service has it.
  std::vector<Stream> streams(const std::optional<std::string>& service, const std::optional<Marked<Family>>& family) const;

  // An expectation over several streams holds if it holds for each: decided
  // once every stream's is, or once one of them failed for good. What was
  // measured is said per stream (its service and family) when there are
  // several, the longest outage is the longest of them, and convergence
  // the latest.
  template <class Decide>
  Decision every_stream(const std::vector<Stream>& streams, Decide decide);

  StepOutcome step(const ExpectStep& e);

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
  Decision decide_streams(const ClientExpect& c, const std::vector<Stream>& all, Micros end, PerStream per_stream);

  StepOutcome expect_loss(const ClientExpect& c);
  StepOutcome expect_flips(const ClientExpect& c);

  StepOutcome expect_max_outage(const ClientExpect& c);

  // `reaches`, or `unreachable` (reaching nobody).
  StepOutcome expect_reaches(const ClientExpect& c);

  // Per service and family: each client answered by the instance it is
  // listed under.
  // The timelines of one service and family of the clients keying `by_client`,
  // or why some of their probes could not be sent.
  template <class ByClient>
  std::expected<std::map<std::string, checks::ClientTimeline>, Error> stream_timelines(
      const Snapshot& s, const ByClient& by_client, const std::string& service, Family f, Micros end) const;

  StepOutcome expect_catchment(const std::vector<CatchmentSpec>& catchment, const std::optional<Marked<Family>>& family);

  // Per family of the instance's service: the share of every client's
  // weight it serves, as soon as within the bounds (or at settle).
  StepOutcome expect_load(const LoadExpect& l, const std::optional<Marked<Family>>& family);

  // With offered load: the queries a second the instance answered over the
  // last second (a second after the last event at the earliest), as soon as
  // within the bounds, or at settle.
  StepOutcome expect_load_rate(const LoadExpect& l);

  StepOutcome expect_route(const RouteExpect& r);

  // Flows: the key of a client's flows, for the
  // listed instances' service (or the lab's first) in `family` (or the
  // service's first).
  ProbeKey flow_key(const std::string& client, const std::optional<std::string>& instance,
                    const std::optional<Marked<Family>>& family) const;
  // Each listed instance's share of the client's flows, on their latest
  // probes: as soon as within the bounds, or at `within` (else settle).
  StepOutcome expect_spread(const SpreadExpect& s, const std::optional<Duration>& within,
                            const std::optional<Marked<Family>>& family);
  // The flows answered by another instance now than just before the last
  // event, judged on the latest probes at once (after an expectation that
  // waits for the lab to settle).
  StepOutcome expect_moved(const ClientExpect& c);

  // A long-lived TCP connection, opened before the last event, is judged
  // once the client's path has settled (its probes answered by one instance,
  // or by none, for the tcp-settle time): a request on it must be answered
  // by the same instance as before (it survived) or fail (it broke). A
  // dual-stack service has one connection per family, and each must.
  StepOutcome expect_tcp(const TcpExpect& t, const std::optional<Marked<Family>>& family);

  // Not final when a signal came while the path was settling.
  Decision judge_tcp(const ProbeKey& key, const std::string& on, bool survives);

  // A `tcp` expectation's connections: its client to the service it goes to
  // (its `service:`, or the lab's only one: the loader refuses a lab of
  // several services without it), one per family (or only `family`).
  std::vector<ProbeKey> watches_of(const TcpExpect& t, const std::optional<Marked<Family>>& family) const;

  // (Re)opens the scenario's watched TCP connections and notes who answers.
  void open_tcp_sessions();

  // The control plane -------------------------------------------------------
  // What the open event cost (its window ends now: the next event begins or
  // the scenario ends), put on its step in `out`.
  void close_event(ScenarioOutcome& out);
  void begin_event();
  std::vector<std::string> router_names() const;
  // The prefixes of `service` (every service's if none), as FRR writes them.
  std::vector<std::string> service_prefixes(const std::optional<std::string>& service) const;
  // The UPDATEs sent since the last event, judged once the routes settled
  // (no best-path change for a quiet while and the counters still).
  StepOutcome expect_updates(const UpdatesExpect& u);
  // The last best-path change after the last event: judged once the watch
  // has looked a quiet while past the bound, or failed as soon as a change
  // over it is seen.
  StepOutcome expect_settled(const SettledExpect& s, const std::optional<Marked<std::string>>& service);

  // Last broken, first mended; one undo that fails does not keep the others
  // from running.
  void undo_all() noexcept;
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
  Micros event_started_{};  // when the last event began to be applied
  std::vector<std::function<void()>> undo_;
  std::vector<Roa> roas_;       // published now, in this scenario
  bool roas_changed_ = false;   // an rpki step ran: the lab's ROAs go back after
  struct TcpWatch {
    std::unique_ptr<checks::TcpSession> session;
    std::string instance;  // who answered when it was opened
    Micros opened{};
    std::string error;     // why it could not be opened
  };
  // The scenario's `tcp` expectations' connections, by probe stream and
  // `on`, the instance it must be held by when opened, or "" (two
  // expectations of one client on two instances are two).
  std::map<std::pair<ProbeKey, std::string>, TcpWatch> tcp_;
  std::unique_ptr<RouteWatch> routes_;  // nullptr: the lab's routes are not watched
  checks::SessionCounts counts_before_;  // read as the last event began (or the scenario)
  bool counts_fresh_ = false;            // counts_before_ was read as the last window closed, just now
  struct OpenEvent {
    size_t step = 0;  // in the scenario's outcome
    Micros from{}, event{};
    checks::SessionCounts before;
  };
  std::optional<OpenEvent> open_event_;  // the last event applied, its cost not yet put on it
};

}  // namespace anylab::detail
