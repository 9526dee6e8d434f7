// What events do to a running lab (plan.h's second half), carried out from
// the host on every runtime: a daemon's configuration over its vty socket,
// a command into an instance's ExaBGP control FIFO, a recorded process
// killed, loss with nftables and delay with netem inside the node's
// network namespace.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "runtime/frr_vty.h"
#include "core/error.h"
#include "runtime/host_actions.h"
#include "runtime/process.h"
#include "unique_fd.h"

namespace anylab {
namespace {

using Done = std::expected<void, Error>;

std::string loss_table(const std::string& interface) { return "anylab_impair_" + interface; }

// Loss on what arrives at one end: every packet entering the interface
// dropped with this probability, both ends together impairing both
// directions. nftables' netdev ingress hook sees packets before routing.
std::string loss_ruleset(const std::string& interface, double percent) {
  const long threshold = std::lround(percent * 100);  // out of 10000: 0.01 % steps
  return fmt::format(
      "table netdev {} {{\n  chain loss {{\n    type filter hook ingress device \"{}\" priority -500;\n"
      "    numgen random mod 10000 < {} drop\n  }}\n}}\n",
      loss_table(interface), interface, threshold);
}

// Non-blocking: with no reader, open fails (ENXIO) instead of hanging.
Done send_to_exabgp(const std::string& node, const SendToExabgp& s) {
  const UniqueFd fd(::open(s.fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd)
    return fail(fmt::format("ExaBGP's control channel of {} is not open ({}: {}); is the lab deployed?",
                            node, s.fifo, std::strerror(errno)));
  const std::string line = s.command + "\n";
  const bool ok = ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (!ok) return fail(fmt::format("cannot write to {}: {}", s.fifo, std::strerror(errno)));
  return {};
}

struct Change {
  const std::string& node;
  Done operator()(const ConfigureFrr& c) const { return frr_configure(c.instance, c.daemon, c.lines, c.then); }
  Done operator()(const SendToExabgp& s) const { return send_to_exabgp(node, s); }
  Done operator()(const KillProcess& k) const {
    if (!same_process(k.pid, k.start_time)) return fail(fmt::format("{} has no running {}", node, k.name));
    ::kill(k.pid, SIGKILL);
    return {};
  }
  Done operator()(const SetLoss& l) const {
    if (run_command({l.netns, {"nft", "-f", "-"}, {}, ""}, loss_ruleset(l.interface, l.percent)).exit_code != 0)
      return fail(fmt::format("nftables refused the loss rule on {}:{} (is the nftables package "
                              "installed and the kernel's nf_tables available?)",
                              node, l.interface));
    return {};
  }
  Done operator()(const ClearLoss& l) const {
    if (run_command({l.netns, {"nft", "delete", "table", "netdev", loss_table(l.interface)}, {}, ""}).exit_code != 0)
      return fail(fmt::format("cannot remove the loss rule on {}:{}", node, l.interface));
    return {};
  }
  Done operator()(const SetDelay& d) const {
    const std::string us = fmt::format("{}us", d.delay.count());
    if (run_command({d.netns, {"tc", "qdisc", "replace", "dev", d.interface, "root", "netem", "delay", us}, {}, ""})
            .exit_code != 0)
      return fail(netem_missing_message());
    return {};
  }
  Done operator()(const ClearDelay& d) const {
    (void)run_command({d.netns, {"tc", "qdisc", "del", "dev", d.interface, "root"}, {}, ""});
    return {};
  }
  template <typename Other>
  Done operator()(const Other&) const {
    return fail(std::string("not a change to a running lab"));
  }
};

}  // namespace

std::string netem_missing_message() {
  return "this kernel has no netem queueing discipline (sch_netem), which link delay needs; "
         "`modprobe sch_netem`, or run the lab on a kernel built with CONFIG_NET_SCH_NETEM "
         "(loss works without it, through nftables)";
}

// Each in order; the first that fails stops the rest.
std::expected<std::vector<Spawned>, Error> apply_changes(std::span<const Action> batch) {
  for (const Action& a : batch)
    if (auto done = std::visit(Change{a.node}, a.what); !done) return fail(done.error());
  return std::vector<Spawned>{};
}

}  // namespace anylab
