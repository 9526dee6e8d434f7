#!/usr/bin/env bash
# Memory per router, with the kernel's same-page merging (KSM) off and on.
# For each ring size it deploys the ring (ci/bench/ring-lab.sh) twice: once
# with KSM off, once with it on, and reads zebra's and bgpd's PSS per router
# (/proc/<pid>/smaps_rollup) and the machine's memory in use (MemTotal -
# MemAvailable) against before the deploy. With KSM on it waits for KSM to
# have merged (three full scans after ready) and reports how long that took
# and the CPU ksmd used meanwhile. KSM is the machine's setting: this script
# sets it for its run (KSM_PAGES pages per 20 ms scan, default 5000, so that
# it settles in seconds; the kernel's default is 100) and puts every setting
# back on exit. Not a test: it prints figures for BENCHMARKS.md. Needs root
# and a build (ci/build.sh). With SCENARIOS=1 it also runs the ring's
# scenario (`anylab run`) on each deploy before destroying it.
#   ci/bench/memory-bench.sh [SIZES...]   default: 50 200
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
ksm=/sys/kernel/mm/ksm
[ -w "$ksm/run" ] || { echo "memory-bench: $ksm/run is not writable here (root, a kernel with KSM)" >&2; exit 3; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 200)
tmp=$(mktemp -d)
saved_run=$(cat $ksm/run) saved_pages=$(cat $ksm/pages_to_scan) saved_sleep=$(cat $ksm/sleep_millisecs)
restore() {
  for n in "${sizes[@]}"; do $anylab destroy "ring-$n" >/dev/null 2>&1 || true; done
  [ "$saved_run" = 1 ] && echo 1 > $ksm/run || echo 0 > $ksm/run
  echo "$saved_pages" > $ksm/pages_to_scan; echo "$saved_sleep" > $ksm/sleep_millisecs
  rm -rf "$tmp"
}
trap restore EXIT

now() { date +%s.%N; }
used_kb() { awk '/^MemTotal:/ {t = $2} /^MemAvailable:/ {a = $2} END {print t - a}' /proc/meminfo; }
tick=$(getconf CLK_TCK)
ksmd_ticks() { local p; p=$(pgrep -x ksmd | head -1); sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'; }
# zebra + bgpd PSS of every router, kB.
frr_pss() {
  local total=0 pid
  for pid in $(awk '$1 == "pid" && ($5 == "zebra" || $5 == "bgpd") {print $2}' "/run/anylab/$1/journal"); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")))
  done
  echo "$total"
}

printf "%-8s %-4s %8s %13s %13s %10s %9s\n" routers ksm ready_s pss_per_rtr lab_memory merged_s ksmd_cpu
for n in "${sizes[@]}"; do
  ci/bench/ring-lab.sh "$n" > "$tmp/ring-$n.yaml"
  for mode in off on; do
    $anylab destroy "ring-$n" >/dev/null 2>&1 || true
    # Let the kernel finish tearing down the last lab's namespaces.
    sleep "${SETTLE:-10}"
    if [ $mode = on ]; then
      echo "${KSM_PAGES:-5000}" > $ksm/pages_to_scan; echo 20 > $ksm/sleep_millisecs; echo 1 > $ksm/run
    else
      echo 0 > $ksm/run
    fi
    before=$(used_kb) c0=$(ksmd_ticks)
    t0=$(now)
    $anylab deploy "$tmp/ring-$n.yaml" --timeout 600 > /dev/null 2> "$tmp/deploy.err" || {
      cat "$tmp/deploy.err" >&2; exit 1; }
    t1=$(now)
    merged="-" cpu="-"
    if [ $mode = on ]; then
      scans=$(cat $ksm/full_scans)
      while [ "$(cat $ksm/full_scans)" -lt $((scans + 3)) ]; do sleep 0.2; done
      merged=$(awk "BEGIN{printf \"%.1f\", $(now) - $t1}")
      cpu=$(awk "BEGIN{printf \"%.1f s\", ($(ksmd_ticks) - $c0) / $tick}")
    fi
    pss=$(frr_pss "ring-$n") after=$(used_kb)
    printf "%-8s %-4s %8.2f %10.1f MB %10.2f GB %10s %9s\n" "$n" "$mode" "$(awk "BEGIN{print $t1 - $t0}")" \
      "$(awk "BEGIN{print $pss / $n / 1024}")" "$(awk "BEGIN{print ($after - $before) / 1048576}")" "$merged" "$cpu"
    if [ "${SCENARIOS:-0}" = 1 ]; then
      $anylab run "ring-$n" | sed 's/^/    /' || true
    fi
    t2=$(now)
    $anylab destroy "ring-$n" > /dev/null 2>&1
    echo "    destroyed in $(awk "BEGIN{printf \"%.1f\", $(now) - $t2}") s"
  done
done
