// Every event kind on a fake runtime, without root (issue 27): what each
// asks of the runtime and hands its backend, in order, and what it refuses.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "fake_runtime.h"
#include "load/loader.h"
#include "plan/render_frr.h"
#include "plan/resolve.h"
#include "runtime/events.h"
#include "runtime/journal.h"
#include "runtime/process.h"
#include "runtime/rpki.h"
#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Log = std::vector<std::string>;

// Two routers with two parallel links, an instance behind each, a client.
constexpr const char* kLab = R"(name: ev
services:
  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500, probe: udp}
topology:
  nodes:
    r1: {kind: router, asn: 65001}
    r2: {kind: router, asn: 65002}
    i1: {kind: instance, service: dns}
    i2: {kind: instance, service: dns}
    c1: {kind: client}
  links:
    - [c1, r1]
    - [r1, r2]
    - [r1, r2]
    - [r1, i1]
    - [r2, i2]
scenarios:
  - name: s
    steps:
      - expect: {catchment: {i1: [c1]}}
)";

class Events : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/anylab-events-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    root_ = dir;
    lab_ = load(kLab);
  }
  void TearDown() override { fs::remove_all(root_); }
  Lab load(const std::string& text) {
    SourceFile f("ev.yaml", text);
    auto spec = load_lab(f);
    EXPECT_TRUE(spec.has_value());
    Paths paths;
    paths.runtime_root = root_;
    auto lab = resolve(std::move(*spec), paths);
    EXPECT_TRUE(lab.has_value());
    return std::move(*lab);
  }
  // The lines of the log that start with `prefix`.
  Log lines(const std::string& prefix) const {
    Log out;
    for (const std::string& l : fake_.log)
      if (l.starts_with(prefix)) out.push_back(l);
    return out;
  }
  std::string root_;
  Lab lab_;
  test::FakeRuntime fake_;
};

TEST_F(Events, ACutLinkIsBothEndsOfEveryParallelLinkDownAndNothingElse) {
  ASSERT_TRUE(LabEvents(lab_, fake_).set_link("r1", "r2", false));
  EXPECT_EQ(fake_.log, (Log{"down anylab-ev_r1:eth2", "down anylab-ev_r2:eth1", "down anylab-ev_r1:eth3",
                            "down anylab-ev_r2:eth2"}));
}

TEST_F(Events, AMendedLinkIsUpWithTheTwoNodesRoutesPutBack) {
  ASSERT_TRUE(LabEvents(lab_, fake_).set_link("r2", "i2", true));
  ASSERT_GE(fake_.log.size(), 3u);
  EXPECT_EQ(Log(fake_.log.begin(), fake_.log.begin() + 2), (Log{"up anylab-ev_r2:eth3", "up anylab-ev_i2:eth1"}));
  const Log routes = lines("route ");
  EXPECT_EQ(routes.size(), fake_.log.size() - 2) << "only routes follow the links";
  EXPECT_FALSE(routes.empty()) << "i2's default route, dropped with the link, is put back";
  for (const std::string& r : routes)
    EXPECT_TRUE(r.starts_with("route anylab-ev_r2 ") || r.starts_with("route anylab-ev_i2 ")) << r;
}

TEST_F(Events, CrashAndFreezeAreTheRuntimesAndRestoreContinuesThenStartsWhatIsNotRunning) {
  const LabEvents events(lab_, fake_);
  ASSERT_TRUE(events.fail_node("r1", FailMode::kCrash));
  ASSERT_TRUE(events.fail_node("r2", FailMode::kFreeze));
  EXPECT_EQ(fake_.log, (Log{"kill every process of r1", "freeze r2"}));
  fake_.log.clear();
  // Nothing recorded as running: every daemon of the node starts again,
  // zebra first, then the wait for it, then bgpd.
  ASSERT_TRUE(Journal::open(root_, lab_.name));
  auto restored = events.restore_node("r1");
  ASSERT_TRUE(restored) << restored.error().message;
  ASSERT_EQ(fake_.log.size(), 4u);
  EXPECT_EQ(fake_.log[0], "continue r1");
  EXPECT_TRUE(fake_.log[1].starts_with("start zebra in anylab-ev_r1")) << fake_.log[1];
  EXPECT_TRUE(fake_.log[2].starts_with("wait for ")) << fake_.log[2];
  EXPECT_TRUE(fake_.log[3].starts_with("start bgpd in anylab-ev_r1")) << fake_.log[3];
}

// A router of an AS of several: its IGP starts again too, after the wait
// for zebra and before bgpd, as the plan has it.
TEST_F(Events, ARestoredRouterOfASharedAsStartsItsIgpBeforeBgpd) {
  std::string text = kLab;
  text.replace(text.find("asn: 65002"), 10, "asn: 65001");
  lab_ = load(text);
  ASSERT_TRUE(Journal::open(root_, lab_.name));
  ASSERT_TRUE(LabEvents(lab_, fake_).restore_node("r2"));
  ASSERT_EQ(fake_.log.size(), 5u);
  EXPECT_TRUE(fake_.log[1].starts_with("start zebra in anylab-ev_r2")) << fake_.log[1];
  EXPECT_TRUE(fake_.log[2].starts_with("wait for ")) << fake_.log[2];
  EXPECT_TRUE(fake_.log[3].starts_with("start ospfd in anylab-ev_r2")) << fake_.log[3];
  EXPECT_TRUE(fake_.log[4].starts_with("start bgpd in anylab-ev_r2")) << fake_.log[4];
}

TEST_F(Events, RestoreStartsOnlyWhatStoppedAndNoWaitWithoutBgpd) {
  {
    auto j = Journal::open(root_, lab_.name);
    ASSERT_TRUE(j) << j.error();
    (void)j->process(::getpid(), *process_start_time(::getpid()), "i1", "exabgp");  // "running"
  }
  ASSERT_TRUE(LabEvents(lab_, fake_).restore_node("i1"));
  ASSERT_EQ(fake_.log.size(), 2u);
  EXPECT_EQ(fake_.log[0], "continue i1");
  EXPECT_TRUE(fake_.log[1].starts_with("start responder in anylab-ev_i1")) << fake_.log[1];
}

TEST_F(Events, AServiceFailureKillsTheRecordedResponderOnly) {
  const LabEvents events(lab_, fake_);
  auto none = events.fail_node("i1", FailMode::kService);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, Error::Kind::kEnvironment);
  EXPECT_EQ(none.error().message, "i1 has no running responder");
  {
    auto j = Journal::open(root_, lab_.name);
    ASSERT_TRUE(j) << j.error();
    (void)j->process(4242, 7, "i1", "responder");
  }
  ASSERT_TRUE(events.fail_node("i1", FailMode::kService));
  EXPECT_EQ(fake_.log, (Log{"kill responder (pid 4242)"}));
}

TEST_F(Events, ABgpSessionIsShutAtItsRouterEndsOnly) {
  const LabEvents events(lab_, fake_);
  ASSERT_TRUE(events.set_bgp_session("r2", "i2", false));
  ASSERT_EQ(fake_.log.size(), 1u) << "ExaBGP's end is left alone";
  EXPECT_TRUE(fake_.log[0].starts_with("configure bgpd of anylab-ev_r2: router bgp 65002; neighbor ")) << fake_.log[0];
  EXPECT_TRUE(fake_.log[0].ends_with(" shutdown")) << fake_.log[0];
  fake_.log.clear();
  ASSERT_TRUE(events.set_bgp_session("r1", "r2", true));
  ASSERT_EQ(lines("configure bgpd of anylab-ev_r1: router bgp 65001; no neighbor ").size(), 1u);
  ASSERT_EQ(lines("configure bgpd of anylab-ev_r2: router bgp 65002; no neighbor ").size(), 1u);
  auto none = events.set_bgp_session("c1", "r2", false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, Error::Kind::kInput);
  EXPECT_EQ(none.error().message, "lab ev has no BGP session between \"c1\" and \"r2\"");
}

TEST_F(Events, PolicyOnARouterIsItsConfigurationAndOnAnInstanceItsAnnouncements) {
  const LabEvents events(lab_, fake_);
  PolicyStep on_router;
  on_router.node.value = "r1";
  on_router.peer = Marked<std::string>{"r2", {}};
  on_router.local_pref = 200;
  ASSERT_TRUE(events.apply_policy(on_router));
  ASSERT_EQ(fake_.log.size(), 1u);
  EXPECT_TRUE(fake_.log[0].starts_with("configure bgpd of anylab-ev_r1: ")) << fake_.log[0];
  EXPECT_NE(fake_.log[0].find("set local-preference 200"), std::string::npos) << fake_.log[0];
  EXPECT_NE(fake_.log[0].find(", then clear bgp"), std::string::npos) << "a soft clear applies it: " << fake_.log[0];
  fake_.log.clear();
  ASSERT_TRUE(events.clear_policy(on_router));
  ASSERT_EQ(fake_.log.size(), 1u);
  EXPECT_NE(fake_.log[0].find("no route-map"), std::string::npos) << fake_.log[0];
  fake_.log.clear();
  PolicyStep on_instance;
  on_instance.node.value = "i1";
  on_instance.prepend = 3;
  ASSERT_TRUE(events.apply_policy(on_instance));
  ASSERT_EQ(fake_.log.size(), 1u);
  EXPECT_TRUE(fake_.log[0].starts_with("exabgp " + root_ + "/ev/i1/")) << fake_.log[0];
  EXPECT_NE(fake_.log[0].find("announce route 192.0.2.0/24"), std::string::npos) << fake_.log[0];
  EXPECT_NE(fake_.log[0].find("as-path [ 64500 64500 64500 64500 ]"), std::string::npos) << fake_.log[0];
  PolicyStep nowhere = on_router;
  nowhere.peer = Marked<std::string>{"c1", {}};
  auto refused = events.apply_policy(nowhere);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "r1 has no BGP session toward \"c1\"");
}

TEST_F(Events, AnImpairmentIsLossAndDelayAtBothEndsAndItsRemovalEveryEnd) {
  const LabEvents events(lab_, fake_);
  ImpairStep step;
  step.link.a.value = "c1";
  step.link.b.value = "r1";
  step.loss_percent = Marked<double>{12.5, {}};
  step.delay = Marked<Duration>{std::chrono::milliseconds(40), {}};
  ASSERT_TRUE(events.impair(step));
  EXPECT_EQ(fake_.log, (Log{"loss 12.5% into anylab-ev_c1:eth1", "delay 40000us out of anylab-ev_c1:eth1",
                            "loss 12.5% into anylab-ev_r1:eth1", "delay 40000us out of anylab-ev_r1:eth1"}));
  fake_.log.clear();
  ASSERT_TRUE(events.clear_impairment(step));
  EXPECT_EQ(fake_.log, (Log{"no loss into anylab-ev_c1:eth1", "no delay out of anylab-ev_c1:eth1",
                            "no loss into anylab-ev_r1:eth1", "no delay out of anylab-ev_r1:eth1"}));
}

TEST_F(Events, AnnouncementsGoToTheInstancesControlChannel) {
  const LabEvents events(lab_, fake_);
  ASSERT_TRUE(events.exabgp("i2", {"withdraw route 192.0.2.0/24 next-hop self"}));
  ASSERT_EQ(fake_.log.size(), 1u);
  EXPECT_TRUE(fake_.log[0].starts_with("exabgp " + root_ + "/ev/i2/")) << fake_.log[0];
  EXPECT_TRUE(fake_.log[0].ends_with(": withdraw route 192.0.2.0/24 next-hop self")) << fake_.log[0];
  auto router = events.exabgp("r1", {"announce route 192.0.2.0/24 next-hop self"});
  ASSERT_FALSE(router);
  EXPECT_EQ(router.error().message, "lab ev has no instance \"r1\"");
}

TEST_F(Events, ANameTheLabDoesNotHaveIsTheUsersErrorAndNothingIsDone) {
  const LabEvents events(lab_, fake_);
  for (const auto& r : {events.fail_node("r9", FailMode::kCrash), events.restore_node("r9"),
                        events.set_link("r1", "r9", false), events.set_bgp_session("r9", "r1", true)}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::kInput) << r.error().message;
  }
  EXPECT_TRUE(fake_.log.empty());
}

// ROAs published: every validating router's cache file replaced; when a
// router does not get them within the budget, the step says which.
TEST_F(Events, PublishedRoasReachEveryValidatingRoutersCacheOrTheStepSaysWhichDidNot) {
  const Lab lab = load(test::read_file(test::source_dir() + "/labs/roa-changes.yaml"));
  std::vector<Roa> roas = lab.spec.rpki->roas;
  ASSERT_FALSE(roas.empty());
  std::vector<const Node*> validating;
  for (const Node& n : lab.nodes)
    if (validates_rpki(n)) {
      validating.push_back(&n);
      fs::create_directories(n.runtime_dir);
    }
  ASSERT_FALSE(validating.empty());
  auto late = publish_roas(lab, roas, {}, std::chrono::milliseconds(0));
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("did not get them from its RPKI cache"), std::string::npos) << late.error();
  for (const Node* n : validating) {
    EXPECT_NE(late.error().message.find(n->name), std::string::npos) << late.error();
    EXPECT_EQ(test::read_file(n->runtime_dir + "/vrps.json"), render_vrps({})) << n->name;
  }
}

}  // namespace
}  // namespace anylab
