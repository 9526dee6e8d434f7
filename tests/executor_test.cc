#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "load/loader.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "runtime/backend.h"
#include "runtime/executor.h"
#include "runtime/journal.h"
#include "test_paths.h"

namespace anylab {
namespace {

Lab quickstart() {
  const std::string path = test::source_dir() + "/labs/quickstart.yaml";
  SourceFile f(path, test::read_file(path));
  auto lab = resolve(std::move(*load_lab(f)), Paths{});
  return std::move(*lab);
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
    Journal journal(root, lab.name);
    RecordingBackend backend;
    ASSERT_TRUE(Executor(backend, &journal).run(plan_deploy(lab)).has_value());
  }
  auto entries = Journal::read(root, lab.name);
  size_t netns = 0, rundirs = 0;
  for (const JournalEntry& e : entries) {
    netns += e.kind == JournalEntry::Kind::kNetns;
    rundirs += e.kind == JournalEntry::Kind::kRunDir;
  }
  EXPECT_EQ(netns, lab.nodes.size());
  EXPECT_EQ(rundirs, 4u);  // zebra and bgpd of two routers name /var/run/frr/<netns>
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace anylab
