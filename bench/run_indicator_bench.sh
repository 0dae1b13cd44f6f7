#!/usr/bin/env bash
# Indicator update cost, ours against TA-Lib's C functions, in one run on this machine.
#   ours: indicators_bench (Release build with -DTORGHUT_BENCH=ON)
#   peer: TA-Lib 0.4 compiled with -O2 from the C source bundled in the npm package `talib`
#         (tools/talib-golden; `npm ci` there first). Nothing built from it is kept.
# Usage: bench/run_indicator_bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
SRC=tools/talib-golden/node_modules/talib/src/lib
[ -d "$SRC/src/ta_func" ] || { echo "run 'npm ci' in tools/talib-golden first" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CC=${CC:-cc}
"$CC" -O2 -w -o "$WORK/talib_peer" bench/talib_peer/talib_peer.c "$SRC"/src/ta_func/ta_*.c \
  "$SRC"/src/ta_common/ta_global.c "$SRC"/src/ta_common/ta_retcode.c \
  "$SRC"/src/ta_common/ta_version.c \
  -I"$SRC/include" -I"$SRC/src/ta_common" -I"$SRC/src/ta_func" -lm
echo "== ours (ns/value = 1e9 / items_per_second)"
"$BUILD/bench/indicators_bench" --benchmark_min_time=1
echo "== TA-Lib C"
"$WORK/talib_peer"
