// Link impairments on a running lab: loss with nftables, delay with netem.
#include <cmath>

#include <fmt/format.h>

#include "runtime/events.h"
#include "runtime/process.h"

namespace anylab {
namespace {

struct End {
  const Node* node;
  std::string interface;
};

// Both ends of every link between the two (parallel links alike).
std::expected<std::vector<End>, std::string> ends_of(const Lab& lab, const std::string& a, const std::string& b) {
  std::vector<End> out;
  for (const Link* l : lab.links_between(a, b)) {
    out.push_back({lab.find(l->a_node), l->a_interface});
    out.push_back({lab.find(l->b_node), l->b_interface});
  }
  if (out.empty()) return std::unexpected(fmt::format("lab {} has no link between \"{}\" and \"{}\"", lab.name, a, b));
  return out;
}

std::string table_name(const std::string& interface) { return "anylab_impair_" + interface; }

// Loss on what arrives at one end: every packet entering the interface
// dropped with this probability, both ends together impairing both
// directions. nftables' netdev ingress hook sees packets before routing.
std::string loss_ruleset(const std::string& interface, double percent) {
  const long threshold = std::lround(percent * 100);  // out of 10000: 0.01 % steps
  return fmt::format(
      "table netdev {} {{\n  chain loss {{\n    type filter hook ingress device \"{}\" priority -500;\n"
      "    numgen random mod 10000 < {} drop\n  }}\n}}\n",
      table_name(interface), interface, threshold);
}

}  // namespace

std::string netem_missing_message() {
  return "this kernel has no netem queueing discipline (sch_netem), which link delay needs; "
         "`modprobe sch_netem`, or run the lab on a kernel built with CONFIG_NET_SCH_NETEM "
         "(loss works without it, through nftables)";
}

std::expected<void, std::string> impair_link(const Lab& lab, const ImpairStep& step) {
  auto ends = ends_of(lab, step.link.a.value, step.link.b.value);
  if (!ends) return std::unexpected(ends.error());
  for (const End& e : *ends) {
    if (step.loss_percent) {
      RunOutput r = run_command({e.node->netns, {"nft", "-f", "-"}, {}, ""}, loss_ruleset(e.interface, step.loss_percent->value));
      if (r.exit_code != 0)
        return std::unexpected(fmt::format("nftables refused the loss rule on {}:{} (is the nftables package "
                                           "installed and the kernel's nf_tables available?)",
                                           e.node->name, e.interface));
    }
    if (step.delay) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(step.delay->value).count();
      RunOutput r = run_command(
          {e.node->netns, {"tc", "qdisc", "replace", "dev", e.interface, "root", "netem", "delay", fmt::format("{}us", us)}, {}, ""});
      if (r.exit_code != 0) return std::unexpected(netem_missing_message());
    }
  }
  return {};
}

std::expected<void, std::string> clear_impairment(const Lab& lab, const ImpairStep& step) {
  auto ends = ends_of(lab, step.link.a.value, step.link.b.value);
  if (!ends) return std::unexpected(ends.error());
  std::string failed;
  for (const End& e : *ends) {
    if (step.loss_percent &&
        run_command({e.node->netns, {"nft", "delete", "table", "netdev", table_name(e.interface)}, {}, ""}).exit_code != 0)
      failed += fmt::format(" {}:{}", e.node->name, e.interface);
    if (step.delay) (void)run_command({e.node->netns, {"tc", "qdisc", "del", "dev", e.interface, "root"}, {}, ""});
  }
  if (!failed.empty()) return std::unexpected("cannot remove the loss rule on" + failed);
  return {};
}

}  // namespace anylab
