#!/usr/bin/env bash
# TA core throughput against its peer, measured in one run on the same trades:
#   ours: ta_engine_bench (decoded trades → 1 s microbars + all signals, one core)
#   peer: ClickHouse computing the same per-second OHLCV bars (GROUP BY symbol, second) over the
#         same trades held in a Memory table, max_threads=1; its own query time (statistics.elapsed),
#         load excluded.
# Usage: bench/run_ta_bench.sh [BUILD_DIR]   (a Release build with -DTORGHUT_BENCH=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
TORGHUT=$BUILD/src/torghut/app/torghut
WORK=$(mktemp -d)
CH_PID=""
cleanup() { [ -n "$CH_PID" ] && kill "$CH_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOG,AMD,SPY,QQQ --seconds 1000 \
  --rate 200 --quotes-per-trade 0 --seed 1 --out "$WORK/trades.jsonl"

PORT=$((20000 + RANDOM % 20000))
mkdir -p "$WORK/ch/tmp"
clickhouse-server --config-file=/etc/clickhouse-server/config.xml -- --path="$WORK/ch/" \
  --tmp_path="$WORK/ch/tmp/" --http_port=$((PORT + 1)) --tcp_port=$PORT \
  --interserver_http_port=$((PORT + 2)) --logger.log="$WORK/ch/log" \
  --logger.errorlog="$WORK/ch/err" >/dev/null 2>&1 &
CH_PID=$!
ch() { clickhouse-client --port "$PORT" "$@"; }
for _ in $(seq 100); do ch -q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done

ch -q "CREATE TABLE raw (T String, S String, p Float64, s Int64, t String) ENGINE = Memory"
grep '"T":"t"' "$WORK/trades.jsonl" |
  ch --input_format_skip_unknown_fields=1 -q "INSERT INTO raw FORMAT JSONEachRow"
ch -q "CREATE TABLE trades ENGINE = Memory AS SELECT S, p, s,
  toInt64(toUnixTimestamp(toDateTime(substring(t, 1, 19), 'UTC'))) * 1000000000 +
  toInt64(round(toFloat64(concat('0', substring(t, 20, length(t) - 20))) * 1000000000)) AS ts_ns
  FROM raw"
TRADES=$(ch -q "SELECT count() FROM trades")

best=""
for _ in 1 2 3 4 5; do
  e=$(ch --max_threads=1 -q "SELECT S, intDiv(ts_ns, 1000000000) AS sec, argMin(p, ts_ns) AS o,
        max(p) AS h, min(p) AS l, argMax(p, ts_ns) AS c, sum(s) AS v, sum(p * s) / sum(s) AS vwap,
        count() AS n FROM trades GROUP BY S, sec FORMAT JSON" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["statistics"]["elapsed"])')
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $e < $best else 1)"; then best=$e; fi
done
PEER=$(python3 -c "print(f'{$TRADES / $best / 1e6:.2f}')")
echo "peer: ClickHouse 18.16 GROUP BY (max_threads=1): $TRADES trades in ${best}s best of 5 = $PEER M trades/s"

OURS_JSON=$("$BUILD/bench/ta_engine_bench" --trades-file="$WORK/trades.jsonl" \
  --benchmark_filter=TradesToMicrobars --benchmark_format=json 2>/dev/null)
OURS=$(echo "$OURS_JSON" | python3 -c 'import json,sys
b=[x for x in json.load(sys.stdin)["benchmarks"] if "items_per_second" in x][0]
print("%.2f" % (b["items_per_second"] / 1e6))')
echo "ours: torghut TA engine (microbars + signals, 1 core): $OURS M trades/s"
python3 -c "print(f'ratio ours/peer: {$OURS / $PEER:.2f}x')"
