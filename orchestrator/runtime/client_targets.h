#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "runtime/node_runtime.h"
#include "prober.h"
#include "unique_fd.h"

namespace anylab {

// Every client's network namespace, open for as long as this lives, and a
// probe target per client, service and family (clients in node order, each
// with every service in lab order, each with its families, IPv4 first). A
// target is named after its client, then its stream_label. A client whose namespace cannot be
// opened is an error: its probes are never sent from anywhere else.
class ClientTargets {
 public:
  static std::expected<ClientTargets, Error> open(const Lab& lab, const NodeRuntime& runtime);
  ClientTargets(ClientTargets&&) noexcept = default;
  ClientTargets& operator=(ClientTargets&&) = delete;

  // One per key: a client with several flows probes each key from its
  // flow 0 here and from the others in flow_targets().
  const std::vector<checks::ProbeTarget>& targets() const { return targets_; }
  const std::vector<checks::ProbeTarget>& flow_targets() const { return flow_targets_; }
  // The other flows of a target's key, as indices into flow_targets() (none
  // for a client of one flow).
  const std::vector<size_t>& other_flows(size_t target) const { return other_flows_.at(target); }
  // The target of one key; throws std::out_of_range if none.
  size_t index(const ProbeKey& key) const;
  const ProbeKey& key(size_t target) const { return keys_.at(target); }
  const std::vector<ProbeKey>& keys() const { return keys_; }

 private:
  ClientTargets() = default;
  std::vector<UniqueFd> fds_;
  std::vector<checks::ProbeTarget> targets_;
  std::vector<ProbeKey> keys_;  // of each target
  std::vector<checks::ProbeTarget> flow_targets_;
  std::vector<std::vector<size_t>> other_flows_;  // of each target
};

}  // namespace anylab
