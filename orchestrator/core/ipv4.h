#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anylab {

struct Ipv4 {
  uint32_t value = 0;
  auto operator<=>(const Ipv4&) const = default;
  std::string str() const;
  static std::optional<Ipv4> parse(std::string_view text);
};

// An address with a prefix length. As a network (a service prefix) the host
// bits must be zero; as an interface address (198.18.0.1/31) they need not.
struct Ipv4Prefix {
  Ipv4 address;
  int length = 0;
  auto operator<=>(const Ipv4Prefix&) const = default;

  static std::optional<Ipv4Prefix> parse(std::string_view text);
  std::string str() const;
  uint32_t mask() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
  Ipv4Prefix network() const { return {{address.value & mask()}, length}; }
  bool has_host_bits() const { return (address.value & ~mask()) != 0; }
  bool contains(Ipv4 a) const { return (a.value & mask()) == (address.value & mask()); }
  bool contains(const Ipv4Prefix& p) const { return p.length >= length && contains(p.address); }
  bool overlaps(const Ipv4Prefix& p) const { return contains(p) || p.contains(*this); }
};

}  // namespace anylab
