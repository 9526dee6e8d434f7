// Origin validation (RFC 6811) and what an enforcing router has yet to
// re-judge after the ROAs change, on JSON as FRR 8.4 prints it (issue 26).
#include <gtest/gtest.h>

#include "runtime/rpki.h"

namespace anylab {
namespace {

Roa roa(const std::string& prefix, int max_length, uint32_t asn) {
  Roa r;
  r.prefix.value = *IpPrefix::parse(prefix);
  r.max_length = Marked<int>{max_length, {}};
  r.asn = asn;
  return r;
}

IpPrefix p(const std::string& text) { return *IpPrefix::parse(text); }

TEST(OriginValidation, ByTheRfc) {
  const std::vector<Roa> tight{roa("192.0.2.0/24", 24, 64500)};
  EXPECT_EQ(validate_origin(p("192.0.2.0/24"), "65001 64500", 65010, tight), Validity::kValid);
  EXPECT_EQ(validate_origin(p("192.0.2.0/24"), "65001 64666", 65010, tight), Validity::kInvalid);  // wrong origin
  EXPECT_EQ(validate_origin(p("192.0.2.0/25"), "65001 64500", 65010, tight), Validity::kInvalid);  // too long
  EXPECT_EQ(validate_origin(p("198.51.100.0/24"), "65001 64666", 65010, tight), Validity::kNotFound);
  EXPECT_EQ(validate_origin(p("192.0.2.0/25"), "65001 64666", 65010, {}), Validity::kNotFound);
  EXPECT_EQ(validate_origin(p("192.0.2.0/24"), "", 64500, tight), Validity::kValid);  // its own, originated
  EXPECT_EQ(validate_origin(p("192.0.2.0/24"), "65001 {64500,64501}", 65010, tight), Validity::kInvalid);  // AS_SET
  // Any matching ROA makes it valid; AS 0 matches nothing.
  const std::vector<Roa> two{roa("192.0.2.0/24", 24, 0), roa("192.0.2.0/24", 25, 64500)};
  EXPECT_EQ(validate_origin(p("192.0.2.0/25"), "64500", 65010, two), Validity::kValid);
  EXPECT_EQ(validate_origin(p("2001:db8:53::/48"), "64500", 65010, {roa("2001:db8::/32", 48, 64500)}), Validity::kValid);
}

// isp-eu (AS 65010) received the rogue's /25 from t1a and holds the /24
// from its own instance; t1a's copy of the /24 has isp-eu's AS in its path.
const char* kReceived = R"({"receivedRoutes":{
  "192.0.2.0/24":{"network":"192.0.2.0/24","path":"65001 65010 64500"},
  "192.0.2.0/25":{"network":"192.0.2.0/25","path":"65001 64666"}}})";
const char* kTableWithout = R"({"routes":{
  "192.0.2.0/24":[{"valid":true,"bestpath":true,"peerId":"198.18.0.11","path":"64500"}]}})";
const char* kTableWith = R"({"routes":{
  "192.0.2.0/24":[{"valid":true,"bestpath":true,"peerId":"198.18.0.11","path":"64500"}],
  "192.0.2.0/25":[{"valid":true,"bestpath":true,"peerId":"198.18.0.2","path":"65001 64666"}]}})";

TEST(Revalidation, AWithdrawnRoaWantsTheDeniedRouteTakenBack) {
  const std::vector<Roa> lab{roa("192.0.2.0/24", 24, 64500)};
  const std::vector<ReceivedRoutes> received{{"t1a", "198.18.0.2", kReceived}};
  // Before the router re-judged: the /25 is no longer invalid, not in its table.
  auto before = revalidation(65010, received, kTableWithout, lab, {});
  ASSERT_TRUE(before);
  EXPECT_EQ(before->pending, std::vector<std::string>{"192.0.2.0/25 from t1a: no longer invalid, not taken back"});
  auto after = revalidation(65010, received, kTableWith, lab, {});
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->pending.empty());
  EXPECT_EQ(after->taken_back, 1u);
  // The same route held from another peer does not count for t1a's.
  auto elsewhere = revalidation(65010, received, R"({"routes":{"192.0.2.0/25":[{"peerId":"198.18.0.4"}]}})", lab, {});
  EXPECT_EQ(elsewhere->pending.size(), 1u);
}

TEST(Revalidation, APublishedRoaWantsTheNowInvalidRouteDropped) {
  const std::vector<Roa> lab{roa("192.0.2.0/24", 24, 64500)};
  const std::vector<ReceivedRoutes> received{{"t1a", "198.18.0.2", kReceived}};
  auto held = revalidation(65010, received, kTableWith, {}, lab);
  EXPECT_EQ(held->pending, std::vector<std::string>{"192.0.2.0/25 from t1a: invalid now, still held"});
  auto gone = revalidation(65010, received, kTableWithout, {}, lab);
  EXPECT_TRUE(gone->pending.empty());
  EXPECT_EQ(gone->dropped, 1u);
}

TEST(Revalidation, UnchangedRoutesAndLoopsAreNotLookedAt) {
  const std::vector<Roa> lab{roa("192.0.2.0/24", 24, 64500)};
  const std::vector<ReceivedRoutes> received{{"t1a", "198.18.0.2", kReceived}};
  // The ROA for another prefix changes nothing here; the /24 through t1a
  // carries isp-eu's own AS and is never taken, whatever the ROAs say.
  auto r = revalidation(65010, received, kTableWithout, lab, {lab[0], roa("203.0.113.0/24", 24, 64501)});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->pending.empty());
  EXPECT_EQ(r->taken_back + r->dropped, 0u);
  EXPECT_FALSE(revalidation(65010, received, "% Unknown command", lab, {}));
}

}  // namespace
}  // namespace anylab
