// plan/: from a validated LabSpec to the resolved Lab (names, interfaces,
// addresses, sessions, rendered FRR and ExaBGP configs) and to the ordered,
// printable list of actions deploy takes. Pure: depends on core/ and model/,
// never touches the kernel or spawns processes.
#pragma once

#include <vector>

#include "core/ip.h"

namespace anylab {

// Hands out blocks of one size from a range, in order, skipping anything that
// overlaps a block already taken (addresses the user wrote, service prefixes).
class AddressPool {
 public:
  AddressPool(IpPrefix range, int block_length) : range_(range), block_length_(block_length) {}
  void reserve(IpPrefix taken) { taken_.push_back(taken); }
  // nullopt when the range is exhausted.
  std::optional<IpPrefix> next();

 private:
  IpPrefix range_;
  int block_length_;
  uint64_t cursor_ = 0;
  std::vector<IpPrefix> taken_;
};

}  // namespace anylab
