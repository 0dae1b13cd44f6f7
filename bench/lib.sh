# Shared preamble of the process benchmarks (sourced, never run): the Release binaries, a scratch
# directory removed at exit, background processes killed at exit, and a clock.
#   source "$(dirname "$0")/lib.sh" "$@"     # $1: BUILD_DIR (default build/release)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build/release}
TORGHUT=$(realpath "$BUILD/src/torghut/app/torghut")
MOCK=$(realpath -m "$BUILD/tests/fixtures/torghut-kafka-mock")
WORK=$(mktemp -d -p "${TMPDIR:-/var/tmp}")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
now() { date +%s.%N; }

# Starts a ClickHouse server with its data under $WORK/ch on random ports and waits until it
# answers; sets PORT (native protocol) and URL (HTTP).
start_clickhouse() {
  PORT=$((20000 + RANDOM % 20000))
  mkdir -p "$WORK/ch/tmp"
  clickhouse-server --config-file=/etc/clickhouse-server/config.xml -- --path="$WORK/ch/" \
    --tmp_path="$WORK/ch/tmp/" --http_port=$((PORT + 1)) --tcp_port=$PORT \
    --interserver_http_port=$((PORT + 2)) --listen_host=127.0.0.1 --logger.log="$WORK/ch/log" \
    --logger.errorlog="$WORK/ch/err" >/dev/null 2>&1 &
  PIDS+=($!)
  URL=http://127.0.0.1:$((PORT + 1))
  for _ in $(seq 300); do curl -sf "$URL/?query=SELECT%201" >/dev/null && break; sleep 0.1; done
}
