#!/usr/bin/env bash
# Bus throughput with envelope-sized messages, each backend beside its peer, in one run:
#   embedded produce/consume  vs  write() of the same bytes + fdatasync (the disk's limit)
#   Kafka producer            vs  kcat -P producing the same messages to the same mock cluster
#   Kafka consumer            vs  kcat -C reading the same topic
# The Kafka side talks to torghut-kafka-mock (librdkafka's mock cluster, its own process).
# Usage: bench/run_bus_bench.sh [BUILD_DIR] [N_EMBEDDED] [N_KAFKA]   (a Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
N_EMB=${2:-2000000}
N_KAFKA=${3:-1000000}
N_KAFKA_READ=${N_KAFKA_READ:-45000}  # the mock keeps ~5 MiB per partition: read what it holds
BENCH=$BUILD/bench/bus_bench
MOCK=$BUILD/tests/fixtures/torghut-kafka-mock
WORK=${TORGHUT_BENCH_DIR:-$(mktemp -d -p "${TMPDIR:-/var/tmp}")}
mkdir -p "$WORK"
cleanup() { [ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }

echo "== embedded bus ($N_EMB messages) vs write()"
"$BENCH" write-peer "$WORK" "$N_EMB"
"$BENCH" embedded "$WORK/emb" "$N_EMB"
rm -rf "$WORK/emb"

echo "== Kafka (mock cluster, 1 broker) ($N_KAFKA messages) vs kcat"
mkfifo "$WORK/mock.in" "$WORK/mock.out"
"$MOCK" --topic bench.torghut:3 --topic bench.kcat:3 --topic read.torghut:3 <"$WORK/mock.in" >"$WORK/mock.out" &
MOCK_PID=$!
exec 3>"$WORK/mock.in" 4<"$WORK/mock.out"
read -r first <&4  # blocks until the cluster is up and has printed its address
BOOT=${first#bootstrap=}
"$BENCH" kcat-file "$WORK/msgs.tsv" "$N_KAFKA"
BYTES=$(stat -c %s "$WORK/msgs.tsv")
KCAT_PROPS=(-X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=5
            -X partitioner=murmur2_random -X queue.buffering.max.messages=100000)
t0=$(now)
kcat -P -b "$BOOT" -t bench.kcat -K $'\t' "${KCAT_PROPS[@]}" -l "$WORK/msgs.tsv"
t1=$(now)
s=$(calc "$t1 - $t0")
printf '%-28s %10d msgs %9.1f MB %8.3f s %12.0f msgs/s %9.1f MB/s\n' "kcat -P" "$N_KAFKA" \
  "$(calc "$BYTES / 1000000")" "$s" "$(calc "$N_KAFKA / $s")" "$(calc "$BYTES / $s / 1000000")"
"$BENCH" kafka-produce "$BOOT" bench.torghut "$N_KAFKA"

echo "== Kafka consume ($N_KAFKA_READ messages that fit in the mock's partitions)"
head -n "$N_KAFKA_READ" "$WORK/msgs.tsv" > "$WORK/read.tsv"
kcat -P -b "$BOOT" -t read.torghut -K $'\t' "${KCAT_PROPS[@]}" -l "$WORK/read.tsv"
# kcat's clock includes connecting and fetching metadata; time a one-message read and take it off.
t0=$(now)
kcat -C -b "$BOOT" -t read.torghut -c 1 -q -o beginning -X fetch.wait.max.ms=10 >/dev/null
t1=$(now)
startup=$(calc "$t1 - $t0")
t0=$(now)
got=$(kcat -C -b "$BOOT" -t read.torghut -e -q -o beginning -X fetch.wait.max.ms=10 | wc -l)
t1=$(now)
s=$(calc "$t1 - $t0 - $startup")
printf '%-28s %10d msgs %9s    %8.3f s %12.0f msgs/s (less %.3f s start-up)\n' "kcat -C" "$got" "" "$s" "$(calc "$got / $s")" "$startup"
"$BENCH" kafka-consume "$BOOT" read.torghut "$got"
