#!/usr/bin/env bash
# Installs the Debian 12 packages Simpul needs to build, test and run, only when
# missing. Idempotent and silent when everything is already there.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git curl ca-certificates
  clang libclang-rt-14-dev           # libFuzzer + sanitizer runtimes for the fuzz run
  libboost1.81-dev                   # Asio + Beast (header-only parts)
  rapidjson-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  wrk                                # load generator for bench/
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js runs the independent test oracles (npm lz-string, Node crypto).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
