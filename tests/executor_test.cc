#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "load/loader.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "runtime/backend.h"
#include "runtime/executor.h"
#include "runtime/journal.h"
#include "runtime/page_merging.h"
#include "runtime/runtimes.h"
#include "test_paths.h"

namespace anylab {
namespace {

Lab quickstart() {
  const std::string path = test::source_dir() + "/labs/quickstart.yaml";
  SourceFile f(path, test::read_file(path));
  auto lab = resolve(std::move(*load_lab(f)), Paths{});
  return std::move(*lab);
}

// The runtime seam: what differs between runtimes is asked of the lab's
// runtime (today netns), not spelled at the call sites.
TEST(NodeRuntime, NetnsReachesANodeByItsNamedNamespace) {
  Lab lab = quickstart();
  const NodeRuntime& rt = runtime_of(lab);
  EXPECT_STREQ(rt.name(), "netns");
  EXPECT_EQ(rt.netns_path(*lab.find("client-eu")), "/run/netns/anylab-quickstart_client-eu");
  EXPECT_TRUE(rt.processes(*lab.find("client-eu")).empty()) << "not deployed: no namespace, no process";
  EXPECT_FALSE(rt.kill_all(*lab.find("pop-ams")));
  EXPECT_NE(rt.backend(lab), nullptr);
}

// Every action type names its batch; consecutive actions of one batch go to
// the backend together.
TEST(Executor, EveryActionHasItsBatch) {
  EXPECT_EQ(Executor::batch_of(AddAddress{}), Executor::batch_of(AddRoute{}));
  EXPECT_NE(Executor::batch_of(StartProcess{}), Executor::batch_of(WaitForSocket{}));
  EXPECT_STREQ(Executor::to_string(Executor::batch_of(CreateVeth{})), "veths");
}

TEST(Executor, RecordingBackendSeesThePlanInOrderInFewBatches) {
  Lab lab = quickstart();
  auto actions = plan_deploy(lab);
  RecordingBackend backend;
  ASSERT_TRUE(Executor(backend, nullptr).run(actions).has_value());
  ASSERT_EQ(backend.log().size(), actions.size());
  for (size_t i = 0; i < actions.size(); ++i) EXPECT_EQ(backend.log()[i], describe(actions[i].what));
  // namespaces, veths, addresses, sysctls, files, 2 process runs around the
  // wait for zebra, the wait itself: one call per kind, not per action.
  EXPECT_EQ(backend.batches(), 8u);
}

TEST(Executor, StopsBetweenBatchesWhenCancelled) {
  Lab lab = quickstart();
  RecordingBackend backend;
  std::atomic<bool> cancel{true};
  auto r = Executor(backend, nullptr, &cancel).run(plan_deploy(lab));
  EXPECT_FALSE(r.has_value());
  EXPECT_TRUE(backend.log().empty());
}

TEST(Executor, JournalsWhatItIsAboutToCreate) {
  Lab lab = quickstart();
  const std::string root = (std::filesystem::temp_directory_path() / ("anylab-exec-" + std::to_string(getpid()))).string();
  {
    auto journal = Journal::open(root, lab.name);
    ASSERT_TRUE(journal) << journal.error();
    RecordingBackend backend;
    ASSERT_TRUE(Executor(backend, &*journal).run(plan_deploy(lab)).has_value());
  }
  auto entries = Journal::read(root, lab.name);
  size_t netns = 0;
  std::vector<std::string> rundirs;
  for (const JournalEntry& e : entries) {
    netns += e.kind == JournalEntry::Kind::kNetns;
    if (e.kind == JournalEntry::Kind::kRunDir) {
      rundirs.push_back(e.path);
      // Before anything is made: a container runtime makes them ahead of FRR.
      EXPECT_EQ(netns, 0u) << e.path << " was recorded after a namespace";
    }
  }
  EXPECT_EQ(netns, lab.nodes.size());
  // Once each: zebra and bgpd of a router share /var/run/frr/<netns>.
  EXPECT_EQ(rundirs, (std::vector<std::string>{frr_run_dir("anylab-quickstart_edge-ams"),
                                               frr_run_dir("anylab-quickstart_edge-sin")}));
  std::filesystem::remove_all(root);
}

// Page merging: a deploy waits for ksmd only when the memory in use has
// grown by more than the lag since it last caught up, and only until ksmd
// has merged half of it back or made two passes.
constexpr uint64_t kGiB = uint64_t{1} << 30;

struct FakeKsm {
  std::vector<MergeState> states;  // what each read returns; the last repeats
  size_t reads = 0;
  MergePacer::Reader reader() {
    return [this]() -> std::optional<MergeState> { return states.at(std::min(reads++, states.size() - 1)); };
  }
};

TEST(MergePacer, NeverWaitsWhenTheKernelDoesNotMerge) {
  FakeKsm ksm{{{10 * kGiB, 0}}};
  MergePacer pacer(false, kGiB, std::chrono::seconds(5), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(ksm.reads, 0u);
  EXPECT_EQ(pacer.waits(), 0u);
}

TEST(MergePacer, ALagOfNothingNeverWaits) {
  FakeKsm ksm{{{1 * kGiB, 0}, {10 * kGiB, 0}}};
  MergePacer pacer(true, 0, std::chrono::seconds(5), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 0u);
}

TEST(MergePacer, TheLagComesFromTheEnvironment) {
  ::setenv("ANYLAB_MERGE_LAG", "0.5", 1);
  EXPECT_EQ(MergePacer::lag_from_environment(), kGiB / 2);
  ::setenv("ANYLAB_MERGE_LAG", "0", 1);
  EXPECT_EQ(MergePacer::lag_from_environment(), 0u);
  ::setenv("ANYLAB_MERGE_LAG", "lots", 1);
  EXPECT_EQ(MergePacer::lag_from_environment(), MergePacer::kDefaultLag);
  ::unsetenv("ANYLAB_MERGE_LAG");
  EXPECT_EQ(MergePacer::lag_from_environment(), MergePacer::kDefaultLag);
}

TEST(MergePacer, GoesOnWhileTheGrowthIsWithinTheLag) {
  FakeKsm ksm{{{1 * kGiB, 0}, {1 * kGiB + kGiB / 2, 0}}};
  MergePacer pacer(true, kGiB, std::chrono::seconds(5), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 0u);
}

TEST(MergePacer, WaitsUntilHalfTheLagIsMergedBack) {
  // Settled at 1 GiB; 2.5 GiB in use; still 2.5, then merged down to 1.4.
  FakeKsm ksm{{{1 * kGiB, 0}, {1 * kGiB + 3 * kGiB / 2, 0}, {1 * kGiB + 3 * kGiB / 2, 0}, {1 * kGiB + 2 * kGiB / 5, 0}}};
  MergePacer pacer(true, kGiB, std::chrono::seconds(5), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 1u);
  EXPECT_FALSE(pacer.gave_up());
  EXPECT_EQ(ksm.reads, 4u);
  EXPECT_LT(pacer.waited().count(), 4.0);
  // Settled anew at 1.4 GiB: 2 GiB in use is within the lag.
  ksm.states.push_back({2 * kGiB, 0});
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 1u);
}

TEST(MergePacer, WaitsForTwoPassesAtMostWhenNothingMerges) {
  // Memory that is not the daemons' (tables, the kernel's): two passes of
  // ksmd, then on, settled at what is in use.
  FakeKsm ksm{{{1 * kGiB, 7}, {3 * kGiB, 7}, {3 * kGiB, 8}, {3 * kGiB, 9}}};
  MergePacer pacer(true, kGiB, std::chrono::seconds(5), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 1u);
  EXPECT_EQ(ksm.reads, 4u);
  pacer.before_start(nullptr);  // 3 GiB is where it settled
  EXPECT_EQ(pacer.waits(), 1u);
}

TEST(MergePacer, AWaitThatRunsOutIsTheLast) {
  // ksmd neither merges nor finishes a pass within the bound (the kernel's
  // default rate at a thousand routers): one wait, then no more.
  FakeKsm ksm{{{1 * kGiB, 0}, {3 * kGiB, 0}, {3 * kGiB, 1}, {6 * kGiB, 1}}};
  MergePacer pacer(true, kGiB, std::chrono::seconds(1), ksm.reader());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 1u);
  EXPECT_TRUE(pacer.gave_up());
  pacer.before_start(nullptr);
  EXPECT_EQ(pacer.waits(), 1u);
}

TEST(MergePacer, AStopRequestEndsTheWait) {
  FakeKsm ksm{{{1 * kGiB, 0}, {3 * kGiB, 0}}};
  MergePacer pacer(true, kGiB, std::chrono::seconds(30), ksm.reader());
  std::atomic<bool> cancel{true};
  const auto t0 = std::chrono::steady_clock::now();
  pacer.before_start(&cancel);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace anylab
