#pragma once

#include <string>
#include <vector>

#include "model/lab.h"
#include "runtime/node_runtime.h"

namespace anylab {

// What this machine needs to run the lab, checked before anything is
// created. Each problem names its fix. Empty when all is well.
// The runtime's own needs are its missing().
std::vector<std::string> preflight(const Lab& lab, const NodeRuntime& runtime);

// What is in the way of a deploy of the lab: a network namespace, an FRR
// run directory or a runtime directory of the name the lab would make, that
// no deploy of this lab recorded (a lab deployed already is told apart
// before). anylab never removes what it did not make, so it refuses.
std::vector<std::string> in_the_way(const Lab& lab, const NodeRuntime& runtime);

}  // namespace anylab
