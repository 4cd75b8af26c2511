#!/usr/bin/env bash
# Outbox drain: how fast the delivery engine empties a backlog into upstreams that answer in
# latency_ms. Each run starts `simpul sim bpjs` and (when the config routes to SATUSEHAT)
# `simpul sim satusehat` in their own processes with --latency-ms, and `simpul serve` on a fresh
# store pointed at them with `[outbox] concurrency` and the BPJS per-consumer caps
# (max_concurrent, max_connections) and the SATUSEHAT connection pool ([satusehat]
# max_connections) raised to that concurrency. With both destinations
# suspended, wrk (bench/outbox_push.lua) pushes N different visits (P-Care allows one
# registration per card, day and poli: visits cycle through 18 simulator cards and count days
# from 2026-01-01; every visit keeps the example's NIKs, so SATUSEHAT's IHS lookups are cached
# after the first); then both are resumed and the script polls the store until every item is
# delivered. Deliveries/s = items / (time from the resume to the last delivery). Afterwards
# the simulators must hold exactly N pendaftaran, N kunjungan (and N Encounters): nothing sent
# twice.
#   bench/outbox_drain.sh [bundles=2000] [concurrency=64] [latency_ms=50] [runs=3]
#   SIMPUL_BENCH_DESTINATIONS=pcare bench/outbox_drain.sh     # route pkm-demo to P-Care only
#   SIMPUL_BENCH_LOG_LEVEL=info ...                            # default warn (no access log)
# Prints one line per run and the medians. Bounded: a run gives up after 60 s + 10 ms per item.
# Not part of CI nor of the test command.
source "$(dirname "$0")/common.sh"
bundles=${1:-2000}
conc=${2:-64}
latency=${3:-50}
runs=${4:-3}
level=${SIMPUL_BENCH_LOG_LEVEL:-warn}
admin='Authorization: Bearer demo-pkm-admin-key'
bench_prepare
command -v sqlite3 >/dev/null || { echo "sqlite3 missing (apt-get install sqlite3)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq missing (apt-get install jq)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Simulator cards (active: not ending in 9) and their registered FKTP, which the Patient's
# generalPractitioner must name (found by pushing each card and reading the P-Care refusal:
# "kdProviderPeserta tidak sesuai dengan faskes terdaftar peserta (...)").
cards=0001234567890:0114U003,0001234567891:0114P002,0001234567892:0114P001,0001234567893:0114U003
cards+=,0001234567894:0114U003,0001234567895:0114P002,0001234567896:0114U003,0001234567897:0114U003
cards+=,0001234567898:0114U003,0001234567800:0114P001,0001234567801:0114U003,0001234567802:0114P001
cards+=,0001234567803:0114U003,0001234567804:0114U003,0001234567805:0114P001,0001234567806:0114P002
cards+=,0001234567807:0114U003,0001234567808:0114P002
max_bundles=$((18 * 320))   # days from 2026-01-01 up to mid-November (never after "today")
[ "$bundles" -le "$max_bundles" ] || { echo "at most $max_bundles bundles (18 cards x 320 days)" >&2; exit 1; }

satusehat=0
if grep -q '^\[satusehat\]' config/demo.toml && [[ ",${SIMPUL_BENCH_DESTINATIONS:-satusehat}," == *,satusehat,* ]]; then
  satusehat=1
fi

dir=$(mktemp -d)
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; [ -n "${SIMPUL_BENCH_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"' EXIT

outbox_bundle_template "$dir/bundle.json"

now_ms() { date +%s%3N; }
hz=$(getconf CLK_TCK)
rate_all=(); pcare_all=(); ss_all=(); cpu_all=()

for run in $(seq 1 "$runs"); do
  rm -rf "$dir/run" && mkdir "$dir/run"
  build/simpul sim bpjs --listen 127.0.0.1:0 --latency-ms "$latency" 2>"$dir/run/bpjs.log" &
  bpjs_pid=$!; pids+=("$bpjs_pid")
  bpjs_port=$(bench_port "$dir/run/bpjs.log")
  sed_args=(-e "/^\[bpjs\]/,/^\[/ s|^endpoint = .*|endpoint = \"http://127.0.0.1:$bpjs_port\"\\nmax_concurrent = $conc\\nmax_connections = $conc|")
  ss_pid=""
  if [ "$satusehat" = 1 ]; then
    build/simpul sim satusehat --listen 127.0.0.1:0 --latency-ms "$latency" 2>"$dir/run/satusehat.log" &
    ss_pid=$!; pids+=("$ss_pid")
    ss_port=$(bench_port "$dir/run/satusehat.log")
    sed_args+=(-e "/^\[satusehat\]/,/^\[/ s|^endpoint = .*|endpoint = \"http://127.0.0.1:$ss_port\"\\nmax_connections = $conc|")
  fi
  if [ -n "${SIMPUL_BENCH_DESTINATIONS:-}" ]; then
    list=$(echo "$SIMPUL_BENCH_DESTINATIONS" | sed 's/[^,][^,]*/"&"/g; s/,/, /g')
    sed_args+=(-e "/^id = \"pkm-demo\"/a destinations = [$list]")
  fi
  if grep -q '^\[outbox\]' config/demo.toml; then
    sed_args+=(-e "/^\[outbox\]/a concurrency = $conc")
  else
    sed_args+=(-e "\$a [outbox]\\nconcurrency = $conc")
  fi
  bench_config "$dir/run/bench.toml" "$dir/run" "$level" "${sed_args[@]}"
  bench_serve "$dir/run/bench.toml" "$dir/run/server.log"
  pid=$!; pids+=("$pid")
  port=$(bench_port "$dir/run/server.log")
  base="http://127.0.0.1:$port"
  for d in pcare satusehat; do
    curl -fsS -X POST -H "$admin" "$base/admin/destinations/pkm-demo/$d/suspend?reason=bench" >/dev/null
  done

  # The backlog.
  out=$(wrk -t1 -c32 -d600s --timeout 10s -s bench/outbox_push.lua "$base/fhir" \
        -- "$dir/bundle.json" "$bundles" "$cards" 2>"$dir/run/wrk.err")
  sleep 0.5
  if ! echo "$out" | grep -q '^statuses: 202=[0-9]*$'; then
    echo "run $run: the backlog was not accepted: $(echo "$out" | grep statuses)"; head -5 "$dir/run/wrk.err"; exit 1
  fi
  total=$(sqlite3 "$dir/run/bench.db" "SELECT count(*) FROM outbox")
  n_pcare=$(sqlite3 "$dir/run/bench.db" "SELECT count(*) FROM outbox WHERE destination = 'pcare'")
  n_ss=$(sqlite3 "$dir/run/bench.db" "SELECT count(*) FROM outbox WHERE destination = 'satusehat'")

  # Drain: resume both, poll the store every 50 ms until every item is delivered.
  store_snapshot "$base" > "$dir/run/store0"
  srv0=$(ticks "$pid"); bpjs0=$(ticks "$bpjs_pid"); ss0=0
  [ -n "$ss_pid" ] && ss0=$(ticks "$ss_pid")
  t0=$(now_ms)
  for d in pcare satusehat; do
    curl -fsS -X POST -H "$admin" "$base/admin/destinations/pkm-demo/$d/resume" >/dev/null
  done
  deadline=$((t0 + 60000 + total * 10))
  t_pcare=""; t_ss=""; [ "$n_ss" -eq 0 ] && t_ss=$t0
  while :; do
    read -r del_pcare del_ss dead <<<"$(sqlite3 -separator ' ' "$dir/run/bench.db" \
      "SELECT coalesce(sum(destination = 'pcare' AND status = 'delivered'), 0),
              coalesce(sum(destination = 'satusehat' AND status = 'delivered'), 0),
              coalesce(sum(status = 'dead'), 0) FROM outbox")"
    t=$(now_ms)
    [ -z "$t_pcare" ] && [ "$del_pcare" -eq "$n_pcare" ] && t_pcare=$t
    [ -z "$t_ss" ] && [ "$del_ss" -eq "$n_ss" ] && t_ss=$t
    [ -n "$t_pcare" ] && [ -n "$t_ss" ] && break
    if [ "$dead" -gt 0 ] || [ "$t" -gt "$deadline" ]; then
      echo "run $run: not drained after $(((t - t0) / 1000)) s: pcare $del_pcare/$n_pcare, satusehat $del_ss/$n_ss delivered, $dead dead"
      sqlite3 "$dir/run/bench.db" "SELECT destination, status, count(*), max(last_error) FROM outbox GROUP BY 1, 2"
      exit 1
    fi
    sleep 0.05
  done
  t1=$(now_ms)
  store_snapshot "$base" > "$dir/run/store1"
  srv1=$(ticks "$pid"); bpjs1=$(ticks "$bpjs_pid"); ss1=0
  [ -n "$ss_pid" ] && ss1=$(ticks "$ss_pid")

  # Exactly once upstream.
  bs=$(curl -fsS "http://127.0.0.1:$bpjs_port/sim/state")
  pend=$(echo "$bs" | jq '.pcare.pendaftaran_count'); kunj=$(echo "$bs" | jq '.pcare.kunjungan_count')
  up="P-Care sim: $pend pendaftaran, $kunj kunjungan"
  ok=$(( pend == n_pcare / 2 && kunj == n_pcare / 2 ))
  if [ -n "$ss_pid" ]; then
    enc=$(curl -fsS "http://127.0.0.1:$ss_port/sim/state" | jq '.counts.Encounter // 0')
    up+=", SATUSEHAT sim: $enc Encounter"
    ok=$(( ok && enc == n_ss ))
  fi
  [ "$ok" = 1 ] && up+=" (exactly once)" || up+=" (MISMATCH: expected $((n_pcare / 2)) / $n_ss)"

  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1000}')
  rate=$(awk -v n="$total" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / ((b - a) / 1000)}')
  rate_pcare=$(awk -v n="$n_pcare" -v a="$t0" -v b="$t_pcare" 'BEGIN {printf "%.0f", n / ((b - a) / 1000)}')
  rate_ss="-"
  [ "$n_ss" -gt 0 ] && rate_ss=$(awk -v n="$n_ss" -v a="$t0" -v b="$t_ss" 'BEGIN {printf "%.0f", n / ((b - a) / 1000)}')
  cpu=$(awk -v s=$((srv1 - srv0)) -v b=$((bpjs1 - bpjs0)) -v e=$((ss1 - ss0)) -v n="$total" -v t="$hz" \
        'BEGIN {printf "simpul %.3f ms, BPJS sim %.3f ms, SATUSEHAT sim %.3f ms", s / t * 1000 / n, b / t * 1000 / n, e / t * 1000 / n}')
  cpu_srv=$(awk -v s=$((srv1 - srv0)) -v n="$total" -v t="$hz" 'BEGIN {printf "%.3f", s / t * 1000 / n}')
  busy=$(awk -v s=$((srv1 - srv0 + bpjs1 - bpjs0 + ss1 - ss0)) -v t="$hz" -v a="$t0" -v b="$t1" \
         'BEGIN {printf "%.2f", s / t / ((b - a) / 1000)}')
  echo "run $run: $total items ($n_pcare P-Care, $n_ss SATUSEHAT) delivered in $secs s = $rate deliveries/s" \
       "(P-Care $rate_pcare/s, SATUSEHAT $rate_ss/s); CPU per delivery: $cpu; cores busy $busy; $up"
  echo "  store during the drain: $(store_ops "$dir/run/store0" "$dir/run/store1")"
  rate_all+=("$rate"); pcare_all+=("$rate_pcare"); ss_all+=("$rate_ss"); cpu_all+=("$cpu_srv")
  stop_all
done
ceiling=$(awk -v c="$conc" -v l="$latency" 'BEGIN {printf "%.0f", c / (l / 1000)}')
echo "median: $(median "${rate_all[@]}") deliveries/s (P-Care $(median "${pcare_all[@]}")/s, SATUSEHAT" \
     "$(median "${ss_all[@]}")/s), simpul CPU $(median "${cpu_all[@]}") ms per delivery; ceiling $ceiling/s per destination" \
     "($conc in flight / $latency ms); $bundles bundles x $runs runs, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "rerun: bench/outbox_drain.sh $bundles $conc $latency $runs"
