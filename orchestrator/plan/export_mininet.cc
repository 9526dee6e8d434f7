#include "plan/export_mininet.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "wire.h"
#include "plan/plan.h"

namespace anylab {
namespace {

using nlohmann::json;

// One plan action as a row of the script's ACTIONS (a Python literal).
struct Row {
  const Action& a;
  json operator()(const CreateNamespace&) const { return {"host", a.node}; }
  json operator()(const CreateVeth& v) const {
    // The plan's namespaces are anylab's names; the script's hosts are the nodes.
    const std::string prefix = v.netns_a.substr(0, v.netns_a.find('_') + 1);
    return {"link", v.netns_a.substr(prefix.size()), v.interface_a, v.netns_b.substr(prefix.size()), v.interface_b};
  }
  json operator()(const AddAddress& x) const {
    return {"sh", a.node, fmt::format("ip address add {} dev {}{}", x.address.str(), x.interface,
                                      x.address.address.is_v6() ? " nodad" : "")};
  }
  json operator()(const SetLinkUp& x) const { return {"up", a.node, x.interface}; }
  json operator()(const AddRoute& x) const {
    return {"sh", a.node, fmt::format("ip route replace {} via {}", x.destination.str(), x.via.str())};
  }
  json operator()(const SetSysctl& x) const {
    std::string path = x.key;
    std::replace(path.begin(), path.end(), '.', '/');
    return {"sh", a.node, fmt::format("echo {} > /proc/sys/{}", sh_word(x.value), path)};
  }
  json operator()(const CreateDirectory& d) const { return {"dir", d.path, d.frr_owned ? 1 : 0}; }
  json operator()(const WriteFile& w) const { return {"file", w.path, w.content}; }
  json operator()(const StartProcess& p) const {
    std::string line;
    for (const auto& [k, v] : p.env) line += sh_word(k + "=" + v) + " ";
    line = (line.empty() ? "" : "env " + line) + "nohup";
    for (const std::string& w : p.argv) line += " " + sh_word(w);
    line += fmt::format(" > {} 2>&1 < /dev/null &", sh_word(p.log_file.empty() ? "/dev/null" : p.log_file));
    return {"start", a.node, p.name, line};
  }
  json operator()(const WaitForSocket& w) const { return {"socket", a.node, w.path}; }
};

// Who answers each client in the lab's first scenario before anything
// happens: its leading expectations (reaches, catchment). Rows of [client,
// protocol, address, port, service, family, instance or ""].
json expectations(const Lab& lab) {
  std::map<std::tuple<std::string, std::string, Family>, std::string> expected;  // client, service, family
  if (!lab.spec.scenarios.empty())
    for (const StepSpec& st : lab.spec.scenarios.front().steps) {
      const auto* e = std::get_if<ExpectStep>(&st.action);
      if (!e) break;
      auto add = [&](const std::string& client, const std::string& instance) {
        const Node* n = lab.find(instance);
        if (!n || !n->service) return;
        for (Family f : n->service->families())
          if (!e->family || e->family->value == f) expected[{client, n->service->name.value, f}] = instance;
      };
      if (e->client && e->reaches) add(e->client->value, e->reaches->value);
      for (const CatchmentSpec& c : e->catchment)
        for (const auto& client : c.clients) add(client.value, c.instance.value);
    }
  json rows = json::array();
  for (const Node& n : lab.nodes) {
    if (n.kind != NodeKind::kClient) continue;
    for (const ServiceSpec& s : lab.spec.services)
      for (Family f : s.families()) {
        auto it = expected.find({n.name, s.name.value, f});
        rows.push_back({n.name, std::string(checks::protocol_name(s.probe)), s.address(f)->str(), s.port,
                        s.name.value, to_string(f), it == expected.end() ? "" : it->second});
      }
  }
  return rows;
}

// A Python literal of JSON's arrays, strings and integers (no booleans or
// nulls are written): JSON's syntax is Python's for those.
// One row a line.
std::string py(const json& rows) {
  std::string out = "[\n";
  for (const json& row : rows) out += "    " + row.dump(-1, ' ', false, json::error_handler_t::replace) + ",\n";
  return out + "]";
}

}  // namespace

std::string export_mininet(const Lab& lab) {
  json actions = json::array();
  for (const Action& a : plan_deploy(lab)) {
    json row = std::visit(Row{a}, a.what);
    row.push_back(a.reason);
    actions.push_back(row);
  }
  std::string s = fmt::format(R"PY(#!/usr/bin/python3
"""Lab {lab} as a Mininet 2.3 script, written by anylab {version} (anylab export --mininet).

  sudo /usr/bin/python3 {lab}.mininet.py           build the lab, open Mininet's CLI; leaving it removes the lab
  sudo /usr/bin/python3 {lab}.mininet.py --check   build it, wait until every client is answered as the lab's
                                                   first scenario expects (at most 90 s, or --timeout S), print
                                                   who answers each, remove it; exit 0 only when all were

Each node is a Mininet host (no switch, no controller), each link the lab's veth
pair under the lab's interface names; in each host, in the order `anylab deploy`
uses, the lab's addresses, routes, sysctls, files, FRR, ExaBGP and the responder.
The programs are this machine's: Debian's mininet, frr and exabgp, and anylab's
helpers at the paths below. Needs root; the lab must not be deployed by anylab
meanwhile (the same files)."""
import os
import pwd
import signal
import socket
import sys
import time

from mininet.cli import CLI
from mininet.log import setLogLevel
from mininet.net import Mininet

LAB = {lab_q}
RUNTIME_DIR = {runtime_dir}
PROBE = {probe}
# The plan: [what, ...its arguments, why].
ACTIONS = {actions}
# Who answers each client before anything happens (the first scenario's
# expectations): [client, protocol, address, port, service, family, instance or ""].
EXPECT = {expect}

)PY",
      fmt::arg("lab", lab.name), fmt::arg("version", ANYLAB_VERSION), fmt::arg("lab_q", json(lab.name).dump()),
      fmt::arg("runtime_dir", json(lab.runtime_dir).dump()),
      fmt::arg("probe", json(lab.paths.host_helper_dir + "/anylab-probe").dump()), fmt::arg("actions", py(actions)),
      fmt::arg("expect", py(expectations(lab))));
  // The rest is the same for every lab.
  s += R"PY(

def in_netns_of(host):
    """Every process in the host's network namespace but its shell."""
    ino = os.stat(f"/proc/{host.pid}/ns/net").st_ino
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(pid) != host.pid and os.stat(f"/proc/{pid}/ns/net").st_ino == ino:
                out.append(int(pid))
        except OSError:
            pass
    return out


def wait_for_socket(path, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return
        except OSError:
            time.sleep(0.01)
        finally:
            s.close()
    raise RuntimeError(f"nothing listens on {path} after {seconds} s")


def wait_for_carrier(host, interface):
    """A veth end that came up without carrier (seen now and then) is bounced."""
    for attempt in range(3):
        for _ in range(100):
            if "LOWER_UP" in host.cmd(f"ip -o link show {interface}"):
                return
            time.sleep(0.02)
        host.cmd(f"ip link set {interface} down; ip link set {interface} up")
    raise RuntimeError(f"{host.name}:{interface} has no carrier")


def build(net, hosts, made):
    frr = pwd.getpwnam("frr")
    for row in ACTIONS:
        what, args, why = row[0], row[1:-1], row[-1]
        if what not in ("host", "link") and not made.get("built"):
            net.build()  # every host and link is there: Mininet configures them
            made["built"] = True
        if what == "host":
            hosts[args[0]] = net.addHost(args[0], ip=None)
        elif what == "link":
            a, ia, b, ib = args
            net.addLink(hosts[a], hosts[b], intfName1=ia, intfName2=ib)
        elif what in ("sh", "up"):
            node, line = args[0], args[1] if what == "sh" else f"ip link set {args[1]} up"
            out = hosts[node].cmd(line + " 2>&1; echo rc=$?").strip()
            if not out.endswith("rc=0"):
                raise RuntimeError(f"{node}: {line} ({why}): {out}")
            if what == "up" and args[1] != "lo":
                wait_for_carrier(hosts[node], args[1])
        elif what == "dir":
            os.makedirs(args[0], exist_ok=True)
            made.setdefault("dirs", []).append(args[0])
            if args[1]:
                os.chown(args[0], frr.pw_uid, frr.pw_gid)
        elif what == "file":
            with open(args[0], "w") as f:
                f.write(args[1])
        elif what == "start":
            node, name, line = args
            hosts[node].cmd(line)
        elif what == "socket":
            wait_for_socket(args[1])


def answers():
    """Who answers each expected client now: {(client, service, family): instance or None}."""
    out = {}
    for client, proto, address, port, service, family, _ in EXPECT:
        r = HOSTS[client].cmd(f"{PROBE} {proto} {address} {port} --timeout 500ms 2> /dev/null; echo rc=$?")
        lines = r.strip().splitlines()
        out[(client, service, family)] = lines[0] if len(lines) >= 2 and lines[-1] == "rc=0" else None
    return out


def check(seconds=90):
    deadline = time.monotonic() + seconds
    while True:
        seen = answers()
        good = all(seen[(c, s, f)] == (want or seen[(c, s, f)]) and seen[(c, s, f)] for c, _, _, _, s, f, want in EXPECT)
        if good or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for client, _, _, _, service, family, want in EXPECT:
        got = seen[(client, service, family)]
        ok = got is not None and (not want or got == want)
        print(f"{'ok  ' if ok else 'FAIL'} {client} {service} {family}: answered by {got or 'nobody'}"
              f" (expected {want or 'any instance'})")
    return good


def remove(net, made):
    for host in HOSTS.values():
        for pid in in_netns_of(host):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    net.stop()
    for row in ACTIONS:
        if row[0] == "start" and "-N" in row[3]:
            instance = row[3].split(" -N ")[1].split()[0]
            os.system(f"rm -rf /var/run/frr/{instance}")
    os.system(f"rm -rf {RUNTIME_DIR}")


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit(f"{sys.argv[0]}: Mininet needs root: run it with sudo")
    if os.path.exists(RUNTIME_DIR):
        sys.exit(f"{sys.argv[0]}: {RUNTIME_DIR} exists: lab {LAB} is deployed (by anylab, or this script); "
                 f"remove it first (anylab destroy {LAB})")
    setLogLevel("warning")
    net = Mininet(topo=None, controller=None, build=False)
    HOSTS, made, ok = {}, {}, False
    start = time.monotonic()
    try:
        build(net, HOSTS, made)
        print(f"lab {LAB} built in Mininet in {time.monotonic() - start:.1f} s")
        if "--check" in sys.argv[1:]:
            args = sys.argv[1:]
            ok = check(float(args[args.index("--timeout") + 1]) if "--timeout" in args else 90)
            print(f"lab {LAB} {'ready' if ok else 'NOT ready'} {time.monotonic() - start:.1f} s after the start")
        else:
            CLI(net)
            ok = True
    finally:
        remove(net, made)
    sys.exit(0 if ok else 1)
)PY";
  return s;
}

}  // namespace anylab
