#!/usr/bin/env bash
# Builds anylab's container images from nothing (no registry needed):
#   anylab/base:VERSION      Debian 12 minbase, made with debootstrap from the
#                            configured Debian mirror and `docker import`ed
#   anylab/router:VERSION    FRR (zebra, bgpd, bfdd, vtysh)
#   anylab/instance:VERSION  ExaBGP + healthcheck, BIRD 2, GoBGP, anylab-responder, the relays, bfdd
#   anylab/client:VERSION    iproute2, anylab-probe
#   anylab/router-trixie:VERSION  the router image on Debian 13 (FRR 10.3), from
#                            anylab/base-trixie: a lab pins a router to it with image:
# VERSION is anylab's (CMakeLists.txt). An image already built for this
# version is skipped; each build says how long it took. Needs root, Docker
# and a build of anylab (ci/build.sh). A user with a registry can instead
#   docker build --build-arg BASE=debian:bookworm-slim images/router
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^project(anylab VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
if ! docker info > /dev/null 2>&1; then
  echo "images/build.sh: Docker is not reachable (is the docker daemon running?)" >&2
  exit 3
fi
have() { docker image inspect "$1" > /dev/null 2>&1; }
# An image of this version built from this recipe: its Dockerfile and the
# helpers it carries (the responder, the probe, the relay). A changed
# Dockerfile (a package added) or helper (a responder that learnt --capacity)
# rebuilds the image of the same version; nodes run the image's helpers.
helpers="anylab-responder anylab-exabgp-relay anylab-speaker-relay anylab-probe anylab-resilient-ecmp"
recipe_of() {
  (cd build/bin && cat "../../images/${1%-trixie}/Dockerfile" $helpers) | sha256sum | cut -c1-16
}
have_recipe() {  # IMAGE ROLE
  [ "$(docker image inspect -f '{{index .Config.Labels "org.anylab.recipe"}}' "$1" 2>/dev/null)" = "$(recipe_of "$2")" ]
}
timed() {  # NAME COMMAND...: runs it, says how long it took
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  "$@"
  echo "built $name in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"
}

# make_base SUITE IMAGE: a Debian minbase of SUITE, docker-imported.
make_base() {
  local suite=$1 image=$2 root
  root=$(mktemp -d)
  debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -rf "$root"; return 1; }
  rm -f "$root.log"
  # The same mirror inside, and no caches in the image.
  echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' \
    --change "LABEL org.anylab.version=$version" - "$image" > /dev/null
  rm -rf "$root"
}
# Debian 12 for anylab's images; Debian 13 (FRR 10.3) for a second router
# image, anylab/router-trixie, that a lab can pin a router to (image:).
for suite in bookworm trixie; do
  base=anylab/base:$version
  [ "$suite" = bookworm ] || base=anylab/base-$suite:$version
  if have "$base"; then
    echo "$base: already built"
  else
    command -v debootstrap > /dev/null || { echo "images/build.sh: debootstrap is missing: ci/install-deps.sh installs it" >&2; exit 3; }
    timed "$base" make_base "$suite" "$base"
  fi
done
base=anylab/base:$version

ctx=$(mktemp -d)
trap 'rm -rf "$ctx" "$ctx.log"' EXIT
for role in router instance client router-trixie; do
  image=anylab/$role:$version
  if have_recipe "$image" "$role"; then
    echo "$image: already built"
    continue
  fi
  # Built before from another recipe: that one is anylab's own, replaced.
  stale=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  rm -rf "$ctx"/*
  from=$base
  args=()
  # Debian 13's router with Debian 12's RTR cache (see images/router/Dockerfile).
  if [ "$role" = router-trixie ]; then from=anylab/base-trixie:$version; args=(--build-arg STAYRTR_SUITE=bookworm); fi
  cp "images/${role%-trixie}/Dockerfile" "$ctx/"
  for b in $helpers; do cp "build/bin/$b" "$ctx/"; done
  # --network host: the package mirror is reached as the host reaches it.
  build() {  # quiet: the legacy builder's notice and the image id are noise here
    docker build -q --network host --build-arg "BASE=$from" "${args[@]}" --label "org.anylab.version=$version" \
      --label "org.anylab.recipe=$(recipe_of "$role")" -t "$image" \
      "$ctx" > "$ctx.log" 2>&1 || { cat "$ctx.log" >&2; return 1; }
  }
  timed "$image" build
  if [ -n "$stale" ] && [ "$(docker image inspect -f '{{.Id}}' "$image")" != "$stale" ]; then
    docker image rm "$stale" > /dev/null 2>&1 || true  # kept while a container still uses it
  fi
done
