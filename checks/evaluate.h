#pragma once

#include <map>
#include <optional>
#include <string>

#include "timeline.h"

namespace anylab::checks {

// What an expectation measured, and whether it held. Every verdict says what
// was seen, not only pass or fail.
struct Verdict {
  bool pass = false;
  std::string measured{};  // e.g. "pop-sin from +1.23s (converged in 1.23s), stable for 4.1s"
  std::optional<Micros> convergence{};     // event -> the answers settled on the instance
  std::optional<Micros> longest_outage{};  // longest run without an answer
  std::optional<std::string> instance{};   // who answers in the end
};

// `reaches`: from some moment on, every probe is answered by `instance`.
// Convergence is measured from `event` to the first probe of that final run;
// it must be at most `within` (if given), and the run must last at least
// `stable` (if given) before the window ends. A probe is sent every interval,
// so the time is exact to one probe interval.
Verdict reaches(const ClientTimeline& probes, Micros event, Micros end, const std::string& instance,
                std::optional<Micros> within, std::optional<Micros> stable);

// `unreachable`: from some moment on, no probe is answered (a blackhole),
// with the same `within` and `stable` as reaches.
Verdict unreachable(const ClientTimeline& probes, Micros event, Micros end, std::optional<Micros> within,
                    std::optional<Micros> stable);

// `max-outage`: the longest run of unanswered probes in [event, end), from
// the first lost probe to the next answered one (or to `end`).
Verdict max_outage(const ClientTimeline& probes, Micros event, Micros end, Micros bound);

// Who answers each client at the end of the window (its last answered probe
// in the window's last quarter, or nobody), for the catchment map.
std::optional<std::string> answering_at_end(const ClientTimeline& probes, Micros event, Micros end);

// `catchment`: every client listed under an instance is answered by it at the end.
Verdict catchment(const std::map<std::string, ClientTimeline>& probes, Micros event, Micros end,
                  const std::map<std::string, std::string>& expected /* client -> instance */);

std::string format_seconds(Micros t);

}  // namespace anylab::checks
