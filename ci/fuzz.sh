#!/usr/bin/env bash
# Fuzz the lab loader with libFuzzer for SECONDS (default 600), seeded with
# every lab and every golden error case. Builds with clang, ASan and UBSan in
# build-fuzz/. Prints libFuzzer's summary; exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
ci/install-deps.sh fuzz
# libstdc++ 12 enables <expected> only when __cpp_concepts >= 202002L, which
# clang 16 does not claim although it implements what the check stands for
# (P0848, conditionally trivial special members); say so for this build only.
CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DANYLAB_FUZZ=ON -DANYLAB_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -U__cpp_concepts -D__cpp_concepts=202002L -Wno-builtin-macro-redefined" >/dev/null
ninja -C build-fuzz loader_fuzzer
corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp labs/*.yaml tests/golden/errors/*.yaml tests/fuzz/regressions/* "$corpus"/
# A crashing input is written to build-fuzz/crash-*; once fixed, keep it in
# tests/fuzz/regressions/, which a unit test loads.
build-fuzz/tests/fuzz/loader_fuzzer -max_total_time="$seconds" -max_len=8192 -timeout=10 -artifact_prefix=build-fuzz/ \
  -print_final_stats=1 "$corpus" 2>&1 | tee build-fuzz/fuzz.log | grep -E "^(#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|==.*ERROR|SUMMARY)"
