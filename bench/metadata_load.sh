#!/usr/bin/env bash
# Load benchmark of GET /fhir/metadata with keep-alive: wrk (Debian package) against
# the real `simpul serve` on loopback, fixed duration, median of several runs.
#   bench/metadata_load.sh [seconds=10] [connections=64] [runs=3]
# Prints requests/s and p99 latency for each run and the medians. Not part of CI.
source "$(dirname "$0")/common.sh"
secs=${1:-10}
conns=${2:-64}
runs=${3:-3}
bench_prepare

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
bench_config "$dir/bench.toml" "$dir" "${SIMPUL_BENCH_LOG_LEVEL:-info}"
bench_serve "$dir/bench.toml" "$dir/server.log"
pid=$!
port=$(bench_port "$dir/server.log")

rps_all=()
p99_all=()
for i in $(seq 1 "$runs"); do
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H 'Authorization: Bearer demo-rs-simrs-key' \
        "http://127.0.0.1:$port/fhir/metadata")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || true)
  echo "run $i: $rps req/s, p99 $p99 ${errs:+($errs)}"
  rps_all+=("$rps")
  p99_all+=("$p99")
done
to_ms() { for v in "$@"; do bench_ms "$v"; done; }
echo "median: $(median "${rps_all[@]}") req/s, p99 $(median $(to_ms "${p99_all[@]}")) ms ($conns connections, ${secs}s x $runs, wrk -t1, server threads = cores)"
