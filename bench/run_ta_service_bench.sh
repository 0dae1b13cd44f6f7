#!/usr/bin/env bash
# `torghut ta` throughput, bus → engine → store, per deployment shape, in one run:
#   embedded bus + SQLite     ~1 M trades (8 symbols, 0.2 quotes per trade) already on the bus
#   Kafka mock + ClickHouse   ~36 k trades (what fits the mock cluster's ~5 MiB per partition)
# Each is timed from the process start to the moment its group has committed every input offset
# (checkpoints every second, so ≤ 1 s of the figure is the last checkpoint), and compared with the
# peer measured in the same run: `torghut replay --from-file` over the same data — the same
# engine with no bus, no store, no checkpoints.
# Then event → final row latency at a steady live rate (bench/ta_latency_bench.cc), with the
# default flush interval and a short one.
# Usage: bench/run_ta_service_bench.sh [BUILD_DIR]   (a Release build)
source "$(dirname "$0")/lib.sh" "$@"
# Total lag of group $1 over the input topics (-1 until it committed); named explicitly, as
# librdkafka's mock cluster cannot list groups.
lag() {
  "$TORGHUT" bus groups --group "$1" --topic torghut.trades.v1 torghut.quotes.v1 torghut.bars.1m.v1 \
    2>/dev/null | awk -v g="$1" '$1 == g { s += $6; n++; if ($4 < 0) u++ } END { print (n && !u ? s : -1) }'
}

# Runs `torghut ta` (env already set) until group $1 has no lag; prints the seconds from the
# process start and from its first partition assignment (after the group join).
time_ta() {
  local group=$1 t0 t1 ta
  t0=$(now)
  TA_GROUP_ID=$group TORGHUT_LOG_LEVEL=info "$TORGHUT" ta 2>"$WORK/$group.log" &
  local pid=$!
  while [ "$(lag "$group")" != "0" ]; do sleep 0.05; done
  t1=$(now)
  kill -TERM $pid; wait $pid
  ta=$(date -d "$(grep -m1 '"msg":"partition assigned"' "$WORK/$group.log" |
    sed 's/.*"ts":"\([^"]*\)".*/\1/')" +%s.%N)
  awk "BEGIN { printf \"%.3f %.3f\", $t1 - $t0, $t1 - $ta }"
}

report() {  # name trades "seconds seconds_after_assignment" peer_seconds
  set -- "$1" "$2" $3 "$4"
  awk -v n="$1" -v t="$2" -v s="$3" -v a="$4" -v p="$5" 'BEGIN {
    printf "%s: %d trades in %.2f s = %.0f trades/s (%.2f s = %.0f trades/s after the partitions were assigned); peer (file replay, engine only) %.2f s = %.0f trades/s; ratio %.2fx\n",
      n, t, s, t / s, a, t / a, p, t / p, p / a }'
}

export TA_CHECKPOINT_INTERVAL_MS=1000 TA_RETENTION_DAYS=36500 TORGHUT_LOG_LEVEL=warn TORGHUT_HTTP_ADDR=127.0.0.1:0

echo "== embedded bus + SQLite"
"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,GOOG,META,AMD --rate 50 \
  --quotes-per-trade 0.2 --seconds 2500 --seed 11 --out "$WORK/big.jsonl" 2>/dev/null
TRADES=$(grep -c '"T":"t"' "$WORK/big.jsonl")
t0=$(now); "$TORGHUT" replay --no-progress --from-file "$WORK/big.jsonl" --out "$WORK/replay" 2>/dev/null; t1=$(now)
PEER=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
(export TORGHUT_DATA_DIR=$WORK/embedded
 "$TORGHUT" sim publish --from-file "$WORK/big.jsonl" 2>/dev/null
 report "embedded + SQLite" "$TRADES" "$(time_ta bench-embedded)" "$PEER")

echo "== Kafka mock cluster + ClickHouse 18.16"
start_clickhouse
mkfifo "$WORK/mock.in"
"$MOCK" --brokers 1 --topic torghut.trades.v1:3 --topic torghut.quotes.v1:3 \
  --topic torghut.bars.1m.v1:3 --topic torghut.ta.bars.1s.v1:3 --topic torghut.ta.signals.v1:3 \
  --topic torghut.ta.status.v1:3 <"$WORK/mock.in" >"$WORK/mock.out" &
PIDS+=($!)
exec 9>"$WORK/mock.in"  # keeps the fixture's stdin open
for _ in $(seq 300); do grep -q bootstrap= "$WORK/mock.out" && break; sleep 0.05; done
BOOTSTRAP=$(sed -n 's/^bootstrap=//p' "$WORK/mock.out")
"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,GOOG --rate 10 --quotes-per-trade 0.5 \
  --seconds 600 --seed 21 --out "$WORK/small.jsonl" 2>/dev/null
TRADES=$(grep -c '"T":"t"' "$WORK/small.jsonl")
t0=$(now); "$TORGHUT" replay --no-progress --from-file "$WORK/small.jsonl" --out "$WORK/replay2" 2>/dev/null; t1=$(now)
PEER=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
(export BUS=kafka KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_SESSION_TIMEOUT_MS=6000 \
   KAFKA_HEARTBEAT_INTERVAL_MS=500 TA_STORE=clickhouse TA_CLICKHOUSE_URL=$URL TORGHUT_DATA_DIR=$WORK/kafka
 "$TORGHUT" sim publish --from-file "$WORK/small.jsonl" 2>/dev/null
 "$TORGHUT" migrate --only ta >/dev/null
 report "Kafka mock + ClickHouse" "$TRADES" "$(time_ta bench-kafka)" "$PEER")

echo "== event -> final row visible (embedded bus + SQLite, live rate)"
"$BUILD/bench/ta_latency_bench" --torghut "$TORGHUT" --seconds 40 --rate 400
"$BUILD/bench/ta_latency_bench" --torghut "$TORGHUT" --seconds 40 --rate 400 --flush-ms 20
