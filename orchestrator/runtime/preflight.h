#pragma once

#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// What this machine needs to run the lab, checked before anything is
// created. Each problem names its fix. Empty when all is well.
std::vector<std::string> preflight(const Lab& lab);
// What the netns runtime needs on the host: FRR, vtysh, ExaBGP and anylab's
// responder (the docker runtime finds them in its images).
std::vector<std::string> host_programs_missing(const Lab& lab);

// What is in the way of a deploy of the lab: a network namespace, an FRR
// run directory or a runtime directory of the name the lab would make, that
// no deploy of this lab recorded (a lab deployed already is told apart
// before). anylab never removes what it did not make, so it refuses.
std::vector<std::string> in_the_way(const Lab& lab);

}  // namespace anylab
