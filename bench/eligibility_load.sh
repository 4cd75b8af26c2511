#!/usr/bin/env bash
# Eligibility through the full stack: wrk POSTs CoverageEligibilityRequest/$check
# to the real `simpul serve`, which signs and sends a V-Claim peserta lookup to
# `simpul sim bpjs` (its own process) with injected latency, decrypts the answer
# and maps it to FHIR. Simpul's added latency = measured latency - the injected one.
#   bench/eligibility_load.sh [connections=1000] [seconds=20] [latency_ms=100]
# The BPJS limits per consumer are raised to the number of connections so that
# every request is in flight at once (the defaults, 8, protect the real BPJS).
# Not part of CI. Prints wrk's numbers and the added-latency estimate.
source "$(dirname "$0")/common.sh"
conns=${1:-1000}
secs=${2:-20}
latency=${3:-100}
bench_prepare
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; [ -n "${SIMPUL_BENCH_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"' EXIT

build/simpul sim bpjs --listen 127.0.0.1:0 --latency-ms "$latency" 2>"$dir/sim.log" &
pids+=($!)
sim_port=$(bench_port "$dir/sim.log")

bench_config "$dir/bench.toml" "$dir" warn \
  -e "s|^endpoint = .*|endpoint = \"http://127.0.0.1:$sim_port\"\\nmax_concurrent = $conns\\nmax_connections = $conns\\nmax_waiting = $((conns * 4))|"
bench_serve "$dir/bench.toml" "$dir/server.log"
pids+=($!)
port=$(bench_port "$dir/server.log")

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
p50=$(bench_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
p99=$(bench_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || echo "none")
awk -v p50="$p50" -v p99="$p99" -v l="$latency" -v rps="$rps" -v c="$conns" -v e="$errs" 'BEGIN {
  printf "eligibility: %s req/s with %d connections; p50 %.1f ms, p99 %.1f ms; injected BPJS latency %d ms\n", rps, c, p50, p99, l
  printf "added by Simpul (measured - injected): p50 %.1f ms, p99 %.1f ms; errors: %s\n", p50 - l, p99 - l, e }'
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))"
