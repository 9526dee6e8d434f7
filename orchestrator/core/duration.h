#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anylab {

using Duration = std::chrono::microseconds;

// "10ms", "2s", "1.5s", "1m". The unit is required: a bare "2" is ambiguous
// (seconds? milliseconds?) and labs are read by people. nullopt if malformed.
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact form: 1500ms -> "1.5s", 10ms -> "10ms", 60s -> "1m".
std::string format_duration(Duration d);

}  // namespace anylab
