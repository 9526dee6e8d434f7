#!/usr/bin/env bash
# Two CI jobs' worth of the same lab started together, ROUNDS times (20 by
# default): each round two `anylab deploy` of one lab at the same moment.
# Exactly one must build it and the other exit 3 having touched nothing:
# the winner's lab then has every recorded process running and its clients
# answered without a lost probe for 2 s (`anylab watch`). Prints a line per
# round and the tally; exits 0 only if every round held. Needs root and a
# build (ci/build.sh).
#   sudo ci/bench/concurrent-jobs.sh [ROUNDS] [--runtime netns|docker]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-20}
[ "${2:-}" = --runtime ] && export ANYLAB_RUNTIME=$3
anylab=$PWD/build/bin/anylab
tmp=$(mktemp -d)
lab=jobs
sed "s/^name: quickstart\b.*/name: $lab/" labs/quickstart.yaml > "$tmp/lab.yaml"
trap '"$anylab" destroy "$lab" > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
good=0
for r in $(seq 1 "$rounds"); do
  "$anylab" deploy "$tmp/lab.yaml" > "$tmp/a.out" 2> "$tmp/a.err" & a=$!
  "$anylab" deploy "$tmp/lab.yaml" > "$tmp/b.out" 2> "$tmp/b.err" & b=$!
  ra=0 rb=0
  wait $a || ra=$?
  wait $b || rb=$?
  loser_err=$([ $ra -eq 0 ] && cat "$tmp/b.err" || cat "$tmp/a.err")
  winners=$(( (ra == 0) + (rb == 0) ))
  loser_rc=$([ $ra -eq 0 ] && echo $rb || echo $ra)
  running=$("$anylab" inspect "$lab" --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
procs = [p["running"] for n in j["nodes"] for p in n["processes"]]
answered = [c["instance"] is not None for c in j["clients"]]
print("ok" if procs and all(procs) and all(answered) else "BROKEN")')
  watch=$("$anylab" watch "$lab" --for 2)
  outage=$(grep -c "NO ANSWER" <<< "$watch" || true)
  verdict=FAIL
  [ $winners -eq 1 ] && [ "$loser_rc" -eq 3 ] && [ "$running" = ok ] && [ "$outage" -eq 0 ] && verdict=ok && good=$((good + 1))
  echo "round $r: exits $ra/$rb, winner's lab $running, unanswered probe runs $outage: $verdict ($(head -1 <<< "$loser_err"))"
  "$anylab" destroy "$lab" > /dev/null 2>&1
done
echo "concurrent jobs: $good of $rounds rounds held (one deploy, the other exit 3 touching nothing, no outage)"
[ "$good" -eq "$rounds" ]
