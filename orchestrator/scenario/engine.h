// scenario/: runs a lab file's scenarios on a deployed lab: applies events,
// records probe timelines, judges expectations as soon as their outcome is
// certain. It reaches the lab only through LabOps (lab_ops.h), so that its
// judging is unit-tested on synthetic timelines; live_lab.cc is the one
// implementation that depends on runtime/. Depends on checks/ and model/.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "model/lab.h"
#include "prober.h"

namespace anylab {

// What a step is, for the reports: an event applied to the lab, a wait, or
// an expectation judged.
enum class StepKind { kEvent, kWait, kExpectation };

struct StepOutcome {
  std::string text{};      // the step, as a person would say it
  StepKind kind = StepKind::kEvent;
  bool pass = true;      // events: whether they could be applied
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
  int line = 0;  // the step's line in the lab file
  bool expectation() const { return kind == StepKind::kExpectation; }
};

// One client's probes of one service over one family through a scenario.
struct ClientProbes {
  std::string client;
  std::string service;
  Family family = Family::kIpv4;
  checks::ClientTimeline probes{};
};

struct ScenarioOutcome {
  std::string name{};
  std::vector<StepOutcome> steps{};
  bool pass = true;
  checks::Micros duration{};  // prober start to stop
  // Every client's probes of every service, clients in node order.
  std::vector<ClientProbes> timelines{};
};

// Runs one scenario from the lab as deployed and, whatever happens, puts back
// what it broke (nodes, links, announcements) and waits for the lab to settle.
ScenarioOutcome run_scenario(const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel);
class LabOps;
ScenarioOutcome run_scenario(LabOps& ops, const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel);

}  // namespace anylab
