#!/usr/bin/env bash
# Resilient against plain ECMP (labs/ecmp-resilient.yaml and its twin with
# `resilient: false`): `anylab test --repeat N` per runtime. Per scenario
# (which server dies): the healthy servers' flows re-hashed (each run's
# count, of how many), and the longest outage of any flow after the crash
# (the dead server's flows wait for the edge to drop its session and, with
# resilient, for anylab-resilient-ecmp to follow zebra).
# Not a test: figures for BENCHMARKS.md. Needs root, a build; Docker, the
# images and containerlab for those runtimes.
#   ci/bench/ecmp-resilient.sh [REPEAT] [RUNTIME...]   default 3, netns docker containerlab
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
repeat=${1:-3}
shift || true
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(netns docker containerlab)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Both variants bound nothing they could fail on: the figures are the point.
for v in resilient plain; do
  flag=true
  [ $v = plain ] && flag=false
  sed -e "s/^name: ecmp-resilient/name: ecmpb-$v/" -e "s/hash: l4, resilient: true/hash: l4, resilient: $flag/" \
    -e 's/moved: {.*healthy: {at-most: 0%}}}$/moved: {healthy: {at-most: 100%}}}\n      - expect: {client: users, max-outage: 10s}/' \
    -e '/tcp: {client: users/d' labs/ecmp-resilient.yaml > "$tmp/$v.yaml"
done
for rt in "${runtimes[@]}"; do
  for v in resilient plain; do
    t0=$(date +%s.%N)
    $anylab test "$tmp/$v.yaml" --runtime "$rt" --repeat "$repeat" --json "$tmp/$rt-$v.json" > "$tmp/$rt-$v.out" 2>&1 ||
      { cat "$tmp/$rt-$v.out" >&2; exit 1; }
    echo "ecmp $v on $rt: $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s for $repeat runs" >&2
  done
done
python3 - "$tmp" "${runtimes[@]}" <<'PY'
import json, re, sys
tmp, runtimes = sys.argv[1], sys.argv[2:]
print("| runtime | ECMP | server that dies | healthy flows re-hashed, each run | longest outage of a flow, each run |")
print("|---|---|---|---|---|")
for rt in runtimes:
    for v in ("resilient", "plain"):
        j = json.load(open(f"{tmp}/{rt}-{v}.json"))
        for sc in j["scenarios"]:
            moved, outage = [], []
            for run in sc["runs"]:
                for s in run["steps"]:
                    m = re.search(r"(\d+) of the (\d+) on instances still answering", s.get("measured") or "")
                    if m:
                        moved.append(f"{m.group(1)}/{m.group(2)}")
                    if s.get("kind") == "expect" and "max-outage" in s["text"]:
                        o = re.search(r"([0-9.]+)s", s.get("measured") or "")
                        outage.append(o.group(1) + " s" if o else "?")
            print(f"| {rt} | {v} | {sc['name'].split('-dies')[0]} | {', '.join(moved)} | {', '.join(outage)} |")
PY
