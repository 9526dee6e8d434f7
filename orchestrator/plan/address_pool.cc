#include "plan/address_pool.h"

namespace anylab {

std::optional<Ipv4Prefix> AddressPool::next() {
  const uint64_t block = uint64_t{1} << (32 - block_length_);
  const uint64_t size = uint64_t{1} << (32 - range_.length);
  while (cursor_ + block <= size) {
    Ipv4Prefix candidate{{static_cast<uint32_t>(range_.network().address.value + cursor_)}, block_length_};
    cursor_ += block;
    bool free = true;
    for (const Ipv4Prefix& t : taken_)
      if (t.overlaps(candidate)) free = false;
    if (free) {
      taken_.push_back(candidate);
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace anylab
