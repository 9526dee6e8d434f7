#include "runtime/preflight.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "plan/render_frr.h"
#include "runtime/events.h"
#include "runtime/runtimes.h"
#include "runtime/process.h"

namespace anylab {

namespace fs = std::filesystem;

namespace {

// What the lab's impair steps need of the kernel, tried in a namespace made
// for the purpose (a thread's own, gone with it): netem for delay, nftables
// for loss.
void check_impairments(const Lab& lab, std::vector<std::string>& problems) {
  bool loss = false, delay = false;
  for (const ScenarioSpec& sc : lab.spec.scenarios)
    for (const StepSpec& st : sc.steps)
      if (const auto* i = std::get_if<ImpairStep>(&st.action)) {
        loss |= i->loss_percent.has_value();
        delay |= i->delay.has_value();
      }
  if (!loss && !delay) return;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;  // reported below
    if (delay && run_command({"", {"tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"}, {}, ""}).exit_code != 0)
      problems.push_back(netem_missing_message());
    if (loss && run_command({"", {"nft", "add", "table", "netdev", "anylab_preflight"}, {}, ""}).exit_code != 0)
      problems.push_back("link loss needs nftables (the nft command and the kernel's nf_tables): apt-get install nftables");
  }).join();
}

}  // namespace

std::vector<std::string> in_the_way(const Lab& lab) {
  std::vector<std::string> out;
  auto check = [&](const std::string& path, const char* what, const std::string& fix) {
    if (fs::exists(path))
      out.push_back(fmt::format("{} {} already exists, and no deploy of lab {} made it: anylab leaves it alone; if it "
                                "is a leftover of yours, remove it ({}) and deploy again",
                                what, path, lab.name, fix));
  };
  check(lab.runtime_dir, "the runtime directory", "rm -r " + lab.runtime_dir);
  for (const Node& n : lab.nodes) {
    check(netns_path(n.netns), "the network namespace", "ip netns delete " + n.netns);
    if (n.kind == NodeKind::kRouter || uses_bfd(n))
      check(frr_run_dir(n.netns), "FRR's run directory", "rm -r " + frr_run_dir(n.netns));
  }
  for (std::string& b : runtime_of(lab).in_the_way(lab)) out.push_back(std::move(b));
  return out;
}

std::vector<std::string> host_programs_missing(const Lab& lab) {
  std::vector<std::string> problems;
  bool bfd = false;
  for (const Node& n : lab.nodes) bfd |= uses_bfd(n);
  for (const char* d : {"zebra", "bgpd", "bfdd"}) {
    if (std::string(d) == "bfdd" && !bfd) continue;
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
  if (run_command({"", {lab.paths.python, "-c", "import exabgp"}, {}, ""}).exit_code != 0)
    problems.push_back(fmt::format("ExaBGP is missing for {}: apt-get install exabgp", lab.paths.python));
  if (!fs::exists(lab.paths.helper_dir + "/anylab-responder"))
    problems.push_back(fmt::format("anylab-responder is missing from {}: build it (ci/build.sh) or install anylab",
                                   lab.paths.helper_dir));
  return problems;
}

std::vector<std::string> preflight(const Lab& lab) {
  std::vector<std::string> problems;
  if (::geteuid() != 0)
    problems.push_back("anylab needs root to create network namespaces and veth pairs: run it with sudo");
  for (std::string& p : runtime_of(lab).missing(lab)) problems.push_back(std::move(p));
  if (run_command({"", {"ip", "-V"}, {}, ""}).exit_code != 0)
    problems.push_back("iproute2's ip is missing: apt-get install iproute2");
  if (!fs::exists(lab.paths.host_helper_dir + "/anylab-probe"))
    problems.push_back(fmt::format("anylab-probe is missing from {}: build it (ci/build.sh) or install anylab",
                                   lab.paths.host_helper_dir));
  if (::geteuid() == 0) {
    bool ok = false;
    std::thread([&] { ok = ::unshare(CLONE_NEWNET) == 0; }).join();
    if (!ok) problems.push_back("this kernel or container does not allow network namespaces (unshare CLONE_NEWNET failed)");
    else check_impairments(lab, problems);
  }
  return problems;
}

}  // namespace anylab
