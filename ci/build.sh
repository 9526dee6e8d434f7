#!/usr/bin/env bash
# Installs the Debian packages anylab needs, then configures and builds it in
# build/ (warnings are errors). With target names (`ci/build.sh anylab
# anylab-probe`), builds only those and what they need; without, everything,
# the tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
cmake -S . -B build -G Ninja -DANYLAB_WERROR=ON >/dev/null
ninja -C build "$@"
