#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anylab {

// The two address families a lab carries. IPv4 sorts first: a dual-stack
// service lists its IPv4 prefix first, and so does everything derived.
enum class Family : uint8_t { kIpv4, kIpv6 };
const char* to_string(Family f);     // "ipv4" | "ipv6", as lab files write it
const char* display_name(Family f);  // "IPv4" | "IPv6", as messages and reports write it
std::optional<Family> parse_family(std::string_view name);

// An IPv4 or IPv6 address. The value is in host order, an IPv4 address in
// its low 32 bits; addresses of different families never compare equal.
struct IpAddress {
  __extension__ typedef unsigned __int128 Bits;
  Family family = Family::kIpv4;
  Bits value = 0;

  auto operator<=>(const IpAddress&) const = default;
  static constexpr IpAddress v4(uint32_t v) { return {Family::kIpv4, v}; }
  static constexpr IpAddress v6(uint64_t high, uint64_t low) { return {Family::kIpv6, (Bits{high} << 64) | low}; }
  int width() const { return family == Family::kIpv4 ? 32 : 128; }
  bool is_v6() const { return family == Family::kIpv6; }
  // Text as inet_ntop writes it (RFC 5952 for IPv6).
  std::string str() const;
  // Dotted quad (strict: four decimal octets) or any form inet_pton takes
  // for IPv6; no zone index.
  static std::optional<IpAddress> parse(std::string_view text);
  // The address `n` further on (within the family's width).
  IpAddress plus(uint64_t n) const;
};

// An address with a prefix length. As a network (a service prefix) the host
// bits must be zero; as an interface address (198.18.0.1/31) they need not.
struct IpPrefix {
  IpAddress address;
  int length = 0;
  auto operator<=>(const IpPrefix&) const = default;

  static std::optional<IpPrefix> parse(std::string_view text);
  std::string str() const;
  Family family() const { return address.family; }
  IpAddress::Bits mask() const;
  IpPrefix network() const { return {{address.family, address.value & mask()}, length}; }
  bool has_host_bits() const { return (address.value & ~mask()) != 0; }
  bool contains(IpAddress a) const {
    return a.family == address.family && (a.value & mask()) == (address.value & mask());
  }
  bool contains(const IpPrefix& p) const { return p.length >= length && contains(p.address); }
  bool overlaps(const IpPrefix& p) const { return contains(p) || p.contains(*this); }
};

}  // namespace anylab
