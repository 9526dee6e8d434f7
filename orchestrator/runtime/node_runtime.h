#pragma once

#include <sys/types.h>

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "model/lab.h"
#include "runtime/backend.h"

namespace anylab {

// What differs between the runtimes a lab's nodes run on, and nothing else
// (the seam of issue 11): how a node's network namespace is reached, which
// processes run in a node, how a node is frozen, continued and killed, and
// what carries out a deploy plan. The netns runtime is the first
// implementation: a node is a named network namespace on this machine
// running the host's FRR and ExaBGP.
//
// What does not differ, by design: a node's files (configs, logs, ExaBGP's
// control FIFO, under /run/anylab/<lab>/<node>/) and its FRR's vty sockets
// (frr_run_dir()) are at the same host paths on every runtime; a container
// runtime bind-mounts them. So everything that measures (the prober, FRR's
// vty, ExaBGP's control channel, readiness) goes through netns_path() and
// those paths and never knows which runtime it runs on.
class NodeRuntime {
 public:
  using Result = std::expected<void, std::string>;
  virtual ~NodeRuntime() = default;

  virtual const char* name() const = 0;
  // A path that opens the node's network namespace, for setns(2).
  virtual std::string netns_path(const Node& n) const = 0;
  // Every process running in the node now.
  virtual std::vector<pid_t> processes(const Node& n) const = 0;
  // Every process of the node killed (a crash), stopped (a hang: its peers
  // notice only when their hold timer expires), or continued.
  virtual Result kill_all(const Node& n) const = 0;
  virtual Result freeze(const Node& n) const = 0;
  virtual void thaw(const Node& n) const = 0;
  // What carries out deploy plans (and their parts: a node's processes
  // started again, routes put back) on this runtime.
  virtual std::unique_ptr<Backend> backend() const = 0;
};

// The runtime a lab runs on. Today every lab runs on netns.
const NodeRuntime& runtime_of(const Lab& lab);

}  // namespace anylab
