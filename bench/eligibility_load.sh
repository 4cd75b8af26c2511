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
sim_pid=$!
pids+=($sim_pid)
sim_port=$(bench_port "$dir/sim.log")

bench_config "$dir/bench.toml" "$dir" warn \
  -e "/^\[bpjs\]/,/^\[/ s|^endpoint = .*|endpoint = \"http://127.0.0.1:$sim_port\"\\nmax_concurrent = $conns\\nmax_connections = $conns\\nmax_waiting = $((conns * 4))|"
bench_serve "$dir/bench.toml" "$dir/server.log"
serve_pid=$!
pids+=($serve_pid)
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
sim0=$(ticks "$sim_pid"); srv0=$(ticks "$serve_pid"); wrk0=$(kids)
out=$(wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$dir/post.lua" \
      "http://127.0.0.1:$port/fhir/CoverageEligibilityRequest/\$check")
sim1=$(ticks "$sim_pid"); srv1=$(ticks "$serve_pid"); wrk1=$(kids)
echo "$out"
p50=$(bench_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
p99=$(bench_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors' || echo "none")
awk -v p50="$p50" -v p99="$p99" -v l="$latency" -v rps="$rps" -v c="$conns" -v e="$errs" 'BEGIN {
  printf "eligibility: %s req/s with %d connections; p50 %.1f ms, p99 %.1f ms; injected BPJS latency %d ms\n", rps, c, p50, p99, l
  printf "added by Simpul (measured - injected): p50 %.1f ms, p99 %.1f ms; errors: %s\n", p50 - l, p99 - l, e }'
n=$(echo "$out" | awk '/requests in/ {print $1}')
awk -v n="$n" -v a=$((srv1 - srv0)) -v b=$((sim1 - sim0)) -v c=$((wrk1 - wrk0)) -v t="$(getconf CLK_TCK)" \
    -v conns="$conns" -v l="$latency" 'BEGIN {
  s = a / t * 1000 / n; m = b / t * 1000 / n; w = c / t * 1000 / n
  printf "CPU per request: simpul %.3f ms, simulator %.3f ms, wrk %.3f ms\n", s, m, w
  offered = conns / (l / 1000)
  printf "at the offered %d req/s (%d clients / %d ms) the three need %.1f cores\n", offered, conns, l, offered * (s + m + w) / 1000 }'
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))"
