#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "timeline.h"

namespace anylab::checks {

// What an instance's responder does with the queries it is offered when it
// has a capacity (`capacity: 500/s`): a token bucket refilled at that rate
// answers what it can and drops the rest, as an overloaded server does. It
// holds at most a quarter of a second of the rate, what a server's queue
// absorbs: queries that waited while this process was not scheduled on a
// loaded machine arrive together, and are not dropped for that. It counts what it served and
// dropped per second of the monotonic clock (the one the prober stamps
// with), and says it is overloaded while the queries offered over the last
// second exceed the capacity (what `health: {overload: withdraw}` checks).
// Without a capacity it serves everything and is never overloaded.
class Capacity {
 public:
  explicit Capacity(std::optional<double> per_second) : rate_(per_second) {}

  // A query arrived at `now` (monotonic): true to answer it.
  bool admit(Micros now);
  // Offered over the second before `now` more than the capacity.
  bool overloaded(Micros now);

  // One second's counts, once that second is over.
  struct Second {
    int64_t second = 0;  // whole seconds of the monotonic clock
    uint64_t served = 0, dropped = 0;
  };
  // The seconds that ended by `now` with anything in them, each once.
  std::optional<Second> finished(Micros now);
  static std::string format(const Second& s);  // "SECOND SERVED DROPPED\n"
  static std::optional<Second> parse(const std::string& line);

 private:
  void advance(Micros now);
  std::optional<double> rate_;
  double tokens_ = -1;  // full on first use
  Micros last_{};
  // Offered queries in the last ten tenths of a second.
  std::array<uint64_t, 10> tenths_{};
  int64_t tenth_ = 0;  // the tenth tenths_ ends with
  Second current_{};
  std::optional<Second> done_;
};

}  // namespace anylab::checks
