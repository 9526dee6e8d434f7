#!/usr/bin/env python3
"""`anylab export --mininet` run under Debian's Mininet 2.3: the script
builds the lab in Mininet hosts, `--check` finds every client answered as
the lab's first scenario expects, exits 0, and leaves nothing (no runtime
directory, FRR run directory or process of the lab's); with an expectation
the lab does not meet it exits 1 naming the client, and still leaves
nothing. The lab runs under its own name (NAME) so that it never meets a
deployed copy of itself.
    export_mininet_test.py ANYLAB LAB_FILE NAME WRONG_CLIENT WRONG_INSTANCE"""
import os
import re
import subprocess
import sys
import tempfile

anylab, lab_file, name, wrong_client, wrong_instance = sys.argv[1:6]


def leftovers():
    out = []
    if os.path.exists(f"/run/anylab/{name}"):
        out.append(f"/run/anylab/{name}")
    out += [f"/var/run/frr/{d}" for d in os.listdir("/var/run/frr") if d.startswith(f"anylab-{name}_")]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"/run/anylab/{name}/" in cmd or f"anylab-{name}_" in cmd:
            out.append(f"process {pid}: {cmd}")
    return out


def run_script(text, out, *extra):
    lab = os.path.join(out, f"{name}.yaml")
    with open(lab, "w") as f:
        f.write(text)
    script = os.path.join(out, f"{name}.mininet.py")
    r = subprocess.run([anylab, "export", lab, "--mininet", script], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"export exited {r.returncode}: {r.stderr}")
    r = subprocess.run(["/usr/bin/python3", script, "--check", *extra], capture_output=True, text=True, timeout=300)
    print(r.stdout, end="")
    return r


# Mininet raises some of the machine's limits when it starts (its
# fixLimits: the neighbour tables to 16384, buffers, file-max...) and
# never puts them back; the test leaves the machine as it found it.
MININET_SYSCTLS = ["fs/file-max", "net/core/wmem_max", "net/core/rmem_max", "net/ipv4/tcp_rmem", "net/ipv4/tcp_wmem",
                   "net/core/netdev_max_backlog", "net/ipv4/neigh/default/gc_thresh1",
                   "net/ipv4/neigh/default/gc_thresh2", "net/ipv4/neigh/default/gc_thresh3",
                   "net/ipv4/route/max_size", "kernel/pty/max"]


def sysctls():
    out = {}
    for key in MININET_SYSCTLS:
        try:
            with open(f"/proc/sys/{key}") as f:
                out[key] = f.read()
        except OSError:
            pass
    return out


def put_back(saved):
    for key in saved:
        try:
            with open(f"/proc/sys/{key}", "w") as f:
                f.write(saved[key])
        except OSError as e:
            print(f"FAIL cannot put back /proc/sys/{key}: {e}")


saved_sysctls = sysctls()
with open(lab_file) as f:
    original = f.read()
text = re.sub(r"^name: \S+", f"name: {name}", original, count=1, flags=re.M)
failed = False
with tempfile.TemporaryDirectory() as out:
    # The copy's neighbours as the lab's: files a lab names (a health
    # command's scripts) are relative to it.
    lab_dir = os.path.dirname(os.path.abspath(lab_file))
    for entry in os.listdir(lab_dir):
        if os.path.isdir(os.path.join(lab_dir, entry)):
            os.symlink(os.path.join(lab_dir, entry), os.path.join(out, entry))
    r = run_script(text, out)
    if r.returncode != 0 or "FAIL" in r.stdout or "ok  " not in r.stdout:
        print(f"FAIL: --check exited {r.returncode} on the lab as it is:\n{r.stderr[-3000:]}")
        failed = True
    left = leftovers()
    for thing in left:
        print(f"FAIL left behind: {thing}")
    failed |= bool(left)
    # The first scenario made to expect what the lab does not do.
    wrong = text.replace("  - name:", f"  - name: wrong-first\n    steps:\n      - expect: {{client: {wrong_client}, "
                         f"reaches: {wrong_instance}}}\n  - name:", 1)
    r = run_script(wrong, out, "--timeout", "15")
    if r.returncode != 1 or f"FAIL {wrong_client}" not in r.stdout:
        print(f"FAIL: --check exited {r.returncode} on a wrong expectation, output:\n{r.stdout}{r.stderr[-3000:]}")
        failed = True
    left = leftovers()
    for thing in left:
        print(f"FAIL left behind after the wrong expectation: {thing}")
    failed |= bool(left)
put_back(saved_sysctls)
changed = {k: v for k, v in sysctls().items() if saved_sysctls.get(k) != v}
for key in changed:
    print(f"FAIL /proc/sys/{key} is {changed[key].strip()}, was {saved_sysctls[key].strip()}")
failed |= bool(changed)
sys.exit(1 if failed else 0)
