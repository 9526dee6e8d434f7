#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>

#include <fmt/format.h>

namespace anylab {

const char* to_string(Family f) { return f == Family::kIpv4 ? "ipv4" : "ipv6"; }
const char* display_name(Family f) { return f == Family::kIpv4 ? "IPv4" : "IPv6"; }

std::optional<Family> parse_family(std::string_view name) {
  if (name == "ipv4") return Family::kIpv4;
  if (name == "ipv6") return Family::kIpv6;
  return std::nullopt;
}

namespace {

std::optional<IpAddress> parse_v4(std::string_view text) {
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
  return IpAddress::v4(value);
}

std::optional<IpAddress> parse_v6(std::string_view text) {
  if (text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  unsigned char bytes[16];
  if (::inet_pton(AF_INET6, s.c_str(), bytes) != 1) return std::nullopt;
  IpAddress::Bits v = 0;
  for (unsigned char b : bytes) v = v << 8 | b;
  return IpAddress{Family::kIpv6, v};
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_v6(text);
  return parse_v4(text);
}

std::string IpAddress::str() const {
  if (family == Family::kIpv4) {
    const auto v = static_cast<uint32_t>(value);
    return fmt::format("{}.{}.{}.{}", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  unsigned char bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * (15 - i)));
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, bytes, buf, sizeof buf);
  return buf;
}

IpAddress IpAddress::plus(uint64_t n) const {
  Bits v = value + n;
  if (family == Family::kIpv4) v &= 0xffffffffu;
  return {family, v};
}

IpAddress::Bits IpPrefix::mask() const {
  const int width = address.width();
  if (length == 0) return 0;
  const IpAddress::Bits all = width == 128 ? ~IpAddress::Bits{0} : (IpAddress::Bits{1} << width) - 1;
  return all & (all << (width - length));
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddress::parse(text.substr(0, slash));
  std::string_view len = text.substr(slash + 1);
  int length = -1;
  auto [next, ec] = std::from_chars(len.data(), len.data() + len.size(), length);
  if (!addr || ec != std::errc() || next != len.data() + len.size() || length < 0 || length > addr->width())
    return std::nullopt;
  return IpPrefix{*addr, length};
}

std::string IpPrefix::str() const { return fmt::format("{}/{}", address.str(), length); }

}  // namespace anylab
