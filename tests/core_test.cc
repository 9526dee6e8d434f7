#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/ip.h"
#include "core/mrt.h"
#include "load/suggest.h"
#include "model/lab.h"
#include "plan/address_pool.h"

namespace anylab {
namespace {

using std::chrono::milliseconds;

// Lab `a` node `b-c` and lab `a-b` node `c` once made the same namespace,
// and lab `a`'s ownership guard (its names' prefix) matched lab `a-b`'s.
// Lab and node names cannot hold '_': it separates them.
TEST(Names, LabAndNodeNamesNeverCollide) {
  EXPECT_NE(netns_name("a", "b-c"), netns_name("a-b", "c"));
  EXPECT_EQ(netns_name("a", "b-c"), "anylab-a_b-c");
  EXPECT_FALSE(netns_name("a-b", "c").starts_with(netns_name("a", "")));
  EXPECT_TRUE(netns_name("a", "b-c").starts_with(netns_name("a", "")));
  EXPECT_FALSE(frr_run_dir(netns_name("a-b", "c")).starts_with(frr_run_dir(netns_name("a", ""))));
  // The longest names fit every limit they meet: a namespace name (a file
  // name), a Docker container name, and FRR's vty socket path (108 bytes).
  const std::string longest = netns_name(std::string(16, 'l'), std::string(32, 'n'));
  EXPECT_LE((frr_run_dir(longest) + "/bgpd.vty").size(), 107u);
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("10ms"), Duration(milliseconds(10)));
  EXPECT_EQ(parse_duration("2s"), Duration(milliseconds(2000)));
  EXPECT_EQ(parse_duration("1.5s"), Duration(milliseconds(1500)));
  EXPECT_EQ(parse_duration("1m"), Duration(milliseconds(60000)));
  EXPECT_EQ(parse_duration("0.25ms"), Duration(250));
}

TEST(Duration, RefusesWhatIsAmbiguousOrMalformed) {
  for (const char* bad : {"2", "", "s", "2 s", "-1s", "1.s", "2h", "1e3ms", "99999999999s"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(Duration, FormatsShortest) {
  EXPECT_EQ(format_duration(milliseconds(10)), "10ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(2000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(120000)), "2m");
  EXPECT_EQ(format_duration(Duration(1500)), "1.5ms");
}

TEST(IpAddress, ParsesAndPrints) {
  EXPECT_EQ(IpAddress::parse("192.0.2.53")->str(), "192.0.2.53");
  for (const char* bad : {"192.0.2", "192.0.2.256", "1.2.3.4.5", "a.b.c.d", "01234.1.1.1", ""})
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
}

TEST(IpPrefix, NetworksAndHostBits) {
  auto p = *IpPrefix::parse("192.0.2.53/24");
  EXPECT_TRUE(p.has_host_bits());
  EXPECT_EQ(p.network().str(), "192.0.2.0/24");
  EXPECT_TRUE(p.contains(*IpAddress::parse("192.0.2.1")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("192.0.3.1")));
  EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.1")));
  EXPECT_TRUE(IpPrefix::parse("192.0.2.0/24")->overlaps(*IpPrefix::parse("192.0.2.128/25")));
  EXPECT_FALSE(IpPrefix::parse("192.0.2.0/25")->overlaps(*IpPrefix::parse("192.0.2.128/25")));
  EXPECT_FALSE(IpPrefix::parse("192.0.2.0/33").has_value());
}

TEST(IpAddress, Ipv6ParsesPrintsAndNeverEqualsIpv4) {
  EXPECT_EQ(IpAddress::parse("2001:DB8:53:0:0::53")->str(), "2001:db8:53::53");
  EXPECT_EQ(IpAddress::parse("::")->str(), "::");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->family, Family::kIpv6);
  for (const char* bad : {"2001:db8::1::2", "2001:db8::g", "fe80::1%eth0", "2001:db8:0:0:0:0:0:0:1", ":"})
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
  EXPECT_NE(*IpAddress::parse("::"), *IpAddress::parse("0.0.0.0"));
  EXPECT_LT(*IpAddress::parse("255.255.255.255"), *IpAddress::parse("::"));  // IPv4 sorts first
  EXPECT_EQ(IpAddress::parse("2001:db8::ffff")->plus(1).str(), "2001:db8::1:0");
  EXPECT_EQ(IpAddress::parse("255.255.255.255")->plus(1).str(), "0.0.0.0");
}

TEST(IpPrefix, Ipv6NetworksAndHostBits) {
  auto p = *IpPrefix::parse("2001:db8:53::53/48");
  EXPECT_TRUE(p.has_host_bits());
  EXPECT_EQ(p.network().str(), "2001:db8:53::/48");
  EXPECT_TRUE(p.contains(*IpAddress::parse("2001:db8:53:ffff::1")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("2001:db8:54::1")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("192.0.2.1")));
  EXPECT_FALSE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("::1")));
  EXPECT_TRUE(IpPrefix::parse("::/0")->contains(*IpAddress::parse("2001:db8::1")));
  EXPECT_FALSE(IpPrefix::parse("::/0")->overlaps(*IpPrefix::parse("0.0.0.0/0")));
  EXPECT_TRUE(IpPrefix::parse("2001:db8::1/127")->has_host_bits());
  EXPECT_FALSE(IpPrefix::parse("2001:db8::2/127")->has_host_bits());
  EXPECT_TRUE(IpPrefix::parse("2001:db8::1/128")->contains(*IpAddress::parse("2001:db8::1")));
  EXPECT_FALSE(IpPrefix::parse("2001:db8::/129").has_value());
}

TEST(AddressPool, HandsOutIpv6Blocks) {
  AddressPool pool(*IpPrefix::parse("2001:2::/120"), 127);
  pool.reserve(*IpPrefix::parse("2001:2::2/127"));
  pool.reserve(*IpPrefix::parse("198.18.0.0/16"));  // another family never overlaps
  EXPECT_EQ(pool.next()->str(), "2001:2::/127");
  EXPECT_EQ(pool.next()->str(), "2001:2::4/127");
  for (int i = 0; i < 125; ++i) ASSERT_TRUE(pool.next().has_value());
  EXPECT_FALSE(pool.next().has_value());
}

TEST(AddressPool, SkipsTakenBlocksAndEnds) {
  AddressPool pool(*IpPrefix::parse("198.18.0.0/29"), 31);
  pool.reserve(*IpPrefix::parse("198.18.0.2/31"));
  EXPECT_EQ(pool.next()->str(), "198.18.0.0/31");
  EXPECT_EQ(pool.next()->str(), "198.18.0.4/31");
  EXPECT_EQ(pool.next()->str(), "198.18.0.6/31");
  EXPECT_FALSE(pool.next().has_value());
}

TEST(Suggest, NearestIsATypoNotAnotherWord) {
  EXPECT_EQ(nearest("anounce", {"announce", "health"}), "announce");
  EXPECT_EQ(nearest("bdf", {"asn", "bfd", "kind"}), "bfd");
  EXPECT_FALSE(nearest("xyz", {"announce", "health"}).has_value());
}

TEST(Diagnostics, FormatWithLineAndCaretSortedAndDeduplicated) {
  SourceFile f("lab.yaml", "name: x\n\ttopology: 1\n");
  Diagnostics d;
  d.error({2, 12}, "second");
  d.error({1, 7}, "first");
  d.error({1, 7}, "first");
  EXPECT_EQ(format_diagnostics(f, d),
            "lab.yaml:1:7: error: first\nname: x\n      ^\n"
            "lab.yaml:2:12: error: second\n\ttopology: 1\n\t          ^\n");
}

// A file of random bytes must not write raw bytes to the terminal: control
// bytes and broken UTF-8 are escaped, and the caret still points at the
// column (an escape is as wide as it prints).
TEST(Diagnostics, UnprintableBytesAreEscapedAndTheCaretFollows) {
  using namespace std::string_literals;
  EXPECT_EQ(printable("a\x00" "b\x1b[31m\tc\xff" "\xc3\xa9"s), "a\\x00b\\x1b[31m\tc\\xff\xc3\xa9");
  SourceFile f("x.yaml", std::string("k\x01\x02: v\n"));
  Diagnostics d;
  d.error({1, 5}, std::string("bad \x07"));
  EXPECT_EQ(format_diagnostics(f, d), "x.yaml:1:5: error: bad \\x07\nk\\x01\\x02: v\n          ^\n");
}

TEST(SourceFile, LinesSurviveAMove) {
  SourceFile a("s.yaml", "- a\r\n- b\n");
  SourceFile b = std::move(a);
  EXPECT_EQ(b.line(1), "- a");
  EXPECT_EQ(b.line(2), "- b");
  EXPECT_EQ(b.line(3), "");
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

TEST(Mrt, ARibWrittenIsReadBackWithItsPaths) {
  const std::vector<mrt::Route> routes{{*IpPrefix::parse("1.0.0.0/24"), {174, 13335}},
                                       {*IpPrefix::parse("8.8.8.0/24"), {3356, 15169}},
                                       {*IpPrefix::parse("100.0.0.0/9"), {4200000001u}}};
  const std::string dump = mrt::write_rib(routes, 65000, *IpAddress::parse("198.19.255.250"),
                                          *IpAddress::parse("198.19.255.250"), 1735689600);
  auto rib = mrt::read_rib(dump);
  ASSERT_TRUE(rib) << rib.error();
  EXPECT_EQ(rib->peers, 1u);
  EXPECT_EQ(rib->ipv4_prefixes, 3u);
  EXPECT_EQ(rib->ipv6_prefixes, 0u);
  const auto back = mrt::ipv4_first_paths(dump);
  ASSERT_EQ(back.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back[i].prefix, routes[i].prefix);
    EXPECT_EQ(back[i].as_path, routes[i].as_path);
  }
  // Repeats at the end: what GoBGP 3.10's injector may drop.
  auto repeated = mrt::read_rib(mrt::with_repeated_head(dump, 2));
  ASSERT_TRUE(repeated);
  EXPECT_EQ(repeated->ipv4_prefixes, 5u);
}

TEST(Mrt, WhatIsNotARibDumpIsNamedWithItsByte) {
  const std::string dump = mrt::write_rib({}, 65000, IpAddress::v4(1), IpAddress::v4(1), 0);
  EXPECT_EQ(mrt::read_rib(dump.substr(0, dump.size() - 2)).error(),
            "at byte 0: the dump ends inside a record (is the file whole?)");
  std::string updates = dump;
  updates[5] = 16;  // BGP4MP
  EXPECT_NE(mrt::read_rib(updates).error().find("at byte 0: BGP4MP updates, not a RIB"), std::string::npos);
  EXPECT_EQ(mrt::read_rib("").error(), "the dump has no PEER_INDEX_TABLE: it is empty, or not a TABLE_DUMP_V2 RIB dump");
}

}  // namespace
}  // namespace anylab
