#!/usr/bin/env bash
# Prints a lab: a ring of N routers, 4 instances of one service spread
# around it, 2 clients on opposite sides. Used by deploy-bench.sh.
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
