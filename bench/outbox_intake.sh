#!/usr/bin/env bash
# Outbox intake: how many finished visits per second `POST /fhir` accepts durably (202: the
# bundle is parsed, checked against every destination's mapping, its outbox items committed to
# SQLite in one transaction, the audit record appended). wrk (one thread, bench/outbox_push.lua)
# sends exactly N bundles of docs/examples/puskesmas-encounter-bundle.json, each with its own
# visit number (new Encounter/Bundle/prescription/referral identifiers: not idempotent replays).
# The tenant's destinations are suspended first, so the delivery engine sends nothing during the
# run. Each run starts a fresh server on a fresh store file.
#   bench/outbox_intake.sh [bundles=20000] [connections=32] [runs=3]
#   SIMPUL_BENCH_DESTINATIONS=pcare bench/outbox_intake.sh   # route pkm-demo to P-Care only
#   SIMPUL_BENCH_LOG_LEVEL=warn ...                           # without the access log (default info)
# Prints one line per run (req/s, p50/p99, errors, outbox items, CPU per request) and the
# medians. Not part of CI nor of the test command.
source "$(dirname "$0")/common.sh"
bundles=${1:-20000}
conns=${2:-32}
runs=${3:-3}
level=${SIMPUL_BENCH_LOG_LEVEL:-info}
admin='Authorization: Bearer demo-pkm-admin-key'
bench_prepare
command -v sqlite3 >/dev/null || { echo "sqlite3 missing (apt-get install sqlite3)" >&2; exit 1; }

dir=$(mktemp -d)
pid=""
stop_server() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  pid=""
}
trap 'stop_server; [ -n "${SIMPUL_BENCH_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"' EXIT

outbox_bundle_template "$dir/bundle.json"

extra=()
if [ -n "${SIMPUL_BENCH_DESTINATIONS:-}" ]; then
  list=$(echo "$SIMPUL_BENCH_DESTINATIONS" | sed 's/[^,][^,]*/"&"/g; s/,/, /g')
  extra+=(-e "/^id = \"pkm-demo\"/a destinations = [$list]")
fi

hz=$(getconf CLK_TCK)
rps_all=(); p50_all=(); p99_all=(); cpu_all=()

for run in $(seq 1 "$runs"); do
  rm -rf "$dir/run" && mkdir "$dir/run"
  bench_config "$dir/run/bench.toml" "$dir/run" "$level" "${extra[@]}"
  bench_serve "$dir/run/bench.toml" "$dir/run/server.log"
  pid=$!
  port=$(bench_port "$dir/run/server.log")
  base="http://127.0.0.1:$port"
  # Hold delivery for every destination the tenant may route to (an unknown one is harmless).
  for d in pcare satusehat; do
    curl -fsS -X POST -H "$admin" "$base/admin/destinations/pkm-demo/$d/suspend?reason=bench" >/dev/null
  done
  # Warm-up: connections and the server's threads, without touching the outbox.
  wrk -t1 -c"$conns" -d1s -H 'Authorization: Bearer demo-pkm-simpus-key' "$base/fhir/metadata" >/dev/null

  store_snapshot "$base" > "$dir/run/store0"
  srv0=$(ticks "$pid"); wrk0=$(kids)
  out=$(wrk -t1 -c"$conns" -d600s --timeout 10s --latency -s bench/outbox_push.lua "$base/fhir" \
        -- "$dir/bundle.json" "$bundles" 2>"$dir/run/wrk.err")
  srv1=$(ticks "$pid"); wrk1=$(kids)
  sleep 0.5   # requests wrk still had in flight when it stopped (replays: they create nothing)
  store_snapshot "$base" > "$dir/run/store1"

  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(bench_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p99=$(bench_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  done_n=$(echo "$out" | awk '/requests in/ {print $1}')
  non202=$(echo "$out" | awk '/^statuses:/ {for (i = 2; i <= NF; i++) {split($i, a, "="); if (a[1] != "202") n += a[2]}} END {print n + 0}')
  sock=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  errs=$((non202 + ${sock:-0}))
  items=$(sqlite3 "$dir/run/bench.db" "SELECT group_concat(destination || ' ' || n, ', ') FROM
            (SELECT destination, count(*) AS n FROM outbox GROUP BY destination ORDER BY destination)")
  total=$(sqlite3 "$dir/run/bench.db" "SELECT count(*) FROM outbox")
  sent=$(sqlite3 "$dir/run/bench.db" "SELECT count(*) FROM outbox WHERE status <> 'pending' OR attempts > 0")
  per_bundle=$(awk -v t="$total" -v n="$bundles" 'BEGIN {printf "%.3f", t / n}')
  cpu=$(awk -v a=$((srv1 - srv0)) -v n="$done_n" -v t="$hz" 'BEGIN {printf "%.3f", a / t * 1000 / n}')
  cpu_wrk=$(awk -v a=$((wrk1 - wrk0)) -v n="$done_n" -v t="$hz" 'BEGIN {printf "%.3f", a / t * 1000 / n}')
  echo "run $run: $rps bundles/s, p50 $p50 ms, p99 $p99 ms, errors $errs; outbox: $items = $per_bundle x $bundles," \
       "not pending $sent; CPU per bundle: simpul $cpu ms, wrk $cpu_wrk ms"
  echo "  store: $(store_ops "$dir/run/store0" "$dir/run/store1")"
  [ "$errs" -eq 0 ] || { echo "  errors (first answers):"; head -5 "$dir/run/wrk.err"; }
  case $per_bundle in
    2.000|3.000) ;;
    *) echo "  WARNING: expected exactly 2 or 3 items per bundle (P-Care pendaftaran + kunjungan, SATUSEHAT)" ;;
  esac
  rps_all+=("$rps"); p50_all+=("$p50"); p99_all+=("$p99"); cpu_all+=("$cpu")
  stop_server
done
echo "median: $(median "${rps_all[@]}") bundles/s, p50 $(median "${p50_all[@]}") ms, p99 $(median "${p99_all[@]}") ms," \
     "simpul CPU $(median "${cpu_all[@]}") ms per bundle ($bundles bundles x $runs runs, $conns connections, wrk -t1," \
     "log $level, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
echo "rerun: bench/outbox_intake.sh $bundles $conns $runs"
