#!/usr/bin/env bash
# Sets up, builds with clang + ASan/UBSan (plus the libFuzzer targets), builds a g++ release
# (compile check only) and runs every test.
# Ends with ctest's summary line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

BUILD_DIR=${TORGHUT_TEST_BUILD_DIR:-build/test}
cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTORGHUT_SANITIZE=ON -DTORGHUT_FUZZ=ON -DTORGHUT_TESTS=ON -DTORGHUT_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

# The release build with Debian's default compiler (g++ 12), tests and benchmarks included, so
# that everything also compiles warning-free under g++. Built, not run: the tests run above.
GCC_BUILD_DIR=${TORGHUT_GCC_BUILD_DIR:-build/gcc}
cmake -S . -B "$GCC_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DTORGHUT_TESTS=ON -DTORGHUT_BENCH=ON >/dev/null
cmake --build "$GCC_BUILD_DIR" -j "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 900
