#!/usr/bin/env bash
# Runs the libFuzzer targets for the BPJS protocol code for a bounded time.
#   scripts/fuzz.sh [seconds-per-target=30]
# Configures build-fuzz with clang (ASan + UBSan + libFuzzer) once, builds only
# the fuzz targets, seeds a corpus from the golden vector (bpjs-api.md §3.4)
# and runs each target with -max_total_time. Exits non-zero on any crash,
# leak, sanitizer report or timeout; the reproducer is left in
# build-fuzz/fuzz-artifacts/.
set -euo pipefail
seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
  echo "usage: scripts/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_bpjs_envelope fuzz_bpjs_lzstring)

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSIMPUL_TESTS=OFF -DSIMPUL_BENCH=OFF -DSIMPUL_FUZZ=ON >/dev/null
fi
cmake --build "$build" -j2 --target "${targets[@]}"

# Seed corpus from the golden vector (bpjs-api.md §3.4).
response='vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCFr/otTHO3EEJ7dvt8qKmg2EUBM3E1sltpZTX/8xISV1/6b9qgjbyTc6hYHsOZE+aZWAgLs7IteV2gEPSQtZTSKiiPwxcvVGdYTKbsgRgdBZGzVrr39YwbdISIKaUK8d/k='
lz='N4IgDgpgzhBOAuBDEAuUA7A9gaUQgrqiAAylnmkCMIANCOogLbIogDCA8gHIAqHAEgAIAi7RBQk8fFAAK0OElSgA1pgAmEIsTHKI8OInQBzQ0QCC2HgEkAYiAC+joA'
seeds="$build/fuzz-seeds"
mkdir -p "$seeds/fuzz_bpjs_envelope" "$seeds/fuzz_bpjs_lzstring" "$build/fuzz-artifacts"
e="$seeds/fuzz_bpjs_envelope"
printf '{"metaData":{"code":"200","message":"OK"},"response":"%s"}' "$response" > "$e/vclaim.json"
printf '{"response":"%s","metaData":{"message":"CREATED","code":201}}' "$response" > "$e/pcare.json"
printf '{"metadata":{"code":200,"message":"Ok"},"response":{"list":[1,"a",null]}}' > "$e/antrean.json"
printf '{"metadata":{"message":"Ok","code":1}}' > "$e/antrean-write.json"
printf '%s' "$response" > "$e/bare.txt"
printf '"%s"' "$response" > "$e/quoted.txt"
printf '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>' > "$e/html.html"
l="$seeds/fuzz_bpjs_lzstring"
printf '%s' "$lz" > "$l/golden.txt"
printf 'Q' > "$l/empty-stream.txt"

status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  mkdir -p "$corpus"
  echo "== $t for ${seconds}s"
  if ! (cd "$build" && "./tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" \
        "$corpus" "$seeds/$t" 2>&1 | tail -n 25); then
    status=1  # pipefail: libFuzzer's own exit code, not tail's
    echo "!! $t found a failure; reproducer in $build/fuzz-artifacts/" >&2
  fi
done
exit "$status"
