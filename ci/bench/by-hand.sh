#!/usr/bin/env bash
# Builds a lab the way a person's serial shell script would, as the yardstick
# for `anylab deploy` (deploy-bench.sh prints the ratio): one command per
# step, in order: `ip netns add`, `ip link add ... type veth`, `ip addr`,
# `ip link set up`, `ip route`, `sysctl` and each daemon started with
# `ip netns exec`, the same rendered configs (from `anylab plan --out`), then
# polls `vtysh` and anylab-probe until every session is Established and every
# client is answered. Prints the seconds it took; removes everything it made
# (by the pids it started and the names it created) before it exits.
#   ci/bench/by-hand.sh LAB.yaml
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
lab_file=${1:?usage: by-hand.sh LAB.yaml}
work=$(mktemp -d)
pids=() namespaces=() frr_dirs=() runtime=""
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for ns in "${namespaces[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  for d in "${frr_dirs[@]}"; do rm -rf "$d"; done
  [ -n "$runtime" ] && rm -rf "$runtime"
  rm -rf "$work"
}
trap cleanup EXIT
"$anylab" plan "$lab_file" --out "$work/out" > "$work/plan.txt" 2> /dev/null
lab=$(awk 'NR == 1 {print $2}' "$work/plan.txt" | tr -d :)
start=$(date +%s.%N)
routers=() clients=()
while read -r _ verb rest; do
  case "$verb" in
    netns) ns=${rest#add }; ip netns add "$ns"; namespaces+=("$ns") ;;
    veth)
      read -r a _ b <<< "$rest"
      ip link add "${a#*:}" netns "${a%%:*}" type veth peer name "${b#*:}" netns "${b%%:*}" ;;
    address) read -r addr _ where <<< "$rest"; ip -n "${where%%:*}" address add "$addr" dev "${where#*:}" ;;
    up) ip -n "${rest%%:*}" link set "${rest#*:}" up ;;
    route) read -r ns dest _ via <<< "$rest"; ip -n "$ns" route replace "$dest" via "$via" ;;
    sysctl) read -r ns kv <<< "$rest"; ip netns exec "$ns" sysctl -qw "$kv" ;;
    mkdir)
      dir=${rest%% *}; mkdir -p "$dir"
      [ -z "$runtime" ] && runtime=$dir
      [[ "$rest" == *"owned by frr"* ]] && chown frr:frr "$dir" ;;
    write)
      path=${rest%% *}; node_file=${path#"$runtime"/}
      cp "$work/out/$node_file" "$path" ;;
    wait)
      sock=${rest#for }
      until [ -S "$sock" ]; do sleep 0.01; done ;;
    start)
      # "start NAME in NS: [ENV=V ...] ARGV... > LOG"
      name=${rest%% *}; ns=${rest#* in }; ns=${ns%%:*}
      cmd=${rest#*: }; log=${cmd##* > }; cmd=${cmd% > *}
      [ "$name" = zebra ] && { routers+=("$ns"); frr_dirs+=("/var/run/frr/$ns"); }
      eval "ip netns exec $ns env $cmd" > "$log" 2>&1 < /dev/null &
      pids+=($!)
      disown $! ;;
  esac
done < <(grep -E '^ +[0-9]+  ' "$work/plan.txt")
# Clients: the nodes with a default route and no process.
for c in $(awk '/\(client\): default via/ {print $1}' "$work/plan.txt"); do clients+=("anylab-${lab}_$c"); done
service=$(awk '/answers .* on .*:[0-9]+ with its name/ {print $0; exit}' "$work/plan.txt" | grep -oE '[0-9.]+:[0-9]+' | head -1)
# Ready: every session Established (vtysh per router, as a person would),
# then every client answered.
for r in "${routers[@]}"; do
  until vtysh -N "$r" -c 'show bgp summary json' 2>/dev/null |
        python3 -c 'import json,sys; p=json.load(sys.stdin)["ipv4Unicast"]["peers"]; sys.exit(0 if p and all(v["state"]=="Established" for v in p.values()) else 1)' 2>/dev/null; do
    sleep 0.1
  done
done
for c in "${clients[@]}"; do
  until ip netns exec "$c" build/bin/anylab-probe udp "${service%:*}" "${service#*:}" --timeout 200ms > /dev/null 2>&1; do sleep 0.1; done
done
end=$(date +%s.%N)
awk "BEGIN{printf \"%.2f\n\", $end - $start}"
