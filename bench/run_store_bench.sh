#!/usr/bin/env bash
# TA store write throughput and read latency per backend, in one run:
#   SQLite       TaStore writes (one transaction per 10 000-row batch)
#   ClickHouse   TaStore writes (RowBinary over HTTP)  vs  clickhouse-client inserting the same
#                rows from a RowBinary file into an identical table of the same server (peer)
#   reads        one hour of 1 s bars (rows, and as 1m candles) and `latest`, p50/p99
# Usage: bench/run_store_bench.sh [BUILD_DIR] [ROWS]   (a Release build with -DTORGHUT_BENCH=ON)
source "$(dirname "$0")/lib.sh" "${1:-build/release}"
N=${2:-1000000}
BENCH=$BUILD/bench/store_bench

echo "== SQLite ($N rows)"
"$BENCH" write sqlite "$WORK/ta.sqlite" "$N"
"$BENCH" read sqlite "$WORK/ta.sqlite"

echo "== ClickHouse ($N rows)"
start_clickhouse

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
