#!/usr/bin/env bash
# Installs the Debian packages anylab needs, then configures and builds it in
# build/ (warnings are errors). Prints where the binaries are.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
cmake -S . -B build -G Ninja -DANYLAB_WERROR=ON >/dev/null
ninja -C build
