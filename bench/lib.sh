# Shared preamble of the process benchmarks (sourced, never run): the Release binaries, a scratch
# directory removed at exit, background processes killed at exit, and a clock.
#   source "$(dirname "$0")/lib.sh" "$@"     # $1: BUILD_DIR (default build/release)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build/release}
TORGHUT=$(realpath "$BUILD/src/torghut/app/torghut")
MOCK=$(realpath "$BUILD/tests/fixtures/torghut-kafka-mock")
WORK=$(mktemp -d -p "${TMPDIR:-/var/tmp}")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
now() { date +%s.%N; }
