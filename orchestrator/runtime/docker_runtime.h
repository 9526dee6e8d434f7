#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/netns_runtime.h"

namespace anylab {

// The docker runtime: a node is a Docker container of anylab's images
// (images/), made with no network as containerlab makes its nodes, and its
// network namespace attached as /run/netns/<the node's netns name>, so that
// veths, addresses, sysctls, the prober and the events reach it exactly as
// on netns. Its processes (FRR, ExaBGP, the responder) are started by
// entering the container's network and mount namespaces: they run the
// image's programs, and anylab records their pids as on netns. The node's
// runtime directory and FRR run directory are bind-mounted at the same
// paths, so configs, logs, vty sockets and ExaBGP's FIFO are where the rest
// of anylab looks. Each container's name and id are recorded as it is made
// (containers_record(), which outlives /run) and it carries the label
// org.anylab.lab=<lab>; destroy removes those recorded that carry the
// label, and no other.
//
// It drives Docker directly: containerlab itself (ci/install-containerlab.sh
// builds it) cannot deploy on a kernel without loadable modules, where
// /proc/modules is missing (see the README).
class DockerRuntime : public NetnsRuntime {
 public:
  const char* name() const override { return "docker"; }
  std::expected<ProcessSpec, std::string> process_in(const Node& n) const override;
  // The node's processes, not the container's own init: killing that would
  // end the container, and a crashed node must be restorable.
  std::vector<pid_t> processes(const Node& n) const override;
  std::unique_ptr<Backend> backend(const Lab& lab) const override;
  std::vector<std::string> missing(const Lab& lab) const override;
  std::vector<std::string> in_the_way(const Lab& lab) const override;
};

// The container's init (its pid 1, as the host numbers it) among the
// processes of this network namespace; 0 if there is none.
pid_t container_init(const std::string& netns);

// The label that marks a lab's containers as anylab's own.
std::string lab_label(const std::string& lab);

// Appends "name N" (before the container is made) or "id I" (right after)
// to the lab's containers_record(): destroy removes those, and only those
// that still carry the lab's label.
std::expected<void, std::string> record_container(const std::string& lab, const std::string& line);

}  // namespace anylab
