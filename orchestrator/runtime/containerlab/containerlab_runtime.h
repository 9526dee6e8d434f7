#pragma once

#include "runtime/container/container_runtime.h"

namespace anylab {

// The containerlab runtime: containerlab (0.79 or later) deploys the lab's
// containers and wires its links from a topology anylab writes (the
// export's node settings: unprivileged, capabilities, no management
// network, never pulled; each node running `sleep infinity`, its files
// bound, labelled with the lab and the deploy's token), kept in
// lab_state_dir(lab, "clab") so that destroy finds it after /run was lost.
// From then on the lab is driven exactly as on docker (runtime/container/): each
// container's network namespace attached under the node's netns name
// (containerlab's own is /run/netns/clab-<lab>-<node>), anylab's processes
// entered into the containers, the same strict readiness.
//
// Destroy runs `containerlab destroy --cleanup` on that topology when every
// container it would find is the lab's own, then anylab's own sweep: the
// recorded containers, containerlab's netns links, its /etc/hosts block and
// its ssh config for the lab, the topology directory. containerlab is
// always run with its version check disabled (no traffic leaves the
// machine), and dies with anylab.
class ContainerlabRuntime : public ContainerRuntime {
 public:
  const char* name() const override { return "containerlab"; }
  std::unique_ptr<Backend> backend(const Lab& lab) const override;
  std::vector<std::string> missing(const Lab& lab) const override;
  std::vector<std::string> in_the_way(const Lab& lab) const override;
  bool has_remains(const std::string& lab) const override;
  void remove(const std::string& lab, RemoveReport& report) const override;
};

// containerlab's name for a node's container (and its netns link).
std::string clab_container_name(std::string_view lab, std::string_view node);
// The oldest containerlab anylab runs, and the version of the one found
// ("" when there is none).
constexpr const char* kMinContainerlab = "0.79.0";
std::string containerlab_version();

}  // namespace anylab
