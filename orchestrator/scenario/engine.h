// scenario/: runs a lab file's scenarios on a deployed lab: applies events,
// records probe timelines, judges expectations as soon as their outcome is
// certain. It reaches the lab only through LabOps (lab_ops.h), so that its
// judging is unit-tested on synthetic timelines; live_lab.cc is the one
// implementation that depends on runtime/. Depends on checks/ and model/.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/lab.h"
#include "runtime/node_runtime.h"
#include "control_plane.h"
#include "evaluate.h"
#include "prober.h"

namespace anylab {

// What a step is, for the reports: an event applied to the lab, a wait, or
// an expectation judged.
enum class StepKind { kEvent, kWait, kExpectation };

// What became of a step. Only kPass is a step that held (an expectation) or
// was applied (an event). kFail: an expectation measured and did not hold.
// kError: the harness could not do or measure it (an event not applied,
// probes that could not be sent, a router that does not answer): never a
// pass, and not a measured failure either. kInterrupted: a signal (a CI
// job's time limit) cut it short, or came before it was reached.
enum class Status { kPass, kFail, kError, kInterrupted };
const char* to_string(Status s);

struct StepOutcome {
  std::string text{};      // the step, as a person would say it
  StepKind kind = StepKind::kEvent;
  Status status = Status::kPass;
  std::string measured{};  // what was seen
  // On the scenario's clock (the prober's, from its start): when an event
  // was applied; for an expectation, the event it is measured from and the
  // end of the probes it judged.
  checks::Micros at{};
  checks::Micros since{};
  // What an expectation measured, where it applies.
  std::optional<checks::Micros> convergence{};
  std::optional<checks::Micros> longest_outage{};
  std::optional<std::string> instance{};
  std::optional<double> percent{};  // a share measured (load, loss), the largest of its streams
  std::optional<double> rate{};     // queries a second measured (load, with offered load)
  std::optional<checks::Answers> answers{};  // reaches, unreachable: who answered the probes since the event
  // An event: what it cost the control plane, from when it began to the
  // next event (or the scenario's end).
  std::optional<checks::EventCost> cost{};
  int line = 0;  // the step's line in the lab file
  // Bounds over the runs of --repeat on what it measured: the convergence,
  // or (outage) the longest outage. Judged by the report over all runs.
  std::vector<PercentileBound> percentiles{};
  bool percentiles_of_outage = false;
  bool bounded_each_run = true;  // false: only percentiles bound it (each run is measured, not judged)
  bool expectation() const { return kind == StepKind::kExpectation; }
  bool pass() const { return status == Status::kPass; }
};

// One client's probes of one service over one family through a scenario.
struct ClientProbes {
  std::string client;
  std::string service;
  Family family = Family::kIpv4;
  checks::ClientTimeline probes{};
};

// Offered load through a scenario (`defaults.load`): what each client sent
// and had answered, and what each instance's responder served and dropped
// (its own count, per second).
struct LoadOutcome {
  double rate = 0;  // queries a second offered, as the lab file says
  struct Client {
    ProbeKey key;
    double rate = 0;  // its share of the rate
    uint64_t sent = 0, answered = 0;
  };
  std::vector<Client> clients{};
  struct Second {
    checks::Micros at{};  // its start, on the scenario's clock
    uint64_t served = 0, dropped = 0;
  };
  struct Instance {
    std::string instance;
    std::optional<double> capacity{};
    uint64_t served = 0, dropped = 0;
    std::vector<Second> seconds{};  // the seconds it was offered anything
  };
  std::vector<Instance> instances{};
};

struct ScenarioOutcome {
  std::string name{};
  std::vector<StepOutcome> steps{};
  checks::Micros duration{};  // prober start to stop
  // Every client's probes of every service, clients in node order.
  std::vector<ClientProbes> timelines{};
  std::optional<LoadOutcome> load{};
  // The worst of its steps: interrupted, else error, else fail, else pass.
  Status status() const;
  bool pass() const { return status() == Status::kPass; }
};

// Runs one scenario from the lab as deployed and, whatever happens, puts back
// what it broke (nodes, links, announcements) and waits for the lab to settle.
// When `cancel` is set, the step under way and every step after it are
// recorded as interrupted, never judged.
ScenarioOutcome run_scenario(const Lab& lab, const NodeRuntime& runtime, const ScenarioSpec& scenario,
                             const std::atomic<bool>* cancel);
class LabOps;
// A scenario that never started (a signal came first): each step interrupted.
ScenarioOutcome interrupted_scenario(const ScenarioSpec& scenario);
ScenarioOutcome run_scenario(LabOps& ops, const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel);

}  // namespace anylab
