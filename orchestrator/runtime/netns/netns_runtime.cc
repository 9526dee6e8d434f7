#include "runtime/netns/netns_runtime.h"

#include <signal.h>

#include <fmt/format.h>

#include "runtime/host_actions.h"
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

std::unique_ptr<Backend> NetnsRuntime::backend(const Lab&) const { return std::make_unique<HostActions>(); }

std::vector<std::string> NetnsRuntime::missing(const Lab& lab) const { return host_programs_missing(lab); }

// A lab that names container images, deployed on netns: the images cannot
// be honoured there, said once, with the FRR that runs instead.
std::vector<std::string> NetnsRuntime::notes(const Lab& lab) const {
  if (!lab.names_images()) return {};
  const std::string version = run_command({"", {frr_daemon("zebra"), "--version"}, {}, ""}).out;
  const size_t at = version.find("version ");
  return {fmt::format(
      "the lab names container images, which the netns runtime cannot run: it uses this machine's FRR ({}) and "
      "ExaBGP for every node; --runtime docker or --runtime containerlab runs the images",
      at == std::string::npos ? "not found" : version.substr(at + 8, version.find('\n', at) - at - 8))};
}

NodeRuntime::Result NetnsRuntime::signal_all(const Node& n, int sig, const char* what) const {
  const std::vector<pid_t> pids = processes(n);
  if (pids.empty()) return std::unexpected(fmt::format("{} runs nothing to {}", n.name, what));
  for (pid_t p : pids) ::kill(p, sig);
  return {};
}

}  // namespace anylab
