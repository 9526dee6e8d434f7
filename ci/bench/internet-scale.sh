#!/usr/bin/env bash
# Generated Internet labs at scale (issue 30): for each size N it writes
# `anylab generate --internet N` (10 sites and 50 clients from 300 ASes up,
# 5 and 10 below), deploys it, runs its scenarios (every client answered; a
# site crashes), destroys it, and prints: ready, deploy's own actions, the
# machine's memory in use against before (at ready and the most seen while
# the lab ran: MemTotal - MemAvailable, sampled every second), zebra + bgpd
# PSS per router, the verdict, and destroy. KSM=on turns the kernel's page
# merging on for the run (5000 pages per 20 ms scan) and puts every KSM
# setting back on exit; KSM=off (default) leaves it off. The kernel's
# neighbour tables (shared by every namespace; 1024 entries by default) are
# raised to 16384 for the run and put back: anylab refuses a lab that needs
# more than they hold. With CANCEL=S it first deploys and sends SIGTERM
# after S seconds, and says when the last daemon start came, when anylab
# exited, and what it left. With KSM on it also says the memory once KSM
# has done three full scans after ready. Not a test: figures
# for BENCHMARKS.md. Needs root and a build (ci/build.sh). anylab reads
# ANYLAB_MERGE_LAG from the environment (README: Memory; 0: deploy never
# waits for ksmd).
#   KSM=on ci/bench/internet-scale.sh [SIZES...]   default: 100 300 1000
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
ksm=/sys/kernel/mm/ksm
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 300 1000)
tmp=$(mktemp -d)
saved_run=$(cat $ksm/run) saved_pages=$(cat $ksm/pages_to_scan) saved_sleep=$(cat $ksm/sleep_millisecs)
neigh=/proc/sys/net/ipv4/neigh/default neigh6=/proc/sys/net/ipv6/neigh/default
saved_neigh=$(cat $neigh/gc_thresh2 $neigh/gc_thresh3 $neigh6/gc_thresh2 $neigh6/gc_thresh3)
sampler=
restore() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  for n in "${sizes[@]}"; do $anylab destroy "internet-$n" >/dev/null 2>&1 || true; done
  echo "$saved_run" > $ksm/run; echo "$saved_pages" > $ksm/pages_to_scan; echo "$saved_sleep" > $ksm/sleep_millisecs
  set -- $saved_neigh
  echo "$2" > $neigh/gc_thresh3; echo "$1" > $neigh/gc_thresh2; echo "$4" > $neigh6/gc_thresh3; echo "$3" > $neigh6/gc_thresh2
  rm -rf "$tmp"
}
trap restore EXIT
for t in $neigh $neigh6; do echo 16384 > $t/gc_thresh3; echo 8192 > $t/gc_thresh2; done
if [ "${KSM:-off}" = on ]; then
  echo 5000 > $ksm/pages_to_scan; echo 20 > $ksm/sleep_millisecs; echo 1 > $ksm/run
else
  echo 0 > $ksm/run
fi

now() { date +%s.%N; }
used_kb() { awk '/^MemTotal:/ {t = $2} /^MemAvailable:/ {a = $2} END {print t - a}' /proc/meminfo; }
frr_pss() {
  local total=0 pid
  for pid in $(awk '$1 == "pid" && ($5 == "zebra" || $5 == "bgpd") {print $2}' "/run/anylab/$1/journal"); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
gb() { awk "BEGIN{printf \"%.2f GB\", $1 / 1048576}"; }

for n in "${sizes[@]}"; do
  if [ "$n" -ge 300 ]; then s=10 c=50; else s=5 c=10; fi
  $anylab generate --internet "$n" --sites $s --clients $c --seed 7 --out "$tmp/internet-$n.yaml" 2>/dev/null
  sleep "${SETTLE:-10}"
  if [ -n "${CANCEL:-}" ]; then
    ANYLAB_TIMING=1 $anylab deploy "$tmp/internet-$n.yaml" --timeout 900 2>&1 >/dev/null |
      while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done > "$tmp/cancel.log" &
    sleep "$CANCEL"
    pid=$(pgrep -f "anylab deploy $tmp/internet-$n.yaml" | head -1)
    daemons=$(pgrep -c -f "anylab-internet-${n}_" || true)
    tk=$(now); kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    te=$(now); wait
    last=$(awk -v t="$tk" '$2 == "batch" && $3 == "processes:" && $1 > t {l = $1} END {print l ? l - t : 0}' "$tmp/cancel.log")
    printf "== %s ASes: SIGTERM %s s into deploy (%s daemons running): last daemon start %.2f s after it, exit %.2f s after it\n" \
      "$n" "$CANCEL" "$daemons" "$last" "$(awk "BEGIN{print $te - $tk}")"
    printf "   left: %s namespaces, %s processes of the lab\n" "$(ip netns list | grep -c "internet-${n}_" || true)" \
      "$(pgrep -c -f "anylab-internet-${n}_" || true)"
    sleep "${SETTLE:-10}"
  fi
  before=$(used_kb)
  echo 0 > "$tmp/peak"
  ( while :; do u=$(used_kb); [ "$u" -gt "$(cat "$tmp/peak")" ] && echo "$u" > "$tmp/peak"; sleep 1; done ) &
  sampler=$!
  t0=$(now)
  $anylab deploy "$tmp/internet-$n.yaml" --timeout 900 > "$tmp/deploy.out" 2> "$tmp/deploy.err" || {
    cat "$tmp/deploy.out" "$tmp/deploy.err" >&2; exit 1; }
  t1=$(now)
  at_ready=$(used_kb)
  pss=$(frr_pss "internet-$n")
  echo "== $n ASes, $s sites, $c clients, KSM ${KSM:-off}"
  grep "ready in" "$tmp/deploy.out" "$tmp/deploy.err" | sed 's/^[^:]*://' || true
  printf "   deploy %.1f s; memory at ready %s, zebra+bgpd PSS %.1f MB per router\n" "$(awk "BEGIN{print $t1 - $t0}")" \
    "$(gb $((at_ready - before)))" "$(awk "BEGIN{print $pss / $n / 1024}")"
  if [ "${KSM:-off}" = on ]; then
    scans=$(cat $ksm/full_scans)
    while [ "$(cat $ksm/full_scans)" -lt $((scans + 3)) ]; do sleep 1; done
    printf "   KSM: three full scans %.0f s after ready; memory then %s, zebra+bgpd PSS %.1f MB per router\n" \
      "$(awk "BEGIN{print $(now) - $t1}")" "$(gb $(($(used_kb) - before)))" "$(awk "BEGIN{print $(frr_pss "internet-$n") / $n / 1024}")"
  fi
  $anylab run "internet-$n" > "$tmp/run.out" 2>&1 || true
  grep -E "scenarios,|FAIL|control plane" "$tmp/run.out" | sed 's/^ */   /'
  kill "$sampler"; sampler=
  echo "   most memory in use while deployed and running: $(gb $(($(cat "$tmp/peak") - before)))"
  t2=$(now)
  $anylab destroy "internet-$n" | sed 's/^/   /'
  printf "   destroyed in %.1f s; namespaces left: %s\n" "$(awk "BEGIN{print $(now) - $t2}")" "$(ip netns list | grep -c "internet-$n" || true)"
done
