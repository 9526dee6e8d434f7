#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace anylab::checks {

// Times are microseconds on a monotonic clock, from an origin the prober
// picks (the start of a run); events use the same clock, so durations
// between them are exact to the clock, not to how often anything polled.
using Micros = std::chrono::microseconds;

// One probe from one client: when it was sent and who answered, if anyone
// answered before the probe's timeout. `error`: the prober could not send it
// (no socket: the open-file limit, a namespace gone), so its silence says
// nothing about the lab.
struct Probe {
  Micros sent{};
  std::optional<std::string> instance;
  std::optional<std::string> error{};
};

// One client's probes, in the order they were sent.
using ClientTimeline = std::vector<Probe>;

// The probes sent in [from, to).
std::vector<Probe> window(const ClientTimeline& probes, Micros from, Micros to);

// A run of consecutive probes answered by one instance (or by nobody): from
// its first probe to the first probe of the next run (the last run ends one
// interval after its last probe).
struct Segment {
  Micros from{}, to{};
  std::optional<std::string> instance;
  size_t probes = 0;
};
std::vector<Segment> segments(const ClientTimeline& probes, Micros interval);

// The flows of one stream (a client probing from several source ports, probe
// i of each sent in one round) as one timeline, "every flow": probe i is
// answered by an instance when every flow's was answered by it, by nobody
// when some flow's went unanswered, by "a+b" (the instances in name order)
// when flows were answered by different ones, and not sent when some
// flow's could not be. As long as the shortest flow.
ClientTimeline merge_flows(const std::vector<ClientTimeline>& flows);

}  // namespace anylab::checks
