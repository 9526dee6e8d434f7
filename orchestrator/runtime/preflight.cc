#include "runtime/preflight.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "plan/render_frr.h"
#include "runtime/host_actions.h"
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

// The kernel keeps one neighbour table per family for every namespace
// together, and past its gc_thresh3 entries a packet to a neighbour not yet
// resolved fails ("No buffer space available"): measured, a lab of 300
// routers and 50 clients had 27 clients unanswered with the table at 1024.
// Each interface resolves its peer (over IPv6 its link-local address too).
void check_neighbour_tables(const Lab& lab, std::vector<std::string>& problems) {
  size_t v4 = 0, v6 = 0;
  for (const Node& n : lab.nodes)
    for (const Interface& i : n.interfaces)
      for (const InterfaceAddress& a : i.addresses) (a.local.family() == Family::kIpv4 ? v4 : v6) += 1;
  for (const auto& [family, needed] : {std::pair{"ipv4", v4}, std::pair{"ipv6", 2 * v6}}) {
    const std::string key = fmt::format("net.{}.neigh.default.gc_thresh3", family);
    std::ifstream in(fmt::format("/proc/sys/net/{}/neigh/default/gc_thresh3", family));
    size_t limit = 0;
    if (!(in >> limit) || needed <= limit) continue;
    problems.push_back(fmt::format(
        "lab {} needs about {} {} neighbour entries (one per link end), and this kernel's neighbour table holds {} "
        "for every namespace together ({}): past it, packets fail with \"No buffer space available\". Raise it for "
        "the machine (sysctl -w {}={} net.{}.neigh.default.gc_thresh2={}) and deploy again",
        lab.name, needed, family, limit, key, key, 2 * needed, family, needed));
  }
}

}  // namespace

std::vector<std::string> in_the_way(const Lab& lab, const NodeRuntime& runtime) {
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
  for (std::string& b : runtime.in_the_way(lab)) out.push_back(std::move(b));
  return out;
}

std::vector<std::string> preflight(const Lab& lab, const NodeRuntime& runtime) {
  std::vector<std::string> problems;
  if (::geteuid() != 0)
    problems.push_back("anylab needs root to create network namespaces and veth pairs: run it with sudo");
  for (std::string& p : runtime.missing(lab)) problems.push_back(std::move(p));
  if (run_command({"", {"ip", "-V"}, {}, ""}).exit_code != 0)
    problems.push_back("iproute2's ip is missing: apt-get install iproute2");
  check_neighbour_tables(lab, problems);
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
