#!/usr/bin/env bash
# Prints a lab: a ring of N routers, instances of one service spread
# evenly around it (4, or one per 100 routers in rings over 400), 2 clients
# each midway between two instances, and one scenario. Used by
# deploy-bench.sh (deploy only) and for `anylab test` at scale.
# Why one instance per 100 routers: a packet crosses at most 63 routers
# (Linux's default TTL is 64), so with 4 instances in a ring of 500 the
# instance client1 fails over to, 64 routers away, cannot answer it.
set -euo pipefail
n=${1:?usage: ring-lab.sh ROUTERS}
k=$(( n > 400 ? (n + 99) / 100 : 4 ))
cat <<HEAD
name: ring-$n
description: Benchmark ring of $n routers, $k instances, 2 clients.
services:
  svc: {prefix: 192.0.2.0/24, address: 192.0.2.1, asn: 64500}
topology:
  nodes:
HEAD
for ((i = 0; i < n; i++)); do echo "    r$i: {kind: router, asn: $((65000 + i))}"; done
for ((i = 0; i < k; i++)); do echo "    inst$i: {kind: instance, service: svc}"; done
echo "    client0: {kind: client}"
echo "    client1: {kind: client}"
echo "  links:"
for ((i = 0; i < n; i++)); do echo "    - [r$i, r$(((i + 1) % n))]"; done
for ((i = 0; i < k; i++)); do echo "    - [inst$i, r$((i * n / k))]"; done
# client0 between inst0 and inst1; client1 between inst2 and inst3 (k >= 4).
echo "    - [client0, r$((n / (2 * k)))]"
echo "    - [client1, r$((2 * n / k + n / (2 * k)))]"
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
