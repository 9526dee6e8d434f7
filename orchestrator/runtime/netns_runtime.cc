// The netns runtime: a node is a named network namespace on this machine,
// its processes are the host's FRR and ExaBGP entered into it.
#include <signal.h>

#include <fmt/format.h>

#include "runtime/netns_backend.h"
#include "runtime/node_runtime.h"
#include "runtime/process.h"

namespace anylab {
namespace {

class NetnsRuntime : public NodeRuntime {
 public:
  const char* name() const override { return "netns"; }
  std::string netns_path(const Node& n) const override { return anylab::netns_path(n.netns); }
  std::vector<pid_t> processes(const Node& n) const override {
    const uint64_t ino = netns_inode(n.netns);
    return ino ? processes_in_netns({ino}) : std::vector<pid_t>{};
  }
  Result kill_all(const Node& n) const override { return signal_all(n, SIGKILL, "crash"); }
  Result freeze(const Node& n) const override { return signal_all(n, SIGSTOP, "freeze"); }
  void thaw(const Node& n) const override { (void)signal_all(n, SIGCONT, "continue"); }
  std::unique_ptr<Backend> backend() const override { return std::make_unique<NetnsBackend>(); }

 private:
  Result signal_all(const Node& n, int sig, const char* what) const {
    const std::vector<pid_t> pids = processes(n);
    if (pids.empty()) return std::unexpected(fmt::format("{} runs nothing to {}", n.name, what));
    for (pid_t p : pids) ::kill(p, sig);
    return {};
  }
};

}  // namespace

const NodeRuntime& runtime_of(const Lab&) {
  static const NetnsRuntime netns;
  return netns;
}

}  // namespace anylab
