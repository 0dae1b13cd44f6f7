#!/usr/bin/env bash
# `torghut replay --from-file` end to end on a 10 M-trade `sim generate` file (plus ~10 M quotes
# and minute bars), against `cat FILE > /dev/null` as the physical reference (reading the same
# bytes from the page cache). Prints events/s, MB/s and the ratio.
# Usage: bench/run_replay_bench.sh [BUILD_DIR]   (a Release build of the torghut target)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
TORGHUT=$BUILD/src/torghut/app/torghut
WORK=${TORGHUT_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
FILE=$WORK/replay-10m.jsonl

# 10 symbols × 10,000 s × 100 trades/s = 10 M trades.
"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOG,AMD,SPY,QQQ \
  --seconds 10000 --rate 100 --seed 1 --out "$FILE"
BYTES=$(stat -c %s "$FILE")

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
cat "$FILE" >/dev/null  # warm the page cache for both
best_cat=""
for _ in 1 2 3; do
  t0=$(now); cat "$FILE" >/dev/null; t1=$(now)
  s=$(calc "$t1 - $t0")
  if [ -z "$best_cat" ] || [ "$(calc "($s < $best_cat) ? 1 : 0")" = 1 ]; then best_cat=$s; fi
done
t0=$(now)
"$TORGHUT" replay --from-file "$FILE" --out "$WORK/out" --no-progress 2>"$WORK/replay.log"
t1=$(now)
replay_s=$(calc "$t1 - $t0")
cat "$WORK/replay.log"
EVENTS=$(grep -o 'replay: [0-9]* events' "$WORK/replay.log" | grep -o '[0-9]*')
printf 'file: %s bytes, %s events\n' "$BYTES" "$EVENTS"
printf 'cat FILE > /dev/null: %.3f s  (%.0f MB/s)\n' "$best_cat" "$(calc "$BYTES / $best_cat / 1000000")"
printf 'torghut replay:       %.3f s  (%.0f MB/s, %.2f M events/s, wall time incl. writing output)\n' \
  "$replay_s" "$(calc "$BYTES / $replay_s / 1000000")" "$(calc "$EVENTS / $replay_s / 1000000")"
printf 'ratio replay/cat throughput: %.3f\n' "$(calc "$best_cat / $replay_s")"
