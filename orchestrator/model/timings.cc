#include "model/timings.h"

#include <fmt/format.h>

namespace anylab {

Timings timings_of(const DefaultsSpec& defaults) {
  Timings t;
  t.warm_up = 3 * defaults.probe_timeout;
  return t;
}

std::string format_timings(const Timings& t) {
  std::string out;
  auto line = [&](Duration d, std::string_view what) { out += fmt::format("  {:>6}  {}\n", format_duration(d), what); };
  line(t.warm_up, "warm-up: probes before a scenario's first step (3 x the probe timeout)");
  line(t.stable, "stable: how long reaches/unreachable/max-outage must hold where no `stable` is written");
  line(t.tcp_settle, "tcp settle: a client's path unchanged this long before a `tcp` expectation asks");
  line(t.ready_probe_timeout, "ready probe timeout: one readiness probe of a client");
  line(t.ready_stable, "ready stable: every client's answer unchanged this long for the lab to be ready");
  line(t.health_probe_timeout, "health probe timeout: ExaBGP healthcheck's probe of the responder");
  line(t.judge_every, "judge every: how often an expectation is judged as probes come in (not a bound)");
  return out;
}

}  // namespace anylab
