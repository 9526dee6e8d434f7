#pragma once

#include "runtime/node_runtime.h"

namespace anylab {

// The netns runtime: a node is a named network namespace on this machine,
// its processes are the host's FRR and ExaBGP entered into it. The docker
// runtime is this plus containers (it reaches nodes the same way).
class NetnsRuntime : public NodeRuntime {
 public:
  const char* name() const override { return "netns"; }
  std::string netns_path(const Node& n) const override;
  std::expected<ProcessSpec, std::string> process_in(const Node& n) const override;
  std::vector<pid_t> processes(const Node& n) const override;
  Result kill_all(const Node& n) const override;
  Result freeze(const Node& n) const override;
  void thaw(const Node& n) const override;
  std::unique_ptr<Backend> backend(const Lab& lab) const override;
  std::vector<std::string> missing(const Lab& lab) const override;
  std::vector<std::string> in_the_way(const Lab&) const override { return {}; }

 private:
  Result signal_all(const Node& n, int sig, const char* what) const;
};

}  // namespace anylab
