#pragma once

#include "core/error.h"
#include "runtime/backend.h"

namespace anylab {

// Carries out plan actions from the host, the mechanism every runtime
// shares: iproute2 for namespaces, veths, addresses and routes (one
// `ip -batch` per kind, one per namespace for its addresses); sysctls and
// processes by entering the namespace with setns; files written without
// following links. The netns runtime is this alone; the container runtimes
// make their containers and start processes in them, and hand it the rest.
class HostActions : public Backend {
 public:
  std::expected<std::vector<Spawned>, Error> apply(std::span<const Action> batch) override;
};

// The changes events make (plan.h's second half: configuration, ExaBGP
// commands, a process killed, loss and delay), each in order.
std::expected<std::vector<Spawned>, Error> apply_changes(std::span<const Action> batch);
// What to tell a user whose kernel lacks netem.
std::string netem_missing_message();

}  // namespace anylab
