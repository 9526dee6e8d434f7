#!/usr/bin/env bash
# Installs what anylab needs from Debian's packages; safe to repeat, and
# quick when everything is there already. `ci/install-deps.sh fuzz` adds the
# clang toolchain for ci/fuzz.sh.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libyang2-dev libyaml-cpp-dev libboost-dev libboost-filesystem-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev libcurl4-openssl-dev
  frr frr-rpki-rtrlib stayrtr exabgp python3-exabgp bird2 gobgpd python3-jinja2 iproute2 nftables iputils-ping procps
  python3-junitparser libxml2-utils chromium fonts-dejavu-core
  debootstrap python3-jsonschema python3-yaml mininet universal-ctags
)
if [ "${1:-}" = fuzz ]; then packages+=(clang-16 libclang-rt-16-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "anylab: these packages are missing: ${missing[*]}; run this script as root to install them" >&2
    exit 3
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
