#!/usr/bin/env bash
# Load benchmark of GET /fhir/metadata with keep-alive: wrk (Debian package) against
# the real `simpul serve` on loopback, fixed duration, median of several runs.
#   bench/metadata_load.sh [seconds=10] [connections=64] [runs=3]
# Prints requests/s and p99 latency for each run and the medians. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
runs=${3:-3}
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup.sh" >&2; exit 1; }
[ -x build/simpul ] || { cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)"; }

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
sed -e "s|^url = .*|url = \"sqlite:$dir/bench.db\"|" \
    -e "s|^level = .*|level = \"${SIMPUL_BENCH_LOG_LEVEL:-info}\"|" \
    -e "s|^rate_per_second = .*|rate_per_second = 1000000|" \
    -e "s|^rate_burst = .*|rate_burst = 10000000|" config/demo.toml > "$dir/bench.toml"
SIMPUL_DEMO_BPJS_CONS_ID=1234 SIMPUL_DEMO_BPJS_SECRET=pwd SIMPUL_DEMO_BPJS_USER_KEY=demo-user-key \
  build/simpul serve --config "$dir/bench.toml" --listen 127.0.0.1:0 2>"$dir/server.log" &
pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$dir/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "server did not start" >&2; cat "$dir/server.log" >&2; exit 1; }

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
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { for v in "$@"; do case $v in *ms) echo "${v%ms}";; *us) awk -v x="${v%us}" 'BEGIN{print x/1000}';; *s) awk -v x="${v%s}" 'BEGIN{print x*1000}';; esac; done; }
echo "median: $(median "${rps_all[@]}") req/s, p99 $(median $(to_ms "${p99_all[@]}")) ms ($conns connections, ${secs}s x $runs, wrk -t1, server threads = cores)"
