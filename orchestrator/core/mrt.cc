#include "core/mrt.h"

#include <fmt/format.h>

namespace anylab::mrt {
namespace {

constexpr uint16_t kTableDumpV2 = 13;
constexpr uint16_t kPeerIndexTable = 1;
constexpr uint16_t kRibIpv4Unicast = 2;
constexpr uint16_t kRibIpv6Unicast = 4;
constexpr size_t kHeader = 12;  // timestamp, type, subtype, length

// BGP path attributes (RFC 4271): flags, type, length, value.
constexpr uint8_t kWellKnown = 0x40;   // transitive, well-known
constexpr uint8_t kExtendedLength = 0x10;
constexpr uint8_t kOrigin = 1, kAsPath = 2, kNextHop = 3;
constexpr uint8_t kAsSequence = 2;
constexpr uint8_t kOriginIgp = 0;

void put8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
void put16(std::string& out, uint16_t v) {
  put8(out, static_cast<uint8_t>(v >> 8));
  put8(out, static_cast<uint8_t>(v));
}
void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

void record(std::string& out, uint32_t timestamp, uint16_t subtype, const std::string& body) {
  put32(out, timestamp);
  put16(out, kTableDumpV2);
  put16(out, subtype);
  put32(out, static_cast<uint32_t>(body.size()));
  out += body;
}

void attribute(std::string& out, uint8_t type, const std::string& value) {
  if (value.size() > 255) {
    put8(out, kWellKnown | kExtendedLength);
    put8(out, type);
    put16(out, static_cast<uint16_t>(value.size()));
  } else {
    put8(out, kWellKnown);
    put8(out, type);
    put8(out, static_cast<uint8_t>(value.size()));
  }
  out += value;
}

std::string attributes(const Route& r, IpAddress next_hop) {
  std::string out, v;
  put8(v, kOriginIgp);
  attribute(out, kOrigin, v);
  v.clear();
  // AS_SEQUENCE segments of at most 255 ASes each.
  for (size_t i = 0; i < r.as_path.size(); i += 255) {
    const size_t n = std::min<size_t>(255, r.as_path.size() - i);
    put8(v, kAsSequence);
    put8(v, static_cast<uint8_t>(n));
    for (size_t k = i; k < i + n; ++k) put32(v, r.as_path[k]);
  }
  attribute(out, kAsPath, v);
  v.clear();
  put32(v, static_cast<uint32_t>(next_hop.value));
  attribute(out, kNextHop, v);
  return out;
}

// A reader over the dump that fails with the offset it was at.
class Cursor {
 public:
  explicit Cursor(std::string_view data, size_t base = 0) : data_(data), base_(base) {}
  bool has(size_t n) const { return data_.size() - at_ >= n; }
  size_t offset() const { return base_ + at_; }
  bool done() const { return at_ == data_.size(); }
  uint32_t get(int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(data_[at_++]);
    return v;
  }
  std::string_view take(size_t n) {
    auto v = data_.substr(at_, n);
    at_ += n;
    return v;
  }

 private:
  std::string_view data_;
  size_t base_;
  size_t at_ = 0;
};

std::string cut_short(size_t offset, std::string_view what) {
  return fmt::format("at byte {}: the dump ends inside {} (is the file whole?)", offset, what);
}

// A RIB_IPV4/IPV6_UNICAST record's prefix and entries, checked for length.
std::expected<void, std::string> check_rib_record(Cursor c, int width) {
  if (!c.has(5)) return std::unexpected(cut_short(c.offset(), "a RIB record"));
  c.get(4);  // sequence number
  const uint32_t length = c.get(1);
  if (length > static_cast<uint32_t>(width))
    return std::unexpected(fmt::format("at byte {}: a prefix length of {} in a RIB record of {}-bit addresses",
                                       c.offset() - 1, length, width));
  const size_t octets = (length + 7) / 8;
  if (!c.has(octets + 2)) return std::unexpected(cut_short(c.offset(), "a RIB record's prefix"));
  c.take(octets);
  uint32_t entries = c.get(2);
  for (; entries > 0; --entries) {
    if (!c.has(8)) return std::unexpected(cut_short(c.offset(), "a RIB entry"));
    c.get(2);
    c.get(4);
    const uint32_t attributes = c.get(2);
    if (!c.has(attributes)) return std::unexpected(cut_short(c.offset(), "a RIB entry's attributes"));
    c.take(attributes);
  }
  return {};
}

// The AS numbers of an AS_PATH attribute's value (4-octet ASNs).
void read_path(Cursor c, std::vector<uint32_t>& path) {
  while (c.has(2)) {
    c.get(1);  // segment type: a set counts as its members here
    const uint32_t n = c.get(1);
    for (uint32_t i = 0; i < n && c.has(4); ++i) path.push_back(c.get(4));
  }
}

// The AS path of a RIB entry's attributes.
std::vector<uint32_t> entry_path(Cursor c) {
  std::vector<uint32_t> path;
  while (c.has(3)) {
    const uint32_t flags = c.get(1), type = c.get(1);
    const uint32_t length = c.get((flags & kExtendedLength) ? 2 : 1);
    if (!c.has(length)) break;
    const std::string_view value = c.take(length);
    if (type == kAsPath) read_path(Cursor(value), path);
  }
  return path;
}

}  // namespace

std::vector<Route> ipv4_first_paths(std::string_view dump) {
  std::vector<Route> out;
  Cursor c(dump);
  while (c.has(kHeader)) {
    c.get(4);
    const uint32_t type = c.get(2), subtype = c.get(2), length = c.get(4);
    if (!c.has(length)) break;
    Cursor r(c.take(length));
    if (type != kTableDumpV2 || subtype != kRibIpv4Unicast || !r.has(5)) continue;
    r.get(4);
    const int bits = static_cast<int>(r.get(1));
    uint32_t address = 0;
    for (int i = 0; i < (bits + 7) / 8; ++i) address |= r.get(1) << (24 - 8 * i);
    Route route{{IpAddress::v4(address), bits}, {}};
    if (r.get(2) > 0 && r.has(8)) {
      r.get(2);
      r.get(4);
      const uint32_t attributes = r.get(2);
      if (r.has(attributes)) route.as_path = entry_path(Cursor(r.take(attributes)));
    }
    out.push_back(std::move(route));
  }
  return out;
}

std::string write_rib(std::span<const Route> routes, uint32_t peer_as, IpAddress peer, IpAddress next_hop,
                      uint32_t timestamp) {
  std::string out, body;
  put32(body, static_cast<uint32_t>(peer.value));  // collector BGP ID
  put16(body, 0);                                   // no view name
  put16(body, 1);                                   // one peer:
  put8(body, 0x02);                                 // IPv4 address, 4-octet AS
  put32(body, static_cast<uint32_t>(peer.value));   // its BGP ID
  put32(body, static_cast<uint32_t>(peer.value));
  put32(body, peer_as);
  record(out, timestamp, kPeerIndexTable, body);
  out.reserve(out.size() + routes.size() * 56);
  uint32_t sequence = 0;
  for (const Route& r : routes) {
    body.clear();
    put32(body, sequence++);
    put8(body, static_cast<uint8_t>(r.prefix.length));
    const auto address = static_cast<uint32_t>(r.prefix.address.value);
    for (int i = 0; i < (r.prefix.length + 7) / 8; ++i) put8(body, static_cast<uint8_t>(address >> (24 - 8 * i)));
    put16(body, 1);  // one entry: the peer's path
    put16(body, 0);  // peer index
    put32(body, timestamp);
    const std::string a = attributes(r, next_hop);
    put16(body, static_cast<uint16_t>(a.size()));
    body += a;
    record(out, timestamp, kRibIpv4Unicast, body);
  }
  return out;
}

std::string with_repeated_head(std::string dump, size_t count) {
  size_t at = 0, end = 0;
  for (size_t copied = 0; copied < count && at + kHeader <= dump.size();) {
    Cursor c(std::string_view(dump).substr(at, kHeader));
    c.get(4);
    const uint32_t type = c.get(2), subtype = c.get(2), length = c.get(4);
    const size_t next = at + kHeader + length;
    if (next > dump.size()) break;
    if (type == kTableDumpV2 && subtype != kPeerIndexTable) ++copied;
    if (copied == 1 && end == 0) end = at;  // where the first RIB record starts
    at = next;
  }
  if (end == 0) return dump;
  const std::string head = dump.substr(end, at - end);
  return dump + head;
}

std::expected<RibSummary, std::string> read_rib(std::string_view dump) {
  RibSummary s;
  Cursor c(dump);
  bool peer_index = false;
  while (!c.done()) {
    const size_t at = c.offset();
    if (!c.has(kHeader)) return std::unexpected(cut_short(at, "a record's header"));
    c.get(4);
    const uint32_t type = c.get(2), subtype = c.get(2), length = c.get(4);
    if (type == 16 || type == 17)
      return std::unexpected(fmt::format("at byte {}: BGP4MP updates, not a RIB: give a RIB dump (RouteViews' rib.*, "
                                         "RIPE RIS's bview.*), not updates.*",
                                         at));
    if (type == 12)
      return std::unexpected(fmt::format("at byte {}: TABLE_DUMP (version 1), which GoBGP does not replay: give a "
                                         "TABLE_DUMP_V2 RIB dump",
                                         at));
    if (type != kTableDumpV2)
      return std::unexpected(fmt::format("at byte {}: no MRT record (type {}): this is not an MRT file", at, type));
    if (!c.has(length)) return std::unexpected(cut_short(at, "a record"));
    const std::string_view body = c.take(length);
    switch (subtype) {
      case kPeerIndexTable: {
        Cursor p(body, at + kHeader);
        if (!p.has(6)) return std::unexpected(cut_short(at + kHeader, "the PEER_INDEX_TABLE"));
        p.get(4);
        const uint32_t view = p.get(2);
        if (!p.has(view + 2)) return std::unexpected(cut_short(p.offset(), "the PEER_INDEX_TABLE"));
        p.take(view);
        s.peers = p.get(2);
        peer_index = true;
        break;
      }
      case kRibIpv4Unicast:
      case kRibIpv6Unicast: {
        if (!peer_index)
          return std::unexpected(fmt::format("at byte {}: a RIB record before the PEER_INDEX_TABLE that names its peers", at));
        const bool v4 = subtype == kRibIpv4Unicast;
        if (auto ok = check_rib_record(Cursor(body, at + kHeader), v4 ? 32 : 128); !ok) return std::unexpected(ok.error());
        ++(v4 ? s.ipv4_prefixes : s.ipv6_prefixes);
        break;
      }
      default:
        // Multicast, generic and ADD-PATH RIBs: GoBGP's injector stops at them.
        return std::unexpected(fmt::format(
            "at byte {}: a TABLE_DUMP_V2 record of subtype {}: only unicast RIBs (2: IPv4, 4: IPv6) can be replayed",
            at, subtype));
    }
  }
  if (!peer_index) return std::unexpected("the dump has no PEER_INDEX_TABLE: it is empty, or not a TABLE_DUMP_V2 RIB dump");
  return s;
}

}  // namespace anylab::mrt
