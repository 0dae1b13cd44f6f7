#!/usr/bin/env bash
# `torghut ws` figures, in one run:
#  1. Throughput: a recording (~240 k messages) served by `torghut sim serve --wait-for-subscriber`
#     as fast as the forwarder takes it, forwarded onto each bus backend (embedded; Kafka mock);
#     timed from the first message received to the last one acknowledged by the bus. Peer, same
#     run and same data: `torghut sim publish` — the same envelopes straight onto the bus, no
#     WebSocket, no decoding of frames, no de-dup.
#  2. Lag (ingest − event time of every forwarded message, from the envelopes on the bus) at 1×,
#     10× and 100× a busy IEX session (~1,000 messages/s: 100 symbols, 5 trades + 5 quotes per
#     second each), 20 s per rate, embedded bus. The simulator sends every 1 ms (--batch-ms 1) and
#     no late trades (they are late by design, up to 2 s).
# Usage: bench/run_ws_bench.sh [BUILD_DIR]   (a Release build)
source "$(dirname "$0")/lib.sh" "$@"
export TORGHUT_LOG_LEVEL=warn TORGHUT_HTTP_ADDR=127.0.0.1:0 TORGHUT_HTTP_ACCESS_LOG=false

# Waits for the "listening" line of log $1 and prints host:port.
addr_of() {
  until grep -q '"msg":"listening"' "$1" 2>/dev/null; do sleep 0.05; done
  grep -m1 '"msg":"listening"' "$1" | sed 's/.*"addr":"\([^"]*\)".*/\1/'
}
# Sum of the Prometheus samples matching regex $2 at http://$1/metrics.
metric() { curl -s "http://$1/metrics" | awk -v re="$2" '$0 ~ re { s += $NF } END { printf "%d", s }'; }

SYMBOLS=$(for i in $(seq 1 100); do printf 'S%03d,' "$i"; done | sed 's/,$//')

# Runs sim + forwarder on the bus of env $1 over recording $2 (N messages); prints seconds.
forward_file() {
  local env=$1 file=$2 n=$3 tag=$4
  TORGHUT_LOG_LEVEL=info "$TORGHUT" sim serve --port 0 --from-file "$file" --wait-for-subscriber \
    --speed 1000000 --batch-ms 1 --max-symbols 1000 --slow-client-bytes 4000000000 \
    >/dev/null 2>"$WORK/sim-$tag.log" &
  PIDS+=($!); local sim=$!
  local sim_addr; sim_addr=$(addr_of "$WORK/sim-$tag.log")
  env $env TORGHUT_LOG_LEVEL=info ALPACA_STREAM_URL="ws://$sim_addr" ALPACA_DATA_URL="http://$sim_addr" \
    ALPACA_KEY_ID=sim-key ALPACA_SECRET_KEY=sim-secret SYMBOLS=$SYMBOLS WS_BACKFILL=false \
    "$TORGHUT" ws 2>"$WORK/ws-$tag.log" &
  PIDS+=($!); local ws=$!
  local ws_addr; ws_addr=$(addr_of "$WORK/ws-$tag.log")
  until [ "$(metric "$ws_addr" '^torghut_ws_messages_total\\{type="(trade|quote)"')" -gt 0 ]; do sleep 0.01; done
  local t0; t0=$(now)
  # Done when every message is acknowledged by the bus (or was a duplicate, dropped).
  until [ "$(metric "$ws_addr" '^(torghut_ws_produce_total\\{topic="torghut.(trades|quotes).v1",result="success"|torghut_ws_dedup_drops_total)')" -ge "$n" ]; do sleep 0.01; done
  local t1; t1=$(now)
  kill -TERM $ws; wait $ws || true
  kill -TERM $sim; wait $sim || true
  awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"
}

echo "== throughput: recording -> sim serve -> torghut ws -> bus"
"$TORGHUT" sim generate --symbols "$SYMBOLS" --rate 20 --seconds 60 --seed 5 --duplicate-share 0 \
  --late-share 0 --cancel-share 0 --no-minute-bars --out "$WORK/rec.jsonl" 2>/dev/null
N=$(wc -l < "$WORK/rec.jsonl")
for backend in embedded kafka; do
  if [ "$backend" = embedded ]; then
    ENV="TORGHUT_DATA_DIR=$WORK/$backend"
  else
    coproc MOCKP { "$MOCK" --brokers 1 --topic torghut.trades.v1:3 --topic torghut.quotes.v1:3 \
      --topic torghut.bars.1m.v1:3 --topic torghut.status.v1:3; }
    read -r line <&"${MOCKP[0]}"
    ENV="BUS=kafka KAFKA_BOOTSTRAP_SERVERS=${line#bootstrap=}"
  fi
  t0=$(now); env $ENV "$TORGHUT" sim publish --from-file "$WORK/rec.jsonl" 2>/dev/null; t1=$(now)
  PEER=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
  S=$(forward_file "$ENV" "$WORK/rec.jsonl" "$N" "$backend")
  awk -v b="$backend" -v n="$N" -v s="$S" -v p="$PEER" 'BEGIN {
    printf "%s: %d messages forwarded in %.2f s = %.0f msg/s; peer (sim publish, no WebSocket) %.2f s = %.0f msg/s; ratio %.2fx\n",
      b, n, s, n / s, p, n / p, p / s }'
  if [ "$backend" = kafka ]; then echo quit >&"${MOCKP[1]}"; wait "$MOCKP_PID" 2>/dev/null || true; fi
done

echo "== lag: ingest - event time per forwarded message (embedded bus, 20 s per rate)"
for mult in 1 10 100; do
  rate=$((5 * mult))
  DATA="$WORK/lag-$mult"
  TORGHUT_LOG_LEVEL=info "$TORGHUT" sim serve --port 0 --symbols "$SYMBOLS" --rate $rate --late-share 0 \
    --max-symbols 1000 --batch-ms 1 --slow-client-bytes 4000000000 >/dev/null 2>"$WORK/sim-lag-$mult.log" &
  PIDS+=($!); sim=$!
  sim_addr=$(addr_of "$WORK/sim-lag-$mult.log")
  TORGHUT_DATA_DIR=$DATA TORGHUT_LOG_LEVEL=info ALPACA_STREAM_URL="ws://$sim_addr" \
    ALPACA_DATA_URL="http://$sim_addr" ALPACA_KEY_ID=sim-key ALPACA_SECRET_KEY=sim-secret \
    SYMBOLS=$SYMBOLS WS_BACKFILL=false "$TORGHUT" ws 2>"$WORK/ws-lag-$mult.log" &
  PIDS+=($!); ws=$!
  ws_addr=$(addr_of "$WORK/ws-lag-$mult.log")
  sleep 20  # the measured span
  kill -TERM $ws; wait $ws || true
  kill -TERM $sim; wait $sim || true
  for t in torghut.trades.v1 torghut.quotes.v1; do
    TORGHUT_DATA_DIR=$DATA "$TORGHUT" bus dump --from-beginning --topic $t
  done | python3 -c '
import sys, json, datetime
def ns(s):
    base, frac = s.rstrip("Z").split(".") if "." in s else (s.rstrip("Z"), "0")
    t = datetime.datetime.fromisoformat(base).replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int(frac.ljust(9, "0")[:9])
# Trades and quotes only: the event time of a cancel is that of the cancelled trade.
lags = sorted(ns(e["ingestTs"]) - ns(e["eventTs"]) for e in map(json.loads, sys.stdin)
              if e["channel"] in ("trades", "quotes"))
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))] / 1e6
print("%sx (%d msg/s offered): %d messages, %.0f msg/s forwarded; lag p50 %.2f ms, p99 %.2f ms, max %.2f ms"
      % (sys.argv[1], 100 * 2 * int(sys.argv[2]), len(lags), len(lags) / 20.0, q(0.5), q(0.99), lags[-1] / 1e6))
' "$mult" "$rate"
done
