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
#include "cli/session.h"
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
#include "runtime/node_runtime.h"
#include "runtime/preflight.h"
#include "runtime/process.h"
#include "runtime/status.h"
#include "scenario/engine.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// "" (with the error printed) when it is neither a lab file nor a lab's name.
std::string lab_name_of(const std::string& lab_or_name) {
  if (!fs::exists(lab_or_name) && valid_lab_name(lab_or_name)) return lab_or_name;
  auto lab = load_lab_file(lab_or_name);
  return lab ? lab->name : "";
}

}  // namespace

namespace {
std::optional<Runtime> g_runtime;
}  // namespace

void set_runtime(Runtime r) { g_runtime = r; }

// anylab's helpers are beside its own binary; in a container, they are where
// the images put them (Paths' default).
Paths host_paths(Runtime r) {
  Paths p;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) p.host_helper_dir = self.parent_path().string();
  if (r == Runtime::kNetns) p.helper_dir = p.host_helper_dir;
  return p;
}

std::expected<Lab, int> load_lab_file(const std::string& path, std::optional<Runtime> force) {
  auto source = read_source(path);
  if (!source) {
    std::cerr << source.error() << "\n";
    return std::unexpected(kExitInvalidLab);
  }
  auto spec = load_lab(*source);
  if (!spec) {
    const size_t n = spec.error().sorted().size();
    std::cerr << format_diagnostics(*source, spec.error());
    std::cerr << fmt::format("{}: {} error{}; nothing was built\n", path, n, n == 1 ? "" : "s");
    return std::unexpected(kExitInvalidLab);
  }
  const std::string lab_dir = Journal::lab_dir(host_paths().runtime_root, spec->name.value);
  const Runtime runtime = force ? *force : recorded_runtime(lab_dir).value_or(g_runtime.value_or(Runtime::kNetns));
  auto lab = resolve(std::move(*spec), host_paths(runtime));
  if (!lab) {
    std::cerr << format_diagnostics(*source, lab.error());
    return std::unexpected(kExitInvalidLab);
  }
  lab->runtime = runtime;
  return std::move(*lab);
}

namespace {

// A lab that names container images, deployed on netns: the images cannot
// be honoured there, said once, with the FRR that runs instead.
void say_whose_frr(const Lab& lab) {
  if (lab.runtime != Runtime::kNetns || !lab.names_images()) return;
  const std::string version = run_command({"", {"/usr/lib/frr/zebra", "--version"}, {}, ""}).out;
  const size_t at = version.find("version ");
  std::cerr << fmt::format(
      "anylab: the lab names container images, which the netns runtime cannot run: it uses this machine's FRR ({}) "
      "and ExaBGP for every node; --runtime docker runs the images\n",
      at == std::string::npos ? "not found" : version.substr(at + 8, version.find('\n', at) - at - 8));
}

// A lab big enough for memory to matter, on a machine that does not merge
// identical pages: said once, with the switch (the machine's, not anylab's).
void say_page_merging(const Lab& lab) {
  constexpr size_t kBigLab = 50;
  const size_t routers = static_cast<size_t>(
      std::ranges::count_if(lab.nodes, [](const Node& n) { return n.kind == NodeKind::kRouter; }));
  if (routers < kBigLab || page_merging_on()) return;
  std::cerr << fmt::format(
      "anylab: {} routers; their FRR daemons share most of their memory when the kernel merges identical pages: "
      "as root, `echo 1 > /sys/kernel/mm/ksm/run` (README: Memory)\n",
      routers);
}

// What stands between a claimed lab and its deploy: a deploy of the lab
// already there, or names of the lab's that are someone else's. Nothing is
// created.
int check_deployable(const Lab& lab) {
  if (fs::exists(Journal::lab_dir(lab.paths.runtime_root, lab.name) + "/journal")) {
    std::cerr << fmt::format("anylab: lab {} is already deployed; run `anylab destroy {}` first\n", lab.name, lab.name);
    return kExitEnvironment;
  }
  if (auto blocking = in_the_way(lab); !blocking.empty()) {
    for (const std::string& b : blocking) std::cerr << "anylab: " << b << "\n";
    std::cerr << "anylab: nothing was built\n";
    return kExitEnvironment;
  }
  return kExitOk;
}

struct Built {
  int rc = kExitOk;
  std::string failure;  // why, when rc is not kExitOk
};

// Builds the lab from its plan (recorded in its journal as it goes) and
// waits until it is ready.
Built build_and_wait(const Lab& lab, const std::string& lab_file, const DeployOptions& options) {
  const auto start = Clock::now();
  const bool tty = ::isatty(2);
  const std::string root = lab.paths.runtime_root;
  Journal journal(root, lab.name);
  record_runtime(Journal::lab_dir(root, lab.name), lab.runtime);
  fs::copy_file(lab_file, Journal::lab_dir(root, lab.name) + "/lab.yaml", fs::copy_options::overwrite_existing);
  auto backend = runtime_of(lab).backend(lab);
  Executor executor(*backend, &journal, &g_cancel);
  const auto actions = plan_deploy(lab);
  auto built = executor.run(actions, [&](size_t done, size_t total, const Action&) {
    if (tty) std::cerr << fmt::format("\rdeploying {}: {}/{} actions", lab.name, done, total) << std::flush;
  });
  if (tty) std::cerr << "\n";
  if (!built) return {g_cancel ? 128 + g_signal : kExitEnvironment, built.error()};
  const double build_s = seconds_since(start);
  if (tty) std::cerr << fmt::format("waiting for BGP sessions and clients (at most {}s)\n", options.timeout.count());
  const std::string not_ready = wait_ready(lab, Clock::now() + options.timeout, &g_cancel);
  if (g_cancel) return {128 + g_signal, "interrupted"};
  if (!not_ready.empty())
    return {kExitCheckFailed, fmt::format("not ready after {}s:\n{}", options.timeout.count(), not_ready)};
  size_t sessions = 0, clients = 0;
  for (const Node& n : lab.nodes) {
    if (n.kind == NodeKind::kRouter) sessions += n.neighbors.size();
    if (n.kind == NodeKind::kClient) ++clients;
  }
  std::cout << fmt::format("lab {} ready in {:.1f}s ({} actions in {:.1f}s): {} BGP session{} Established, "
                           "{} client{} answered\n",
                           lab.name, seconds_since(start), actions.size(), build_s, sessions, sessions == 1 ? "" : "s",
                           clients, clients == 1 ? "" : "s");
  return {};
}

}  // namespace

// What the machine lacks to run the lab (exit 3 with the fix): asked before
// anything, the lab's claim included, is touched.
int check_machine(const Lab& lab) {
  say_whose_frr(lab);
  say_page_merging(lab);
  if (auto problems = preflight(lab); !problems.empty()) {
    for (const std::string& p : problems) std::cerr << "anylab: " << p << "\n";
    std::cerr << "anylab: this machine cannot run the lab; nothing was built\n";
    return kExitEnvironment;
  }
  return kExitOk;
}

std::expected<LabClaim, int> claim_lab(const std::string& root, const std::string& lab) {
  auto claim = LabClaim::take(root, lab);
  if (claim) return std::move(*claim);
  std::cerr << "anylab: " << claim.error() << "\n";
  return std::unexpected(kExitEnvironment);
}

int deploy_claimed(const Lab& lab, const std::string& lab_file, const DeployOptions& options) {
  if (int rc = check_deployable(lab); rc != kExitOk) return rc;
  catch_signals();
  // Whatever fails while building (a short journal write, an image without
  // the frr user, a copy that fails: some throw), what was made is removed.
  Built b;
  try {
    b = build_and_wait(lab, lab_file, options);
  } catch (const std::exception& e) {
    b = {kExitEnvironment, e.what()};
  }
  if (b.rc != kExitOk) {
    std::cerr << fmt::format("anylab: deploy of {} failed: {}\n", lab.name, b.failure);
    if (options.keep_on_failure && b.rc == kExitCheckFailed)
      std::cerr << fmt::format("anylab: the lab is left as it is; `anylab destroy {}` removes it\n", lab.name);
    else
      print_destroy(lab.name, destroy_lab(lab.paths.runtime_root, lab.name));
  }
  return b.rc;
}

int deploy(const std::string& lab_file, const DeployOptions& options) {
  auto lab = load_lab_file(lab_file);
  if (!lab) return lab.error();
  if (int rc = check_machine(*lab); rc != kExitOk) return rc;
  auto claim = claim_lab(lab->paths.runtime_root, lab->name);
  if (!claim) return claim.error();
  return deploy_claimed(*lab, lab_file, options);
}

int destroy(const std::string& lab_or_name, bool all) {
  const std::string root = host_paths().runtime_root;
  std::vector<std::string> names = all ? deployed_labs(root) : std::vector<std::string>{lab_name_of(lab_or_name)};
  if (all && names.empty()) std::cerr << "no deployed labs\n";
  int rc = kExitOk;
  for (const std::string& name : names) {
    if (name.empty()) return kExitInvalidLab;
    // A lab another anylab is deploying or testing is theirs to remove.
    auto claim = claim_lab(root, name);
    if (!claim) {
      rc = claim.error();
      continue;
    }
    DestroyReport r = destroy_lab(root, name);
    print_destroy(name, r);
    if (!r.problems.empty()) rc = kExitEnvironment;
  }
  return rc;
}

int inspect(const std::string& lab_or_name, bool json) {
  auto lab = find_lab(lab_or_name);
  if (!lab) return lab.error();
  const auto entries = Journal::read(lab->paths.runtime_root, lab->name);
  if (entries.empty()) {
    std::cerr << fmt::format("anylab: lab {} is not deployed\n", lab->name);
    return kExitEnvironment;
  }
  nlohmann::json j = {{"lab", lab->name}, {"nodes", nlohmann::json::array()}, {"sessions", nlohmann::json::array()},
                      {"clients", nlohmann::json::array()}};
  for (const Node& n : lab->nodes) {
    nlohmann::json procs = nlohmann::json::array();
    for (const JournalEntry& e : entries)
      if (e.kind == JournalEntry::Kind::kProcess && e.node == n.name)
        procs.push_back({{"name", e.name}, {"pid", e.pid}, {"running", same_process(e.pid, e.start_time)}});
    j["nodes"].push_back({{"name", n.name}, {"kind", to_string(n.kind)}, {"netns", n.netns}, {"processes", procs}});
    if (n.kind == NodeKind::kRouter)
      for (const SessionStatus& s : bgp_sessions(n))
        j["sessions"].push_back({{"router", s.router}, {"peer", s.peer_node}, {"address", s.peer_address},
                                 {"state", s.state.empty() ? "unknown" : s.state}});
    if (n.kind == NodeKind::kClient)
      for (const ServiceSpec& s : lab->spec.services)
        for (Family f : s.families()) {
          ClientAnswer a = probe(*lab, n, s, f, std::chrono::milliseconds(500));
          j["clients"].push_back({{"client", n.name}, {"service", s.name.value}, {"family", to_string(f)},
                                  {"instance", a.instance ? nlohmann::json(*a.instance) : nlohmann::json(nullptr)}});
        }
  }
  if (json) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("lab {}\n\nnodes:\n", lab->name);
  for (const auto& n : j["nodes"]) {
    std::string procs;
    for (const auto& p : n["processes"])
      procs += fmt::format("  {} {} {}", p["name"].get<std::string>(), p["pid"].get<int>(),
                           p["running"].get<bool>() ? "running" : "GONE");
    std::cout << fmt::format("  {:<16} {:<9}{}\n", n["name"].get<std::string>(), n["kind"].get<std::string>(), procs);
  }
  std::cout << "\nBGP sessions:\n";
  for (const auto& s : j["sessions"])
    std::cout << fmt::format("  {:<16} -> {:<16} {:<24} {}\n", s["router"].get<std::string>(),
                             s["peer"].get<std::string>(), s["address"].get<std::string>(),
                             s["state"].get<std::string>());
  std::cout << "\nclients:\n";
  for (const auto& c : j["clients"])
    std::cout << fmt::format("  {:<16} {} {} answered by {}\n", c["client"].get<std::string>(),
                             c["service"].get<std::string>(), c["family"].get<std::string>(),
                             c["instance"].is_null() ? "NOBODY" : c["instance"].get<std::string>());
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
  catch_signals();
  std::cout << fmt::format("watching {}: {} probes every {} (timeout {}); Ctrl-C stops\n", lab->name,
                           targets.size(), format_duration(lab->spec.defaults.probe_interval),
                           format_duration(lab->spec.defaults.probe_timeout))
            << std::flush;
  std::vector<size_t> seen(targets.size(), 0);
  std::vector<std::optional<std::string>> current(targets.size());
  std::vector<bool> started(targets.size(), false);
  const auto start = Clock::now();
  for (;;) {
    const bool last = g_cancel || (seconds > 0 && seconds_since(start) >= seconds);
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
