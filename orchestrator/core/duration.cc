#include "core/duration.h"

#include <cstdint>

#include <fmt/format.h>

namespace anylab {

std::optional<Duration> parse_duration(std::string_view text) {
  int64_t whole = 0;
  int64_t frac = 0;
  int64_t frac_scale = 1;
  size_t i = 0;
  auto digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  if (!digit(0)) return std::nullopt;
  for (; digit(i); ++i) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > 1'000'000'000) return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return std::nullopt;
    for (; digit(i); ++i) {
      if (frac_scale < 1'000'000) {
        frac = frac * 10 + (text[i] - '0');
        frac_scale *= 10;
      }
    }
  }
  std::string_view unit = text.substr(i);
  int64_t us_per_unit = 0;
  if (unit == "ms") us_per_unit = 1'000;
  else if (unit == "s") us_per_unit = 1'000'000;
  else if (unit == "m") us_per_unit = 60'000'000;
  else return std::nullopt;
  return Duration(whole * us_per_unit + frac * us_per_unit / frac_scale);
}

std::string format_duration(Duration d) {
  int64_t us = d.count();
  if (us != 0 && us % 60'000'000 == 0) return fmt::format("{}m", us / 60'000'000);
  if (us % 1'000'000 == 0) return fmt::format("{}s", us / 1'000'000);
  if (us >= 1'000'000 && us % 1'000 == 0) {
    std::string s = fmt::format("{:.3f}", static_cast<double>(us) / 1e6);
    while (s.back() == '0') s.pop_back();
    return s + "s";
  }
  if (us % 1'000 == 0) return fmt::format("{}ms", us / 1'000);
  std::string s = fmt::format("{:.3f}", static_cast<double>(us) / 1e3);
  while (s.back() == '0') s.pop_back();
  return s + "ms";
}

}  // namespace anylab
