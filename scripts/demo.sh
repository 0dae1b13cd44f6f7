#!/usr/bin/env bash
# Sets up, builds the release binary and runs the product on its embedded defaults: a synthetic
# market sample is generated and pushed through the TA engine; the results land in
# torghut-data/replay/ (microbars.jsonl, signals.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

BUILD_DIR=${TORGHUT_BUILD_DIR:-build/release}
# clang: its inlining of simdjson's On-Demand iterators decodes ~1.5x faster than g++ 12's
# (docs/BENCHMARKS.md).
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTORGHUT_TESTS=OFF -DTORGHUT_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target torghut
TORGHUT="$BUILD_DIR/src/torghut/app/torghut"

DATA_DIR=${TORGHUT_DATA_DIR:-./torghut-data}
mkdir -p "$DATA_DIR"
"$TORGHUT" sim generate --symbols AAPL,MSFT,NVDA,TSLA,AMZN --seconds 1800 --seed 42 \
  --out "$DATA_DIR/sample.jsonl"
"$TORGHUT" replay --from-file "$DATA_DIR/sample.jsonl" --out "$DATA_DIR/replay"
echo "demo: microbars and signals are in $DATA_DIR/replay/"
