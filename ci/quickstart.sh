#!/usr/bin/env bash
# The main job on the quick-start lab: install, build what a lab runs (anylab
# and the helpers its nodes run, not the tests), check the lab file, then
# `anylab test`: build it for real (FRR routers, ExaBGP instances, clients
# in network namespaces), run its scenarios, take it down. The plan and
# rendered configs are left in out/quickstart/. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh anylab anylab-probe anylab-responder anylab-exabgp-relay >/dev/null
anylab=build/bin/anylab
$anylab validate labs/quickstart.yaml
$anylab plan labs/quickstart.yaml --out out/quickstart >/dev/null
exec $anylab test labs/quickstart.yaml
