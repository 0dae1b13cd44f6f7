#!/usr/bin/env bash
# Installs exactly what Torghut needs on Debian 12 (run as root). Idempotent, and fast when
# everything is already present: apt is only touched when a package is missing.
#
#   scripts/setup.sh            # packages for building, testing and running
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache clang libclang-rt-14-dev pkg-config
  # libraries (tzdata: the session calendar reads America/New_York from the tz database)
  libsimdjson-dev libcli11-dev libfmt-dev nlohmann-json3-dev tzdata
  # the bus: Kafka client (and its mock cluster for tests), zlib for record checksums
  librdkafka-dev zlib1g-dev
  # the stores: SQLite (embedded default), Postgres client (libpqxx), ClickHouse's HTTP interface
  libsqlite3-dev libpqxx-dev libcurl4-openssl-dev
  # HTTP and WebSocket (Boost.Beast, header-only in 1.74; OpenSSL for wss://)
  libboost-dev libssl-dev openssl
  # tests and benchmarks
  libgtest-dev libbenchmark-dev
  # kcat: the Kafka tests and benchmarks use it as an independent Kafka client
  kcat
  # wrk: the read API load benchmark (bench/run_api_bench.sh)
  wrk
  # servers the store tests start on loopback (and the ClickHouse benchmarks' peer)
  clickhouse-server clickhouse-client postgresql
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts must not start system services: the tests start their own servers.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present" >&2
fi
