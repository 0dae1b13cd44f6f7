// Bus throughput with envelope-sized messages (~270 bytes, keyed by 100 symbols), for
// bench/run_bus_bench.sh, which also times the peers (plain write() of the same bytes; kcat -P
// producing the same messages to the same mock cluster).
//
//   bus_bench embedded DIR N            produce N messages into an embedded bus, then consume them
//   bus_bench write-peer DIR N          write() the same bytes the embedded log stores, + fdatasync
//   bus_bench kafka-produce BOOTSTRAP TOPIC N   produce N messages to Kafka
//   bus_bench kafka-consume BOOTSTRAP TOPIC N   consume N with a new group from the earliest
//   bus_bench kcat-file FILE N          the same N messages as KEY<TAB>VALUE lines for kcat -P -K
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "torghut/bus/bus_config.h"
#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/bus/embedded/partition_log.h"
#include "torghut/bus/kafka/kafka_bus.h"

namespace {

using namespace torghut;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kSymbols = 100;

std::string Key(int64_t i) {
  char k[8];
  std::snprintf(k, sizeof k, "SYM%02d", static_cast<int>(i % kSymbols));
  return k;
}

// A trade envelope as the forwarder writes it (SPEC §3), varied per message.
std::string Envelope(int64_t i) {
  char buf[512];
  const std::string key = Key(i);
  std::snprintf(buf, sizeof buf,
                "{\"ingestTs\":\"2024-01-02T14:30:%02d.%03dZ\",\"eventTs\":\"2024-01-02T14:30:%02d."
                "%03dZ\",\"feed\":\"iex\",\"channel\":\"trades\",\"symbol\":\"%s\",\"seq\":%lld,"
                "\"payload\":{\"T\":\"t\",\"S\":\"%s\",\"i\":%lld,\"x\":\"V\",\"p\":%.2f,\"s\":%d,"
                "\"t\":\"2024-01-02T14:30:%02d.%03dZ\",\"c\":[\"@\"],\"z\":\"C\"},\"isFinal\":true,"
                "\"source\":\"ws\",\"version\":1,\"provider\":\"alpaca\"}",
                static_cast<int>(i / 1000 % 60), static_cast<int>(i % 1000),
                static_cast<int>(i / 1000 % 60), static_cast<int>(i % 1000), key.c_str(),
                static_cast<long long>(i / kSymbols), key.c_str(), static_cast<long long>(i),
                100.0 + static_cast<double>(i % 5000) / 100.0, static_cast<int>(1 + i % 400),
                static_cast<int>(i / 1000 % 60), static_cast<int>(i % 1000));
  return buf;
}

void Report(const char* what, int64_t n, int64_t bytes, double secs) {
  std::printf("%-28s %10lld msgs %9.1f MB %8.3f s %12.0f msgs/s %9.1f MB/s\n", what,
              static_cast<long long>(n), static_cast<double>(bytes) / 1e6, secs,
              static_cast<double>(n) / secs, static_cast<double>(bytes) / 1e6 / secs);
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Produces n envelopes; prints the rate (until every delivery is reported).
int Produce(bus::Bus& b, const std::string& topic, int64_t n, const char* label) {
  std::vector<std::string> values(static_cast<size_t>(std::min<int64_t>(n, 100'000)));
  int64_t bytes = 0;
  for (size_t i = 0; i < values.size(); ++i) values[i] = Envelope(static_cast<int64_t>(i));
  int64_t failed = 0;
  {
    bus::ProducerOptions opts;
    opts.on_delivery = [&](const bus::DeliveryReport& r) { failed += r.status.ok() ? 0 : 1; };
    auto producer = b.NewProducer(opts).value();
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < n; ++i) {
      const std::string& v = values[static_cast<size_t>(i) % values.size()];
      bytes += static_cast<int64_t>(v.size() + 5);
      if (!bus::ProduceWait(*producer, topic, Key(i), v, 0, 0, 60s).ok()) return 1;
    }
    if (!producer->Flush(300s).ok()) return 1;
    producer.reset();  // the embedded producer syncs what it wrote before it goes
    Report((std::string(label) + " produce").c_str(), n, bytes, Since(t0));
  }
  if (failed > 0) {
    std::fprintf(stderr, "%lld deliveries failed\n", static_cast<long long>(failed));
    return 1;
  }
  return 0;
}

// Consumes n messages with a fresh group from the earliest offset; prints the rate.
int Consume(bus::Bus& b, const std::string& topic, int64_t n, const char* label) {
  bus::ConsumerOptions copts;
  copts.group_id = "bench-" + std::to_string(::getpid());
  auto consumer = b.NewConsumer(copts).value();
  if (!consumer->Subscribe({topic}).ok()) return 1;
  std::vector<bus::Message> batch;
  int64_t got = 0, got_bytes = 0;
  // The clock starts with the first message: group joins (seconds on Kafka) are not throughput.
  Clock::time_point t0{};
  while (got < n) {
    if (!consumer->Poll(&batch, 10'000, 1000ms).ok()) return 1;
    if (!batch.empty() && got == 0) t0 = Clock::now();
    for (const auto& m : batch) got_bytes += static_cast<int64_t>(m.key.size() + m.value.size());
    got += static_cast<int64_t>(batch.size());
    if (batch.empty() && got > 0 && Since(t0) > 30) break;
  }
  Report((std::string(label) + " consume").c_str(), got, got_bytes, Since(t0));
  return got == n ? 0 : 1;
}

int WritePeer(const std::string& dir, int64_t n) {
  // Exactly the bytes the embedded log stores: framed records in one file.
  std::string chunk;
  const std::string path = dir + "/write-peer.bin";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 1;
  int64_t bytes = 0;
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    bus::embedded::EncodeRecord(chunk, Key(i), Envelope(i % 100'000), 1'700'000'000'000);
    if (chunk.size() >= (1u << 20) || i + 1 == n) {
      if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) return 1;
      bytes += static_cast<int64_t>(chunk.size());
      chunk.clear();
    }
  }
  ::fdatasync(fd);
  ::close(fd);
  Report("write() peer", n, bytes, Since(t0));
  ::unlink(path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "embedded" && argc == 4) {
    bus::EmbeddedOptions o;
    o.dir = std::string(argv[2]) + "/bus";
    auto b = bus::embedded::EmbeddedBus::Open(o).value();
    if (!b->EnsureTopic("bench.v1", 3).ok()) return 1;
    const int64_t n = std::atoll(argv[3]);
    if (Produce(*b, "bench.v1", n, "embedded") != 0) return 1;
    return Consume(*b, "bench.v1", n, "embedded");
  }
  if (mode == "write-peer" && argc == 4) return WritePeer(argv[2], std::atoll(argv[3]));
  if ((mode == "kafka-produce" || mode == "kafka-consume") && argc == 5) {
    // Torghut's production producer settings (ReadBusConfig) against the given cluster.
    ConfigReader cfg(EnvSource::FromMap({{"BUS", "kafka"},
                                         {"KAFKA_BOOTSTRAP_SERVERS", argv[2]},
                                         {"KAFKA_SESSION_TIMEOUT_MS", "6000"},
                                         {"KAFKA_HEARTBEAT_INTERVAL_MS", "500"}}));
    bus::KafkaOptions o = bus::ReadBusConfig(cfg).kafka;
    auto opened = bus::kafka::KafkaBus::Open(o);
    if (!opened.ok()) {
      std::fprintf(stderr, "bus_bench: %s\n", opened.status().ToString().c_str());
      return 1;
    }
    auto& b = *opened;
    if (mode == "kafka-produce") return Produce(*b, argv[3], std::atoll(argv[4]), "kafka");
    return Consume(*b, argv[3], std::atoll(argv[4]), "kafka");
  }
  if (mode == "kcat-file" && argc == 4) {
    std::ofstream out(argv[2]);
    const int64_t n = std::atoll(argv[3]);
    for (int64_t i = 0; i < n; ++i) out << Key(i) << '\t' << Envelope(i % 100'000) << '\n';
    return out ? 0 : 1;
  }
  std::fprintf(stderr,
               "usage: bus_bench embedded DIR N | write-peer DIR N | kafka-produce|kafka-consume "
               "BOOTSTRAP TOPIC N | "
               "kcat-file FILE N\n");
  return 2;
}
