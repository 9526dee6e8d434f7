#!/usr/bin/env bash
# Installs containerlab (the real tool) where it is absent, built from the
# Go module proxy: containerlab's go.mod has `replace` directives, so
# `go install github.com/srl-labs/containerlab@VERSION` refuses; a small
# wrapper module that requires the pinned release and repeats its replace
# lines builds it, with the build tags and flags of containerlab's own
# release build (.goreleaser.yml). Two more replaces point modules whose
# vanity hosts the proxy no longer serves at the repositories they moved to.
#   ci/install-containerlab.sh            installs /usr/local/bin/containerlab
# Needs Go (go1.22 or later) and root. Safe to repeat.
set -euo pipefail
version=v0.59.0
target=/usr/local/bin/containerlab
if command -v containerlab > /dev/null && containerlab version 2> /dev/null | grep -q "${version#v}"; then
  exit 0
fi
if ! command -v go > /dev/null; then
  for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [ -x "$g" ] && PATH=$(dirname "$g"):$PATH && break; done
fi
command -v go > /dev/null || { echo "anylab: containerlab is built with Go: apt-get install golang-go" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/go.mod" <<EOF
module anylab.local/containerlab-build

go 1.22.1

require github.com/srl-labs/containerlab $version

// containerlab's own (its go.mod).
replace (
	github.com/weaveworks/ignite v0.10.0 => github.com/networkop/ignite v0.0.0-20240730102642-a3f2f53f9abc
	github.com/weaveworks/libgitops v0.0.0-20200611103311-2c871bbbbf0c => github.com/networkop/libgitops v0.0.0-20221014201752-02ecf9790f58
)

// Moved: vbom.ml/util to github.com/fvbommel/util, inet.af/netaddr to
// github.com/inetaf/netaddr (same commits).
replace (
	vbom.ml/util v0.0.0-20160121211510-db5cfe13f5cc => github.com/fvbommel/util v0.0.0-20160121211510-db5cfe13f5cc
	inet.af/netaddr v0.0.0-20230525184311-b8eac61e914a => github.com/inetaf/netaddr v0.0.0-20230525184311-b8eac61e914a
)
EOF
echo "building containerlab $version (Go modules from the proxy; a few minutes the first time)"
start=$(date +%s)
(
  cd "$work"
  # The checksum database is not reachable from here; the modules come from
  # the proxy over HTTPS.
  export GOFLAGS=-mod=mod CGO_ENABLED=0 GOSUMDB=${GOSUMDB:-off}
  go get "github.com/srl-labs/containerlab@$version" > "$work/get.log" 2>&1 || { cat "$work/get.log" >&2; exit 1; }
  go build -trimpath \
    -tags "podman exclude_graphdriver_btrfs btrfs_noversion exclude_graphdriver_devicemapper exclude_graphdriver_overlay containers_image_openpgp" \
    -ldflags "-s -w -X github.com/srl-labs/containerlab/cmd.version=${version#v}" \
    -o "$work/containerlab" github.com/srl-labs/containerlab
)
install -m 0755 "$work/containerlab" "$target"
echo "installed $target ($("$target" version 2>/dev/null | awk '/version/ {print $2; exit}')) in $(($(date +%s) - start)) s"
