#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "model/lab_spec.h"

namespace anylab {

// A packet crosses at most this many routers: every node's TTL is Linux's
// default of 64, and the 64th router drops the packet.
constexpr size_t kMaxRoutersCrossed = 63;

// The fewest routers a packet from one node crosses to every node it can
// reach (only routers forward: clients and instances are ends), over every
// link of the lab file; `from` itself at 0. A breadth-first search, links in
// the file's order.
std::map<std::string, size_t> routers_from(const LabSpec& spec, const std::string& from);

}  // namespace anylab
