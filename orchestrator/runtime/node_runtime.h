#pragma once

#include <sys/types.h>

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "runtime/backend.h"
#include "runtime/process.h"

namespace anylab {

// What a runtime's removal of a lab's remains reports to destroy.
struct RemoveReport {
  int containers = 0;  // containers removed
  std::vector<std::string> problems;
};

// What differs between the runtimes a lab's nodes run on, and nothing else:
// how a node's network namespace is reached, which processes run in a node,
// how a node is frozen, continued and killed, what carries out a deploy
// plan, what the machine must have for it, and what a lab leaves that only
// the runtime knows how to remove. Three implementations, a folder each:
// netns (runtime/netns/: a node is a named network namespace on this
// machine running the host's FRR and ExaBGP), docker (runtime/docker/: a
// node is a container of anylab's images that anylab makes through the
// Engine API) and containerlab (runtime/containerlab/: containerlab deploys
// the containers from a topology anylab writes). runtime/runtimes.h is the
// one place that knows them all.
//
// What does not differ, by design: a node's files (configs, logs, ExaBGP's
// control FIFO, under /run/anylab/<lab>/<node>/) and its FRR's vty sockets
// (frr_run_dir()) are at the same host paths on every runtime; a container
// runtime bind-mounts them, and attaches each container's network namespace
// under the node's netns name. So everything that measures (the prober,
// FRR's vty, ExaBGP's control channel, readiness) goes through netns_path()
// and those paths and never knows which runtime it runs on.
class NodeRuntime {
 public:
  using Result = std::expected<void, Error>;
  virtual ~NodeRuntime() = default;

  virtual const char* name() const = 0;
  // Whether nodes run this machine's programs (FRR, ExaBGP, anylab's
  // helpers beside its binary) rather than an image's.
  virtual bool runs_host_programs() const { return false; }
  // A path that opens the node's network namespace, for setns(2).
  virtual std::string netns_path(const Node& n) const = 0;
  // How a process runs in the node: the namespaces it enters (in a
  // container its mount and UTS namespaces too, so that it sees the image's
  // programs and files and the node's hostname); argv and the rest are the
  // caller's to fill. An error when the node is not there to run in.
  virtual std::expected<ProcessSpec, Error> process_in(const Node& n) const = 0;
  // Every process running in the node now.
  virtual std::vector<pid_t> processes(const Node& n) const = 0;
  // Every process of the node killed (a crash), stopped (a hang: its peers
  // notice only when their hold timer expires), or continued.
  virtual Result kill_all(const Node& n) const = 0;
  virtual Result freeze(const Node& n) const = 0;
  virtual void thaw(const Node& n) const = 0;
  // What carries out the lab's deploy plan (and its parts: a node's
  // processes started again, routes put back) on this runtime.
  virtual std::unique_ptr<Backend> backend(const Lab& lab) const = 0;
  // What this machine lacks to run the lab on this runtime, each with the
  // command that fixes it; and what is in the way of a deploy (exists, but
  // no deploy of the lab made it).
  virtual std::vector<std::string> missing(const Lab& lab) const = 0;
  virtual std::vector<std::string> in_the_way(const Lab& lab) const = 0;
  // Said once before a deploy: what the user should know of this runtime
  // for this lab (the netns runtime cannot honour a lab's images).
  virtual std::vector<std::string> notes(const Lab&) const { return {}; }
  // Whether the lab left something only this runtime removes (recorded
  // where it outlives /run), and its removal: only what the lab's deploy
  // recorded as its own. Destroy asks every runtime, after the lab's
  // recorded processes are stopped; each is safe to repeat.
  virtual bool has_remains(const std::string& lab) const = 0;
  virtual void remove(const std::string& lab, RemoveReport& report) const = 0;
};

}  // namespace anylab
