#include "lab_helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../test_paths.h"

namespace anylab::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string lab_file(const std::string& name) { return source_dir() + "/labs/" + name + ".yaml"; }

// Everything of a lab that could be left on the host.
std::vector<std::string> leftovers(const std::string& lab) {
  std::vector<std::string> out;
  const std::string prefix = "anylab-" + lab + "-";
  for (const std::string& dir : {std::string("/run/netns"), std::string("/var/run/frr")}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().filename().string().starts_with(prefix)) out.push_back(e.path().string());
  }
  if (fs::exists("/run/anylab/" + lab)) out.push_back("/run/anylab/" + lab);
  const RunResult containers = run({"docker", "ps", "-aq", "--filter", "label=org.anylab.lab=" + lab});
  if (containers.exit_code == 0 && !containers.out.empty()) out.push_back("containers: " + containers.out);
  // Any process whose command line names the lab's runtime directory or
  // FRR instance: its daemons, ExaBGP and the healthcheck.
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = read_file("/proc/" + pid + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    std::string stat = read_file("/proc/" + pid + "/stat");
    bool zombie = stat.find(") Z ") != std::string::npos;
    if (!zombie && (cmd.find("/run/anylab/" + lab + "/") != std::string::npos || cmd.find(prefix) != std::string::npos))
      out.push_back("process " + pid + ": " + cmd);
  }
  return out;
}

// Orphaned daemons are reaped by init a moment after they exit.
std::vector<std::string> leftovers_settled(const std::string& lab) {
  auto deadline = std::chrono::steady_clock::now() + 3s;
  std::vector<std::string> l;
  while (!(l = leftovers(lab)).empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  return l;
}

// The processes the lab's journal recorded, read before a destroy.
std::vector<std::string> recorded_pids(const std::string& lab) {
  std::vector<std::string> out;
  std::istringstream journal(read_file("/run/anylab/" + lab + "/journal"));
  for (std::string kind, pid, rest; journal >> kind && std::getline(journal, rest);)
    if (kind == "pid") out.push_back(rest.substr(1, rest.find(' ', 1) - 1));
  return out;
}

// Those of them still in the process table, zombies included: destroy
// returns only once its processes are reaped, so that whatever runs after
// it sees a clean machine.
std::vector<std::string> not_reaped(const std::vector<std::string>& pids) {
  std::vector<std::string> out;
  for (const std::string& pid : pids)
    if (fs::exists("/proc/" + pid)) out.push_back(pid + " " + read_file("/proc/" + pid + "/stat"));
  return out;
}

// Starts `anylab deploy` and returns its pid once the journal shows it is
// in the middle of starting daemons.
pid_t deploy_until_daemons(const std::string& lab, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{"anylab", "deploy", lab_file(lab)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(kAnylab.c_str(), args.data());
    _exit(127);
  }
  const std::string journal = "/run/anylab/" + lab + "/journal";
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (read_file(journal).find("\npid ") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  return pid;
}

void expect_destroy_cleans_up_after_sigkill(const std::string& lab, const std::vector<std::string>& extra) {
  const pid_t pid = deploy_until_daemons(lab, extra);
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(leftovers(lab).empty()) << "killed too late to test anything";
  const auto pids = recorded_pids(lab);
  auto x = run({kAnylab, "destroy", lab});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(not_reaped(pids), std::vector<std::string>{});
  EXPECT_EQ(leftovers(lab), std::vector<std::string>{});
}

}  // namespace anylab::test
