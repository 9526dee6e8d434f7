#!/usr/bin/env bash
# The whole test suite: install, build, run every test with CTest. The
# external tests run FRR's vtysh and exabgp on the rendered configs.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
cd build
ctest --output-on-failure -j2
