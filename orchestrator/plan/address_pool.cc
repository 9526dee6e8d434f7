#include "plan/address_pool.h"

namespace anylab {

// Blocks are counted in the low 64 bits of the range: an IPv6 pool wider
// than 2^64 blocks is never needed.
std::optional<IpPrefix> AddressPool::next() {
  const int host_bits = range_.address.width() - block_length_;
  const int range_bits = range_.address.width() - range_.length;
  const uint64_t blocks = range_bits - host_bits >= 63 ? ~uint64_t{0} : uint64_t{1} << (range_bits - host_bits);
  while (cursor_ < blocks) {
    IpPrefix candidate{{range_.address.family, range_.network().address.value + (IpAddress::Bits{cursor_} << host_bits)},
                       block_length_};
    ++cursor_;
    bool free = true;
    for (const IpPrefix& t : taken_)
      if (t.overlaps(candidate)) free = false;
    if (free) {
      taken_.push_back(candidate);
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace anylab
