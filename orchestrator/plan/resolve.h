#pragma once

#include <expected>

#include "core/diagnostic.h"
#include "model/lab.h"

namespace anylab {

// The address plan, documented in the README: link subnets are /31s from
// 198.18.0.0/16 in link order (the first endpoint gets the even address);
// when the lab has an IPv6 service, links also get a /127 from 2001:2::/48
// (RFC 5180's benchmarking range, as 198.18.0.0/15 is for IPv4), the same
// way; router IDs are 198.19.0.1, .2, ... in node order. Addresses the
// user wrote and service prefixes are skipped.
inline constexpr IpPrefix kLinkPool{IpAddress::v4(0xC6120000u), 16};      // 198.18.0.0/16
inline constexpr IpPrefix kLinkPool6{IpAddress::v6(0x2001000200000000u, 0), 48};  // 2001:2::/48
inline constexpr IpPrefix kRouterIdPool{IpAddress::v4(0xC6130000u), 16};  // 198.19.0.0/16

// Resolves a validated spec. Fails only when a pool runs out.
std::expected<Lab, Diagnostics> resolve(LabSpec spec, const Paths& paths);

}  // namespace anylab
