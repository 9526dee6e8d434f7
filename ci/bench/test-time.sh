#!/usr/bin/env bash
# Times `anylab test` on every lab in labs/ and checks the test-time goal:
# a lab's scenario time <= sum(convergence + stable) + waits and flaps +
# restores + 1 s per scenario, from each run's JSON report. Not a test: it
# prints figures for BENCHMARKS.md. Needs root and a build (ci/build.sh).
#   ci/bench/test-time.sh [LAB.yaml...]   default: labs/*.yaml
set -euo pipefail
cd "$(dirname "$0")/../.."
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=(labs/*.yaml)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-16s %7s %10s %12s %9s %10s %s\n" lab wall_s scenario_s conv+stable_s restore_s goal_s met
for f in "${labs[@]}"; do
  name=$(basename "$f" .yaml)
  t0=$(date +%s.%N)
  build/bin/anylab test "$f" --json "$tmp/$name.json" > "$tmp/$name.log" 2>&1 || { cat "$tmp/$name.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  python3 - "$tmp/$name.json" "$name" "$(awk "BEGIN{print $t1 - $t0}")" <<'PY'
import json, re, sys
def secs(t):
    v, unit = re.match(r"([\d.]+)(ms|s|m)$", t).groups()
    return float(v) * {"ms": 0.001, "s": 1, "m": 60}[unit]
j = json.load(open(sys.argv[1]))
budget = 0.0
for s in j["scenarios"]:
    for st in s["runs"][0]["steps"]:
        t = st["text"]
        if st["kind"] == "expect":
            m = re.search(r"stable (\S+)", t)
            stable = secs(m.group(1)) if m else 0.5
            if "max-outage" in t:
                budget += (st["longest_outage"] or 0) + stable
            elif st.get("convergence") is not None:
                budget += st["convergence"] + stable
        elif t.startswith("wait "):
            budget += secs(t.split()[1])
        elif t.startswith("flap "):
            a, b = re.search(r"from \+([\d.]+)s to \+([\d.]+)s", st["measured"]).groups()
            budget += float(b) - float(a)
ran = sum(s["runs"][0]["duration"] for s in j["scenarios"])
restores = j["seconds"] - ran
goal = budget + restores + len(j["scenarios"])
print(f"{sys.argv[2]:16} {float(sys.argv[3]):7.2f} {j['seconds']:10.2f} {budget:12.2f} {restores:9.2f} {goal:10.2f} {'yes' if j['seconds'] <= goal else 'NO'}")
PY
done
