#!/usr/bin/python3
"""Lab @@LAB@@ as a Mininet 2.3 script, written by anylab @@VERSION@@ (anylab export --mininet).

  sudo /usr/bin/python3 @@LAB@@.mininet.py           build the lab, open Mininet's CLI; leaving it removes the lab
  sudo /usr/bin/python3 @@LAB@@.mininet.py --check   build it, wait until every client is answered as the lab's
                                                   first scenario expects (at most 90 s, or --timeout S), print
                                                   who answers each, remove it; exit 0 only when all were

Each node is a Mininet host (no switch, no controller), each link the lab's veth
pair under the lab's interface names; in each host, in the order `anylab deploy`
uses, the lab's addresses, routes, sysctls, files, FRR, ExaBGP and the responder.
The programs are this machine's: Debian's mininet, frr and exabgp, and anylab's
helpers at the paths below. Needs root; the lab must not be deployed by anylab
meanwhile (the same files)."""
import base64
import os
import pwd
import signal
import socket
import sys
import time

from mininet.cli import CLI
from mininet.log import setLogLevel
from mininet.net import Mininet

LAB = @@LAB_LITERAL@@
RUNTIME_DIR = @@RUNTIME_DIR@@
PROBE = @@PROBE@@
# The plan: [what, ...its arguments, why].
ACTIONS = @@ACTIONS@@
# Who answers each client before anything happens (the first scenario's
# expectations): [client, protocol, address, port, service, family, instance or ""].
EXPECT = @@EXPECT@@



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
        elif what == "file64":
            with open(args[0], "wb") as f:
                f.write(base64.b64decode(args[1]))
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
