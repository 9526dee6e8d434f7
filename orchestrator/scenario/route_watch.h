// The routers of a deployed lab, watched over FRR's vty (frr_vty.h): each
// router's best path to the services' prefixes, and its BGP UPDATE counters.
#pragma once

#include <functional>
#include <memory>

#include "model/lab.h"
#include "scenario/lab_ops.h"

namespace anylab {

// Looks at every router's best path to every service prefix in rounds, a
// tenth of a second apart at least and never more than half the time busy
// (a round of a thousand routers takes as long as it takes), timed on
// `clock`; nullptr for a lab without routers.
std::unique_ptr<RouteWatch> watch_frr_routes(const Lab& lab, std::function<checks::Micros()> clock);

// Every router's UPDATE counters per session now; a router whose bgpd does
// not answer within a fifth of a second (crashed, frozen) is left out.
checks::SessionCounts frr_update_counts(const Lab& lab);

}  // namespace anylab
