#include "cli/lab_commands.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "app/inspect.h"
#include "app/session.h"
#include "evaluate.h"
#include "prober.h"
#include "load/loader.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "runtime/client_targets.h"
#include "runtime/destroy.h"
#include "plan/render_exabgp.h"
#include "runtime/events.h"
#include "runtime/exabgp_control.h"
#include "runtime/executor.h"
#include "runtime/journal.h"
#include "runtime/lab_claim.h"
#include "runtime/runtimes.h"
#include "runtime/preflight.h"
#include "runtime/process.h"
#include "runtime/rpki.h"
#include "runtime/status.h"
#include "plan/render_frr.h"
#include "scenario/engine.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

int inspect(const std::string& lab_or_name, bool json) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  const auto s = inspect_lab(*lab);
  if (!s) {
    std::cerr << fmt::format("anylab: lab {} is not deployed\n", lab->name);
    return kExitEnvironment;
  }
  if (json) {
    std::cout << snapshot_json(*s) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("lab {} (on {})\n\nnodes:\n", s->lab, s->runtime);
  for (const auto& n : s->nodes) {
    std::string procs;
    for (const auto& p : n.processes) procs += fmt::format("  {} {} {}", p.name, p.pid, p.running ? "running" : "GONE");
    std::cout << fmt::format("  {:<16} {:<9}{}\n", n.name, n.kind, procs);
  }
  std::cout << "\nBGP sessions:\n";
  for (const auto& b : s->sessions) std::cout << fmt::format("  {:<16} -> {:<16} {:<24} {}\n", b.router, b.peer, b.address, b.state);
  if (!s->rpki.empty()) {
    std::cout << "\nRPKI (each validating router's RTR session with its cache):\n";
    for (const auto& r : s->rpki)
      std::cout << fmt::format("  {:<16} {:<8} {} {}, {}\n", r.router, r.mode, r.cache, r.state,
                               r.vrps ? fmt::format("{} VRPs", *r.vrps) : "not synchronised");
  }
  std::cout << "\nclients:\n";
  for (const auto& c : s->clients)
    std::cout << fmt::format("  {:<16} {} {} answered by {}\n", c.client, c.service, c.family, c.instance.value_or("NOBODY"));
  return kExitOk;
}

int announce(const std::string& lab_or_name, const std::string& node_name, const AnnounceOptions& o) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  const Node* node = lab->find(node_name);
  if (!node || node->kind != NodeKind::kInstance) {
    std::cerr << fmt::format("anylab: lab {} has no instance \"{}\"\n", lab->name, node_name);
    return kExitInvalidLab;
  }
  // Without --prefix, every prefix of the service (both families).
  std::vector<std::string> prefixes;
  for (const auto& p : node->service->prefixes) prefixes.push_back(p.value.str());
  if (!o.prefix.empty()) {
    auto p = IpPrefix::parse(o.prefix);
    if (!p || p->has_host_bits()) {
      std::cerr << fmt::format("anylab: \"{}\" is not a network like 192.0.2.0/25 or 2001:db8:53::/49\n", o.prefix);
      return kExitInvalidLab;
    }
    prefixes = {p->str()};
  }
  RouteAttributes attributes = announce_attributes(*node);
  if (o.prepend) attributes.prepend = *o.prepend;
  if (o.med) attributes.med = *o.med;
  for (const std::string& prefix : prefixes) {
    const std::string command = (o.withdraw ? "withdraw " : "announce ") + exabgp_route(*node, prefix, attributes);
    if (auto sent = exabgp_send(*node, command); !sent) {
      std::cerr << "anylab: " << sent.error() << "\n";
      return kExitEnvironment;
    }
    std::cout << fmt::format("{}: {}\n", node->name, command);
  }
  return kExitOk;
}

namespace {

// Per target: probes sent and answered, the longest outage, who answered last.
template <class Label>
void print_watch_summary(const std::vector<checks::ClientTimeline>& timelines, checks::Micros interval, Label label) {
  std::cout << "summary:\n";
  for (size_t i = 0; i < timelines.size(); ++i) {
    const checks::ClientTimeline& t = timelines[i];
    size_t answered = 0;
    std::optional<std::string> last;
    for (const checks::Probe& p : t) {
      answered += p.instance.has_value();
      last = p.instance;
    }
    const checks::Micros end = t.empty() ? checks::Micros(0) : t.back().sent + interval;
    auto outage = checks::max_outage(t, checks::Micros(0), end, checks::Micros(0));
    std::cout << fmt::format("  {:<24} {} probes, {} answered, longest outage {}, last answered by {}\n", label(i),
                             t.size(), answered, checks::format_seconds(outage.longest_outage.value_or(checks::Micros(0))),
                             last.value_or("nobody"));
  }
}

}  // namespace

int watch(const std::string& lab_or_name, double seconds) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  auto clients = ClientTargets::open(*lab);
  if (!clients) {
    std::cerr << "anylab: " << clients.error() << "\n";
    return kExitEnvironment;
  }
  const std::vector<checks::ProbeTarget>& targets = clients->targets();
  auto label = [&](size_t i) {
    const ProbeKey& k = clients->key(i);
    return names_families(lab->spec) ? fmt::format("{} {} {}", k.client, k.service, to_string(k.family))
                                     : k.client + " " + k.service;
  };
  const auto interval = std::chrono::duration_cast<checks::Micros>(lab->spec.defaults.probe_interval);
  const auto timeout = std::chrono::duration_cast<checks::Micros>(lab->spec.defaults.probe_timeout);
  checks::Prober prober(targets, interval, timeout);
  if (auto err = prober.start()) {
    std::cerr << "anylab: " << *err << "\n";
    return kExitEnvironment;
  }
  const Cancel& cancel = catch_signals();
  std::cout << fmt::format("watching {}: {} probes every {} (timeout {}); Ctrl-C stops\n", lab->name,
                           targets.size(), format_duration(lab->spec.defaults.probe_interval),
                           format_duration(lab->spec.defaults.probe_timeout))
            << std::flush;
  std::vector<size_t> seen(targets.size(), 0);
  std::vector<std::optional<std::string>> current(targets.size());
  std::vector<bool> started(targets.size(), false);
  const auto start = Clock::now();
  for (;;) {
    const bool last = cancel || (seconds > 0 && seconds_since(start) >= seconds);
    if (last) prober.stop();
    const auto timelines = prober.timelines();
    for (size_t i = 0; i < targets.size(); ++i)
      for (; seen[i] < timelines[i].size(); ++seen[i]) {
        const checks::Probe& p = timelines[i][seen[i]];
        if (started[i] && p.instance == current[i]) continue;
        std::cout << fmt::format("+{:>8}  {:<24} {}\n", checks::format_seconds(p.sent), label(i),
                                 p.instance ? "answered by " + *p.instance : "NO ANSWER");
        current[i] = p.instance;
        started[i] = true;
      }
    std::cout << std::flush;
    if (last) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  print_watch_summary(prober.timelines(), interval, label);
  return kExitOk;
}

int fail_or_restore(const std::string& lab_or_name, const EventOptions& o) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  const int given = !o.node.empty() + !o.link.empty() + !o.bgp.empty();
  if (given != 1 || (!o.link.empty() && o.link.size() != 2) || (!o.bgp.empty() && o.bgp.size() != 2)) {
    std::cerr << "anylab: give one of --node NODE, --link A,B or --bgp A,B\n";
    return kExitInvalidLab;
  }
  std::expected<void, std::string> done;
  try {
    if (!o.link.empty()) {
      done = set_link(*lab, o.link[0], o.link[1], o.restore);
    } else if (!o.bgp.empty()) {
      done = set_bgp_session(*lab, o.bgp[0], o.bgp[1], o.restore);
    } else if (o.restore) {
      done = restore_node(*lab, o.node);
    } else {
      const FailMode mode = parse_fail_mode(o.mode).value_or(FailMode::kCrash);  // CLI11 checked the word
      done = fail_node(*lab, o.node, mode);
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "anylab: " << e.what() << "\n";
    return kExitInvalidLab;
  }
  if (!done) {
    std::cerr << "anylab: " << done.error() << "\n";
    return kExitEnvironment;
  }
  const std::string what = !o.link.empty()  ? "link " + o.link[0] + " -- " + o.link[1] +
                                                 (lab->links_between(o.link[0], o.link[1]).size() > 1
                                                      ? " (" + lab->links_text(o.link[0], o.link[1]) + ")"
                                                      : "")
                           : !o.bgp.empty() ? "BGP session " + o.bgp[0] + " -- " + o.bgp[1]
                                            : "node " + o.node;
  std::cout << fmt::format("{} {}{}\n", o.restore ? "restored" : "failed", what,
                           o.restore || o.node.empty() ? "" : " (" + o.mode + ")");
  return kExitOk;
}

int exec_in_node(const std::string& lab_or_name, const std::string& node_name, const std::vector<std::string>& command) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  const Node* node = lab->find(node_name);
  if (!node) {
    std::cerr << fmt::format("anylab: lab {} has no node \"{}\"\n", lab->name, node_name);
    return kExitInvalidLab;
  }
  std::vector<std::string> argv = command;
  // vtysh must be told which FRR instance: the router's own.
  if (node->kind == NodeKind::kRouter && !argv.empty() && fs::path(argv[0]).filename() == "vtysh")
    argv.insert(argv.begin() + 1, {"-N", node->netns});
  // In a container, the command runs the container's programs (its vtysh).
  auto in_node = runtime_of(*lab).process_in(*node);
  if (auto entered = in_node ? enter_namespaces(*in_node) : std::unexpected(in_node.error()); !entered) {
    std::cerr << fmt::format("anylab: {} (is lab {} deployed? are you root?)\n", entered.error(), lab->name);
    return kExitEnvironment;
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::cerr << fmt::format("anylab: cannot run {}: {}\n", argv[0], std::strerror(errno));
  return 127;
}

}  // namespace anylab
