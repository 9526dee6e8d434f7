#include "app/operate.h"

#include <filesystem>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "evaluate.h"
#include "prober.h"
#include "plan/render_exabgp.h"
#include "runtime/client_targets.h"
#include "runtime/events.h"
#include "runtime/process.h"
#include "runtime/runtimes.h"

namespace anylab {

namespace fs = std::filesystem;

std::expected<std::vector<std::string>, Error> announce_routes(const Lab& lab, const std::string& node_name,
                                                               const AnnounceOptions& o) {
  const Node* node = lab.find(node_name);
  if (!node || node->kind != NodeKind::kInstance)
    return std::unexpected(Error::input(fmt::format("lab {} has no instance \"{}\"", lab.name, node_name)));
  // Without --prefix, every prefix of the service (both families).
  std::vector<std::string> prefixes;
  for (const auto& p : node->service->prefixes) prefixes.push_back(p.value.str());
  if (!o.prefix.empty()) {
    auto p = IpPrefix::parse(o.prefix);
    if (!p || p->has_host_bits())
      return std::unexpected(
          Error::input(fmt::format("\"{}\" is not a network like 192.0.2.0/25 or 2001:db8:53::/49", o.prefix)));
    prefixes = {p->str()};
  }
  RouteAttributes attributes = announce_attributes(*node);
  if (o.prepend) attributes.prepend = *o.prepend;
  if (o.med) attributes.med = *o.med;
  std::vector<std::string> sent;
  for (const std::string& prefix : prefixes)
    sent.push_back((o.withdraw ? "withdraw " : "announce ") + exabgp_route(*node, prefix, attributes));
  if (auto done = LabEvents(lab, runtime_of(lab)).exabgp(node_name, sent); !done) return std::unexpected(done.error());
  return sent;
}

namespace {

std::string event_words(const Lab& lab, const EventOptions& o) {
  const std::string what = !o.link.empty() ? "link " + o.link[0] + " -- " + o.link[1] +
                                                 (lab.links_between(o.link[0], o.link[1]).size() > 1
                                                      ? " (" + lab.links_text(o.link[0], o.link[1]) + ")"
                                                      : "")
                           : !o.bgp.empty() ? "BGP session " + o.bgp[0] + " -- " + o.bgp[1]
                                            : "node " + o.node;
  return fmt::format("{} {}{}", o.restore ? "restored" : "failed", what,
                     o.restore || o.node.empty() ? "" : " (" + o.mode + ")");
}

}  // namespace

std::expected<std::string, Error> apply_event(const Lab& lab, const EventOptions& o) {
  const int given = !o.node.empty() + !o.link.empty() + !o.bgp.empty();
  if (given != 1 || (!o.link.empty() && o.link.size() != 2) || (!o.bgp.empty() && o.bgp.size() != 2))
    return std::unexpected(Error::input("give one of --node NODE, --link A,B or --bgp A,B"));
  const LabEvents events(lab, runtime_of(lab));
  LabEvents::Result done;
  if (!o.link.empty()) done = events.set_link(o.link[0], o.link[1], o.restore);
  else if (!o.bgp.empty()) done = events.set_bgp_session(o.bgp[0], o.bgp[1], o.restore);
  else if (o.restore) done = events.restore_node(o.node);
  else done = events.fail_node(o.node, parse_fail_mode(o.mode).value_or(FailMode::kCrash));  // CLI11 checked the word
  if (!done) return std::unexpected(done.error());
  return event_words(lab, o);
}

std::expected<std::vector<std::string>, Error> enter_node(const Lab& lab, const std::string& node_name,
                                                          std::vector<std::string> argv) {
  const Node* node = lab.find(node_name);
  if (!node) return std::unexpected(Error::input(fmt::format("lab {} has no node \"{}\"", lab.name, node_name)));
  // vtysh must be told which FRR instance: the router's own.
  if (node->kind == NodeKind::kRouter && !argv.empty() && fs::path(argv[0]).filename() == "vtysh")
    argv.insert(argv.begin() + 1, {"-N", node->netns});
  // In a container, the command runs the container's programs (its vtysh).
  auto in_node = runtime_of(lab).process_in(*node);
  if (auto entered = in_node ? enter_namespaces(*in_node) : std::unexpected(in_node.error()); !entered)
    return std::unexpected(
        Error::environment(fmt::format("{} (is lab {} deployed? are you root?)", entered.error(), lab.name)));
  return argv;
}

namespace {

// Per target at the end: probes sent and answered, the longest outage, who
// answered last.
void summarize(const std::vector<checks::ClientTimeline>& timelines, checks::Micros interval,
               const std::vector<std::string>& labels, WatchObserver& observer) {
  for (size_t i = 0; i < timelines.size(); ++i) {
    const checks::ClientTimeline& t = timelines[i];
    size_t answered = 0;
    for (const checks::Probe& p : t) answered += p.instance.has_value();
    const checks::Micros end = t.empty() ? checks::Micros(0) : t.back().sent + interval;
    const auto outage = checks::max_outage(t, checks::Micros(0), end, checks::Micros(0));
    observer.summary(labels[i], t.size(), answered, outage.longest_outage.value_or(checks::Micros(0)),
                     t.empty() ? std::nullopt : t.back().instance);
  }
}

}  // namespace

std::expected<void, Error> watch_lab(const Lab& lab, double seconds, WatchObserver& observer, const Cancel& cancel) {
  auto clients = ClientTargets::open(lab, runtime_of(lab));
  if (!clients) return std::unexpected(clients.error());
  const std::vector<checks::ProbeTarget>& targets = clients->targets();
  std::vector<std::string> labels;
  for (size_t i = 0; i < targets.size(); ++i) {
    const ProbeKey& k = clients->key(i);
    labels.push_back(names_families(lab.spec) ? fmt::format("{} {} {}", k.client, k.service, to_string(k.family))
                                              : k.client + " " + k.service);
  }
  const auto interval = std::chrono::duration_cast<checks::Micros>(lab.spec.defaults.probe_interval);
  const auto timeout = std::chrono::duration_cast<checks::Micros>(lab.spec.defaults.probe_timeout);
  checks::Prober prober(targets, interval, timeout);
  if (auto started = prober.start(); !started) return std::unexpected(Error::environment(started.error()));
  observer.started(targets.size());
  std::vector<size_t> seen(targets.size(), 0);
  std::vector<std::optional<std::optional<std::string>>> current(targets.size());  // unset before the first probe
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const bool last = cancel || (seconds > 0 && seconds_since(start) >= seconds);
    if (last) prober.stop();
    const auto timelines = prober.timelines();
    for (size_t i = 0; i < targets.size(); ++i)
      for (; seen[i] < timelines[i].size(); ++seen[i]) {
        const checks::Probe& p = timelines[i][seen[i]];
        if (current[i] && *current[i] == p.instance) continue;
        observer.changed(p.sent, labels[i], p.instance);
        current[i] = p.instance;
      }
    if (last) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  summarize(prober.timelines(), interval, labels, observer);
  return {};
}

}  // namespace anylab
