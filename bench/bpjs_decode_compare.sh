#!/usr/bin/env bash
# Compares full BPJS response decoding (Base64 + AES-256-CBC + lz-string +
# JSON parse) in Simpul (C++) against the Node stack BPJS clients use
# (Node crypto + npm lz-string + JSON.parse) on the same inputs.
#
#   bench/bpjs_decode_compare.sh [repetitions=5] [rounds=3]
# Env: BUILD_DIR (default: build, the plain Release build). The benchmark
# needs an optimised build (Release or RelWithDebInfo) with -DSIMPUL_BENCH=ON.
set -euo pipefail
reps="${1:-5}"
rounds="${2:-3}"
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
# The machine may be shared: alternate the two sides for several rounds so a
# burst of load hits both, and take the median over all repetitions.
for round in $(seq 1 "$rounds"); do
  SIMPUL_BPJS_BENCH_INPUTS="$work/inputs.tsv" "$build/bench/bpjs_decode_bench" \
    --benchmark_filter='BM_BpjsDecodeResponse(Checked)?/' --benchmark_repetitions="$reps" \
    --benchmark_min_time=0.3 --benchmark_format=json \
    --benchmark_out="$work/cpp.$round.json" --benchmark_out_format=json >/dev/null
  node "$root/bench/node/bpjs_decode_bench.js" "$work/inputs.tsv" "$reps" 0.3 > "$work/node.$round.json"
done

node - "$work" "$rounds" <<'JS'
const fs = require('fs');
const [dir, rounds] = [process.argv[2], Number(process.argv[3])];
const toNs = (v, unit) => v * ({ ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[unit]);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const plain = {};
const checked = {};
const nodeRuns = {};
const bytes = {};
let context;
for (let r = 1; r <= rounds; r++) {
  const cpp = JSON.parse(fs.readFileSync(`${dir}/cpp.${r}.json`, 'utf8'));
  context = cpp.context;
  for (const b of cpp.benchmarks) {
    if (b.run_type !== 'iteration') continue;
    const target = b.run_name.startsWith('BM_BpjsDecodeResponseChecked/') ? checked : plain;
    (target[b.label] ||= []).push(toNs(b.real_time, b.time_unit));
  }
  const nodeRes = JSON.parse(fs.readFileSync(`${dir}/node.${r}.json`, 'utf8'));
  for (const [label, v] of Object.entries(nodeRes)) {
    (nodeRuns[label] ||= []).push(...v.reps_ns);
    bytes[label] = v.payload_bytes;
  }
}
const fmt = (ns) => (ns >= 1e6 ? (ns / 1e6).toFixed(2) + ' ms' : (ns / 1e3).toFixed(1) + ' us').padStart(10);
console.log(`BPJS response decode: median wall time per response over ${rounds} alternating rounds, ` +
  `${context.num_cpus} CPUs, load ${(context.load_avg || []).map((x) => x.toFixed(1)).join(' ')}`);
console.log('payload   bytes   simpul   simpul+check   node+lz-string   speed-up (check)');
let worst = Infinity;
for (const label of Object.keys(nodeRuns)) {
  const n = median(nodeRuns[label]);
  const c = median(plain[label]);
  const k = median(checked[label]);
  worst = Math.min(worst, n / c);
  console.log(`${label.padEnd(7)} ${String(bytes[label]).padStart(7)} ${fmt(c)} ${fmt(k)}       ${fmt(n)}     ${
    (n / c).toFixed(1)}x (${(n / k).toFixed(1)}x)`);
}
console.log(`minimum speed-up: ${worst.toFixed(1)}x (target >= 10x)`);
JS
