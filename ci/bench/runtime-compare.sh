#!/usr/bin/env bash
# The same labs on the three runtimes, in one run: `anylab test --repeat N` of
# labs whose scenarios cover each event kind (crash: quickstart; freeze
# without and with BFD: silent-failure; dead service, link cut, BGP
# shutdown, flap, loss: dns-three-pops), then per expectation the median
# convergence (or longest outage) on netns, docker and containerlab, and
# the container runtimes' difference from netns in probe intervals. Not a
# test: figures for BENCHMARKS.md. Needs root, a build, Docker, the images
# (images/build.sh) and containerlab (ci/install-containerlab.sh).
#   ci/bench/runtime-compare.sh [REPEAT]   default 3
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
repeat=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
labs=(quickstart silent-failure dns-three-pops)
runtimes=(netns docker containerlab)
for runtime in "${runtimes[@]}"; do
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
runtimes = ["netns", "docker", "containerlab"]
print(f"{'lab / scenario / expectation':<64} {'':>6} {'netns':>7} {'docker':>7} {'clab':>7} {'docker':>8} {'clab':>8}")
for lab in labs:
    r = {rt: json.load(open(f"{tmp}/{lab}-{rt}.json")) for rt in runtimes}
    a = r["netns"]
    interval = a["probe"]["interval"] if isinstance(a.get("probe"), dict) and "interval" in a["probe"] else 0.01
    for i, sa in enumerate(a["scenarios"]):
        for j, ea in enumerate(sa["expectations"]):
            key = "convergence" if ea["convergence"] else "longest_outage" if ea["longest_outage"] else None
            others = [r[rt]["scenarios"][i]["expectations"][j] for rt in runtimes[1:]]
            if not key or not all(o[key] for o in others):
                continue
            x = ea[key]["median"]
            ys = [o[key]["median"] for o in others]
            what = "outage" if key == "longest_outage" else "conv"
            name = f"{lab} / {sa['name']} / {ea['text']}"[:64]
            print(f"{name:<64} {what:>6} {x:7.3f} {ys[0]:7.3f} {ys[1]:7.3f} "
                  f"{(ys[0] - x) / interval:+6.1f}iv {(ys[1] - x) / interval:+6.1f}iv")
PY
