#include "runtime/netns/netns_runtime.h"
#include "core/error.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "runtime/host_actions.h"
#include "plan/render_speakers.h"
#include "plan/render_frr.h"
#include "plan/render_igp.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

// What the netns runtime needs on the host: FRR, vtysh, ExaBGP and anylab's
// responder (the container runtimes find them in their images).
std::vector<std::string> host_programs_missing(const Lab& lab) {
  std::vector<std::string> problems;
  bool bfd = false, igp = false, ospf6 = false;
  for (const Node& n : lab.nodes) {
    bfd |= uses_bfd(n);
    igp |= n.loopback.has_value();
    ospf6 |= n.loopback6 && lab.spec.defaults.igp.value == Igp::kOspf;
  }
  std::vector<std::string> daemons{"zebra", "bgpd"};
  if (bfd) daemons.push_back("bfdd");
  if (igp) daemons.push_back(igp_daemon(lab.spec.defaults.igp.value));
  if (ospf6) daemons.push_back("ospf6d");
  for (const std::string& d : daemons) {
    if (!fs::exists(frr_daemon(d)))
      problems.push_back(fmt::format("FRR's {} is missing ({}): apt-get install frr", d, frr_daemon(d)));
  }
  if (run_command({"", {"vtysh", "--help"}, {}, ""}).exit_code != 0)
    problems.push_back("FRR's vtysh is missing: apt-get install frr");
  if (std::any_of(lab.nodes.begin(), lab.nodes.end(), [](const Node& n) { return validates_rpki(n); })) {
    if (!fs::exists(kStayRtr))
      problems.push_back(fmt::format("StayRTR, the lab's RPKI cache, is missing ({}): apt-get install stayrtr", kStayRtr));
    if (!fs::exists(kBgpdRpkiModule))
      problems.push_back(fmt::format("FRR's RPKI module is missing ({}): apt-get install frr-rpki-rtrlib", kBgpdRpkiModule));
  }
  auto any = [&](auto speaks) { return std::any_of(lab.nodes.begin(), lab.nodes.end(), speaks); };
  if (any([](const Node& n) { return n.spec->speaks_bird(); }) && !fs::exists(kBird))
    problems.push_back(fmt::format("BIRD is missing ({}): apt-get install bird2", kBird));
  // GoBGP: a speaker, or a router's background feeder.
  if (any([](const Node& n) { return n.spec->speaks_gobgp() || n.spec->background; }) &&
      !(fs::exists(kGobgpd) && fs::exists(kGobgp)))
    problems.push_back(fmt::format("GoBGP is missing ({}, {}): apt-get install gobgpd", kGobgpd, kGobgp));
  if (any([](const Node& n) { return n.spec->speaks_bird() || n.spec->speaks_gobgp(); })) {
    if (!fs::exists(lab.paths.helper_dir + "/anylab-speaker-relay"))
      problems.push_back(fmt::format("anylab-speaker-relay is missing from {}: build it (ci/build.sh) or install anylab",
                                     lab.paths.helper_dir));
  }
  if (const auto& e = lab.spec.defaults.ecmp; e && e->resilient && !fs::exists(lab.paths.helper_dir + "/anylab-resilient-ecmp"))
    problems.push_back(fmt::format("anylab-resilient-ecmp is missing from {}: build it (ci/build.sh) or install anylab",
                                   lab.paths.helper_dir));
  if (run_command({"", {lab.paths.python, "-c", "import exabgp"}, {}, ""}).exit_code != 0)
    problems.push_back(fmt::format("ExaBGP is missing for {}: apt-get install exabgp", lab.paths.python));
  if (!fs::exists(lab.paths.helper_dir + "/anylab-responder"))
    problems.push_back(fmt::format("anylab-responder is missing from {}: build it (ci/build.sh) or install anylab",
                                   lab.paths.helper_dir));
  return problems;
}

}  // namespace

std::string NetnsRuntime::netns_path(const Node& n) const { return anylab::netns_path(n.netns); }

std::expected<ProcessSpec, Error> NetnsRuntime::process_in(const Node& n) const {
  ProcessSpec spec;
  spec.netns = n.netns;
  return spec;
}

std::vector<pid_t> NetnsRuntime::processes(const Node& n) const {
  const uint64_t ino = netns_inode(n.netns);
  return ino ? processes_in_netns({ino}) : std::vector<pid_t>{};
}

NodeRuntime::Result NetnsRuntime::kill_all(const Node& n) const { return signal_all(n, SIGKILL, "crash"); }
NodeRuntime::Result NetnsRuntime::freeze(const Node& n) const { return signal_all(n, SIGSTOP, "freeze"); }
void NetnsRuntime::thaw(const Node& n) const { (void)signal_all(n, SIGCONT, "continue"); }

std::unique_ptr<Backend> NetnsRuntime::backend(const Lab&) const { return std::make_unique<HostActions>(); }

std::vector<std::string> NetnsRuntime::missing(const Lab& lab) const { return host_programs_missing(lab); }

// A lab that names container images, deployed on netns: the images cannot
// be honoured there, said once, with the FRR that runs instead.
std::vector<std::string> NetnsRuntime::notes(const Lab& lab) const {
  if (!lab.names_images()) return {};
  const std::string version = run_command({"", {frr_daemon("zebra"), "--version"}, {}, ""}).out;
  const size_t at = version.find("version ");
  return {fmt::format(
      "the lab names container images, which the netns runtime cannot run: it uses this machine's FRR ({}) and "
      "ExaBGP for every node; --runtime docker or --runtime containerlab runs the images",
      at == std::string::npos ? "not found" : version.substr(at + 8, version.find('\n', at) - at - 8))};
}

NodeRuntime::Result NetnsRuntime::signal_all(const Node& n, int sig, const char* what) const {
  const std::vector<pid_t> pids = processes(n);
  if (pids.empty()) return fail(fmt::format("{} runs nothing to {}", n.name, what));
  for (pid_t p : pids) ::kill(p, sig);
  return {};
}

}  // namespace anylab
