#pragma once

#include <string>

#include "model/lab.h"

namespace anylab {

// frr.conf for one router: eBGP to every linked router and instance, the
// lab's timers, fast connect retry, no route-map delay, BFD where both ends
// ask for it, then the user's own `frr:` lines.
std::string render_frr(const Lab& lab, const Node& router);

}  // namespace anylab
