// anylab's container images (images/build.sh): each starts, and its
// programs answer. Needs root and a Docker engine; ci/test.sh builds the
// images first wherever Docker is reachable. Containers are started with
// --rm and a label of anylab's, so none is left behind.
#include <gtest/gtest.h>

#include "../test_paths.h"

namespace anylab {
namespace {

const std::string kVersion = ANYLAB_VERSION;

bool docker_reachable() { return test::run({"docker", "info"}).exit_code == 0; }

// Runs a command in a fresh container of the image, without a network.
test::RunResult in_container(const std::string& role, const std::vector<std::string>& command) {
  std::vector<std::string> argv{"docker", "run", "--rm", "--network", "none", "--label", "org.anylab.test=images",
                                "anylab/" + role + ":" + kVersion};
  argv.insert(argv.end(), command.begin(), command.end());
  return test::run(argv);
}

class Images : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!docker_reachable()) GTEST_SKIP() << "no Docker engine reachable on this machine";
    for (const char* role : {"base", "router", "instance", "client", "base-trixie", "router-trixie"})
      ASSERT_EQ(test::run({"docker", "image", "inspect", std::string("anylab/") + role + ":" + kVersion}).exit_code, 0)
          << "anylab/" << role << ":" << kVersion << " is not built: run images/build.sh";
  }
};

TEST_F(Images, RouterRunsFrr) {
  for (const char* daemon : {"zebra", "bgpd", "bfdd"}) {
    auto r = in_container("router", {std::string("/usr/lib/frr/") + daemon, "--version"});
    EXPECT_EQ(r.exit_code, 0) << daemon << ": " << r.err;
    EXPECT_NE(r.out.find("version 8.4"), std::string::npos) << r.out;
  }
  // vtysh checks a configuration without daemons: it parses FRR's CLI.
  auto vtysh = in_container("router", {"sh", "-c", "printf 'router bgp 65001\\n' > /tmp/t.conf && vtysh -C -f /tmp/t.conf"});
  EXPECT_EQ(vtysh.exit_code, 0) << vtysh.out << vtysh.err;
}

// The second router image: Debian 13's FRR, for labs that pin a router to
// another release (image:).
TEST_F(Images, TrixieRouterRunsFrr10) {
  auto r = in_container("router-trixie", {"/usr/lib/frr/bgpd", "--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("version 10.3"), std::string::npos) << r.out;
}

// The responder answers the probe with the instance's name, inside the
// container; ExaBGP, its healthcheck, the relay and bfdd are there.
TEST_F(Images, InstanceAnswersWithItsName) {
  auto r = in_container("instance", {"sh", "-c",
                                     "/usr/libexec/anylab/anylab-responder 127.0.0.1 5353 pop-test & sleep 0.5; "
                                     "/usr/libexec/anylab/anylab-probe udp 127.0.0.1 5353 --timeout 1s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pop-test\n");
  auto exabgp = in_container("instance", {"python3", "-m", "exabgp", "--version"});
  EXPECT_EQ(exabgp.exit_code, 0) << exabgp.err;
  EXPECT_NE((exabgp.out + exabgp.err).find("4.2"), std::string::npos) << exabgp.out << exabgp.err;
  auto health = in_container("instance", {"python3", "-m", "exabgp", "healthcheck", "--help"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  auto relay = in_container("instance", {"test", "-x", "/usr/libexec/anylab/anylab-exabgp-relay"});
  EXPECT_EQ(relay.exit_code, 0);
  auto bfdd = in_container("instance", {"/usr/lib/frr/bfdd", "--version"});
  EXPECT_EQ(bfdd.exit_code, 0) << bfdd.err;
}

TEST_F(Images, ClientHasItsTools) {
  auto ip = in_container("client", {"ip", "-V"});
  EXPECT_EQ(ip.exit_code, 0) << ip.err;
  auto probe = in_container("client", {"/usr/libexec/anylab/anylab-probe"});
  EXPECT_EQ(probe.exit_code, 2) << "usage, from the probe itself";
  EXPECT_NE(probe.err.find("usage: anylab-probe"), std::string::npos) << probe.err;
}

}  // namespace
}  // namespace anylab
