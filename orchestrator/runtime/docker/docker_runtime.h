#pragma once

#include "runtime/container/container_runtime.h"

namespace anylab {

// The docker runtime: anylab makes each node's container itself through
// the Engine API (runtime/docker/engine.h), with no network, as
// containerlab makes its nodes, and wires the links with veths from the
// host; the rest is what the container runtimes share (runtime/container/).
class DockerRuntime : public ContainerRuntime {
 public:
  const char* name() const override { return "docker"; }
  std::unique_ptr<Backend> backend(const Lab& lab) const override;
  std::vector<std::string> missing(const Lab& lab) const override;
  std::vector<std::string> in_the_way(const Lab& lab) const override;
};

}  // namespace anylab
