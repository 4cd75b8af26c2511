#!/usr/bin/env bash
# Compares full BPJS response decoding (Base64 + AES-256-CBC + lz-string +
# JSON parse) in Simpul (C++) against the Node stack BPJS clients use
# (Node crypto + npm lz-string + JSON.parse) on the same inputs.
#
#   bench/bpjs_decode_compare.sh [repetitions=5]
# Env: BUILD_DIR (default: build, the plain Release build). The benchmark
# needs an optimised build (Release or RelWithDebInfo) with -DSIMPUL_BENCH=ON.
set -euo pipefail
reps="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[[ "$build" = /* ]] || build="$root/$build"

"$root/scripts/oracles.sh"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSIMPUL_BENCH=ON >/dev/null
elif ! grep -q '^SIMPUL_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake "$build" -DSIMPUL_BENCH=ON >/dev/null
fi
btype="$(grep '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" | cut -d= -f2)"
case "$btype" in
  Release|RelWithDebInfo) ;;
  *) echo "warning: $build is a '$btype' build; numbers are only meaningful for Release" >&2 ;;
esac
cmake --build "$build" -j2 --target bpjs_decode_bench >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
SIMPUL_BPJS_BENCH_INPUTS="$work/inputs.tsv" "$build/bench/bpjs_decode_bench" \
  --benchmark_filter='BM_BpjsDecodeResponse(Checked)?/' --benchmark_repetitions="$reps" \
  --benchmark_min_time=0.5 --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out="$work/cpp.json" --benchmark_out_format=json >/dev/null
node "$root/bench/node/bpjs_decode_bench.js" "$work/inputs.tsv" "$reps" 0.5 > "$work/node.json"

node - "$work/cpp.json" "$work/node.json" <<'JS'
const fs = require('fs');
const cpp = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const nodeRes = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const toNs = (v, unit) => v * ({ ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[unit]);
const plain = {};
const checked = {};
for (const b of cpp.benchmarks) {
  if (b.aggregate_name !== 'median') continue;
  const target = b.run_name.startsWith('BM_BpjsDecodeResponseChecked/') ? checked : plain;
  target[b.label] = toNs(b.real_time, b.time_unit);
}
const fmt = (ns) => (ns >= 1e6 ? (ns / 1e6).toFixed(2) + ' ms' : (ns / 1e3).toFixed(1) + ' us').padStart(10);
console.log(`BPJS response decode: median wall time per response, ${cpp.context.num_cpus} CPUs, load ${
  (cpp.context.load_avg || []).map((x) => x.toFixed(1)).join(' ')}`);
console.log('payload   bytes   simpul   simpul+check   node+lz-string   speed-up (check)');
let worst = Infinity;
for (const label of Object.keys(nodeRes)) {
  const n = nodeRes[label].median_ns;
  const ratio = n / plain[label];
  const ratioChecked = n / checked[label];
  worst = Math.min(worst, ratio);
  console.log(`${label.padEnd(7)} ${String(nodeRes[label].payload_bytes).padStart(7)} ${fmt(plain[label])} ${
    fmt(checked[label])}       ${fmt(n)}     ${ratio.toFixed(1)}x (${ratioChecked.toFixed(1)}x)`);
}
console.log(`minimum speed-up: ${worst.toFixed(1)}x (target >= 10x)`);
JS
