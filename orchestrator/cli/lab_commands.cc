#include "cli/lab_commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/console.h"
#include "app/inspect.h"
#include "app/operate.h"
#include "app/sweep.h"
#include "app/why.h"
#include "app/session.h"
#include "evaluate.h"

namespace anylab {
namespace {

Console<> printed;

// Says the error and gives its exit code.
int said(const Error& e) {
  std::cerr << "anylab: " << e.message << "\n";
  return exit_code_of(e);
}

}  // namespace

int sweep_lab(const std::string& lab_or_name, const std::vector<std::string>& vary,
              const std::optional<std::string>& json_file) {
  std::vector<SweepKnob> knobs;
  for (const std::string& v : vary) {
    auto k = parse_knob(v);
    if (!k) {
      std::cerr << "anylab: " << k.error() << "\n";
      return kExitInvalidLab;
    }
    knobs.push_back(std::move(*k));
  }
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  if (!inspect_lab(*lab).has_value()) {
    std::cerr << fmt::format("anylab: lab {} is not deployed: anylab deploy it first\n", lab->name);
    return kExitEnvironment;
  }
  const auto r = sweep(*lab, knobs, printed);
  if (!r) {
    std::cerr << "anylab: " << r.error().message << "\n";
    return r.error().kind == Error::Kind::kInput ? kExitInvalidLab : kExitEnvironment;
  }
  std::cout << sweep_text(*r);
  if (json_file) {
    std::ofstream out(*json_file);
    out << sweep_json(*r);
    if (!out) {
      std::cerr << fmt::format("anylab: cannot write {}\n", *json_file);
      return kExitEnvironment;
    }
  }
  return kExitOk;
}

int why(const std::string& lab_or_name, const std::string& client, const std::optional<std::string>& service,
        const std::optional<std::string>& family) {
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  if (!inspect_lab(*lab).has_value()) {
    std::cerr << fmt::format("anylab: lab {} is not deployed\n", lab->name);
    return kExitEnvironment;
  }
  const std::expected<WhyAnswer, Error> w = explain(*lab, client, service, family);
  if (!w) {
    std::cerr << "anylab: " << w.error().message << "\n";
    return kExitInvalidLab;
  }
  std::cout << why_text(*w);
  return kExitOk;
}

int inspect(const std::string& lab_or_name, bool json) {
  auto lab = find_lab(lab_or_name, printed);
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
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  auto sent = announce_routes(*lab, node_name, o);
  if (!sent) return said(sent.error());
  for (const std::string& command : *sent) std::cout << fmt::format("{}: {}\n", node_name, command);
  return kExitOk;
}

namespace {

class WatchPrinter : public WatchObserver {
 public:
  explicit WatchPrinter(const Lab& lab) : lab_(lab) {}
  void started(size_t targets) override {
    std::cout << fmt::format("watching {}: {} probes every {} (timeout {}); Ctrl-C stops\n", lab_.name, targets,
                             format_duration(lab_.spec.defaults.probe_interval),
                             format_duration(lab_.spec.defaults.probe_timeout))
              << std::flush;
  }
  void changed(checks::Micros at, const std::string& target, const std::optional<std::string>& instance) override {
    std::cout << fmt::format("+{:>8}  {:<24} {}\n", checks::format_seconds(at), target,
                             instance ? "answered by " + *instance : "NO ANSWER")
              << std::flush;
  }
  void summary(const std::string& target, size_t probes, size_t answered, checks::Micros longest,
               const std::optional<std::string>& last) override {
    if (!summary_started_) std::cout << "summary:\n";
    summary_started_ = true;
    std::cout << fmt::format("  {:<24} {} probes, {} answered, longest outage {}, last answered by {}\n", target,
                             probes, answered, checks::format_seconds(longest), last.value_or("nobody"));
  }

 private:
  const Lab& lab_;
  bool summary_started_ = false;
};

}  // namespace

int watch(const std::string& lab_or_name, double seconds) {
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  WatchPrinter printer(*lab);
  if (auto done = watch_lab(*lab, seconds, printer, catch_signals()); !done) return said(done.error());
  return kExitOk;
}

int fail_or_restore(const std::string& lab_or_name, const EventOptions& o) {
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  auto done = apply_event(*lab, o);
  if (!done) return said(done.error());
  std::cout << *done << "\n";
  return kExitOk;
}

int exec_in_node(const std::string& lab_or_name, const std::string& node_name, const std::vector<std::string>& command) {
  auto lab = find_lab(lab_or_name, printed);
  if (!lab) return lab.error();
  auto argv = enter_node(*lab, node_name, command);
  if (!argv) return said(argv.error());
  std::vector<char*> args;
  for (std::string& a : *argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::cerr << fmt::format("anylab: cannot run {}: {}\n", argv->front(), std::strerror(errno));
  return 127;
}

}  // namespace anylab
