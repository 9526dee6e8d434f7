#!/usr/bin/env bash
# Fetches containerlab's own JSON schema for topology files, from the
# containerlab release anylab pins (the same as ci/install-containerlab.sh),
# and clabernetes v0.6.0's Topology CRD, through the Go module proxy, into
# build/: the export tests validate `anylab export --containerlab` and
# `--clabernetes` output against them. Nothing of either is kept in the
# repository. Needs Go (golang-go) and the proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.79.0
if ! command -v go > /dev/null; then
  for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [ -x "$g" ] && PATH=$(dirname "$g"):$PATH && break; done
fi
if ! command -v go > /dev/null && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go > /dev/null
fi
command -v go > /dev/null || { echo "ci/fetch-clab-schema.sh: needs Go: apt-get install golang-go" >&2; exit 3; }
dir=$(GOFLAGS=-mod=mod GOSUMDB=${GOSUMDB:-off} \
  go mod download -json "github.com/srl-labs/containerlab@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
mkdir -p build
install -m 0644 "$dir/schemas/clab.schema.json" build/clab.schema.json
echo "containerlab $version's topology schema: build/clab.schema.json"
# clabernetes' Topology CRD, for the clabernetes export's test.
clabernetes=v0.6.0
dir=$(GOFLAGS=-mod=mod GOSUMDB=${GOSUMDB:-off} \
  go mod download -json "github.com/srl-labs/clabernetes@$clabernetes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
install -m 0644 "$dir/assets/crd/clabernetes.containerlab.dev_topologies.yaml" build/clabernetes-topologies.crd.yaml
echo "clabernetes $clabernetes's Topology CRD: build/clabernetes-topologies.crd.yaml"
