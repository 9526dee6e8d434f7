#!/usr/bin/env bash
# Installs containerlab (the real tool), v0.79.0, where it is absent or
# older, built from its module source served by the Go module proxy, with one
# carried fix: ci/containerlab/kernel-modules.patch (deploy stops at
# "open /proc/modules" on kernels without loadable module support; the patch
# says why and is upstream-ready).
#   ci/install-containerlab.sh      installs /usr/local/bin/containerlab
# Build as containerlab's own release (.goreleaser.yml) does, but without the
# `podman` tag: the proxy does not serve the go.podman.io modules, and without
# the tag only the docker runtime is compiled in (all anylab uses). Needs Go
# 1.26 (/usr/local/go) and root. Safe to repeat. No host is named here: Go's
# own GOPROXY default applies unless the environment sets one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=v0.79.0
target=${CONTAINERLAB_TARGET:-/usr/local/bin/containerlab}

# The installed version, "0" when there is none.
installed() {
  local v
  v=$("$target" version 2> /dev/null | awk '$1 == "version:" {print $2; exit}') || true
  echo "${v:-0}"
}
newer_or_same() {  # $1 >= $2, both x.y.z
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]
}
if [ -x "$target" ] && newer_or_same "$(installed)" "${version#v}" \
    && "$target" version 2> /dev/null | grep -q 'anylab-patched'; then
  exit 0
fi

if ! command -v go > /dev/null; then
  for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [ -x "$g" ] && PATH=$(dirname "$g"):$PATH && break; done
fi
command -v go > /dev/null || { echo "ci/install-containerlab.sh: containerlab $version is built with Go 1.26 (/usr/local/go)" >&2; exit 3; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2> /dev/null; rm -rf "$work"' EXIT
echo "building containerlab $version from the Go module proxy (about a minute and a half)"
start=$(date +%s)
export GOFLAGS=-mod=mod CGO_ENABLED=0
# The checksum database is not reachable from here; the module and its
# dependencies come from the proxy over HTTPS, checked against the release's
# own go.sum.
export GOSUMDB=${GOSUMDB:-off}
src=$(go mod download -json "github.com/srl-labs/containerlab@$version" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "ci/install-containerlab.sh: the Go module proxy did not give containerlab $version" >&2; exit 3; }
cp -r "$src" "$work/containerlab"
chmod -R u+w "$work/containerlab"
patch -s -p1 -d "$work/containerlab" < "$here/containerlab/kernel-modules.patch"
(
  cd "$work/containerlab"
  go build -trimpath \
    -tags "exclude_graphdriver_btrfs btrfs_noversion exclude_graphdriver_devicemapper exclude_graphdriver_overlay containers_image_openpgp" \
    -ldflags "-s -w -X github.com/srl-labs/containerlab/cmd.Version=${version#v} -X github.com/srl-labs/containerlab/cmd.commit=anylab-patched" \
    -o "$work/containerlab.bin" .
)
install -m 0755 "$work/containerlab.bin" "$target"
echo "installed $target ($(installed), with ci/containerlab/kernel-modules.patch) in $(($(date +%s) - start)) s"
