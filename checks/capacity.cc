#include "capacity.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace anylab::checks {

void Capacity::advance(Micros now) {
  const int64_t tenth = now.count() / 100'000;
  if (tenth > tenth_) {
    const int64_t shift = std::min<int64_t>(tenth - tenth_, 10);
    for (int64_t k = 0; k < shift; ++k) tenths_[static_cast<size_t>((tenth_ + 1 + k) % 10)] = 0;
    tenth_ = tenth;
  }
  const int64_t second = now.count() / 1'000'000;
  if (second != current_.second) {
    if (current_.served + current_.dropped > 0) done_ = current_;
    current_ = Second{second, 0, 0};
  }
}

bool Capacity::admit(Micros now) {
  advance(now);
  ++tenths_[static_cast<size_t>(tenth_ % 10)];
  bool ok = true;
  if (rate_) {
    const double burst = std::max(1.0, *rate_ / 4);
    if (tokens_ < 0) tokens_ = burst;
    else tokens_ = std::min(burst, tokens_ + *rate_ * static_cast<double>((now - last_).count()) / 1e6);
    last_ = now;
    ok = tokens_ >= 1;
    if (ok) tokens_ -= 1;
  }
  ++(ok ? current_.served : current_.dropped);
  return ok;
}

bool Capacity::overloaded(Micros now) {
  advance(now);
  if (!rate_) return false;
  return static_cast<double>(std::accumulate(tenths_.begin(), tenths_.end(), uint64_t{0})) > *rate_;
}

std::optional<Capacity::Second> Capacity::finished(Micros now) {
  advance(now);
  auto out = done_;
  done_.reset();
  return out;
}

std::string Capacity::format(const Second& s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%lld %llu %llu\n", static_cast<long long>(s.second),
                static_cast<unsigned long long>(s.served), static_cast<unsigned long long>(s.dropped));
  return buf;
}

std::optional<Capacity::Second> Capacity::parse(const std::string& line) {
  long long second = 0;
  unsigned long long served = 0, dropped = 0;
  if (std::sscanf(line.c_str(), "%lld %llu %llu", &second, &served, &dropped) != 3) return std::nullopt;
  return Second{second, served, dropped};
}

}  // namespace anylab::checks
