#!/usr/bin/env bash
# Installs exactly what Torghut needs on Debian 12 (run as root). Idempotent, and fast when
# everything is already present: apt is only touched when a package is missing.
#
#   scripts/setup.sh            # packages for building, testing and running; builds the web UI
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache clang libclang-rt-14-dev pkg-config
  # libraries (tzdata: the session calendar reads America/New_York from the tz database)
  libsimdjson-dev libcli11-dev libfmt-dev nlohmann-json3-dev tzdata
  # the strategy catalog (YAML and JSON, exact scalar text)
  libyaml-cpp-dev
  # msgpack (header-only msgpack-cxx): the simulator's streams speak it as Alpaca's SDKs do
  libmsgpack-cxx-dev
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
  # the keeper the ClickHouse replication tests start (standalone, on loopback; brings a JRE)
  zookeeper
  # the browser the web UI's end-to-end tests drive (tests/e2e, playwright-core)
  chromium
  # tests/deploy: YAML for reading the rendered manifests
  python3-yaml
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js for the web UI (Vite 6, playwright-core, `node --test`): Debian's nodejs (18) and npm,
# installed only when the command is missing. A node from elsewhere (e.g. NodeSource's package,
# which bundles npm and conflicts with Debian's npm package) is used as it is.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# kubectl (`kubectl kustomize` renders deploy/k8s in tests/deploy): Debian's kubernetes-client,
# only when the command is missing — a kubectl from elsewhere (Google's kubectl package owns the
# same /usr/bin/kubectl) is used as it is.
command -v kubectl >/dev/null || missing+=(kubernetes-client)

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

# The web UI (web/): dependencies from the committed lockfile, then a build into web/dist, which
# `torghut serve` / `torghut up` serve. Each step runs only when its inputs changed.
WEB="$(cd "$(dirname "$0")/.." && pwd)/web"
if ! command -v npm >/dev/null ||
   ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>18||(a===18&&b>=19)?0:1)' 2>/dev/null; then
  echo "setup: the web UI needs Node.js >= 18.19 (Debian 12's nodejs) and npm; found node $(node --version 2>/dev/null || echo none), npm $(npm --version 2>/dev/null || echo none)" >&2
  exit 1
fi
lock_sum=$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$WEB/node_modules/.torghut-lock" 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: installing the web UI's packages (npm ci)" >&2
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$WEB/node_modules/.torghut-lock"
fi
# Alpaca's JS SDK for the simulator's compatibility test (tests/sdk): from its committed lockfile,
# again only when the lockfile changed.
SDK="$(cd "$(dirname "$0")/.." && pwd)/tests/sdk"
sdk_sum=$(sha256sum "$SDK/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$SDK/node_modules/.torghut-lock" 2>/dev/null)" != "$sdk_sum" ]; then
  echo "setup: installing Alpaca's JS SDK for tests/sdk (npm ci)" >&2
  (cd "$SDK" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sdk_sum" > "$SDK/node_modules/.torghut-lock"
fi
# s3rver, the S3-protocol server the S3 checkpoint tests start on loopback (tests/s3): from its
# committed lockfile, only when the lockfile changed.
S3="$(cd "$(dirname "$0")/.." && pwd)/tests/s3"
s3_sum=$(sha256sum "$S3/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$S3/node_modules/.torghut-lock" 2>/dev/null)" != "$s3_sum" ]; then
  echo "setup: installing s3rver for tests/s3 (npm ci)" >&2
  (cd "$S3" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$s3_sum" > "$S3/node_modules/.torghut-lock"
fi
if [ ! -e "$WEB/dist/index.html" ] ||
   [ -n "$(find "$WEB/src" "$WEB/index.html" "$WEB/trading.html" "$WEB/vite.config.ts" "$WEB/tsconfig.json" \
            "$WEB/package-lock.json" -newer "$WEB/dist/index.html" 2>/dev/null | head -1)" ]; then
  echo "setup: building the web UI (web/dist)" >&2
  (cd "$WEB" && npm run --silent build)
fi
