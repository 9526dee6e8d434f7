#include "runtime/netns_runtime.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "runtime/docker_runtime.h"
#include "runtime/netns_backend.h"
#include "runtime/preflight.h"
#include "runtime/process.h"

namespace anylab {

std::string NetnsRuntime::netns_path(const Node& n) const { return anylab::netns_path(n.netns); }

std::expected<ProcessSpec, std::string> NetnsRuntime::process_in(const Node& n) const {
  ProcessSpec spec;
  spec.netns = n.netns;
  return spec;
}

std::vector<pid_t> NetnsRuntime::processes(const Node& n) const {
  const uint64_t ino = netns_inode(n.netns);
  return ino ? processes_in_netns({ino}) : std::vector<pid_t>{};
}

NodeRuntime::Result NetnsRuntime::kill_all(const Node& n) const { return signal_all(n, SIGKILL, "crash"); }
NodeRuntime::Result NetnsRuntime::freeze(const Node& n) const { return signal_all(n, SIGSTOP, "freeze"); }
void NetnsRuntime::thaw(const Node& n) const { (void)signal_all(n, SIGCONT, "continue"); }

std::unique_ptr<Backend> NetnsRuntime::backend(const Lab&) const { return std::make_unique<NetnsBackend>(); }

std::vector<std::string> NetnsRuntime::missing(const Lab& lab) const { return host_programs_missing(lab); }

NodeRuntime::Result NetnsRuntime::signal_all(const Node& n, int sig, const char* what) const {
  const std::vector<pid_t> pids = processes(n);
  if (pids.empty()) return std::unexpected(fmt::format("{} runs nothing to {}", n.name, what));
  for (pid_t p : pids) ::kill(p, sig);
  return {};
}

const NodeRuntime& runtime_of(const Lab& lab) {
  static const NetnsRuntime netns;
  static const DockerRuntime docker;
  if (lab.runtime == Runtime::kDocker) return docker;
  return netns;
}

void record_runtime(const std::string& lab_dir, Runtime r) {
  std::ofstream out(lab_dir + "/runtime");
  out << to_string(r) << "\n";
  out.close();
  // Destroy reads it to know there are containers to remove: unrecorded,
  // it would find "nothing to destroy" while they run.
  if (!out) throw std::runtime_error(fmt::format("cannot record the lab's runtime in {}/runtime", lab_dir));
}

std::optional<Runtime> recorded_runtime(const std::string& lab_dir) {
  std::ifstream in(lab_dir + "/runtime");
  std::string word;
  if (!(in >> word)) return std::nullopt;
  return parse_runtime(word);
}

}  // namespace anylab
