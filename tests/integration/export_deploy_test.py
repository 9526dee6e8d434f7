#!/usr/bin/env python3
"""`anylab export --containerlab` output deployed by the real containerlab
(0.79, ci/install-containerlab.sh) and probed: does the exported lab answer
every client from the expected instance? Everything inside the nodes
(addresses, routes, FRR, ExaBGP, the responder) is the export's own
start.sh, run by containerlab's `exec`; sysctls are the topology's. The lab
is destroyed with `containerlab destroy --cleanup` at the end, whatever
happens, and must leave no container, netns link, /etc/hosts line or ssh
config behind.
    export_deploy_test.py ANYLAB LAB_FILE PROTO ADDRESS PORT CLIENT=INSTANCE...
"""
import os
import subprocess
import sys
import tempfile
import time

import yaml

anylab, lab_file, proto, address, port = sys.argv[1:6]
want = dict(kv.split("=") for kv in sys.argv[6:])
# containerlab would ask the Internet for its newest release otherwise.
env = dict(os.environ, CLAB_VERSION_CHECK="disable")


def run(*argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()[-2000:]}")
    return r


def leftovers(lab):
    out = [f"container {n}" for n in run("docker", "ps", "-a", "--format", "{{.Names}}").stdout.split()
           if n.startswith(f"clab-{lab}-")]
    out += [f"/run/netns/{n}" for n in os.listdir("/run/netns") if n.startswith(f"clab-{lab}-")]
    if os.path.exists(f"/etc/ssh/ssh_config.d/clab-{lab}.conf"):
        out.append(f"/etc/ssh/ssh_config.d/clab-{lab}.conf")
    with open("/etc/hosts") as f:
        if f"CLAB-{lab}-START" in f.read():
            out.append("/etc/hosts block")
    return out


def main(out):
    run(anylab, "export", lab_file, "--containerlab", out)
    [topo_file] = [f for f in os.listdir(out) if f.endswith(".clab.yml")]
    topo_path = os.path.join(out, topo_file)
    with open(topo_path) as f:
        topo = yaml.safe_load(f)
    lab = topo["name"]
    for name, node in topo["topology"]["nodes"].items():
        assert node.get("network-mode") == "none" and node.get("privileged") is False, name
    start = time.monotonic()
    try:
        run("containerlab", "deploy", "-t", topo_path)
        deployed = time.monotonic() - start
        seen = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for client in want:
                r = run("docker", "exec", f"clab-{lab}-{client}", "/usr/libexec/anylab/anylab-probe", proto, address,
                        port, "--timeout", "500ms", check=False)
                seen[client] = r.stdout.strip() if r.returncode == 0 else "nobody"
            if seen == want:
                break
            time.sleep(0.5)
        print(f"containerlab deploy took {deployed:.1f} s; every client answered {time.monotonic() - start:.1f} s "
              f"after it started")
    finally:
        run("containerlab", "destroy", "-t", topo_path, "--cleanup", check=False)
    for client, instance in want.items():
        print(f"{'ok  ' if seen.get(client) == instance else 'FAIL'} {client}: answered by {seen.get(client)}"
              f" (expected {instance})")
    left = leftovers(lab)
    for thing in left:
        print(f"FAIL left behind: {thing}")
    return seen == want and not left


with tempfile.TemporaryDirectory() as out:
    ok = main(out)
sys.exit(0 if ok else 1)
