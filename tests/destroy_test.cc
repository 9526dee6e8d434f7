// destroy on a fake runtime, without root: what the journal names is
// stopped, before the runtime removes what only it can; nothing else is
// touched (issue 27).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "runtime/destroy.h"
#include "runtime/journal.h"
#include "fake_runtime.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

using test::FakeRuntime;

pid_t sleeper() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("sleep", "sleep", "60", nullptr);
    ::_exit(127);
  }
  return pid;
}

TEST(Destroy, StopsWhatTheJournalNamesThenTheRuntimesRemainsAndNothingElse) {
  char dir[] = "/tmp/anylab-destroy-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string root = dir, lab = "fake-lab";
  const std::string foreign = root + "/not-the-labs";
  fs::create_directories(foreign);
  const pid_t daemon = sleeper(), bystander = sleeper();
  while (!process_start_time(daemon) || !process_start_time(bystander)) ::usleep(1000);
  {
    auto j = Journal::open(root, lab);
    ASSERT_TRUE(j) << j.error();
    (void)j->process(daemon, *process_start_time(daemon), "r1", "bgpd");
    (void)j->run_dir(foreign);  // not under FRR's run directory of the lab's own names
  }
  FakeRuntime fake;
  fake.remains_of = lab;
  fake.recorded = daemon;
  const DestroyReport r = destroy_lab(root, lab, {&fake});
  EXPECT_TRUE(r.found);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.processes, 1);
  EXPECT_EQ(r.containers, 2);
  EXPECT_EQ(fake.removed, std::vector<std::string>{lab});
  EXPECT_FALSE(fake.recorded_alive_at_remove) << "the runtime's remains went before the recorded daemon was stopped";
  EXPECT_FALSE(process_alive(daemon));
  EXPECT_TRUE(process_alive(bystander)) << "a process the journal does not name was touched";
  EXPECT_TRUE(fs::exists(foreign)) << "a directory that is not the lab's was removed";
  EXPECT_FALSE(fs::exists(Journal::lab_dir(root, lab)));
  // Again: nothing left, nothing asked of the runtime but whether it has remains.
  fake.remains_of = "";
  const DestroyReport again = destroy_lab(root, lab, {&fake});
  EXPECT_FALSE(again.found);
  EXPECT_EQ(fake.removed.size(), 1u);
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, nullptr, 0);
  fs::remove_all(root);
}

TEST(Destroy, ANameThatIsNotALabsIsRefusedAndNothingIsAsked) {
  FakeRuntime fake;
  fake.remains_of = "../etc";
  const DestroyReport r = destroy_lab("/tmp", "../etc", {&fake});
  EXPECT_EQ(r.problems, std::vector<std::string>{"\"../etc\" is not a lab name"});
  EXPECT_TRUE(fake.removed.empty());
}

}  // namespace
}  // namespace anylab
