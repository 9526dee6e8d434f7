// scenario/: runs a lab file's scenarios on a deployed lab: applies events,
// records probe timelines, judges expectations. Depends on runtime/ and
// checks/.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "model/lab.h"
#include "prober.h"

namespace anylab {

struct StepOutcome {
  std::string text;      // the step, as a person would say it
  bool expectation = false;
  bool pass = true;      // events: whether they could be applied
  std::string measured;  // what was seen
};

struct ScenarioOutcome {
  std::string name;
  std::vector<StepOutcome> steps;
  bool pass = true;
};

// Runs one scenario from the lab as deployed and, whatever happens, puts back
// what it broke (nodes, links, announcements) and waits for the lab to settle.
// How the prober asks a service of this kind.
checks::Protocol protocol_of(ProbeKind kind);

ScenarioOutcome run_scenario(const Lab& lab, const ScenarioSpec& scenario, const std::atomic<bool>* cancel);

}  // namespace anylab
