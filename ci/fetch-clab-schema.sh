#!/usr/bin/env bash
# Fetches containerlab's own JSON schema for topology files, from the
# containerlab release anylab pins (the same as ci/install-containerlab.sh),
# through the Go module proxy, into build/clab.schema.json: the export test
# validates `anylab export --containerlab` output against it. Nothing of
# containerlab is kept in the repository. Needs Go (golang-go) and the proxy.
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
