#pragma once

#include "core/error.h"
#include "runtime/node_runtime.h"

namespace anylab {

// The netns runtime: a node is a named network namespace on this machine,
// its processes are the host's FRR and ExaBGP entered into it, and the
// plan is carried out from the host (HostActions).
class NetnsRuntime : public NodeRuntime {
 public:
  const char* name() const override { return "netns"; }
  bool runs_host_programs() const override { return true; }
  std::string netns_path(const Node& n) const override;
  std::expected<ProcessSpec, Error> process_in(const Node& n) const override;
  std::vector<pid_t> processes(const Node& n) const override;
  Result kill_all(const Node& n) const override;
  Result freeze(const Node& n) const override;
  void thaw(const Node& n) const override;
  std::unique_ptr<Backend> backend(const Lab& lab) const override;
  std::vector<std::string> missing(const Lab& lab) const override;
  std::vector<std::string> in_the_way(const Lab&) const override { return {}; }
  std::vector<std::string> notes(const Lab& lab) const override;
  // Its namespaces and processes are in the lab's journal, which destroy
  // removes itself.
  bool has_remains(const std::string&) const override { return false; }
  void remove(const std::string&, RemoveReport&) const override {}

 private:
  Result signal_all(const Node& n, int sig, const char* what) const;
};

}  // namespace anylab
