#!/usr/bin/env bash
# The three runtimes and the two exports side by side, in one sitting, for
# BENCHMARKS.md (not a test). For rings of 10 and 50 routers
# (ci/bench/ring-lab.sh):
#   - anylab's deploy-to-ready and destroy, FRR's memory per router and the
#     container's own per node, on netns, docker and containerlab
#     (ci/bench/deploy-bench.sh with ANYLAB_RUNTIME);
#   - containerlab's own `containerlab deploy` of `anylab export
#     --containerlab`, the time until every client answers (anylab-probe in
#     the client containers), and `containerlab destroy --cleanup`;
#   - the Mininet script of `anylab export --mininet` to readiness (--check).
# Then the convergence of each event kind on the three runtimes
# (ci/bench/runtime-compare.sh). Needs root, a build, Docker, the images and
# containerlab (ci/install-containerlab.sh), Mininet.
#   ci/bench/side-by-side.sh [SIZES...]   default: 10 50
set -euo pipefail
cd "$(dirname "$0")/../.."
anylab=$PWD/build/bin/anylab
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50)
tmp=$(mktemp -d)
export CLAB_VERSION_CHECK=disable
cleanup() {
  for n in "${sizes[@]}"; do
    [ -f "$tmp/clab-$n/ring-$n.clab.yml" ] && containerlab destroy -t "$tmp/clab-$n/ring-$n.clab.yml" --cleanup > /dev/null 2>&1
    $anylab destroy "ring-$n" > /dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.2f\", $(now) - $1}"; }

echo "== anylab deploy and destroy (ci/bench/deploy-bench.sh), per runtime"
for rt in netns docker containerlab; do
  echo "-- $rt"
  ANYLAB_RUNTIME=$rt BYHAND=none ci/bench/deploy-bench.sh "${sizes[@]}"
done

echo "== containerlab's own deploy of the export, and the Mininet script"
printf "%-8s %14s %16s %16s %14s\n" routers clab_deploy_s clients_answer_s clab_destroy_s mininet_ready_s
for n in "${sizes[@]}"; do
  ci/bench/ring-lab.sh "$n" > "$tmp/ring-$n.yaml"
  $anylab export "$tmp/ring-$n.yaml" --containerlab "$tmp/clab-$n" > /dev/null
  sleep "${SETTLE:-10}"
  t0=$(now)
  containerlab deploy -t "$tmp/clab-$n/ring-$n.clab.yml" > "$tmp/clab.log" 2>&1 || { tail "$tmp/clab.log" >&2; exit 1; }
  deployed=$(since "$t0")
  # Every client answered (by any instance), probed inside its container.
  for client in client0 client1; do
    until docker exec "clab-ring-$n-$client" /usr/libexec/anylab/anylab-probe udp 192.0.2.1 53 --timeout 200ms \
        > /dev/null 2>&1; do
      [ "$(awk "BEGIN{print ($(now) - $t0 > 180)}")" = 1 ] && { echo "ring-$n: $client never answered" >&2; exit 1; }
      sleep 0.1
    done
  done
  answered=$(since "$t0")
  t1=$(now)
  containerlab destroy -t "$tmp/clab-$n/ring-$n.clab.yml" --cleanup > /dev/null 2>&1
  destroyed=$(since "$t1")
  rm -rf "$tmp/clab-$n"
  $anylab export "$tmp/ring-$n.yaml" --mininet "$tmp/ring-$n.mininet.py" > /dev/null
  sleep "${SETTLE:-10}"
  mininet=$(/usr/bin/python3 "$tmp/ring-$n.mininet.py" --check --timeout 180 | sed -n 's/.* ready \([0-9.]*\) s after the start/\1/p')
  printf "%-8s %14s %16s %16s %14s\n" "$n" "$deployed" "$answered" "$destroyed" "${mininet:-not ready}"
done

echo "== convergence per event kind (ci/bench/runtime-compare.sh)"
ci/bench/runtime-compare.sh "${REPEAT:-3}"
