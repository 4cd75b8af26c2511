#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. set-up (Debian packages, npm test oracles)
#   2. optimised build + every GoogleTest suite, including the server test that
#      starts the real binary on a loopback port
#   3. AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests
#   4. a bounded libFuzzer run over the BPJS envelope/decrypt/lz path
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh
scripts/oracles.sh

summary=()
run_ctest() {  # dir label
  local log
  log=$(mktemp)
  if ! (cd "$1" && ctest --output-on-failure --timeout 600 -j"$jobs") 2>&1 | tee "$log"; then
    echo "test.sh: $2 tests failed" >&2
    exit 1
  fi
  if grep -q "No tests were found" "$log"; then
    echo "test.sh: $2: no tests found" >&2
    exit 1
  fi
  summary+=("$(grep -E 'tests passed, [0-9]+ tests failed out of' "$log" | tail -1 | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/')")
}

echo "== build (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
echo "== tests (Release)"
run_ctest build release

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DSIMPUL_SANITIZE=ON -DSIMPUL_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan sanitizer

echo "== fuzz (bounded)"
scripts/fuzz.sh "${SIMPUL_FUZZ_SECONDS:-30}"

passed=0
failed=0
for s in "${summary[@]}"; do
  f=${s% *}
  t=${s#* }
  failed=$((failed + f))
  passed=$((passed + t - f))
done
echo "tests: $passed passed, $failed failed"
