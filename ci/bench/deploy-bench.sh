#!/usr/bin/env bash
# Measures deploy-to-ready and destroy for rings of routers (4 instances,
# 2 clients), and the memory of FRR per router. Not a test: it prints
# figures for BENCHMARKS.md. Needs root and a build (ci/build.sh).
#   ci/bench/deploy-bench.sh [SIZES...]   default: 10 50 100 200
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 100 200)
tmp=$(mktemp -d)
trap 'for n in "${sizes[@]}"; do $anylab destroy "ring-$n" >/dev/null 2>&1 || true; done; rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
printf "%-8s %10s %10s %12s %12s %8s\n" routers ready_s destroy_s rss_per_rtr pss_per_rtr sessions
for n in "${sizes[@]}"; do
  ci/bench/ring-lab.sh "$n" > "$tmp/ring-$n.yaml"
  # The kernel tears namespaces down in a workqueue after `ip netns delete`
  # returns; let the last size's teardown finish before timing this one.
  sleep "${SETTLE:-10}"
  $anylab destroy "ring-$n" >/dev/null 2>&1 || true
  t0=$(now)
  $anylab deploy "$tmp/ring-$n.yaml" --timeout 120 > "$tmp/deploy.out" 2> "$tmp/deploy.err" || {
    cat "$tmp/deploy.err" >&2; exit 1; }
  t1=$(now)
  # FRR's memory: zebra and bgpd of every router, from /proc/<pid>/smaps_rollup.
  rss=0; pss=0
  for pid in $(awk '$1 == "pid" && ($5 == "zebra" || $5 == "bgpd") {print $2}' "/run/anylab/ring-$n/journal"); do
    r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup"); p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
    rss=$((rss + r)); pss=$((pss + p))
  done
  sessions=$($anylab inspect "ring-$n" --json | grep -c '"state": "Established"')
  t2=$(now)
  $anylab destroy "ring-$n" > /dev/null 2>&1
  t3=$(now)
  printf "%-8s %10.2f %10.2f %9.1f MB %9.1f MB %8s\n" "$n" "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print $t3 - $t2}")" \
    "$(awk "BEGIN{print $rss / $n / 1024}")" "$(awk "BEGIN{print $pss / $n / 1024}")" "$sessions"
done
