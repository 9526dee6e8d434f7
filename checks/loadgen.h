#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tcp_session.h"
#include "timeline.h"

namespace anylab::checks {

// Offered load (`defaults.load`): queries a client sends to a service's
// address at `rate` a second, as UDP datagrams from inside its namespace,
// through the lab like any other traffic.
struct LoadTarget {
  std::string client;
  NetnsFd netns;
  std::string address;
  uint16_t port = 53;
  double rate = 0;  // queries a second
};

// Sends every target's queries evenly spaced, from one thread, and counts
// the answers by the instance that gave them (each answer names it), per
// tenth of a second of its arrival. Times are on the clock of `origin`
// (the prober's), so load and probes share one timeline. When the machine
// cannot keep up it does not burst to catch up: `sent` says what it sent.
class LoadGenerator {
 public:
  static constexpr Micros kTenth{100'000};
  LoadGenerator(std::vector<LoadTarget> targets, std::chrono::steady_clock::time_point origin);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  std::expected<void, std::string> start();
  void stop();

  struct Counts {
    uint64_t sent = 0, answered = 0;
  };
  // Per target, in the order of the targets.
  std::vector<Counts> counts() const;
  // Answers per instance per tenth of a second since the origin.
  std::map<std::string, std::vector<uint32_t>> answered() const;
  const std::vector<LoadTarget>& targets() const { return targets_; }

 private:
  void run();
  Micros now() const;
  std::vector<LoadTarget> targets_;
  std::chrono::steady_clock::time_point origin_;
  std::vector<UniqueFd> sockets_;
  std::vector<Counts> counts_;                           // guarded by mutex_
  std::map<std::string, std::vector<uint32_t>> answered_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The answers of `instance` in [from, to), a second's worth: its served rate.
double rate_in(const std::map<std::string, std::vector<uint32_t>>& answered, const std::string& instance, Micros from,
               Micros to);

}  // namespace anylab::checks
