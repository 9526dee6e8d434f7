#!/usr/bin/env bash
# Full tables (issue 30, item 4): labs/full-table.yaml with each transit's
# background at N routes (0: no background at all), for each N: deploy
# (ready), the memory of each router's daemons at ready (zebra, bgpd and the
# feeder's gobgpd, PSS, from the journal's pids) and of the machine (MemTotal
# - MemAvailable against before), the scenarios (a transit session reset and
# a site failure: when each client was answered again, and the control
# plane's UPDATEs and settled time), and destroy. Not a test: figures for
# BENCHMARKS.md. Needs root and a build (ci/build.sh).
#   RUNTIME=docker ci/bench/full-table.sh [ROUTES...]   default: 0 100000 900000
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
runtime=${RUNTIME:-netns}
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(0 100000 900000)
tmp=$(mktemp -d)
trap '$anylab destroy full-table >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
used_kb() { awk '/^MemTotal:/ {t = $2} /^MemAvailable:/ {a = $2} END {print t - a}' /proc/meminfo; }
pss_mb() {  # NODE DAEMON: the PSS of a recorded daemon, MB
  local pid
  pid=$(awk -v n="$1" -v d="$2" '$1 == "pid" && $4 == n && $5 == d {print $2}' /run/anylab/full-table/journal | tail -1)
  [ -n "$pid" ] && awk '/^Pss:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo -
}

for n in "${counts[@]}"; do
  if [ "$n" = 0 ]; then
    sed -e 's/, background: {routes: 100000, seed: [0-9]}//' labs/full-table.yaml > "$tmp/full-table.yaml"
  else
    sed -e "s/routes: 100000,/routes: $n,/" labs/full-table.yaml > "$tmp/full-table.yaml"
  fi
  sleep "${SETTLE:-5}"
  before=$(used_kb)
  t0=$(now)
  $anylab deploy "$tmp/full-table.yaml" --runtime "$runtime" --timeout 1800 > "$tmp/deploy.out" 2>&1 || {
    cat "$tmp/deploy.out" >&2; exit 1; }
  t1=$(now)
  echo "== $n background routes on each transit ($runtime)"
  grep "ready in" "$tmp/deploy.out" | sed 's/^/   /'
  printf "   deploy %.1f s; machine memory at ready +%.2f GB\n" "$(awk "BEGIN{print $t1 - $t0}")" \
    "$(awk "BEGIN{print ($(used_kb) - $before) / 1048576}")"
  for r in transit-a edge-ams isp-eu edge-sin; do
    printf "   %-9s zebra %5s MB, bgpd %5s MB, feeder %5s MB PSS\n" "$r" "$(pss_mb $r zebra)" "$(pss_mb $r bgpd)" "$(pss_mb $r feeder)"
  done
  $anylab run full-table --json "$tmp/run.json" > "$tmp/run.out" 2>&1 || true
  grep -E "PASS|FAIL|control plane|scenarios," "$tmp/run.out" | sed 's/^ */   /'
  t2=$(now)
  $anylab destroy full-table | sed 's/^/   /'
  printf "   destroyed in %.1f s\n" "$(awk "BEGIN{print $(now) - $t2}")"
done
