#pragma once

#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// What this machine needs to run the lab, checked before anything is
// created. Each problem names its fix. Empty when all is well.
std::vector<std::string> preflight(const Lab& lab);

}  // namespace anylab
