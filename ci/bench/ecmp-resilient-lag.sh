#!/usr/bin/env bash
# How far anylab-resilient-ecmp trails zebra: labs/ecmp-resilient.yaml
# deployed (renamed), `ip -ts monitor route nexthop` in the edge, and a
# server crashed and restored N times. Per event, from zebra's change of
# the main table's route to the service prefix (its route or nexthop group,
# proto zebra) to the helper's change of the resilient copy (group
# 3000000000, or its route in table 4053): the time stamps are the kernel
# notifications as `ip monitor` read them.
# Not a test: figures for BENCHMARKS.md. Needs root and a build (and Docker,
# the images, containerlab for those runtimes).
#   ci/bench/ecmp-resilient-lag.sh [RUNTIME] [N]   default netns 5
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
runtime=${1:-netns}
n=${2:-5}
tmp=$(mktemp -d)
lab=ecmpb-lag
monitor=
cleanup() {
  [ -n "$monitor" ] && kill "$monitor" 2> /dev/null || true
  $anylab destroy $lab > /dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sed "s/^name: ecmp-resilient/name: $lab/" labs/ecmp-resilient.yaml > "$tmp/lab.yaml"
$anylab deploy "$tmp/lab.yaml" --runtime "$runtime" > /dev/null
$anylab exec $lab edge -- ip -ts monitor route nexthop > "$tmp/monitor.log" 2>&1 &
monitor=$!
sleep 1
for i in $(seq "$n"); do
  for server in srv-1 srv-3; do
    $anylab fail $lab --node $server --mode crash > /dev/null
    sleep 2
    $anylab restore $lab --node $server > /dev/null
    sleep 4
  done
done
sleep 1
kill "$monitor" 2> /dev/null || true
wait "$monitor" 2> /dev/null || true
monitor=
python3 - "$tmp/monitor.log" "$runtime" <<'PY'
import re, statistics, sys
from datetime import datetime
zebra_at, lags = None, []
for line in open(sys.argv[1]):
    m = re.match(r"\[(\S+)\]\s*(.*)", line)
    if not m:
        continue
    t = datetime.fromisoformat(m.group(1)).timestamp()
    text = m.group(2)
    ours = "3000000" in text or "table 4053" in text
    if not ours and ("192.0.2.0/24" in text and "proto bgp" in text):
        zebra_at = zebra_at or t
    elif ours and zebra_at is not None:
        lags.append((t - zebra_at) * 1000)
        zebra_at = None
if not lags:
    sys.exit("no change of zebra's route followed by the helper's was seen")
print(f"{sys.argv[2]}: {len(lags)} changes of zebra's route followed; helper's lag median "
      f"{statistics.median(lags):.1f} ms, max {max(lags):.1f} ms (each: {', '.join(f'{x:.1f}' for x in lags)})")
PY
