#!/usr/bin/env bash
# Read API load while `torghut up` is ingesting (simulated market, 5 symbols × 20 trades/s): `wrk`
# against GET /api/torghut/ta/latest and against one hour of 1 s bars (3,600 rows), with GET
# /healthz — the same server and HTTP layer with no store behind it — as the peer in the same run.
# The hour of bars is put on the bus before `up` starts (TA reads it from the beginning).
# Usage: bench/run_api_bench.sh [BUILD_DIR]   (a Release build)
source "$(dirname "$0")/lib.sh" "$@"
export TORGHUT_LOG_LEVEL=warn TORGHUT_HTTP_ACCESS_LOG=false
THREADS=${WRK_THREADS:-2} CONNECTIONS=${WRK_CONNECTIONS:-32} SECONDS_PER_RUN=${WRK_SECONDS:-10}

DATA="$WORK/data"
start=$(( $(date +%s) - 3700 ))
"$TORGHUT" sim generate --symbols AAPL --seconds 3650 --start "$start" --seed 9 --out "$WORK/hour.jsonl" 2>/dev/null
TORGHUT_DATA_DIR=$DATA "$TORGHUT" sim publish --from-file "$WORK/hour.jsonl" 2>/dev/null

TORGHUT_LOG_LEVEL=info "$TORGHUT" up --port 0 --data-dir "$DATA" --symbols AAPL,MSFT,NVDA,TSLA,AMZN \
  --rate 20 >/dev/null 2>"$WORK/up.log" &
PIDS+=($!)
until grep -q '"msg":"listening"' "$WORK/up.log"; do sleep 0.05; done
BASE="http://$(grep -m1 '"msg":"listening"' "$WORK/up.log" | sed 's/.*"addr":"\([^"]*\)".*/\1/')"
from=$(( start + 10 )); to=$(( from + 3600 ))
HOUR="$BASE/api/torghut/ta/bars?symbol=AAPL&from=$from&to=$to&limit=5000"
# Until TA has stored the hour.
until [ "$(curl -s "$HOUR" | grep -o '"event_ts"' | wc -l)" -ge 3590 ]; do sleep 0.5; done
ROWS=$(curl -s "$HOUR" | grep -o '"event_ts"' | wc -l)
BYTES=$(curl -s "$HOUR" | wc -c)

run() {  # name url
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$2" | awk -v n="$1" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    / requests in / { total = $1 }
    /Non-2xx/ { bad = $NF }
    END { printf "%-28s %10.0f req/s   p50 %8s   p99 %8s   (%d requests, non-2xx %d)\n", n, rps, p50, p99, total, bad + 0 }'
}
echo "wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, torghut up ingesting $(curl -s "$BASE/metrics" | awk '/^torghut_ws_produce_total.*trades.*success/ { print $NF }') trades so far"
run "peer: /healthz" "$BASE/healthz"
run "/api/torghut/ta/latest" "$BASE/api/torghut/ta/latest?symbol=MSFT"
run "bars, 1 h of 1 s ($ROWS rows, $((BYTES / 1024)) KiB)" "$HOUR"
