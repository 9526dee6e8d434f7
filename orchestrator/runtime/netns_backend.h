#pragma once

#include "runtime/backend.h"

namespace anylab {

// Builds the lab for real: iproute2 for namespaces, veths, addresses and
// routes (one `ip -batch` per kind, one per namespace for its addresses);
// sysctls and processes by entering the namespace with setns.
class NetnsBackend : public Backend {
 public:
  std::expected<std::vector<Spawned>, std::string> apply(std::span<const Action> batch) override;
};

}  // namespace anylab
