#include "plan/export_containerlab.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "plan/plan.h"

namespace anylab {
namespace {

// A YAML scalar, double-quoted (a JSON string is one).
std::string yq(const std::string& s) { return nlohmann::json(s).dump(); }

// The shell lines that do one plan action inside the node; "" for what the
// export does otherwise (namespaces and links are containerlab's, files are
// in the node's directory).
struct ShellLines {
  std::string operator()(const CreateNamespace&) const { return ""; }
  // A node's own pair (a background feeder's) is made inside it; links
  // between nodes are containerlab's.
  std::string operator()(const CreateVeth& v) const {
    if (v.netns_a != v.netns_b) return "";
    return fmt::format("ip link add {} type veth peer name {}\n", v.interface_a, v.interface_b);
  }
  std::string operator()(const WriteFile&) const { return ""; }
  std::string operator()(const AddAddress& a) const {
    // nodad: the interface existed before IPv6's defaults were set.
    return fmt::format("ip address add {} dev {}{}\n", a.address.str(), a.interface,
                       a.address.address.is_v6() ? " nodad" : "");
  }
  std::string operator()(const SetLinkUp& a) const { return fmt::format("ip link set {} up\n", a.interface); }
  // The node's `sysctls:` (containerlab sets them as it makes the
  // container): /proc/sys is read-only in an unprivileged container.
  std::string operator()(const SetSysctl&) const { return ""; }
  std::string operator()(const AddRoute& a) const {
    const bool default_v4 = a.destination.length == 0 && !a.destination.address.is_v6();
    return fmt::format("ip route replace {} via {}\n", default_v4 ? "default" : a.destination.str(), a.via.str());
  }
  std::string operator()(const CreateDirectory& a) const {
    return fmt::format("mkdir -p {}\n", sh_word(a.path)) + (a.frr_owned ? fmt::format("chown frr:frr {}\n", sh_word(a.path)) : "");
  }
  std::string operator()(const StartProcess& a) const {
    std::string line = "nohup";
    if (!a.env.empty()) {
      line = "env";
      for (const auto& [k, v] : a.env) line += " " + sh_word(k + "=" + v);
      line += " nohup";
    }
    for (const std::string& w : a.argv) line += " " + sh_word(w);
    return line + fmt::format(" > {} 2>&1 < /dev/null &\n", sh_word(a.log_file.empty() ? "/dev/null" : a.log_file));
  }
  std::string operator()(const WaitForSocket& a) const {
    return fmt::format("wait_for \"[ -S {} ]\" {}\n", a.path, sh_word(a.path));
  }
  // What events do (a link down, a configuration, ...) is never in a deploy plan.
  template <typename Change>
  std::string operator()(const Change&) const {
    return "";
  }
};

std::string start_script(const Lab& lab, const Node& n, const std::vector<Action>& plan) {
  std::string s = fmt::format(
      "#!/bin/sh\n"
      "# {} ({}) of lab {}: what `anylab deploy` does inside this node, in its\n"
      "# order. containerlab runs it (exec) once the node's links are wired.\n"
      "set -e\n"
      "wait_for() {{  # CONDITION WHAT: up to 30 s\n"
      "  n=0\n"
      "  until eval \"$1\"; do\n"
      "    n=$((n + 1)); [ $n -le 300 ] || {{ echo \"start.sh: no $2 after 30 s\" >&2; exit 1; }}; sleep 0.1\n"
      "  done\n"
      "}}\n",
      n.name, to_string(n.kind), lab.name);
  s += "# the node's name resolves without DNS (ExaBGP asks for its FQDN at start)\n"
       "grep -qw \"$(hostname)\" /etc/hosts || echo \"127.0.0.1 $(hostname)\" >> /etc/hosts\n";
  for (const Interface& i : n.interfaces)
    s += fmt::format("wait_for \"ip link show {} > /dev/null 2>&1\" {}  # toward {}\n", i.name, i.name, i.peer_node);
  const bool runs_frr = std::any_of(plan.begin(), plan.end(), [&](const Action& a) {
    const auto* p = std::get_if<StartProcess>(&a.what);
    return a.node == n.name && p && std::find(p->argv.begin(), p->argv.end(), "-N") != p->argv.end();
  });
  if (runs_frr)  // a package's run directory is made at boot, which a container has not had
    s += "# FRR's run directory: each daemon makes its -N directory in it\nmkdir -p /var/run/frr\nchown frr:frr /var/run/frr\n";
  for (const Action& a : plan) {
    if (a.node != n.name) continue;
    const std::string lines = std::visit(ShellLines{}, a.what);
    if (lines.empty()) continue;
    s += "# " + a.reason + "\n" + lines;
  }
  return s;
}

}  // namespace

std::string clab_node_settings(const Lab& lab, const Node& n, bool pulled) {
  // Unprivileged (this machine's Docker cannot grant privileged, and a lab
  // needs no more than these), no management network; never pulled where
  // the images are anylab's own, built on the machine. Never restarted
  // (containerlab's default for linux nodes is `always`): a restarted node
  // would come back without its links' addresses or daemons, and a
  // destroy that stops the nodes first had the engine restart every one.
  return fmt::format(
      "    {}:\n      kind: linux\n      image: {}\n      image-pull-policy: {}\n      restart-policy: \"no\"\n"
      "      network-mode: none\n      privileged: false\n      cap-add: [NET_ADMIN, NET_RAW, SYS_ADMIN]\n"
      "      cmd: sleep infinity\n",
      n.name, yq(lab.image_of(n)), pulled ? "IfNotPresent" : "never");
}

std::string clab_sysctls(const std::vector<Action>& plan, const Node& n) {
  std::string out;
  for (const Action& a : plan)
    if (const auto* s = std::get_if<SetSysctl>(&a.what); s && a.node == n.name)
      out += fmt::format("        {}: {}\n", s->key, yq(s->value));
  return out.empty() ? "" : "      sysctls:\n" + out;
}

std::string clab_links(const Lab& lab) {
  std::string out = "  links:\n";
  for (const Link& l : lab.links)
    out += fmt::format("    - endpoints: [{}, {}]\n", yq(l.a_node + ":" + l.a_interface), yq(l.b_node + ":" + l.b_interface));
  return out;
}

std::string clab_yaml_string(const std::string& s) { return yq(s); }

std::map<std::string, std::string> export_containerlab(const Lab& lab, bool pulled) {
  std::map<std::string, std::string> files;
  const std::vector<Action> plan = plan_deploy(lab);
  std::string topo = fmt::format(
      "# Lab {} as a containerlab topology, written by anylab {} (anylab export).\n"
      "#   containerlab deploy -t {}.clab.yml\n"
      "# Needs containerlab 0.79 or later, and anylab's images (anylab/images/build.sh,\n"
      "# or from your registry).\n"
      "name: {}\nmgmt:\n  skip-when-unused: true\ntopology:\n  nodes:\n",
      lab.name, ANYLAB_VERSION, lab.name, lab.name);
  for (const Node& n : lab.nodes) {
    const std::string dir = n.runtime_dir;  // where the node's configs say its files are
    topo += clab_node_settings(lab, n, pulled) + clab_sysctls(plan, n);
    topo += fmt::format("      binds:\n        - {}\n", yq(n.name + ":" + dir));
    topo += fmt::format("      exec:\n        - {}\n", yq("sh " + dir + "/start.sh"));
    for (const auto& [name, text] : n.files) files[n.name + "/" + name] = text;
    files[n.name + "/start.sh"] = start_script(lab, n, plan);
  }
  files[lab.name + ".clab.yml"] = topo + clab_links(lab);
  return files;
}

}  // namespace anylab
