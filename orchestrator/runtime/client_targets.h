#pragma once

#include <expected>
#include <string>
#include <vector>

#include "model/lab.h"
#include "prober.h"

namespace anylab {

// Every client's network namespace, open for as long as this lives, and a
// probe target per client and service (clients in node order, each with
// every service in lab order). A target is named after its client, and its
// service too when the lab has several. A client whose namespace cannot be
// opened is an error: its probes are never sent from anywhere else.
class ClientTargets {
 public:
  static std::expected<ClientTargets, std::string> open(const Lab& lab);
  ~ClientTargets();
  ClientTargets(ClientTargets&& other) noexcept;
  ClientTargets& operator=(ClientTargets&&) = delete;
  ClientTargets(const ClientTargets&) = delete;
  ClientTargets& operator=(const ClientTargets&) = delete;

  const std::vector<checks::ProbeTarget>& targets() const { return targets_; }
  // The target of one client and service; throws std::out_of_range if none.
  size_t index(const std::string& client, const std::string& service) const;
  const std::string& client(size_t target) const { return keys_.at(target).first; }
  const std::string& service(size_t target) const { return keys_.at(target).second; }

 private:
  ClientTargets() = default;
  std::vector<int> fds_;
  std::vector<checks::ProbeTarget> targets_;
  std::vector<std::pair<std::string, std::string>> keys_;  // (client, service) of each target
};

}  // namespace anylab
