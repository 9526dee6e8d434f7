#!/usr/bin/env bash
# What offered load costs the measurement, and how much of it this machine
# can offer (issue 21, item 7). Two parts, on one runtime:
#  1. labs/quickstart.yaml as it is and with `load: {rate: RATE}`, each
#     `anylab test --repeat N`: per expectation, the median convergence and
#     the longest outage with and without load, and their difference in
#     probe intervals (the bound: 2);
#  2. the same lab steady for 5 s (its baseline, then a wait) at rising
#     rates: what the clients sent and had answered; the highest rate at
#     which >= 99.9 % was answered and every expectation held.
# Not a test: figures for BENCHMARKS.md. Needs root and a build (and, for
# docker or containerlab, the images and containerlab).
#   ci/bench/load.sh [REPEAT] [RUNTIME] [RATE] [SWEEP...]
#   defaults: 5 netns 2000 "2000 5000 10000 20000 40000"
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
repeat=${1:-5}
runtime=${2:-netns}
rate=${3:-2000}
shift 3 2>/dev/null || shift $#
sweep=("$@")
[ ${#sweep[@]} -gt 0 ] || sweep=(2000 5000 10000 20000 40000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

with_load() {  # RATE < lab > lab: offered load added to its defaults
  sed "s|^defaults:|defaults:\n  load: {rate: $1/s}|"
}
steady() {  # < lab > lab: its scenarios replaced by 5 s of steady load
  sed '/^scenarios:/,$d'
  cat <<'EOF'
scenarios:
  - name: steady
    steps:
      - expect: {catchment: {pop-ams: [client-eu], pop-sin: [client-ap]}}
      - wait: 5s
EOF
}

run() {  # NAME LABFILE ARGS...: anylab test, its JSON in $tmp/NAME.json
  local name=$1 file=$2
  shift 2
  local t0
  t0=$(date +%s.%N)
  if ! $anylab test "$file" --runtime "$runtime" --json "$tmp/$name.json" "$@" > "$tmp/$name.out" 2>&1; then
    echo "$name: did not pass (see below)" >&2
    tail -20 "$tmp/$name.out" >&2
    return 1
  fi
  echo "$name on $runtime: passed in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s" >&2
}

cp labs/quickstart.yaml "$tmp/quickstart.yaml"
mkdir -p "$tmp/loaded"
with_load "$rate" < labs/quickstart.yaml > "$tmp/loaded/quickstart.yaml"
run without "$tmp/quickstart.yaml" --repeat "$repeat"
run with "$tmp/loaded/quickstart.yaml" --repeat "$repeat"

status=0
for r in "${sweep[@]}"; do
  mkdir -p "$tmp/sweep-$r"
  steady < labs/quickstart.yaml | with_load "$r" > "$tmp/sweep-$r/quickstart.yaml"
  run "sweep-$r" "$tmp/sweep-$r/quickstart.yaml" || status=1
done

python3 - "$tmp" "$rate" "$runtime" "${sweep[@]}" <<'PY'
import json, os, statistics, sys
tmp, rate, runtime, sweep = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def load(name):
    return json.load(open(f"{tmp}/{name}.json"))
without, with_ = load("without"), load("with")
interval = without["probe"]["interval"]
def per_expectation(j):
    out = {}
    for s in j["scenarios"]:
        for e in s["expectations"]:
            out[(s["name"], e["text"])] = e
    return out
a, b = per_expectation(without), per_expectation(with_)
print(f"Part 1: quickstart on {runtime}, {without['repeat']} runs each, without and with {rate}/s of offered load "
      f"(probe interval {interval * 1000:.0f} ms)\n")
print("| expectation | convergence without | with | difference | longest outage without | with | difference |")
print("|---|---:|---:|---:|---:|---:|---:|")
worst = 0.0
for key, x in a.items():
    y = b.get(key)
    if not y:
        continue
    row = [f"{key[0]}: {key[1]}"]
    for what in ("convergence", "longest_outage"):
        p, q = x.get(what), y.get(what)
        if p and q:
            d = q["median"] - p["median"]
            worst = max(worst, abs(d))
            row += [f"{p['median']:.3f} s", f"{q['median']:.3f} s", f"{d * 1000:+.0f} ms ({d / interval:+.1f} intervals)"]
        else:
            row += ["-", "-", "-"]
    print("| " + " | ".join(row) + " |")
print(f"\nLargest difference of a median: {worst * 1000:.0f} ms = {worst / interval:.1f} probe intervals "
      f"({'within' if worst <= 2 * interval + 1e-9 else 'OVER'} the bound of 2).\n")
print(f"Part 2: 5 s of steady load on {runtime} (quickstart, two clients, weights 1 and 1)\n")
print("| offered | sent | answered | share answered | expectations |")
print("|---:|---:|---:|---:|---|")
best = None
for r in sweep:
    path = f"{tmp}/sweep-{r}.json"
    if not os.path.exists(path):
        print(f"| {r}/s | - | - | - | run failed |")
        continue
    j = json.load(open(path))
    sent = answered = 0
    for s in j["scenarios"]:
        for run in s["runs"]:
            for c in run.get("load", {}).get("clients", []):
                sent += c["sent"]
                answered += c["answered"]
    ok = j["pass"]
    share = 100.0 * answered / sent if sent else 0
    print(f"| {r}/s | {sent} | {answered} | {share:.3f} % | {'held' if ok else 'FAILED'} |")
    if ok and share >= 99.9:
        best = r
print(f"\nHighest rate answered >= 99.9 % with every expectation held: {best + '/s' if best else 'none of these'}")
PY
exit $status
