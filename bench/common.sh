# Shared by the load benchmarks (sourced, not run): strict mode and the repository
# root as working directory, build check, the demo config tuned for load, starting
# processes and reading their ports, wrk's units.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# wrk present and a Release build of simpul in build/.
bench_prepare() {
  command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup.sh" >&2; exit 1; }
  [ -x build/simpul ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j"$(nproc)"; }
}

# bench_config OUT DIR LOG_LEVEL [sed expressions...]: config/demo.toml with its store in DIR,
# the given log level and the per-client rate limit out of the way.
bench_config() {
  local out=$1 dir=$2 level=$3
  shift 3
  sed -e "s|^url = .*|url = \"sqlite:$dir/bench.db\"|" \
      -e "s|^level = .*|level = \"$level\"|" \
      -e "s|^rate_per_second = .*|rate_per_second = 1000000|" \
      -e "s|^rate_burst = .*|rate_burst = 10000000|" \
      "$@" config/demo.toml > "$out"
}

# bench_serve CONFIG LOG: starts `simpul serve` with the demo BPJS credentials; sets $! as usual.
bench_serve() {
  SIMPUL_DEMO_BPJS_CONS_ID=1234 SIMPUL_DEMO_BPJS_SECRET=pwd SIMPUL_DEMO_BPJS_USER_KEY=demo-user-key \
    SIMPUL_DEMO_PCARE_USER=demo SIMPUL_DEMO_PCARE_PASSWORD=demo \
    SIMPUL_DEMO_SATUSEHAT_CLIENT_ID=simpul-demo-client SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET=simpul-demo-secret \
    SIMPUL_DEMO_AUDIT_KEY=d31d9e3e62e5393eeabd9b98dc671109e79089f6185a8d2c3ed9f4bdacafa325 \
    build/simpul serve --config "$1" --listen 127.0.0.1:0 2>"$2" &
}

# bench_port LOG: the port of the process's "listening" log line (waits up to 10 s).
bench_port() {
  local port=""
  for _ in $(seq 1 200); do
    port=$(grep -o '"msg":"listening".*"port":[0-9]*' "$1" 2>/dev/null | grep -o '[0-9]*$' | head -1 || true)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.05
  done
  echo "did not start: $1" >&2
  cat "$1" >&2
  exit 1
}

# bench_ms VALUE: wrk's "3.02ms" / "812.00us" / "1.20s" in milliseconds.
bench_ms() {
  case $1 in
    *ms) echo "${1%ms}" ;;
    *us) awk -v x="${1%us}" 'BEGIN{print x/1000}' ;;
    *s) awk -v x="${1%s}" 'BEGIN{print x*1000}' ;;
  esac
}

# CPU ticks (user + system) of process $1, of this shell's waited-for children; the median of the arguments.
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
kids() { awk '{print $16+$17}' /proc/$$/stat; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The store's own timings from /metrics (simpul_store_operation_duration_seconds: "commit" is
# the COMMIT with its fsync; other ops run from submission to completion, waiting included):
# store_snapshot BASE > FILE, then store_ops BEFORE AFTER prints "op count x mean ms" per op.
store_snapshot() {
  curl -fsS "$1/metrics" | awk '/^simpul_store_operation_duration_seconds_(sum|count)\{/ {
    match($0, /op="[^"]*"/); op = substr($0, RSTART + 4, RLENGTH - 5)
    print op, ($1 ~ /_sum\{/ ? "sum" : "count"), $NF }'
}
store_ops() {
  awk 'FNR == NR {v[$1 " " $2] = $3; next} {d[$1 " " $2] = $3 - v[$1 " " $2]; ops[$1] = 1}
       END {for (o in ops) if (d[o " count"] > 0)
              printf "%s%s %d x %.1f ms", (n++ ? ", " : ""), o, d[o " count"], d[o " sum"] / d[o " count"] * 1000}' "$1" "$2"
}

# outbox_bundle_template FILE: the reference puskesmas bundle with the visit number (@N@),
# date (@D@), card (@C@) and its FKTP (@F@) as placeholders (bench/outbox_push.lua fills them).
outbox_bundle_template() {
  sed -e 's/BDL-2026-03-02-0042/BDL-@D@-@N@/' -e 's/RJ-2026-03-02-0042/RJ-@D@-@N@/' \
      -e 's/RX-0042-/RX-@N@-/g' -e 's/RUJ-0042/RUJ-@N@/' -e 's/2026-03-0[24]/@D@/g' \
      -e 's/0001234567890/@C@/' -e 's/0114U003/@F@/' docs/examples/puskesmas-encounter-bundle.json > "$1"
}
