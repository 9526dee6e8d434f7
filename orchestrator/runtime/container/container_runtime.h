#pragma once

#include <sys/types.h>

#include <expected>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "runtime/backend.h"
#include "runtime/container/ownership.h"
#include "runtime/host_actions.h"
#include "runtime/node_runtime.h"

namespace anylab {

// What the two container runtimes share (docker, where anylab makes each
// container through the Engine API, and containerlab, where containerlab
// deploys them from a topology anylab writes): a node is a container of
// anylab's images with no network of its own making, its network namespace
// attached as /run/netns/<the node's netns name>, so that veths, addresses,
// sysctls, the prober and the events reach it exactly as on netns. Its
// processes (FRR, ExaBGP, the responder) are started by entering the
// container's network, mount and UTS namespaces: they run the image's
// programs, and anylab records their pids as on netns. The node's runtime
// directory and FRR run directory are bind-mounted at the same paths, so
// configs, logs, vty sockets and ExaBGP's FIFO are where the rest of anylab
// looks.
//
// Ownership (ownership.h): each container's name is recorded before it is
// made, its id right after, with the deploy's token; destroy removes only
// what the record shows is the lab's.
class ContainerRuntime : public NodeRuntime {
 public:
  std::string netns_path(const Node& n) const override;
  std::expected<ProcessSpec, Error> process_in(const Node& n) const override;
  // The node's processes, not the container's own init: killing that would
  // end the container, and a crashed node must be restorable.
  std::vector<pid_t> processes(const Node& n) const override;
  Result kill_all(const Node& n) const override;
  Result freeze(const Node& n) const override;
  void thaw(const Node& n) const override;
  bool has_remains(const std::string& lab) const override;
  void remove(const std::string& lab, RemoveReport& report) const override;
};

// Carries out the deploy plan on a container runtime: make_containers() is
// the runtime's (each node's container made and running, recorded as
// above); then each container's network namespace is attached under the
// node's netns name, the node's directories given to the image's frr user,
// and its processes started inside it. Everything else (veths unless the
// runtime wires them, addresses, sysctls, files) is done from the host as on
// netns.
class ContainerBackend : public Backend {
 public:
  explicit ContainerBackend(const Lab& lab) : lab_(lab) {}
  std::expected<std::vector<Spawned>, Error> apply(std::span<const Action> batch) override;

 protected:
  // Every node's container made and running (recorded as ownership.h
  // says), or why not.
  virtual std::expected<void, Error> make_containers(const std::vector<const Node*>& nodes) = 0;
  // Whether the runtime wired the links already (containerlab does).
  virtual bool wires_links() const { return false; }
  // The engine's name for the node's container.
  virtual std::string container_name(const Node& n) const { return n.netns; }
  const Lab& lab_;

 private:
  const Node& node_of(const Action& a) const;
  pid_t init_of(const std::string& netns);
  std::expected<std::vector<Spawned>, Error> containers(std::span<const Action> batch);
  std::expected<void, Error> give_to_frr(std::span<const Action> batch);
  std::expected<std::vector<Spawned>, Error> processes(std::span<const Action> batch);

  HostActions host_;
  std::map<std::string, pid_t> init_;
};

// The container's init (its pid 1, as the host numbers it) among the
// processes of this network namespace; 0 if there is none.
pid_t container_init(const std::string& netns);

// What a container runtime's node binds from the host, at the same path:
// "HOST:CONTAINER[:ro]" (the node's /etc/hosts, its runtime directory, and
// FRR's run directory where FRR runs in it). The hosts file is written
// here: the node's name resolves to itself without DNS (ExaBGP asks for its
// FQDN at start: 5 s of DNS timeouts otherwise).
std::expected<std::vector<std::string>, Error> prepare_binds(const Node& n);

// The images of the lab the engine lacks, each with the fix; or why the
// engine cannot be asked.
std::vector<std::string> missing_images(const Lab& lab);
std::string engine_unreachable_fix();

}  // namespace anylab
