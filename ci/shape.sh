#!/usr/bin/env bash
# The house's shape, checked (issue 27): no function over 60 lines in
# orchestrator/ and checks/ (from Universal Ctags' end lines), and each
# layer's library linking only the layers below it (from CMake's own
# dependency graph of build/). Prints both; exits 1 on either. Needs a
# configured build/ (ci/build.sh) and universal-ctags (ci/install-deps.sh).
# Upward #includes fail at compile time already (orchestrator/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
long=$(ctags --fields=+ne --kinds-c++=f -R --languages=C++ -f - orchestrator checks |
  awk -F'\t' '{l=""; e=""; for (i = 4; i <= NF; i++) { if ($i ~ /^line:/) l = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
              if (l != "" && e != "" && e - l + 1 > 60) print "  " $2 ":" l " " $1 " (" e - l + 1 " lines)"}' | sort -u)
if [ -n "$long" ]; then
  printf 'functions over 60 lines:\n%s\n' "$long"
  status=1
else
  echo "functions over 60 lines: none"
fi
mapfile -t layers < <(sed -n 's/^anylab_layer(\([a-z]*\).*/\1/p' orchestrator/CMakeLists.txt)
dot=$(mktemp -d)
trap 'rm -rf "$dot"' EXIT
cmake --graphviz="$dot/deps.dot" build > /dev/null
echo "layer libraries, bottom up, and the anylab libraries each links:"
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  links=$(grep -oE "// anylab_$layer -> anylab_[a-z]+" "$dot/deps.dot" | sed 's/.*-> anylab_//' | sort -u | tr '\n' ' ')
  below=" ${layers[*]:0:$i} checks "
  wrong=""
  for l in $links; do
    case "$below" in *" $l "*) ;; *) wrong="$wrong $l" ;; esac
  done
  echo "  anylab_$layer: ${links:-(none)}"
  if [ -n "$wrong" ]; then
    echo "    links what is not below it:$wrong"
    status=1
  fi
done
exit $status
