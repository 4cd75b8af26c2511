#!/usr/bin/env bash
# Eligibility through the full stack: wrk POSTs CoverageEligibilityRequest/$check
# to the real `simpul serve`, which signs and sends a V-Claim peserta lookup to
# `simpul sim bpjs` (its own process) with injected latency, decrypts the answer
# and maps it to FHIR. Simpul's added latency = measured latency - the injected one.
#   bench/eligibility_load.sh [connections=1000] [seconds=20] [latency_ms=100]
# The BPJS limits per consumer are raised to the number of connections so that
# every request is in flight at once (the defaults, 8, protect the real BPJS).
# Not part of CI. Prints wrk's numbers and the added-latency estimate.
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-1000}
secs=${2:-20}
latency=${3:-100}
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup.sh" >&2; exit 1; }
[ -x build/simpul ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j"$(nproc)"; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; [ -n "${SIMPUL_BENCH_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"' EXIT

wait_port() {  # log file -> port of its "listening" line
  local port=""
  for _ in $(seq 1 200); do
    port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$1" 2>/dev/null | grep -o '[0-9]*$' | head -1 || true)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.05
  done
  echo "did not start: $1" >&2; cat "$1" >&2; exit 1
}

build/simpul sim bpjs --listen 127.0.0.1:0 --latency-ms "$latency" 2>"$dir/sim.log" &
pids+=($!)
sim_port=$(wait_port "$dir/sim.log")

sed -e "s|^url = .*|url = \"sqlite:$dir/bench.db\"|" \
    -e "s|^level = .*|level = \"warn\"|" \
    -e "s|^rate_per_second = .*|rate_per_second = 1000000|" \
    -e "s|^rate_burst = .*|rate_burst = 10000000|" \
    -e "s|^endpoint = .*|endpoint = \"http://127.0.0.1:$sim_port\"\\nmax_concurrent = $conns\\nmax_connections = $conns\\nmax_waiting = $((conns * 4))|" \
    config/demo.toml > "$dir/bench.toml"
SIMPUL_DEMO_BPJS_CONS_ID=1234 SIMPUL_DEMO_BPJS_SECRET=pwd SIMPUL_DEMO_BPJS_USER_KEY=demo-user-key \
  build/simpul serve --config "$dir/bench.toml" --listen 127.0.0.1:0 2>"$dir/server.log" &
pids+=($!)
port=$(wait_port "$dir/server.log")

cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer demo-rs-simrs-key"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.body = '{"resourceType":"CoverageEligibilityRequest","servicedDate":"2025-06-15",' ..
  '"patient":{"identifier":{"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001234567890"}}}'
LUA
# Warm-up (connections to the simulator, caches), then the measured run.
wrk -t1 -c"$conns" -d3s -s "$dir/post.lua" "http://127.0.0.1:$port/fhir/CoverageEligibilityRequest/\$check" >/dev/null
out=$(wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$dir/post.lua" \
      "http://127.0.0.1:$port/fhir/CoverageEligibilityRequest/\$check")
echo "$out"
to_ms() { case $1 in *ms) echo "${1%ms}";; *us) awk -v x="${1%us}" 'BEGIN{print x/1000}';; *s) awk -v x="${1%s}" 'BEGIN{print x*1000}';; esac; }
p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || echo "none")
awk -v p50="$p50" -v p99="$p99" -v l="$latency" -v rps="$rps" -v c="$conns" -v e="$errs" 'BEGIN {
  printf "eligibility: %s req/s with %d connections; p50 %.1f ms, p99 %.1f ms; injected BPJS latency %d ms\n", rps, c, p50, p99, l
  printf "added by Simpul (measured - injected): p50 %.1f ms, p99 %.1f ms; errors: %s\n", p50 - l, p99 - l, e }'
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))"
