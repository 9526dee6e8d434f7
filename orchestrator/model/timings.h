#pragma once

#include <chrono>
#include <string>

#include "core/duration.h"
#include "model/lab_spec.h"

namespace anylab {

// The timings that shape what is measured and how long a run takes, named
// in one place: `anylab plan` prints them and the README documents them.
// The lab file sets the probe interval, timeout and settle; these follow.
struct Timings {
  // Probes sent before a scenario's first step, so that its first
  // expectation has a history to judge: three probe timeouts.
  Duration warm_up{};
  // How long a `reaches`, `unreachable` or `max-outage` must have held
  // before it passes, where the step writes no `stable`.
  Duration stable = std::chrono::milliseconds(500);
  // How long a client's probes must have been answered by the same instance
  // (or by none) before a `tcp` expectation asks its connection.
  Duration tcp_settle = std::chrono::seconds(1);
  // Readiness (deploy, and after each scenario): how long one probe of a
  // client waits, and how long every client's answer must stay the same.
  Duration ready_probe_timeout = std::chrono::milliseconds(200);
  Duration ready_stable = std::chrono::milliseconds(500);
  // ExaBGP's healthcheck: how long its probe of the responder waits.
  Duration health_probe_timeout = std::chrono::milliseconds(500);
  // How often an expectation is judged again while its probes come in. It
  // bounds how late a verdict is reached, never what is measured (that is
  // the probes' own timestamps).
  Duration judge_every = std::chrono::milliseconds(20);
};

Timings timings_of(const DefaultsSpec& defaults);

// One line per timing, for `anylab plan`.
std::string format_timings(const Timings& t);

}  // namespace anylab
