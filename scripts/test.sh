#!/usr/bin/env bash
# Sets up, builds with clang + ASan/UBSan (plus the libFuzzer targets), builds a g++ release of
# the product and the benchmarks (compile check only) and runs every test.
# Ends with ctest's summary line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The tests' own sources at -O0 (TORGHUT_TEST_CODE_FLAGS): half the cost of compiling them with
# sanitizers; the product code they exercise keeps RelWithDebInfo's -O2.
BUILD_DIR=${TORGHUT_TEST_BUILD_DIR:-build/test}
cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTORGHUT_SANITIZE=ON -DTORGHUT_FUZZ=ON -DTORGHUT_TESTS=ON -DTORGHUT_BENCH=OFF \
  -DTORGHUT_TEST_CODE_FLAGS=-O0 >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

# The release build with Debian's default compiler (g++ 12): the product and the benchmarks, so
# that they also compile warning-free under g++ at -O2 (where g++'s flow warnings live). Built,
# not run: the tests run below, and their sources compile in the clang build. It builds beside
# the tests at the lowest CPU and I/O priority, on the time the suite spends waiting on servers,
# processes and browsers (about a third of it at -j(cores+1)); its log is shown if it fails.
GCC_BUILD_DIR=${TORGHUT_GCC_BUILD_DIR:-build/gcc}
cmake -S . -B "$GCC_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DTORGHUT_TESTS=OFF -DTORGHUT_BENCH=ON >/dev/null
GCC_LOG="$GCC_BUILD_DIR/build.log"
IDLE_IO=(); if ionice -c 3 true 2>/dev/null; then IDLE_IO=(ionice -c 3); fi
nice -n 19 "${IDLE_IO[@]}" cmake --build "$GCC_BUILD_DIR" -j "$(nproc)" >"$GCC_LOG" 2>&1 &
GCC_PID=$!
trap 'kill "$GCC_PID" 2>/dev/null || true' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One more job than cores: the suite waits on servers, processes and browsers about a third of
# the time at -j(cores).
test_rc=0
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(( $(nproc) + 1 ))" --timeout 900) || test_rc=$?
gcc_rc=0
wait "$GCC_PID" || gcc_rc=$?
trap - EXIT
if [ "$gcc_rc" -ne 0 ]; then
  tail -n 60 "$GCC_LOG" >&2
  echo "test: the g++ release build failed (exit $gcc_rc; the whole log: $GCC_LOG)" >&2
  exit 1
fi
exit "$test_rc"
