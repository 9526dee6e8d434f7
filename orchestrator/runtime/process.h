#pragma once

#include "core/error.h"

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace anylab {

// /proc/<pid>/stat's start time, or nullopt if there is no such process.
std::optional<uint64_t> process_start_time(pid_t pid);
// Whether pid exists and is not a zombie.
bool process_alive(pid_t pid);
// Whether pid is still the process recorded with this start time, and alive
// (not a zombie).
bool same_process(pid_t pid, uint64_t start_time);
// The inode of a process's network namespace (0 if unknown).
uint64_t process_netns_inode(pid_t pid);
uint64_t netns_inode(const std::string& netns);
// Every process (but this one) whose network namespace is one of these.
std::vector<pid_t> processes_in_netns(const std::set<uint64_t>& inodes);

struct ProcessSpec {
  std::string netns;  // "" for the host's namespace
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string log_file;  // "" to discard output
  // A mount namespace to enter as well (a container's, /proc/<pid>/ns/mnt):
  // the process then runs the container's programs and sees its files. ""
  // for the host's.
  std::string mount_ns = "";
  // A UTS namespace to enter as well (a container's: its hostname).
  std::string uts_ns = "";
};

// Whether the kernel merges identical pages of the processes offered to it
// (/sys/kernel/mm/ksm/run is 1: the machine's choice, never anylab's). Read
// once per run of anylab.
bool page_merging_on();

// Starts a long-running process in a network namespace, in a session of its
// own (a Ctrl-C in the terminal is anylab's to handle, not the daemons'),
// and leaves it running. Where the kernel merges pages, the process is
// offered to it and started without address-space randomisation: daemons
// started alike then lay out their memory alike (FRR's command graph, YANG
// modules, tables), page for page, and KSM keeps one copy of each. Only the network namespace is entered (setns), not a
// mount namespace per process as `ip netns exec` makes.
std::expected<pid_t, Error> spawn_detached(const ProcessSpec& spec);

// Waits (at most `most`) while the machine has more runnable tasks than a
// few per core (/proc/loadavg): a lab of a thousand routers starts its
// daemons as fast as the CPUs take them, instead of piling up a run queue
// in which anylab itself, and every daemon's start, crawls. At most 0.1 s:
// a bound on a whole deploy's waits too (2000 daemons, 200 s; 2 s each kept
// a thousand routers' deploy no faster: 325 s against 304 s).
void wait_for_cpu(std::chrono::milliseconds most = std::chrono::milliseconds(100));

// Writes a file anew, 0644, never through a link: root writes into node
// directories that FRR's user owns, where a link could point anywhere.
std::expected<void, Error> write_file_nofollow(const std::string& path, const std::string& content);

// Enters spec's namespaces in this very process (before an exec: it must be
// single-threaded for a mount namespace).
std::expected<void, Error> enter_namespaces(const ProcessSpec& spec);

// A file in /tmp made for one use, removed when this goes (on every path).
class TempFile {
 public:
  // With this content; the error says why not.
  static std::expected<TempFile, Error> with(const std::string& content);
  TempFile(TempFile&& o) noexcept : path_(std::exchange(o.path_, "")) {}
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// How a command ended, and what it printed.
struct RunOutput {
  enum class End { kNotStarted, kExited, kTimedOut, kSignaled };
  End end = End::kNotStarted;
  int exit_code = -1;  // its exit status if it exited, else -1
  int signal = 0;      // the signal that ended it (kSignaled; SIGKILL after kTimedOut)
  std::string out{};
  std::string error{};  // kNotStarted: why
  std::chrono::milliseconds timeout{};  // what it was given
  // "exit 2", "killed by signal 9 (Killed)", "not finished within 30 s",
  // "could not start: ..."
  std::string how() const;
};
// Runs a command to completion (in a namespace if given), capturing stdout;
// `input` goes to its stdin, its stderr to spec.log_file (or nowhere).
// Killed after `timeout`, or when anylab dies.
RunOutput run_command(const ProcessSpec& spec, const std::string& input = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace anylab
