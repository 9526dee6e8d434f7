#!/usr/bin/env bash
# The whole test suite: install, build, build the container images where
# Docker is, run every test with CTest. The external tests run FRR's vtysh
# and exabgp on the rendered configs.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
# The house's shape: no function over 60 lines, no layer linking one above.
ci/shape.sh
# containerlab's topology schema, for the export test.
ci/fetch-clab-schema.sh
# The container images, where a Docker engine is installed (its daemon
# started if it is not running): the image tests need them, and skip only
# where there is no Docker at all.
if command -v docker > /dev/null; then
  if ! docker info > /dev/null 2>&1 && command -v dockerd > /dev/null; then
    (dockerd > /tmp/anylab-dockerd.log 2>&1 &)
    for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 0.5; done
  fi
  if docker info > /dev/null 2>&1; then
    images/build.sh
    # containerlab 0.79, patched (ci/containerlab/), for the containerlab
    # runtime's tests and the export's deploy test.
    ci/install-containerlab.sh
  fi
fi
cd build
ctest --output-on-failure -j2
