#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tcp_session.h"
#include "wire.h"
#include "timeline.h"

namespace anylab::checks {

// What to probe: from a client's network namespace (an open fd of it; no
// value for the prober's own, which only tests ask for), a service address
// and port.
struct ProbeTarget {
  std::string client;
  NetnsFd netns;
  std::string address;
  uint16_t port = 53;
  Protocol protocol = Protocol::kUdp;
};

// Probes every target every interval from one thread of one process: each
// target's socket is opened inside its client's namespace (a socket keeps
// the namespace it was made in), then all are driven with poll(2). Each
// probe carries a number the responder echoes (the DNS id for DNS), so
// replies are matched to their probes with several in flight; a reply later
// than the timeout counts as no answer. Times come from a monotonic clock
// whose origin is the prober's start.
class Prober {
 public:
  Prober(std::vector<ProbeTarget> targets, Micros interval, Micros timeout);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Opens the sockets and starts probing; an error names the target.
  std::expected<void, std::string> start();
  void stop();
  // Now, on the prober's clock: events are stamped with it.
  Micros now() const;
  std::chrono::steady_clock::time_point origin() const { return origin_; }
  // Each target's decided probes so far (older than the timeout), in the
  // order of the targets.
  std::vector<ClientTimeline> timelines() const;
  const std::vector<ProbeTarget>& targets() const { return targets_; }

 private:
  void run();
  void send_probes(uint32_t seq);
  void receive(size_t target, const std::string& reply, Micros arrived);
  // The probe just recorded for `target` could not be sent: why.
  void unsent(size_t target, std::string why);
  // A TCP probe under way: connecting, then waiting for its reply.
  struct TcpProbe {
    UniqueFd fd;
    size_t target;
    uint32_t seq;
    bool requested;
  };
  std::vector<TcpProbe> tcp_probes_;  // the probing thread's own
  std::vector<ProbeTarget> targets_;
  Micros interval_, timeout_;
  std::vector<UniqueFd> sockets_;  // none for a TCP target: a connection per probe
  std::vector<ClientTimeline> probes_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace anylab::checks
