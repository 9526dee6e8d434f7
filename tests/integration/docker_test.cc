// The docker runtime on real labs: every lab in labs/ passes `anylab test
// --runtime docker` with the same expectations as on netns, a lab is driven
// inside its containers, and nothing is left (no container, namespace,
// bind directory or daemon), also after a SIGKILL mid-deploy. Needs root, a
// Docker engine and anylab's images (ci/test.sh builds them).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../test_paths.h"
#include "lab_helpers.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using test::kAnylab;
using test::lab_file;
using test::leftovers;

class OnDocker : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "container tests build real labs: run them as root";
    if (test::run({"docker", "info"}).exit_code != 0) GTEST_SKIP() << "no Docker engine reachable on this machine";
    for (const char* role : {"router", "instance", "client", "router-trixie"})
      ASSERT_EQ(test::run({"docker", "image", "inspect", std::string("anylab/") + role + ":" + ANYLAB_VERSION}).exit_code, 0)
          << "anylab/" << role << " is not built: run images/build.sh";
  }
  void TearDown() override {
    for (const std::string& lab : labs_) test::run({kAnylab, "destroy", lab});
  }
  void uses(const std::string& lab) {
    labs_.push_back(lab);
    test::run({kAnylab, "destroy", lab});
  }
  std::vector<std::string> labs_;
};

class EveryLabOnDocker : public OnDocker, public ::testing::WithParamInterface<std::string> {};

// The same lab files, the same expectations: a verdict must not depend on
// the runtime. The JSON report says which runtime measured it.
TEST_P(EveryLabOnDocker, AnylabTestPasses) {
  uses(GetParam());
  test::expect_anylab_test_passes(GetParam(), "docker");
}

// CI's budget (README: what CI runs where): the generated Internet of 100
// ASes is scale, and scale is the netns runtime's in CI; on docker it was
// measured by hand (BENCHMARKS.md). `anylab test labs/internet-100.yaml
// --runtime docker` runs it.
std::vector<std::string> labs_on_docker() {
  std::vector<std::string> out;
  for (const std::string& lab : test::lab_names())
    if (lab != "internet-100") out.push_back(lab);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Labs, EveryLabOnDocker, ::testing::ValuesIn(labs_on_docker()), [](const auto& p) {
  std::string n = p.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

// Commands after deploy find the runtime the lab was built on; exec runs the
// container's own programs (its hostname, its vtysh); destroy removes the
// containers and returns once the daemons are reaped.
TEST_F(OnDocker, DeployedLabIsDrivenInsideItsContainers) {
  uses("quickstart");
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart"), "--runtime", "docker"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  auto ps = test::run({"docker", "ps", "--filter", "label=org.anylab.lab=quickstart", "--format", "{{.Names}}"});
  EXPECT_EQ(std::count(ps.out.begin(), ps.out.end(), '\n'), 6) << ps.out;
  auto host = test::run({kAnylab, "exec", "quickstart", "edge-ams", "--", "cat", "/etc/hostname"});
  EXPECT_EQ(host.out, "edge-ams\n") << host.err;
  // The container's vtysh reaches its FRR: both of edge-ams's sessions up.
  auto bgp = test::run({kAnylab, "exec", "quickstart", "edge-ams", "--", "vtysh", "-c", "show bgp summary json"});
  const auto summary = nlohmann::json::parse(bgp.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << bgp.out << bgp.err;
  const auto& peers = summary["ipv4Unicast"]["peers"];
  EXPECT_EQ(peers.size(), 2u) << bgp.out;
  for (const auto& [address, peer] : peers.items()) EXPECT_EQ(peer["state"], "Established") << address;
  auto inspect = test::run({kAnylab, "inspect", "quickstart", "--json"});
  const auto j = nlohmann::json::parse(inspect.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << inspect.err;
  for (const auto& c : j["clients"]) EXPECT_FALSE(c["instance"].is_null()) << c.dump();
  // A crash kills the node's daemons, not its container: restore restarts them in it.
  EXPECT_EQ(test::run({kAnylab, "fail", "quickstart", "--node", "pop-ams"}).exit_code, 0);
  EXPECT_EQ(test::run({"docker", "inspect", "-f", "{{.State.Running}}", "anylab-quickstart_pop-ams"}).out, "true\n");
  EXPECT_EQ(test::run({kAnylab, "restore", "quickstart", "--node", "pop-ams"}).exit_code, 0);
  const auto pids = test::recorded_pids("quickstart");
  auto x = test::run({kAnylab, "destroy", "quickstart"});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  EXPECT_NE(x.err.find("6 containers removed"), std::string::npos) << x.err;
  EXPECT_EQ(test::not_reaped(pids), std::vector<std::string>{});
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

TEST_F(OnDocker, DestroyAfterDeployWasKilledWithSigkill) {
  uses("dns-three-pops");
  test::expect_destroy_cleans_up_after_sigkill("dns-three-pops", {"--runtime", "docker"});
}

// A container of a lab's node name that anylab did not make (no label of
// its) is in the way: deploy names it and exits 3; neither it nor destroy
// touches it.
TEST_F(OnDocker, AContainerInTheWayIsNamedAndLeftAlone) {
  uses("quickstart");
  const std::string name = "anylab-quickstart_pop-ams";
  struct Remove {
    std::string name;
    ~Remove() { test::run({"docker", "rm", "-f", name}); }
  } remove{name};
  ASSERT_EQ(test::run({"docker", "create", "--name", name, "--network", "none",
                       std::string("anylab/client:") + ANYLAB_VERSION, "sleep", "infinity"})
                .exit_code,
            0);
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart"), "--runtime", "docker"});
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_NE(d.err.find("the container " + name + " already exists, and no deploy of lab quickstart made it"),
            std::string::npos)
      << d.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(test::run({"docker", "inspect", "-f", "{{.Name}}", name}).out, "/" + name + "\n") << "it was removed";
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

// /run lost (a reboot empties it: the journal, the runtime record, the
// namespace links are gone) while the lab's containers remain: destroy
// still removes them, from the record of what it made. A container that only
// copies the lab's label, which anylab did not record, is left alone.
TEST_F(OnDocker, DestroyFindsTheContainersWhenRunWasLostAndOnlyThose) {
  uses("quickstart");
  const std::string decoy = "anylab-decoy-" + std::to_string(::getpid());
  struct Remove {
    std::string name;
    ~Remove() { test::run({"docker", "rm", "-f", name}); }
  } remove{decoy};
  ASSERT_EQ(test::run({"docker", "create", "--name", decoy, "--label", "org.anylab.lab=quickstart", "--network",
                       "none", std::string("anylab/client:") + ANYLAB_VERSION, "sleep", "infinity"})
                .exit_code,
            0);
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart"), "--runtime", "docker"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  fs::remove_all("/run/anylab/quickstart");
  for (const auto& e : fs::directory_iterator("/run/netns"))
    if (e.path().filename().string().starts_with("anylab-quickstart_"))
      test::run({"ip", "netns", "delete", e.path().filename().string()});
  for (const auto& e : fs::directory_iterator("/var/run/frr"))
    if (e.path().filename().string().starts_with("anylab-quickstart_")) fs::remove_all(e.path());
  auto r = test::run({kAnylab, "destroy", "quickstart"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("6 containers removed"), std::string::npos) << r.err;
  EXPECT_EQ(test::run({"docker", "ps", "-a", "--filter", "label=org.anylab.lab=quickstart", "--format", "{{.Names}}"}).out,
            decoy + "\n")
      << "only the lab's recorded containers are removed";
  EXPECT_FALSE(fs::exists("/var/lib/anylab/quickstart.containers"));
  test::run({"docker", "rm", "-f", decoy});
  EXPECT_EQ(test::leftovers_settled("quickstart"), std::vector<std::string>{});
}

// A deploy that fails half-way (a router image whose /etc/passwd gives frr
// no numeric id: reading it threw, the exception reached main and left a
// half-built lab that then read "already deployed") removes what it made,
// says why, and the lab can be deployed again at once.
TEST_F(OnDocker, AFailedDeployRemovesWhatItMade) {
  uses("bad-passwd");
  const std::string image = "anylab-test/bad-passwd:" + std::to_string(::getpid());
  const std::string maker = "anylab-test-maker-" + std::to_string(::getpid());
  struct Remove {
    std::string image, maker;
    ~Remove() {
      test::run({"docker", "rm", "-f", maker});
      test::run({"docker", "rmi", "-f", image});
    }
  } remove{image, maker};
  ASSERT_EQ(test::run({"docker", "create", "--name", maker, std::string("anylab/router:") + ANYLAB_VERSION}).exit_code, 0);
  const fs::path passwd = fs::temp_directory_path() / ("anylab-passwd-" + std::to_string(::getpid()));
  std::ofstream(passwd) << "root:x:0:0:root:/root:/bin/bash\nfrr:x:frr:frr::/nonexistent:/usr/sbin/nologin\n";
  ASSERT_EQ(test::run({"docker", "cp", passwd.string(), maker + ":/etc/passwd"}).exit_code, 0);
  fs::remove(passwd);
  ASSERT_EQ(test::run({"docker", "commit", maker, image}).exit_code, 0);
  std::string text = test::read_file(lab_file("quickstart"));
  text.replace(text.find("name: quickstart"), 16, "name: bad-passwd");
  text.replace(text.find("edge-ams:  {kind: router, asn: 65010}"), 37,
               "edge-ams:  {kind: router, asn: 65010, image: \"" + image + "\"}");
  const fs::path file = fs::temp_directory_path() / ("bad-passwd-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << text;
  auto d = test::run({kAnylab, "deploy", file.string(), "--runtime", "docker"});
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_NE(d.err.find("has no frr user with a numeric id"), std::string::npos) << d.err;
  EXPECT_NE(d.err.find("lab bad-passwd destroyed"), std::string::npos) << d.err;
  EXPECT_EQ(test::leftovers_settled("bad-passwd"), std::vector<std::string>{});
  auto again = test::run({kAnylab, "deploy", file.string(), "--runtime", "docker"});
  EXPECT_EQ(again.err.find("already deployed"), std::string::npos) << again.err;
  fs::remove(file);
}

// image: pins a node to another image: in labs/frr-upgrade.yaml edge-sin
// runs FRR 10.3 from the Debian 13 router image beside FRR 8.4.
TEST_F(OnDocker, ARouterRunsTheImageItIsPinnedTo) {
  uses("frr-upgrade");
  auto d = test::run({kAnylab, "deploy", lab_file("frr-upgrade"), "--runtime", "docker"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  auto version = [](const std::string& node) {
    return test::run({kAnylab, "exec", "frr-upgrade", node, "--", "vtysh", "-c", "show version"}).out;
  };
  EXPECT_NE(version("edge-sin").find("FRRouting 10.3 (edge-sin)"), std::string::npos) << version("edge-sin");
  EXPECT_NE(version("edge-ams").find("FRRouting 8.4"), std::string::npos) << version("edge-ams");
  EXPECT_EQ(test::run({kAnylab, "destroy", "frr-upgrade"}).exit_code, 0);
  EXPECT_EQ(leftovers("frr-upgrade"), std::vector<std::string>{});
}

// ROA changes on FRR 10.3: labs/roa-changes.yaml with every router on the
// Debian 13 image. Its StayRTR must serve an empty set (0.6 answers "No
// Data Available" instead, and routers keep the withdrawn ROA), and the
// enforcing routers must take back and drop routes as FRR 8.4's do (issue 26).
TEST_F(OnDocker, RoaChangesHoldOnFrr10) {
  uses("roa-changes");
  std::ifstream in(lab_file("roa-changes"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string pin = std::string("defaults:\n  images: {router: anylab/router-trixie:") + ANYLAB_VERSION + "}\n";
  ASSERT_NE(text.find("defaults:\n"), std::string::npos);
  text.replace(text.find("defaults:\n"), 10, pin);
  const fs::path dir = fs::temp_directory_path() / "anylab-frr10";
  fs::create_directories(dir);
  const fs::path file = dir / "roa-changes.yaml";
  std::ofstream(file) << text;
  auto r = test::run({kAnylab, "test", file.string(), "--runtime", "docker"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("FAIL "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("isp-eu held them after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(1 taken back, 0 dropped)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(0 taken back, 1 dropped)"), std::string::npos) << r.out;
  fs::remove_all(dir);
  EXPECT_EQ(test::leftovers_settled("roa-changes"), std::vector<std::string>{});
}

// The daemons anylab starts inside containers are offered to KSM as on
// netns (same spawn path, entered namespaces and all).
TEST_F(OnDocker, RoutersShareIdenticalPagesOnlyWhenTheKernelMergesThem) {
  if (!fs::exists("/sys/kernel/mm/ksm/run")) GTEST_SKIP() << "this kernel has no same-page merging";
  uses("quickstart");
  test::expect_pages_shared_only_with_ksm("quickstart", {"--runtime", "docker"});
}


}  // namespace
}  // namespace anylab
