#pragma once

#include <sys/types.h>

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/lab.h"
#include "runtime/backend.h"
#include "runtime/process.h"

namespace anylab {

// What differs between the runtimes a lab's nodes run on, and nothing else
// (the seam of issue 11): how a node's network namespace is reached, which
// processes run in a node, how a node is frozen, continued and killed, what
// carries out a deploy plan, and what the machine must have for it. Two
// implementations: netns (a node is a named network namespace on this
// machine running the host's FRR and ExaBGP) and docker (a node is a
// container of anylab's images, its network namespace attached under the
// same name, so that iproute2, the prober and the events reach it alike).
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
  // How a process runs in the node: the namespaces it enters (on docker the
  // container's mount and UTS namespaces too, so that it sees the image's
  // programs and files and the node's hostname); argv and the rest are the
  // caller's to fill. An error when the node is not there to run in.
  virtual std::expected<ProcessSpec, std::string> process_in(const Node& n) const = 0;
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
};

// The runtime the lab runs on (lab.runtime).
const NodeRuntime& runtime_of(const Lab& lab);

// What a deploy records in the lab's runtime directory, so that every later
// command (and destroy, even after anylab was killed mid-deploy) drives the
// lab on the runtime that built it. nullopt: nothing recorded.
void record_runtime(const std::string& lab_dir, Runtime r);  // throws when it cannot
std::optional<Runtime> recorded_runtime(const std::string& lab_dir);

// Removes the lab's containers (those its containers_record() names that
// carry its label, and no other), returning how many, and the record once
// they are gone; errors go to `problems`. Through the Engine API.
int remove_containers(const std::string& lab, std::vector<std::string>& problems);

}  // namespace anylab
