// The containerlab runtime on real labs: containerlab (0.79, built by
// ci/install-containerlab.sh) deploys each lab from the topology anylab
// writes, anylab drives and measures it; every lab in labs/ passes `anylab
// test --runtime containerlab` with the same expectations as on netns;
// nothing is left afterwards (containers, netns links, /etc/hosts lines,
// ssh config, records), also after a SIGKILL mid-deploy; and another
// containerlab lab on the machine is never touched. Needs root, a Docker
// engine, containerlab and anylab's images (ci/test.sh brings them).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../test_paths.h"
#include "lab_helpers.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::kAnylab;
using test::lab_file;
using test::leftovers;

class OnContainerlab : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "containerlab tests build real labs: run them as root";
    if (test::run({"docker", "info"}).exit_code != 0) GTEST_SKIP() << "no Docker engine reachable on this machine";
    ASSERT_EQ(test::run({"containerlab", "version"}).exit_code, 0)
        << "containerlab is not installed: ci/install-containerlab.sh";
    for (const char* role : {"router", "instance", "client", "router-trixie"})
      ASSERT_EQ(test::run({"docker", "image", "inspect", std::string("anylab/") + role + ":" + ANYLAB_VERSION}).exit_code, 0)
          << "anylab/" << role << " is not built: run images/build.sh";
    hosts_before_ = test::read_file("/etc/hosts");
  }
  void TearDown() override {
    for (const std::string& lab : labs_) test::run({kAnylab, "destroy", lab});
    EXPECT_EQ(test::read_file("/etc/hosts"), hosts_before_) << "/etc/hosts is not as it was";
  }
  void uses(const std::string& lab) {
    labs_.push_back(lab);
    test::run({kAnylab, "destroy", lab});
  }
  // containerlab's own view: the labs it knows of, as JSON.
  static std::string clab_labs() {
    return test::run({"env", "CLAB_VERSION_CHECK=disable", "containerlab", "inspect", "--all", "--format", "json"}).out;
  }
  std::vector<std::string> labs_;
  std::string hosts_before_;
};

class EveryLabOnContainerlab : public OnContainerlab, public ::testing::WithParamInterface<std::string> {};

// The same lab files, the same expectations: a verdict must not depend on
// the runtime. The JSON report says which runtime measured it.
TEST_P(EveryLabOnContainerlab, AnylabTestPasses) {
  uses(GetParam());
  test::expect_anylab_test_passes(GetParam(), "containerlab");
}

// CI's budget (README: what CI runs where): containerlab builds the same
// containers as docker (same images, processes started through the same
// container layer) and differs in how the lab is made (its topology, links,
// addresses, files). These labs exercise routing policy, RPKI publication,
// load and the control plane's cost on a deploy that other labs here
// exercise too, and docker gives their verdicts on the same container
// layer: they are not run here. Nor is the generated Internet of 100 ASes
// (scale is netns's in CI), nor the full tables (their feeder is made and
// run through the same container layer on docker; on containerlab measured
// by hand, BENCHMARKS.md).
// `anylab test LAB --runtime containerlab` runs any of them.
std::vector<std::string> labs_on_containerlab() {
  const std::set<std::string> elsewhere{"drain-site",     "two-services", "local-nodes", "valley-free", "hijack-and-leak",
                                        "flap-damping",   "roa-changes",  "traffic-eng", "overload-cascade",
                                        "path-exploration", "internet-100", "full-table"};
  std::vector<std::string> out;
  for (const std::string& lab : test::lab_names())
    if (!elsewhere.contains(lab)) out.push_back(lab);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Labs, EveryLabOnContainerlab, ::testing::ValuesIn(labs_on_containerlab()), [](const auto& p) {
  std::string n = p.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

// containerlab made the lab (it lists it, its containers are named its
// way, its netns links are there); anylab drives it inside the containers;
// destroy leaves containerlab nothing to list.
TEST_F(OnContainerlab, ContainerlabDeploysAndAnylabDrives) {
  uses("quickstart");
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart"), "--runtime", "containerlab"});
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  const auto labs = nlohmann::json::parse(clab_labs(), nullptr, false);
  ASSERT_TRUE(labs.is_object()) << clab_labs();
  ASSERT_TRUE(labs.contains("quickstart")) << labs.dump();
  EXPECT_EQ(labs["quickstart"].size(), 6u) << labs.dump();
  EXPECT_TRUE(fs::is_symlink("/run/netns/clab-quickstart-edge-ams"));
  EXPECT_EQ(test::run({kAnylab, "exec", "quickstart", "edge-ams", "--", "cat", "/etc/hostname"}).out, "edge-ams\n");
  auto bgp = test::run({kAnylab, "exec", "quickstart", "edge-ams", "--", "vtysh", "-c", "show bgp summary json"});
  const auto summary = nlohmann::json::parse(bgp.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << bgp.out << bgp.err;
  for (const auto& [address, peer] : summary["ipv4Unicast"]["peers"].items())
    EXPECT_EQ(peer["state"], "Established") << address;
  // A crash kills the node's daemons, not its container: restore restarts them in it.
  EXPECT_EQ(test::run({kAnylab, "fail", "quickstart", "--node", "pop-ams"}).exit_code, 0);
  EXPECT_EQ(test::run({"docker", "inspect", "-f", "{{.State.Running}}", "clab-quickstart-pop-ams"}).out, "true\n");
  EXPECT_EQ(test::run({kAnylab, "restore", "quickstart", "--node", "pop-ams"}).exit_code, 0);
  const auto pids = test::recorded_pids("quickstart");
  auto x = test::run({kAnylab, "destroy", "quickstart"});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  EXPECT_NE(x.err.find("6 containers removed"), std::string::npos) << x.err;
  EXPECT_EQ(test::not_reaped(pids), std::vector<std::string>{});
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
  EXPECT_EQ(clab_labs().find("quickstart"), std::string::npos) << clab_labs();
}

// Killed while it starts the daemons, after containerlab deployed.
TEST_F(OnContainerlab, DestroyAfterDeployWasKilledWhileStartingDaemons) {
  uses("dns-three-pops");
  test::expect_destroy_cleans_up_after_sigkill("dns-three-pops", {"--runtime", "containerlab"});
}

// Killed while containerlab itself deploys: containerlab dies with anylab,
// and destroy removes what it had made (recorded by name before, with the
// deploy's token) and what it wrote on the machine.
TEST_F(OnContainerlab, DestroyAfterDeployWasKilledWhileContainerlabDeployed) {
  uses("dns-three-pops");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(kAnylab.c_str(), "anylab", "deploy", lab_file("dns-three-pops").c_str(), "--runtime", "containerlab",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string topo = "/var/lib/anylab/dns-three-pops.clab/dns-three-pops.clab.yml";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!fs::exists(topo) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  // containerlab making the containers (it takes a few seconds for 12 nodes).
  std::this_thread::sleep_for(1500ms);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "deploy finished before it was killed";
  EXPECT_FALSE(leftovers("dns-three-pops").empty()) << "killed too late to test anything";
  auto x = test::run({kAnylab, "destroy", "dns-three-pops"});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(test::leftovers_settled("dns-three-pops"), std::vector<std::string>{});
  EXPECT_EQ(clab_labs().find("dns-three-pops"), std::string::npos) << clab_labs();
  EXPECT_EQ(test::run({"pgrep", "-f", "containerlab deploy -t " + topo}).out, "");
}

// A containerlab lab that is not anylab's (the user's own, deployed with
// containerlab from anylab's export) runs beside: anylab's deploy, test and
// destroy of another lab never touch its containers, links or ssh config.
TEST_F(OnContainerlab, AnotherContainerlabLabIsNeverTouched) {
  uses("quickstart");
  const fs::path dir = fs::temp_directory_path() / ("anylab-users-clab-" + std::to_string(::getpid()));
  ASSERT_EQ(test::run({kAnylab, "export", lab_file("two-pops"), "--containerlab", dir.string()}).exit_code, 0);
  const std::string topo = (dir / "two-pops.clab.yml").string();
  struct Destroy {
    std::string topo;
    fs::path dir;
    ~Destroy() {
      test::run({"env", "CLAB_VERSION_CHECK=disable", "containerlab", "destroy", "-t", topo, "--cleanup"});
      fs::remove_all(dir);
    }
  } destroy{topo, dir};
  auto users = test::run({"env", "CLAB_VERSION_CHECK=disable", "containerlab", "deploy", "-t", topo});
  ASSERT_EQ(users.exit_code, 0) << users.err;
  auto containers = [] {
    return test::run({"docker", "ps", "--filter", "label=containerlab=two-pops", "--format", "{{.ID}}"}).out;
  };
  const std::string before = containers();
  ASSERT_FALSE(before.empty());
  auto t = test::run({kAnylab, "test", lab_file("quickstart"), "--runtime", "containerlab"});
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "--all"}).exit_code, 0);
  EXPECT_EQ(containers(), before) << "the user's containerlab lab was touched";
  EXPECT_TRUE(fs::exists("/etc/ssh/ssh_config.d/clab-two-pops.conf"));
  EXPECT_TRUE(fs::is_symlink("/run/netns/clab-two-pops-edge-ams"));
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

// A container of containerlab's name for a node that anylab did not make
// is in the way: deploy names it and exits 3; neither it nor destroy
// touches it.
TEST_F(OnContainerlab, AContainerInTheWayIsNamedAndLeftAlone) {
  uses("quickstart");
  const std::string name = "clab-quickstart-pop-ams";
  struct Remove {
    std::string name;
    ~Remove() { test::run({"docker", "rm", "-f", name}); }
  } remove{name};
  ASSERT_EQ(test::run({"docker", "create", "--name", name, "--label", "org.anylab.lab=quickstart", "--network",
                       "none", std::string("anylab/client:") + ANYLAB_VERSION, "sleep", "infinity"})
                .exit_code,
            0);
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart"), "--runtime", "containerlab"});
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_NE(d.err.find("the container " + name + " already exists, and no deploy of lab quickstart made it"),
            std::string::npos)
      << d.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(test::run({"docker", "inspect", "-f", "{{.Name}}", name}).out, "/" + name + "\n") << "it was removed";
  test::run({"docker", "rm", "-f", name});
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

}  // namespace
}  // namespace anylab
