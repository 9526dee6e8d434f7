#include <gtest/gtest.h>

#include "wire.h"

namespace anylab::checks {
namespace {

TEST(Wire, DnsChaosRoundTrip) {
  const std::string q = dns_query(4242);
  auto answer = dns_answer(q, "pop-ams");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(dns_reply_name(*answer, 4242), "pop-ams");
  EXPECT_FALSE(dns_reply_name(*answer, 4243).has_value()) << "a reply to another query is not ours";
}

TEST(Wire, NotADnsQueryGetsNoDnsAnswer) {
  EXPECT_FALSE(dns_answer(kRequest, "x").has_value());
  EXPECT_FALSE(dns_answer("", "x").has_value());
  std::string q = dns_query(1);
  q[q.size() - 1] = 1;  // class IN, not CHAOS
  EXPECT_FALSE(dns_answer(q, "x").has_value());
}

}  // namespace
}  // namespace anylab::checks
