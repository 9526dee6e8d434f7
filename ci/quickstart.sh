#!/usr/bin/env bash
# The main job on the quick-start lab: install, build, check the lab file,
# build it for real (FRR routers, ExaBGP instances, clients in network
# namespaces), show who answers each client, and take it down again. The
# plan and rendered configs are left in out/quickstart/. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh >/dev/null
anylab=build/bin/anylab
$anylab validate labs/quickstart.yaml
$anylab plan labs/quickstart.yaml --out out/quickstart >/dev/null
trap '$anylab destroy quickstart' EXIT
$anylab deploy labs/quickstart.yaml
$anylab inspect quickstart
