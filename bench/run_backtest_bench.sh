#!/usr/bin/env bash
# `torghut backtest` throughput (SPEC §11: ≥ 0.8× `replay --from-file` on the same file) on the
# 10 M-trade `sim generate` file of run_replay_bench.sh, with its peer — `replay --from-file` of
# the same file — measured in the same run; with 1 strategy and with 10; and a 4-point grid at 1
# and 2 jobs (the grid's scaling on this machine's cores).
# Usage: bench/run_backtest_bench.sh [BUILD_DIR]   (a Release build of the torghut target)
source "$(dirname "$0")/lib.sh" "$@"
FILE=$WORK/replay-10m.jsonl

# 10 symbols × 10,000 s × 100 trades/s = 10 M trades (and ~10 M quotes, minute bars).
"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOG,AMD,SPY,QQQ \
  --seconds 10000 --rate 100 --seed 1 --out "$FILE"
cat "$FILE" >/dev/null  # the page cache holds it for every run

cat >"$WORK/one.yaml" <<'YAML'
strategies:
  - {name: cross, enabled: true, base_timeframe: 1Sec, type: macd-cross, qty: 5,
     params: {stop_loss_pct: 0.2, take_profit_pct: 0.3, max_hold_seconds: 120}}
YAML
{
  echo "strategies:"
  for i in 1 2 3 4; do
    echo "  - {name: cross-$i, enabled: true, base_timeframe: 1Sec, type: macd-cross, qty: $i,"
    echo "     params: {stop_loss_pct: 0.$i, take_profit_pct: 0.$((i + 1)), max_hold_seconds: $((60 * i))}}"
  done
  for i in 1 2 3; do
    echo "  - {name: revert-$i, enabled: true, base_timeframe: 1Sec, type: bollinger-reversion,"
    echo "     notional: $((1000 * i)), params: {max_hold_seconds: $((90 * i))}}"
  done
  for i in 1 2 3; do
    echo "  - {name: rsi-$i, enabled: true, base_timeframe: 1Sec, type: macd-rsi, qty: 1,"
    echo "     params: {rsi_buy_below: $((30 + 5 * i)), rsi_sell_above: $((60 + 5 * i))}}"
  done
} >"$WORK/ten.yaml"

calc() { awk "BEGIN { print $* }"; }
# Best of 2 wall times of a command (seconds).
timed() {
  local best=""
  for _ in 1 2; do
    local t0 t1 s
    t0=$(now); "$@" >"$WORK/last.out" 2>"$WORK/last.err"; t1=$(now)
    s=$(calc "$t1 - $t0")
    if [ -z "$best" ] || [ "$(calc "($s < $best) ? 1 : 0")" = 1 ]; then best=$s; fi
  done
  echo "$best"
}
export TRADING_MAX_ORDERS_PER_MINUTE=100000
replay_s=$(timed "$TORGHUT" replay --from-file "$FILE" --out "$WORK/replay" --no-progress)
EVENTS=$(grep -o 'replay: [0-9]* events' "$WORK/last.err" | grep -o '[0-9]*')
one_s=$(timed "$TORGHUT" backtest --from-file "$FILE" --strategies "$WORK/one.yaml" --out "$WORK/bt1" --no-progress)
one_fills=$(grep -o '[0-9]* fills' "$WORK/last.out" | head -1)
ten_s=$(timed "$TORGHUT" backtest --from-file "$FILE" --strategies "$WORK/ten.yaml" --out "$WORK/bt10" --no-progress)
ten_fills=$(grep -o '[0-9]* fills' "$WORK/last.out" | head -1)
grid=(--grid stop_loss_pct=0.1,0.3 --grid take_profit_pct=0.2,0.5)
t0=$(now); "$TORGHUT" backtest --from-file "$FILE" --strategies "$WORK/one.yaml" --out "$WORK/g1" "${grid[@]}" --jobs 1 >/dev/null 2>&1; t1=$(now)
grid1_s=$(calc "$t1 - $t0")
t0=$(now); "$TORGHUT" backtest --from-file "$FILE" --strategies "$WORK/one.yaml" --out "$WORK/g2" "${grid[@]}" --jobs 2 >/dev/null 2>&1; t1=$(now)
grid2_s=$(calc "$t1 - $t0")
cmp -s "$WORK/g1/grid.json" "$WORK/g2/grid.json" && same=identical || same=DIFFERENT

printf 'file: %s events (%s bytes), %s cores\n' "$EVENTS" "$(stat -c %s "$FILE")" "$(nproc)"
printf 'replay --from-file (peer):   %7.2f s  %5.2f M events/s\n' "$replay_s" "$(calc "$EVENTS / $replay_s / 1e6")"
printf 'backtest, 1 strategy:        %7.2f s  %5.2f M events/s  %.2fx replay  (%s)\n' "$one_s" \
  "$(calc "$EVENTS / $one_s / 1e6")" "$(calc "$replay_s / $one_s")" "$one_fills"
printf 'backtest, 10 strategies:     %7.2f s  %5.2f M events/s  %.2fx replay  (%s)\n' "$ten_s" \
  "$(calc "$EVENTS / $ten_s / 1e6")" "$(calc "$replay_s / $ten_s")" "$ten_fills"
printf 'grid of 4, --jobs 1:         %7.2f s\n' "$grid1_s"
printf 'grid of 4, --jobs 2:         %7.2f s  %.2fx faster; grid.json %s\n' "$grid2_s" "$(calc "$grid1_s / $grid2_s")" "$same"
