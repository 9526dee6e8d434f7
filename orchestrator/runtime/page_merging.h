#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace anylab {

// What the kernel's page merging (KSM) has done, read from
// /sys/kernel/mm/ksm and /proc/meminfo.
struct MergeState {
  uint64_t used_bytes = 0;  // MemTotal - MemAvailable
  uint64_t full_scans = 0;  // ksmd's passes over every mergeable page
};
std::optional<MergeState> read_merge_state();

// How fast ksmd scans: pages_to_scan every sleep_millisecs, a second's
// worth (the kernel's default: 100 every 20 ms, 5000 pages, 20 MB a second).
std::optional<double> ksm_pages_per_second();

// Daemons start faster than ksmd merges them: it runs at nice 5 on CPUs
// their starts keep busy, and merges a page only once it has seen it
// unchanged in two passes. A thousand routers were at 13.7 GB when ready
// and 4.9 GB once merged (BENCHMARKS.md). With page merging on, a deploy
// asks this before each daemon start: when the machine's memory in use has
// grown by more than `lag` since ksmd last caught up, it waits until ksmd
// has merged half of that back or finished two passes (at most `most`;
// a stop request ends the wait within 0.1 s; a wait that runs to `most` is
// the last). Off, it never waits.
//
// ANYLAB_MERGE_LAG (GiB, e.g. 4 or 0.5) sets the lag; 0 never waits.
class MergePacer {
 public:
  static constexpr uint64_t kDefaultLag = uint64_t{2} << 30;
  // The lag ANYLAB_MERGE_LAG asks for, or kDefaultLag (and a warning on
  // standard error when it is not a number).
  static uint64_t lag_from_environment();
  using Reader = std::function<std::optional<MergeState>()>;
  explicit MergePacer(bool on, uint64_t lag = kDefaultLag, std::chrono::seconds most = std::chrono::seconds(60),
                      Reader read = read_merge_state);
  void before_start(const std::atomic<bool>* cancel);
  // The waits so far, for deploy to say.
  std::chrono::duration<double> waited() const { return waited_; }
  size_t waits() const { return waits_; }
  // A wait ran to `most` without ksmd catching up: it waits no more.
  bool gave_up() const { return gave_up_; }

 private:
  bool on_;
  uint64_t lag_;
  std::chrono::seconds most_;
  Reader read_;
  uint64_t settled_ = 0;  // memory in use when ksmd last caught up
  std::chrono::duration<double> waited_{0};
  size_t waits_ = 0;
  bool gave_up_ = false;
};

}  // namespace anylab
