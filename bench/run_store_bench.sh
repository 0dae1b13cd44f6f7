#!/usr/bin/env bash
# TA store write throughput and read latency per backend, in one run:
#   SQLite       TaStore writes (one transaction per 10 000-row batch)
#   ClickHouse   TaStore writes (RowBinary over HTTP)  vs  clickhouse-client inserting the same
#                rows from a RowBinary file into an identical table of the same server (peer)
#   reads        one hour of 1 s bars (rows, and as 1m candles) and `latest`, p50/p99
# Usage: bench/run_store_bench.sh [BUILD_DIR] [ROWS]   (a Release build with -DTORGHUT_BENCH=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
N=${2:-1000000}
BENCH=$BUILD/bench/store_bench
TORGHUT=$BUILD/src/torghut/app/torghut
WORK=$(mktemp -d -p "${TMPDIR:-/var/tmp}")
CH_PID=""
cleanup() { [ -n "$CH_PID" ] && kill "$CH_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
now() { date +%s.%N; }

echo "== SQLite ($N rows)"
"$BENCH" write sqlite "$WORK/ta.sqlite" "$N"
"$BENCH" read sqlite "$WORK/ta.sqlite"

echo "== ClickHouse ($N rows)"
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$WORK/ch/tmp"
clickhouse-server --config-file=/etc/clickhouse-server/config.xml -- --path="$WORK/ch/" \
  --tmp_path="$WORK/ch/tmp/" --http_port=$((PORT + 1)) --tcp_port=$PORT \
  --interserver_http_port=$((PORT + 2)) --listen_host=127.0.0.1 --logger.log="$WORK/ch/log" \
  --logger.errorlog="$WORK/ch/err" >/dev/null 2>&1 &
CH_PID=$!
URL=http://127.0.0.1:$((PORT + 1))
for _ in $(seq 300); do curl -sf "$URL/?query=SELECT%201" >/dev/null && break; sleep 0.1; done

# The peer's table: the same schema, made by the same migrator, in another database.
TA_STORE=clickhouse TA_CLICKHOUSE_URL=$URL TA_CLICKHOUSE_DATABASE=peer "$TORGHUT" migrate --only ta
COLUMNS=$("$BENCH" rowbinary "$WORK/rows.bin" "$N")
t0=$(now)
clickhouse-client --port "$PORT" \
  --query "INSERT INTO peer.ta_microbars ($COLUMNS) FORMAT RowBinary" <"$WORK/rows.bin"
t1=$(now)
PEER=$(awk "BEGIN { printf \"%.0f\", $N / ($t1 - $t0) }")
echo "peer: clickhouse-client INSERT FORMAT RowBinary from a file: $N rows in $(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }") s = $PEER rows/s"
OURS=$("$BENCH" write clickhouse "$URL" "$N")
echo "$OURS"
RATE=$(echo "$OURS" | sed -E 's/.*= ([0-9]+) rows\/s.*/\1/')
awk "BEGIN { printf \"ratio ours/peer: %.2fx\n\", $RATE / $PEER }"
"$BENCH" read clickhouse "$URL"
