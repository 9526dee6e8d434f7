#include "runtime/client_targets.h"
#include "core/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "runtime/runtimes.h"

namespace anylab {

std::expected<ClientTargets, Error> ClientTargets::open(const Lab& lab, const NodeRuntime& runtime) {
  ClientTargets c;
  for (const Node& n : lab.nodes) {
    if (n.kind != NodeKind::kClient) continue;
    const std::string path = runtime.netns_path(n);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
      return fail(fmt::format("cannot open client {}'s network namespace {}: {} (is lab {} deployed?)",
                              n.name, path, std::strerror(errno), lab.name));
    const int netns = fd.get();
    c.fds_.push_back(std::move(fd));
    for (const ServiceSpec& s : lab.spec.services)
      for (Family f : s.families()) {
        const std::string label = stream_label(lab.spec, s.name.value, f);
        const std::string name = label.empty() ? n.name : n.name + " " + label;
        c.targets_.push_back({name, netns, s.address(f)->str(), s.port, s.probe});
        c.keys_.push_back({n.name, s.name.value, f});
        // Each flow a socket of its own: another source port, which an
        // ECMP hash on ports (l4) may send another way.
        std::vector<size_t> others;
        for (int flow = 1; flow < n.spec->flows_or_one(); ++flow) {
          others.push_back(c.flow_targets_.size());
          c.flow_targets_.push_back({fmt::format("{} flow {}", name, flow), netns, s.address(f)->str(), s.port, s.probe});
        }
        c.other_flows_.push_back(std::move(others));
      }
  }
  return c;
}


size_t ClientTargets::index(const ProbeKey& key) const {
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return i;
  throw std::out_of_range(fmt::format("no probe target for client {}, service {} over {}", key.client, key.service,
                                      to_string(key.family)));
}

}  // namespace anylab
