#!/usr/bin/env bash
# The main job on the quick-start lab: install, build, check the lab file and
# show what deploying it does, with the rendered FRR and ExaBGP configs in
# out/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh >/dev/null
build/bin/anylab validate labs/quickstart.yaml
build/bin/anylab plan labs/quickstart.yaml --out out/quickstart
