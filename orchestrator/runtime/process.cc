#include "runtime/process.h"
#include "unique_fd.h"
#include "core/error.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

#include "core/duration.h"
#include "model/lab.h"

namespace anylab {

namespace bp = boost::process;

std::optional<uint64_t> process_start_time(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields are counted after it.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i < 22 && rest >> field; ++i) {
  }
  uint64_t start = 0;
  if (!(rest >> start)) return std::nullopt;
  return start;
}

// A zombie (killed, not yet reaped by its parent, often init) still has its
// /proc entry and start time, but runs nothing.
bool process_alive(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

bool same_process(pid_t pid, uint64_t start_time) {
  auto t = process_start_time(pid);
  return t && *t == start_time && process_alive(pid);
}

uint64_t process_netns_inode(pid_t pid) {
  struct stat st {};
  if (::stat(fmt::format("/proc/{}/ns/net", pid).c_str(), &st) != 0) return 0;
  return st.st_ino;
}

uint64_t netns_inode(const std::string& netns) {
  struct stat st {};
  if (::stat(netns_path(netns).c_str(), &st) != 0) return 0;
  return st.st_ino;
}

std::vector<pid_t> processes_in_netns(const std::set<uint64_t>& inodes) {
  std::vector<pid_t> out;
  if (inodes.empty()) return out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    if (pid != ::getpid() && inodes.contains(process_netns_inode(pid))) out.push_back(pid);
  }
  return out;
}

namespace {

// The fds of the namespaces, opened before fork; the child enters them (the
// network namespace first: the mount namespace's /proc is then its own).
class NamespaceFds {
 public:
  explicit NamespaceFds(const ProcessSpec& spec) {
    if (!spec.netns.empty()) net_.reset(::open(netns_path(spec.netns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!spec.mount_ns.empty()) mnt_.reset(::open(spec.mount_ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!spec.uts_ns.empty()) uts_.reset(::open(spec.uts_ns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!spec.netns.empty() && !net_) error_ = fmt::format("no network namespace {}", spec.netns);
    else if (!spec.mount_ns.empty() && !mnt_) error_ = fmt::format("no mount namespace {}", spec.mount_ns);
    else if (!spec.uts_ns.empty() && !uts_) error_ = fmt::format("no UTS namespace {}", spec.uts_ns);
  }
  const std::string& error() const { return error_; }
  // In the child, before exec: false if a namespace could not be entered.
  bool enter() const {
    if (net_ && ::setns(net_.get(), CLONE_NEWNET) != 0) return false;
    if (mnt_ && ::setns(mnt_.get(), CLONE_NEWNS) != 0) return false;
    if (uts_ && ::setns(uts_.get(), CLONE_NEWUTS) != 0) return false;
    return true;
  }

 private:
  UniqueFd net_, mnt_, uts_;
  std::string error_;
};

bp::environment environment(const ProcessSpec& spec) {
  bp::environment env;
  env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  env["HOME"] = "/root";
  env["LANG"] = "C.UTF-8";
  for (const auto& [k, v] : spec.env) env[k] = v;
  return env;
}

// A bare name is looked up in PATH, as a shell would.
std::string executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  auto found = bp::search_path(name);
  return found.empty() ? name : found.string();
}

std::vector<std::string> args_of(const ProcessSpec& spec) {
  return {spec.argv.begin() + 1, spec.argv.end()};
}

}  // namespace

bool page_merging_on() {
  static const bool on = [] {
    std::ifstream in("/sys/kernel/mm/ksm/run");
    int run = 0;
    return in >> run && run == 1;
  }();
  return on;
}

namespace {

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67  // Linux 6.4; inherited across exec since 6.8
#endif

// In the child, before exec. Best effort: on an older kernel the process
// simply keeps its own pages.
void offer_pages_to_merge() {
  const int current = ::personality(0xffffffff);
  if (current != -1) ::personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE);
  ::prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0);
}

}  // namespace

std::expected<pid_t, Error> spawn_detached(const ProcessSpec& spec) {
  NamespaceFds ns(spec);
  if (!ns.error().empty()) return fail(ns.error());
  const bool mergeable = page_merging_on();
  auto enter = bp::extend::on_exec_setup = [&ns, mergeable](auto&) {
    if (!ns.enter()) ::_exit(127);
    ::signal(SIGPIPE, SIG_DFL);  // anylab ignores it; the daemons get the default
    ::setsid();
    if (mergeable) offer_pages_to_merge();
  };
  std::error_code ec;
  const std::string log = spec.log_file.empty() ? "/dev/null" : spec.log_file;
  bp::child c(bp::exe = executable(spec.argv.at(0)), bp::args = args_of(spec), environment(spec), bp::std_in < bp::null,
              (bp::std_out & bp::std_err) > log, enter, ec);
  if (ec) return fail(fmt::format("cannot start {}: {}", spec.argv[0], ec.message()));
  const pid_t pid = c.id();
  c.detach();
  return pid;
}

std::expected<void, Error> enter_namespaces(const ProcessSpec& spec) {
  NamespaceFds ns(spec);
  if (!ns.error().empty()) return fail(ns.error());
  if (!ns.enter()) return fail(fmt::format("cannot enter {}'s namespaces: {}", spec.netns, std::strerror(errno)));
  return {};
}

std::expected<TempFile, Error> TempFile::with(const std::string& content) {
  char path[] = "/tmp/anylab-XXXXXX";
  const UniqueFd fd(::mkstemp(path));
  if (!fd) return fail(fmt::format("cannot make a file in /tmp: {}", std::strerror(errno)));
  TempFile file{path};
  const bool written = ::write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size());
  if (!written) return fail(fmt::format("cannot write {}", file.path()));
  return file;
}

TempFile::~TempFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string RunOutput::how() const {
  switch (end) {
    case End::kExited: return fmt::format("exit {}", exit_code);
    case End::kTimedOut: return "not finished within " + format_duration(timeout);
    case End::kSignaled: return fmt::format("killed by signal {} ({})", signal, ::strsignal(signal));
    case End::kNotStarted: break;
  }
  return "could not start: " + error;
}

namespace {

// Starts the command with `in` as its stdin and `out` as its stdout; its
// errors go to spec.log_file when it names one, else nowhere.
std::expected<pid_t, Error> start_command(const ProcessSpec& spec, const NamespaceFds& ns, const TempFile& in,
                                                const TempFile& out) {
  const pid_t parent = ::getpid();
  auto enter = bp::extend::on_exec_setup = [&ns, parent](auto&) {
    if (!ns.enter()) ::_exit(127);
    ::signal(SIGPIPE, SIG_DFL);
    // It dies with anylab: a command anylab waits for is never left working
    // on a lab after anylab was killed (containerlab deploying it).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
  };
  std::error_code ec;
  bp::child c = spec.log_file.empty()
                    ? bp::child(bp::exe = executable(spec.argv.at(0)), bp::args = args_of(spec), environment(spec),
                                bp::std_in < in.path(), bp::std_out > out.path(), bp::std_err > bp::null, enter, ec)
                    : bp::child(bp::exe = executable(spec.argv.at(0)), bp::args = args_of(spec), environment(spec),
                                bp::std_in < in.path(), bp::std_out > out.path(), bp::std_err > spec.log_file, enter, ec);
  if (ec) return fail(fmt::format("{}: {}", spec.argv.at(0), ec.message()));
  const pid_t pid = c.id();
  c.detach();
  return pid;
}

// Our own waitpid loop (Boost.Process v1's wait_for intercepts SIGCHLD and
// can spin forever): how the command ended, killed at the deadline.
void wait_for(pid_t pid, std::chrono::milliseconds timeout, RunOutput& result) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(200);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      result.end = RunOutput::End::kNotStarted;
      result.error = fmt::format("lost it: {}", std::strerror(errno));
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.end = RunOutput::End::kTimedOut;
      result.signal = SIGKILL;
      return;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  if (WIFEXITED(status)) {
    result.end = RunOutput::End::kExited;
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.end = RunOutput::End::kSignaled;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
}

}  // namespace

// Input and output go through files, not pipes: with commands run from
// several threads at once, a pipe's write end inherited by a sibling child
// keeps its reader from ever seeing EOF.
RunOutput run_command(const ProcessSpec& spec, const std::string& input, std::chrono::milliseconds timeout) {
  RunOutput result{.timeout = timeout};
  NamespaceFds ns(spec);
  if (!ns.error().empty()) {
    result.error = ns.error();
    return result;
  }
  auto in = TempFile::with(input);
  auto out = in ? TempFile::with("") : fail(in.error());
  if (!in || !out) {
    result.error = (in ? out.error() : in.error()).message;
    return result;
  }
  const auto pid = start_command(spec, ns, *in, *out);
  if (!pid) {
    result.error = pid.error().message;
    return result;
  }
  wait_for(*pid, timeout, result);
  std::ifstream file(out->path(), std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  result.out = text.str();
  return result;
}

std::expected<void, Error> write_file_nofollow(const std::string& path, const std::string& content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) return fail(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  for (size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  // close(2) reports a write that failed late (a full disk on NFS).
  if (::close(fd.release()) != 0) return fail(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return {};
}

void wait_for_cpu(std::chrono::milliseconds most) {
  static const long cores = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
  const auto until = std::chrono::steady_clock::now() + most;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in("/proc/loadavg");
    double one = 0, five = 0, fifteen = 0;
    long running = 0;
    if (!(in >> one >> five >> fifteen >> running)) return;
    if (running <= 4 * cores) return;  // this process among them
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace anylab
