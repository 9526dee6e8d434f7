#!/usr/bin/env bash
# Measures deploy-to-ready and destroy for rings of routers (4 instances,
# 2 clients), the memory of FRR per router, and how close deploy is to its
# floor: the CPU every daemon it started used (utime + stime from
# /proc/<pid>/stat, read when the lab is ready) divided by the cores. For
# the sizes in BYHAND (default 50) it also times ci/bench/by-hand.sh, a
# serial shell script building the same lab, in the same run. Not a test:
# it prints figures for BENCHMARKS.md. Needs root and a build (ci/build.sh).
# With ANYLAB_RUNTIME=docker or containerlab the rings run as containers (images/build.sh
# first), and ctr_pss is what each node's container adds: its containerd
# shim and its init, PSS per node.
#   ci/bench/deploy-bench.sh [SIZES...]   default: 10 50 100 200
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=build/bin/anylab
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 100 200)
tmp=$(mktemp -d)
trap 'for n in "${sizes[@]}"; do $anylab destroy "ring-$n" >/dev/null 2>&1 || true; done; rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
cores=$(nproc)
tick=$(getconf CLK_TCK)
byhand=" ${BYHAND:-50} "
printf "%-8s %9s %9s %12s %12s %8s %9s %9s %7s %9s %7s %10s\n" routers ready_s destroy_s rss_per_rtr pss_per_rtr sessions \
  cpu_s floor_s ready/fl by_hand_s ratio ctr_pss
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
  # Every daemon's CPU so far (fields 14 and 15 of /proc/<pid>/stat, after
  # the command name).
  ticks=0
  for pid in $(awk '$1 == "pid" {print $2}' "/run/anylab/ring-$n/journal"); do
    t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    ticks=$((ticks + ${t:-0}))
  done
  cpu=$(awk "BEGIN{print $ticks / $tick}")
  sessions=$($anylab inspect "ring-$n" --json | grep -c '"state": "Established"')
  ctr="-"
  if [ "${ANYLAB_RUNTIME:-netns}" != netns ]; then
    kb=0 nodes=0
    for init in $(docker ps -q --filter "label=org.anylab.lab=ring-$n" | xargs docker inspect -f '{{.State.Pid}}'); do
      shim=$(awk '/^PPid:/ {print $2}' "/proc/$init/status")
      for pid in "$init" "$shim"; do kb=$((kb + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup"))); done
      nodes=$((nodes + 1))
    done
    ctr=$(awk "BEGIN{printf \"%.1f MB\", $kb / $nodes / 1024}")
  fi
  t2=$(now)
  $anylab destroy "ring-$n" > /dev/null 2>&1
  t3=$(now)
  ready=$(awk "BEGIN{print $t1 - $t0}")
  hand="-" ratio="-"
  if [[ "$byhand" == *" $n "* ]]; then
    sleep "${SETTLE:-10}"
    hand=$(ci/bench/by-hand.sh "$tmp/ring-$n.yaml")
    ratio=$(awk "BEGIN{printf \"%.2f\", $ready / $hand}")
  fi
  printf "%-8s %9.2f %9.2f %9.1f MB %9.1f MB %8s %9.2f %9.2f %7.2f %9s %7s %10s\n" "$n" "$ready" "$(awk "BEGIN{print $t3 - $t2}")" \
    "$(awk "BEGIN{print $rss / $n / 1024}")" "$(awk "BEGIN{print $pss / $n / 1024}")" "$sessions" \
    "$cpu" "$(awk "BEGIN{print $cpu / $cores}")" "$(awk "BEGIN{print $ready / ($cpu / $cores)}")" "$hand" "$ratio" "$ctr"
done
