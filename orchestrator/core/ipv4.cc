#include "core/ipv4.h"

#include <charconv>

#include <fmt/format.h>

namespace anylab {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || next == p || v > 255 || next - p > 3) return std::nullopt;
    value = value << 8 | v;
    p = next;
  }
  if (p != end) return std::nullopt;
  return Ipv4{value};
}

std::string Ipv4::str() const {
  return fmt::format("{}.{}.{}.{}", value >> 24, (value >> 16) & 255, (value >> 8) & 255,
                     value & 255);
}

std::optional<Ipv4Prefix> Ipv4Prefix::parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4::parse(text.substr(0, slash));
  std::string_view len = text.substr(slash + 1);
  int length = -1;
  auto [next, ec] = std::from_chars(len.data(), len.data() + len.size(), length);
  if (!addr || ec != std::errc() || next != len.data() + len.size() || length < 0 || length > 32)
    return std::nullopt;
  return Ipv4Prefix{*addr, length};
}

std::string Ipv4Prefix::str() const { return fmt::format("{}/{}", address.str(), length); }

}  // namespace anylab
