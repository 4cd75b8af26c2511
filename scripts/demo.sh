#!/usr/bin/env bash
# The main job on the embedded default: builds Simpul, starts the server with
# config/demo.toml (SQLite in var/), shows a short tour, then keeps serving
# until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p var

# Demo-only BPJS credentials: they match the built-in simulators, nothing real.
export SIMPUL_DEMO_BPJS_CONS_ID=${SIMPUL_DEMO_BPJS_CONS_ID:-1234}
export SIMPUL_DEMO_BPJS_SECRET=${SIMPUL_DEMO_BPJS_SECRET:-pwd}
export SIMPUL_DEMO_BPJS_USER_KEY=${SIMPUL_DEMO_BPJS_USER_KEY:-demo-user-key}
export SIMPUL_DEMO_PCARE_USER=${SIMPUL_DEMO_PCARE_USER:-demo}
export SIMPUL_DEMO_PCARE_PASSWORD=${SIMPUL_DEMO_PCARE_PASSWORD:-demo}
export SIMPUL_DEMO_SATUSEHAT_CLIENT_ID=${SIMPUL_DEMO_SATUSEHAT_CLIENT_ID:-simpul-demo-client}
export SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET=${SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET:-simpul-demo-secret}
# Demo-only audit master key (published: it protects nothing real; docs/pdp.md).
export SIMPUL_DEMO_AUDIT_KEY=${SIMPUL_DEMO_AUDIT_KEY:-d31d9e3e62e5393eeabd9b98dc671109e79089f6185a8d2c3ed9f4bdacafa325}

port=${SIMPUL_DEMO_PORT:-8080}
build/simpul config check --config config/demo.toml
build/simpul serve --config config/demo.toml --listen "127.0.0.1:$port" 2>var/demo.log &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT INT TERM

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

show() { echo; echo "\$ $*"; "$@"; echo; }
echo "Simpul is serving on $base (log: var/demo.log). A short tour:"
show curl -sS "$base/healthz"
show curl -sS "$base/readyz"
show curl -sS -o /dev/null -w 'HTTP %{http_code} without a key\n' "$base/fhir/metadata"
show curl -sS -H 'Authorization: Bearer demo-rs-simrs-key' "$base/fhir/metadata?_pretty=true"
show curl -sS -X POST -H 'Authorization: Bearer demo-rs-simrs-key' -H 'Content-Type: application/fhir+json' \
  --data '{"resourceType": ' "$base/fhir/Patient/\$validate"
show curl -sS -H 'Authorization: Bearer demo-rs-simrs-key' -H 'Content-Type: application/fhir+json' \
  --data '{"resourceType":"CoverageEligibilityRequest","servicedDate":"2025-06-15","patient":{"identifier":{"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001234567890"}}}' \
  "$base/fhir/CoverageEligibilityRequest/\$check?_pretty=true"
show curl -sS -H 'Authorization: Bearer demo-rs-simrs-key' \
  "$base/fhir/Coverage?identifier=https://fhir.simpul.id/sid/bpjs-no-kartu%7C0000000000001"
# An SEP (the JKN visit letter) from a FHIR Claim: first a dry run (the exact V-Claim
# request, secrets redacted, and where each field came from), then for real. The
# example's referral date is moved to today (a referral is valid for 90 days).
claim=$(sed "s/\"authoredOn\": \"[0-9-]*\"/\"authoredOn\": \"$(TZ=Asia/Jakarta date +%F)\"/" docs/examples/sep-rawat-jalan.json)
echo; echo "\$ curl -sS -X POST ... --data @docs/examples/sep-rawat-jalan.json '$base/fhir/Claim/\$submit?_dryRun=true' | (the first trace entries)"
curl -sS -H 'Authorization: Bearer demo-rs-simrs-key' -H 'Content-Type: application/fhir+json' --data "$claim" \
  "$base/fhir/Claim/\$submit?_dryRun=true" |
  grep -oE '"field","valueString":"[^"]*"\},\{"name":"value"(,"valueString":"[^"]*")?\},\{"name":"source","valueString":"[^"]*"' |
  sed -E 's/"field","valueString":"([^"]*)"\},\{"name":"value"(,"valueString":"([^"]*)")?\},\{"name":"source","valueString":"([^"]*)"/  \1 = "\3"   <- \4/' |
  head -12
echo; echo "\$ curl -sS -X POST ... --data @docs/examples/sep-rawat-jalan.json '$base/fhir/Claim/\$submit' | grep preAuthRef"
curl -sS -H 'Authorization: Bearer demo-rs-simrs-key' -H 'Content-Type: application/fhir+json' --data "$claim" \
  "$base/fhir/Claim/\$submit?_pretty=true" | grep -E '"preAuthRef"|"disposition"' || true
# The main job: a puskesmas pushes a finished visit once; Simpul answers 202 with a Task per
# upstream request and delivers it to P-Care (pendaftaran, then kunjungan) and SATUSEHAT (one
# transaction) through the built-in simulators, retrying through outages, never twice.
echo; echo "\$ curl -sS -X POST -H 'Authorization: Bearer demo-pkm-simpus-key' --data @docs/examples/puskesmas-encounter-bundle.json $base/fhir"
tasks=$(curl -sS -H 'Authorization: Bearer demo-pkm-simpus-key' -H 'Content-Type: application/fhir+json' \
  --data @docs/examples/puskesmas-encounter-bundle.json -w '\n%{http_code}' "$base/fhir" |
  tee var/demo-push.json | grep -oE '"resourceType":"Task","id":"[0-9]+"' | grep -oE '[0-9]+' || true)
echo "HTTP $(tail -1 var/demo-push.json), Tasks: $(echo $tasks)"
task() { curl -sS -H 'Authorization: Bearer demo-pkm-simpus-key' "$base/fhir/Task/$1"; }
for _ in $(seq 1 100); do  # until every Task is completed or failed (at most 20 s)
  pending=0
  for id in $tasks; do task "$id" | grep -qE '^\{"resourceType":"Task","id":"[0-9]+","status":"(completed|failed)"' || pending=1; done
  [ $pending = 0 ] && break
  sleep 0.2
done
echo "Where it went (GET /fhir/Task/{id}):"
for id in $tasks; do
  t=$(task "$id")
  step=$(echo "$t" | grep -oE '"text":"(P-Care [a-z]+|SATUSEHAT [A-Za-z ]+)"' | head -1 | cut -d'"' -f4)
  status=$(echo "$t" | grep -oE '"status":"[a-z-]+"' | head -1 | cut -d'"' -f4)
  out=$(echo "$t" | grep -oE '"valueIdentifier":\{"system":"[^"]*","value":"[^"]*"' |
    sed -E 's/.*sid\/([^"]*)","value":"([^"]*)"/\1 = \2/')
  echo "  Task/$id  $step: $status  $out"
done
echo
echo "\$ curl -sS $base/metrics | grep ^simpul_http_requests_total"
curl -sS "$base/metrics" | grep '^simpul_http_requests_total' || true
echo
echo "Serving until Ctrl-C."
wait $server
