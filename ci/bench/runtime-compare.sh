#!/usr/bin/env bash
# The same labs on both runtimes, in one run: `anylab test --repeat N` of
# labs whose scenarios cover each event kind (crash: quickstart; freeze
# without and with BFD: silent-failure; dead service, link cut, BGP
# shutdown, flap, loss: dns-three-pops), then per expectation the median
# convergence (or longest outage) on netns and on docker, and their
# difference in probe intervals. Not a test: figures for BENCHMARKS.md.
# Needs root, a build, Docker and the images (images/build.sh).
#   ci/bench/runtime-compare.sh [REPEAT]   default 3
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
repeat=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
labs=(quickstart silent-failure dns-three-pops)
for runtime in netns docker; do
  for lab in "${labs[@]}"; do
    t0=$(date +%s.%N)
    $anylab test "labs/$lab.yaml" --runtime "$runtime" --repeat "$repeat" --json "$tmp/$lab-$runtime.json" \
      > "$tmp/$lab-$runtime.out" 2>&1 || { cat "$tmp/$lab-$runtime.out" >&2; exit 1; }
    echo "$lab on $runtime: passed, $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s for $repeat runs" >&2
  done
done
python3 - "$tmp" "${labs[@]}" <<'PY'
import json, sys
tmp, labs = sys.argv[1], sys.argv[2:]
print(f"{'lab / scenario / expectation':<70} {'':>7} {'netns':>7} {'docker':>7} {'diff':>9}")
for lab in labs:
    a = json.load(open(f"{tmp}/{lab}-netns.json"))
    b = json.load(open(f"{tmp}/{lab}-docker.json"))
    interval = a["probe"]["interval"] if isinstance(a.get("probe"), dict) and "interval" in a["probe"] else 0.01
    for sa, sb in zip(a["scenarios"], b["scenarios"]):
        for ea, eb in zip(sa["expectations"], sb["expectations"]):
            key = "convergence" if ea["convergence"] else "longest_outage" if ea["longest_outage"] else None
            if not key or not eb[key]:
                continue
            x, y = ea[key]["median"], eb[key]["median"]
            what = "outage" if key == "longest_outage" else "conv"
            name = f"{lab} / {sa['name']} / {ea['text']}"[:70]
            print(f"{name:<70} {what:>7} {x:7.3f} {y:7.3f} {(y - x) / interval:+6.1f} iv")
PY
