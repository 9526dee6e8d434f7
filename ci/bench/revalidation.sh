#!/usr/bin/env bash
# ROA changes under a hijack (labs/roa-changes.yaml), `anylab test --repeat
# N` per runtime; "docker-frr10" and "containerlab-frr10" are the same lab
# on that runtime with every router on anylab/router-trixie (FRR 10.3). Per scenario, medians over the runs,
# counted from the ROAs' publication (the rpki step's own measurement):
# isp-eu (enforcing, multihomed) holding the new set, isp-eu having re-judged
# what it received (taken back what is invalid no more, dropped what became
# invalid), and client-eu answered by the instance the change sends it to.
# Not a test: figures for BENCHMARKS.md. Needs root, a build; Docker, the
# images and containerlab for those runtimes.
#   ci/bench/revalidation.sh [REPEAT] [RUNTIME...]
#   default 5, netns docker containerlab docker-frr10 containerlab-frr10
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
repeat=${1:-5}
shift || true
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(netns docker containerlab docker-frr10 containerlab-frr10)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^project(anylab VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
mkdir -p "$tmp/frr10"
sed "s|^defaults:|defaults:\n  images: {router: anylab/router-trixie:$version}|" labs/roa-changes.yaml > "$tmp/frr10/roa-changes.yaml"
for variant in "${runtimes[@]}"; do
  lab=labs/roa-changes.yaml runtime=$variant
  case "$variant" in *-frr10) lab=$tmp/frr10/roa-changes.yaml runtime=${variant%-frr10} ;; esac
  t0=$(date +%s.%N)
  $anylab test "$lab" --runtime "$runtime" --repeat "$repeat" --json "$tmp/$variant.json" \
    > "$tmp/$variant.out" 2>&1 || { cat "$tmp/$variant.out" >&2; exit 1; }
  echo "roa-changes on $variant: passed, $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s for $repeat runs" >&2
done
python3 - "$tmp" "${runtimes[@]}" <<'PY'
import json, re, statistics, sys
tmp, variants = sys.argv[1], sys.argv[2:]
def med(xs):
    return f"{statistics.median(xs):.2f}" if xs else "-"
scenarios = [("every-roa-withdrawn", "withdraw", "rogue"), ("one-of-two-withdrawn", "withdraw", "rogue"),
             ("roa-published-under-a-hijack", "publish", "pop-ams")]
print("| runtime | scenario | isp-eu holds the new set | isp-eu re-judged its routes | client-eu at the instance |")
print("|---|---|---:|---:|---:|")
for v in variants:
    j = json.load(open(f"{tmp}/{v}.json"))
    sc = {s["name"]: s for s in j["scenarios"]}
    for name, verb, target in scenarios:
        held, judged, moved = [], [], []
        for run in sc[name]["runs"]:
            steps = run["steps"]
            for i, s in enumerate(steps):
                if s.get("kind") != "event" or not s["text"].startswith("rpki: " + verb):
                    continue
                m = re.search(r"isp-eu held them after ([0-9.]+)s, re-judged its routes after ([0-9.]+)s", s["measured"])
                if m:
                    held.append(float(m.group(1))); judged.append(float(m.group(2)))
                for e in steps[i + 1:]:
                    if e.get("kind") == "expect" and e["text"].startswith(f"expect client-eu reaches {target}"):
                        if e.get("convergence") is not None:
                            moved.append(e["convergence"])
                        break
        print(f"| {v} | {name} | {med(held)} s | {med(judged)} s | {med(moved)} s |")
print(f"\nmedians over {len(sc[scenarios[0][0]]['runs'])} runs per runtime")
PY
