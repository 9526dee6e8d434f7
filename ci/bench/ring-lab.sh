#!/usr/bin/env bash
# Prints a lab: a ring of N routers, 4 instances of one service spread
# around it, 2 clients on opposite sides, and one scenario. Used by
# deploy-bench.sh (deploy only) and for `anylab test` at scale.
set -euo pipefail
n=${1:?usage: ring-lab.sh ROUTERS}
cat <<HEAD
name: ring-$n
description: Benchmark ring of $n routers, 4 instances, 2 clients.
services:
  svc: {prefix: 192.0.2.0/24, address: 192.0.2.1, asn: 64500}
topology:
  nodes:
HEAD
for ((i = 0; i < n; i++)); do echo "    r$i: {kind: router, asn: $((65000 + i))}"; done
for k in 0 1 2 3; do echo "    inst$k: {kind: instance, service: svc}"; done
echo "    client0: {kind: client}"
echo "    client1: {kind: client}"
echo "  links:"
for ((i = 0; i < n; i++)); do echo "    - [r$i, r$(((i + 1) % n))]"; done
for k in 0 1 2 3; do echo "    - [inst$k, r$((k * n / 4))]"; done
echo "    - [client0, r$((n / 8))]"
echo "    - [client1, r$((n / 2 + n / 8))]"
# One scenario, so that `anylab test` has something to measure at any size:
# an instance near client1 crashes and comes back; client1 must stay
# answered (by whichever instance BGP picks: in small rings two are equally
# near) with no outage over 30 s either time.
cat <<TAIL
scenarios:
  - name: an-instance-crashes-and-comes-back
    steps:
      - fail: {node: inst2, mode: crash}
      - expect: {client: client1, max-outage: 30s}
      - restore: {node: inst2}
      - expect: {client: client1, max-outage: 30s}
TAIL
