#include "runtime/destroy.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "model/lab.h"
#include "runtime/journal.h"
#include "runtime/runtimes.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

struct Recorded {
  pid_t pid;
  uint64_t start_time;
};

// Gone means reaped: a killed daemon stays in the process table as a zombie
// until its parent (anylab itself, when it deployed the lab in this very
// process, else init) collects it, and a CI step right after destroy must
// find nothing. Our own children are reaped here; init's are waited for.
bool gone(const Recorded& p) {
  ::waitpid(p.pid, nullptr, WNOHANG);
  return process_start_time(p.pid) != p.start_time;  // none, or the pid reused
}

// SIGKILL, not SIGTERM: the namespaces go with the daemons, so a graceful
// shutdown (zebra withdrawing every route, bgpd notifying its peers) only
// costs time. It also stops a frozen (SIGSTOPped) daemon.
void stop(const std::vector<Recorded>& processes) {
  for (const Recorded& p : processes) ::kill(p.pid, SIGKILL);
  // A killed process leaves its namespace at once, even before it is reaped:
  // wait for that (quick) so that the namespaces can go.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto any_alive = [&] {
    return std::any_of(processes.begin(), processes.end(), [](const Recorded& p) {
      ::waitpid(p.pid, nullptr, WNOHANG);
      return same_process(p.pid, p.start_time);
    });
  };
  while (any_alive() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::vector<Recorded> with_start_times(const std::vector<pid_t>& pids) {
  std::vector<Recorded> out;
  for (pid_t p : pids)
    if (auto t = process_start_time(p)) out.push_back({p, *t});
  return out;
}

}  // namespace

std::vector<std::string> deployed_labs(const std::string& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (fs::exists(e.path() / "journal")) out.insert(e.path().filename().string());
  // A lab whose /run was lost (a reboot) is still known by what a runtime
  // recorded in records_dir() (named <lab>.<what>).
  for (const auto& e : fs::directory_iterator(records_dir(), ec)) {
    const std::string lab = e.path().stem().string();
    if (!valid_lab_name(lab)) continue;
    for (const NodeRuntime* r : all_runtimes())
      if (r->has_remains(lab)) out.insert(lab);
  }
  return {out.begin(), out.end()};
}

namespace {

// What the journal says the lab made, and is still there: its namespaces
// (their inodes, to find what runs inside) and its live daemons.
struct Made {
  std::vector<std::string> namespaces;
  std::set<uint64_t> inodes;
  std::vector<Recorded> daemons;
};

Made made_by(const std::vector<JournalEntry>& entries, const std::string& own_prefix) {
  Made m;
  for (const JournalEntry& e : entries) {
    if (e.kind == JournalEntry::Kind::kNetns && e.path.starts_with(own_prefix)) {
      m.namespaces.push_back(e.path);
      if (uint64_t ino = netns_inode(e.path)) m.inodes.insert(ino);
    }
    if (e.kind == JournalEntry::Kind::kProcess && same_process(e.pid, e.start_time))
      m.daemons.push_back({e.pid, e.start_time});
  }
  return m;
}

// The namespaces in one `ip -batch`, then each one still there named.
void remove_namespaces(const std::vector<std::string>& namespaces, DestroyReport& report) {
  std::string batch;
  for (const std::string& ns : namespaces)
    if (fs::exists(netns_path(ns))) {
      batch += "netns delete " + ns + "\n";
      ++report.namespaces;
    }
  if (!batch.empty()) run_command({"", {"ip", "-force", "-batch", "-"}, {}, ""}, batch);
  for (const std::string& ns : namespaces)
    if (fs::exists(netns_path(ns))) {
      report.problems.push_back(fmt::format("could not remove namespace {}", ns));
      --report.namespaces;
    }
}

// The killed processes reaped (init takes a second or two here), or named.
void wait_reaped(const std::vector<Recorded>& killed, DestroyReport& report) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::all_of(killed.begin(), killed.end(), gone) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (const Recorded& p : killed)
    if (!gone(p)) report.problems.push_back(fmt::format("process {} was killed but is not reaped yet", p.pid));
}

}  // namespace

DestroyReport destroy_lab(const std::string& root, const std::string& lab,
                          const std::vector<const NodeRuntime*>& runtimes) {
  DestroyReport report;
  // The name becomes a directory that is removed: never anything but a lab's.
  if (!valid_lab_name(lab)) {
    report.problems.push_back(fmt::format("\"{}\" is not a lab name", lab));
    return report;
  }
  const std::string dir = Journal::lab_dir(root, lab);
  if (auto why = Journal::untrusted(root, lab)) {
    report.found = true;
    report.problems.push_back(*why);
    return report;
  }
  const std::vector<JournalEntry> entries = Journal::read(root, lab);
  std::vector<const NodeRuntime*> remains;
  for (const NodeRuntime* r : runtimes)
    if (r->has_remains(lab)) remains.push_back(r);
  report.found = fs::exists(dir) || !remains.empty();
  const std::string own_prefix = netns_name(lab, "");  // "anylab-<lab>_": ownership guard
  const Made made = made_by(entries, own_prefix);
  // Daemons first, by their recorded pid; then whatever still runs inside
  // the lab's namespaces (ExaBGP's healthcheck, a daemon spawned just before
  // anylab was killed), or the namespaces would outlive their removal.
  stop(made.daemons);
  const std::vector<Recorded> stragglers = with_start_times(processes_in_netns(made.inodes));
  stop(stragglers);
  report.processes = static_cast<int>(made.daemons.size() + stragglers.size());
  // What only a runtime knows how to remove (containers) goes now: found by
  // the runtime's record in /var/lib, not in /run: after a reboot, /run is
  // gone and the containers are still there.
  for (const NodeRuntime* r : remains) {
    RemoveReport removed;
    r->remove(lab, removed);
    report.containers += removed.containers;
    for (std::string& p : removed.problems) report.problems.push_back(std::move(p));
  }
  remove_namespaces(made.namespaces, report);
  for (const JournalEntry& e : entries) {
    std::error_code ec;
    if (e.kind == JournalEntry::Kind::kRunDir && e.path.starts_with(frr_run_dir(own_prefix)))
      fs::remove_all(e.path, ec);
  }
  // Last, the killed processes reaped.
  std::vector<Recorded> killed = made.daemons;
  killed.insert(killed.end(), stragglers.begin(), stragglers.end());
  wait_reaped(killed, report);
  std::error_code ec;
  if (report.problems.empty()) fs::remove_all(dir, ec);
  if (ec) report.problems.push_back(fmt::format("could not remove {}: {}", dir, ec.message()));
  return report;
}

}  // namespace anylab
