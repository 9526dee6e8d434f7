#include "scenario/route_watch.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "runtime/frr_vty.h"

namespace anylab {
namespace {

using checks::Micros;
using namespace std::chrono_literals;

constexpr auto kAnswerWithin = 200ms;  // a crashed or frozen bgpd must not stall a round for long
constexpr Micros kRound = 100ms;

class FrrRouteWatch : public RouteWatch {
 public:
  FrrRouteWatch(const Lab& lab, std::function<Micros()> clock) : clock_(std::move(clock)) {
    for (const Node& n : lab.nodes)
      if (n.kind == NodeKind::kRouter) routers_.push_back({n.name, n.netns});
    for (const ServiceSpec& s : lab.spec.services)
      for (const Marked<IpPrefix>& p : s.prefixes) prefixes_.push_back(p.value);
    node_of_ = lab.address_owners();
    thread_ = std::thread([this] { run(); });
  }
  ~FrrRouteWatch() override { stop(); }
  bool empty() const { return routers_.empty(); }

  std::vector<checks::PathChange> changes() const override {
    const std::lock_guard lock(mutex_);
    return changes_;
  }
  Micros seen_until() const override {
    const std::lock_guard lock(mutex_);
    return seen_until_;
  }
  Micros resolution() const override {
    const std::lock_guard lock(mutex_);
    return resolution_;
  }
  void stop() override {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Router {
    std::string name, netns;
  };

  // One look at every router; a change (or a first look) is timed by when
  // its answer came.
  void round(std::map<std::pair<std::string, std::string>, checks::PathSeen>& last) {
    for (const Router& r : routers_)
      for (const IpPrefix& p : prefixes_) {
        const auto answer = frr_vty(r.netns, "bgpd", fmt::format("show bgp {} unicast {} json", to_string(p.family()), p.str()),
                                    std::chrono::duration_cast<std::chrono::milliseconds>(kAnswerWithin));
        auto seen = answer ? checks::parse_best_path(*answer) : std::nullopt;
        if (!seen) continue;
        seen->path = checks::with_node_names(seen->path, node_of_);
        const auto key = std::make_pair(r.name, p.str());
        const auto it = last.find(key);
        if (it != last.end() && it->second.version == seen->version && it->second.path == seen->path) continue;
        const std::lock_guard lock(mutex_);
        changes_.push_back({clock_(), r.name, p.str(),
                            seen->path + (seen->reason.empty() ? "" : " [" + seen->reason + "]"), it == last.end()});
        last[key] = *seen;
      }
  }

  void run() {
    std::map<std::pair<std::string, std::string>, checks::PathSeen> last;
    std::optional<Micros> previous;
    for (;;) {
      const Micros start = clock_();
      round(last);
      const Micros took = clock_() - start;
      std::unique_lock lock(mutex_);
      seen_until_ = start;
      if (previous) resolution_ = std::max(resolution_, start - *previous);
      previous = start;
      if (wake_.wait_for(lock, std::max(kRound - took, took), [this] { return stopping_; })) return;
    }
  }

  std::function<Micros()> clock_;
  std::vector<Router> routers_;
  std::vector<IpPrefix> prefixes_;
  std::map<std::string, std::string> node_of_;  // address -> node
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<checks::PathChange> changes_;
  Micros seen_until_{-1}, resolution_{kRound};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RouteWatch> watch_frr_routes(const Lab& lab, std::function<Micros()> clock) {
  auto watch = std::make_unique<FrrRouteWatch>(lab, std::move(clock));
  if (watch->empty()) return nullptr;
  return watch;
}

checks::SessionCounts frr_update_counts(const Lab& lab) {
  checks::SessionCounts out;
  for (const Node& n : lab.nodes) {
    if (n.kind != NodeKind::kRouter) continue;
    const auto answer = frr_vty(n.netns, "bgpd", "show bgp neighbors json",
                                std::chrono::duration_cast<std::chrono::milliseconds>(kAnswerWithin));
    if (auto counts = answer ? checks::parse_update_counts(*answer) : std::nullopt) out[n.name] = std::move(*counts);
  }
  return out;
}

}  // namespace anylab
