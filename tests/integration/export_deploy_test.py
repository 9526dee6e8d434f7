#!/usr/bin/env python3
"""`anylab export --containerlab` output, brought up and probed: does the
exported lab answer every client from the expected instance?

containerlab itself cannot deploy on this project's machines (it reads
/proc/modules, which a kernel without loadable modules lacks; see the
README), so this test does containerlab's part of a deploy directly with
Docker and iproute2, as containerlab does it for `kind: linux` nodes:
each node a container of its `image` running its `cmd` (with the
capabilities a lab needs and /proc/sys writable: containerlab makes nodes
privileged, which this machine's Docker cannot grant, CAP_SYS_RESOURCE
being withheld from the whole sandbox), with its
`binds` (relative to the topology file) and no network (`network-mode:
none`), each link a veth pair created straight into the two containers'
network namespaces under the endpoint names, then each node's `exec` lines
run in it with `docker exec`. Everything else (addresses, routes, sysctls,
FRR, ExaBGP, the responder) is the export's own start.sh. Containers are
labelled org.anylab.test=export and removed at the end, whatever happens.
    export_deploy_test.py ANYLAB LAB_FILE PROTO ADDRESS PORT CLIENT=INSTANCE...
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time

import yaml

anylab, lab_file, proto, address, port = sys.argv[1:6]
want = dict(kv.split("=") for kv in sys.argv[6:])
label = "org.anylab.test=export"


def run(*argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def cleanup():
    ids = run("docker", "ps", "-aq", "--filter", f"label={label}", check=False).stdout.split()
    if ids:
        run("docker", "rm", "-f", *ids, check=False)


def main(out):
    run(anylab, "export", lab_file, "--containerlab", out)
    [topo_file] = [f for f in os.listdir(out) if f.endswith(".clab.yml")]
    with open(os.path.join(out, topo_file)) as f:
        topo = yaml.safe_load(f)
    lab, nodes = topo["name"], topo["topology"]["nodes"]
    pid = {}
    for name, node in nodes.items():
        assert node.get("network-mode") == "none", name
        argv = ["docker", "create", "--name", f"anylabx-{lab}-{name}", "--label", label,
                "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW", "--cap-add", "SYS_ADMIN",
                "--security-opt", "systempaths=unconfined",
                "--network", "none", "--hostname", name]
        for bind in node.get("binds", []):
            host, path = bind.split(":", 1)
            argv += ["-v", f"{os.path.join(out, host)}:{path}"]
        run(*argv, node["image"], *shlex.split(node["cmd"]))
        run("docker", "start", f"anylabx-{lab}-{name}")
        pid[name] = run("docker", "inspect", "-f", "{{.State.Pid}}", f"anylabx-{lab}-{name}").stdout.strip()
    for link in topo["topology"]["links"]:
        (a, ia), (b, ib) = (e.split(":") for e in link["endpoints"])
        run("ip", "link", "add", ia, "netns", pid[a], "type", "veth", "peer", "name", ib, "netns", pid[b])
    for name, node in nodes.items():
        for line in node.get("exec", []):
            r = run("docker", "exec", f"anylabx-{lab}-{name}", *shlex.split(line), check=False)
            if r.returncode != 0:
                raise RuntimeError(f"{name}: `{line}` exited {r.returncode}: {r.stderr.strip()}")
    seen = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for client in want:
            r = run("docker", "exec", f"anylabx-{lab}-{client}", "/usr/libexec/anylab/anylab-probe", proto, address,
                    port, "--timeout", "500ms", check=False)
            seen[client] = r.stdout.strip() if r.returncode == 0 else "nobody"
        if seen == want:
            break
        time.sleep(0.5)
    for client, instance in want.items():
        print(f"{'ok  ' if seen.get(client) == instance else 'FAIL'} {client}: answered by {seen.get(client)}"
              f" (expected {instance})")
    return seen == want


cleanup()
try:
    with tempfile.TemporaryDirectory() as out:
        ok = main(out)
finally:
    cleanup()
sys.exit(0 if ok else 1)
