#!/usr/bin/env bash
# The incident labs on the three runtimes: `anylab test --repeat N` of
# labs/hijack-and-leak.yaml, then per runtime
#  - hijack: from the rogue's announcement to each client answered by it
#    (the first one is the "time to hijack"), median over the runs;
#  - ROA published during the hijack: from the publication to the validating
#    transit (tier1-a) holding the new set, to its having re-judged its
#    routes (the step's own measurement, per run), and to its clients
#    being answered by the real instances again.
# Not a test: figures for BENCHMARKS.md. Needs root, a build, Docker, the
# images (images/build.sh) and containerlab (ci/install-containerlab.sh).
#   ci/bench/incidents.sh [REPEAT] [RUNTIME...]   default 5, all three
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
repeat=${1:-5}
shift || true
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(netns docker containerlab)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for runtime in "${runtimes[@]}"; do
  t0=$(date +%s.%N)
  $anylab test labs/hijack-and-leak.yaml --runtime "$runtime" --repeat "$repeat" --json "$tmp/$runtime.json" \
    > "$tmp/$runtime.out" 2>&1 || { cat "$tmp/$runtime.out" >&2; exit 1; }
  echo "hijack-and-leak on $runtime: passed, $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s for $repeat runs" >&2
done
python3 - "$tmp" "${runtimes[@]}" <<'PY'
import json, re, statistics, sys
tmp, runtimes = sys.argv[1], sys.argv[2:]
def med(xs):
    return f"{statistics.median(xs):.3f}" if xs else "-"
print("| runtime | to the first client at the rogue | client-ap / client-b / client-leak | tier1-a holds the ROA | tier1-a re-judged its routes | tier1-a's clients back (client-a / client-eu) |")
print("|---|---:|---:|---:|---:|---:|")
for rt in runtimes:
    j = json.load(open(f"{tmp}/{rt}.json"))
    sc = {s["name"]: s for s in j["scenarios"]}
    hij = sc["more-specific-hijack"]
    per = {}
    for e in hij["expectations"]:
        m = re.match(r"expect (\S+) reaches rogue", e["text"])
        if m and e["convergence"]:
            per[m.group(1)] = e["convergence"]["median"]
    firsts = []
    for run in hij["runs"]:
        starts = [s["convergence"] for s in run["steps"] if s.get("kind") == "expect" and "reaches rogue" in s["text"] and s.get("convergence") is not None]
        if starts:
            firsts.append(min(starts))
    roa = sc["roa-published-during-the-hijack"]
    held, clean = [], []
    for run in roa["runs"]:
        for s in run["steps"]:
            if s.get("kind") == "event" and s["text"].startswith("rpki: publish"):
                m = re.search(r"tier1-a held them after ([0-9.]+)s, re-judged its routes after ([0-9.]+)s", s["measured"])
                if m:
                    held.append(float(m.group(1))); clean.append(float(m.group(2)))
    back = {}
    for e in roa["expectations"]:
        m = re.match(r"expect (client-a|client-eu) reaches (pop-fra|pop-ams)", e["text"])
        if m and e["convergence"]:
            back[m.group(1)] = e["convergence"]["median"]
    print(f"| {rt} | {med(firsts)} s | {per.get('client-ap', 0):.3f} / {per.get('client-b', 0):.3f} / {per.get('client-leak', 0):.3f} s "
          f"| {med(held)} s | {med(clean)} s | {back.get('client-a', 0):.3f} / {back.get('client-eu', 0):.3f} s |")
print(f"\nmedians over {len(hij['runs'])} runs per runtime")
PY
