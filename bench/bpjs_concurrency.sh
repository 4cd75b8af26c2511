#!/usr/bin/env bash
# BPJS client concurrency: 2,000 concurrent V-Claim peserta calls through BpjsClient
# (one io_context, 2 threads) against `simpul sim bpjs` with 200 ms injected latency.
#   bench/bpjs_concurrency.sh [calls=2000] [latency_ms=200] [threads=2]
# SIMPUL_BUILD selects the build directory (default: build). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-2000}
latency=${2:-200}
threads=${3:-2}
build=${SIMPUL_BUILD:-build}
if [ ! -x "$build/simpul" ] || [ ! -x "$build/bench/bpjs_concurrency_bench" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSIMPUL_BENCH=ON >/dev/null
  cmake --build "$build" --target simpul bpjs_concurrency_bench -j2
fi
# One socket per call on each side (the simulator runs in its own process).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$pid" ] && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$build/simpul" sim bpjs --listen 127.0.0.1:0 --latency-ms "$latency" 2>"$dir/sim.log" &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$dir/sim.log" 2>/dev/null | grep -o '[0-9]*$' | head -1 || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "simulator did not start" >&2; cat "$dir/sim.log" >&2; exit 1; }

echo "simulator on 127.0.0.1:$port, latency ${latency} ms; $calls concurrent calls, $threads io threads"
status=0
"$build/bench/bpjs_concurrency_bench" --port "$port" --calls "$calls" --threads "$threads" || status=$?
# The simulator shares the two cores: show what it used (utime + stime, clock ticks).
if [ -r "/proc/$pid/stat" ]; then
  awk -v hz="$(getconf CLK_TCK)" '{printf "simulator CPU    %.2f s (user+sys)\n", ($14 + $15) / hz}' "/proc/$pid/stat"
fi
echo "load average     $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
exit "$status"
