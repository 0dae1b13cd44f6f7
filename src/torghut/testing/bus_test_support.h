// Test helpers shared by the bus tests: a harness per backend and waiting helpers with deadlines
// (never sleeps).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/bus/kafka/kafka_bus.h"
#include "torghut/testing/kafka_mock_cluster.h"

namespace torghut::bus::testing {

// A consumed message with owned bytes.
struct Received {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string key, value;
};

// Polls until `want` messages arrived (or `deadline` passed); returns what arrived.
inline std::vector<Received> ConsumeN(
    Consumer& c, size_t want, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  std::vector<Received> got;
  std::vector<Message> batch;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (got.size() < want && std::chrono::steady_clock::now() < end) {
    EXPECT_TRUE(c.Poll(&batch, want - got.size(), std::chrono::milliseconds(100)).ok());
    for (const Message& m : batch) {
      got.push_back({std::string(m.topic), m.partition, m.offset, m.timestamp_ms,
                     std::string(m.key), std::string(m.value)});
    }
  }
  return got;
}

// Polls for `quiet` and returns whatever arrives (used to show that nothing more comes).
inline std::vector<Received> ConsumeFor(Consumer& c, std::chrono::milliseconds quiet) {
  return ConsumeN(c, 1'000'000, quiet);
}

// One backend under test.
class BusHarness {
 public:
  virtual ~BusHarness() = default;
  virtual Bus& bus() = 0;
  virtual void CreateTopic(const std::string& topic, int partitions) = 0;
  // Consumer-group membership changes take this long to settle on this backend (Kafka's join).
  virtual std::chrono::milliseconds settle() const = 0;
};

class EmbeddedHarness final : public BusHarness {
 public:
  explicit EmbeddedHarness(EmbeddedOptions options = {}) {
    dir_ = std::filesystem::temp_directory_path() /
           ("torghut-bus-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    options.dir = dir_.string();
    bus_ = embedded::EmbeddedBus::Open(options).value();
  }
  ~EmbeddedHarness() override {
    bus_.reset();
    std::filesystem::remove_all(dir_);
  }
  Bus& bus() override { return *bus_; }
  embedded::EmbeddedBus& embedded() { return *bus_; }
  const std::filesystem::path& dir() const { return dir_; }
  void CreateTopic(const std::string& topic, int partitions) override {
    ASSERT_TRUE(bus_->EnsureTopic(topic, partitions).ok());
  }
  std::chrono::milliseconds settle() const override { return std::chrono::milliseconds(500); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<embedded::EmbeddedBus> bus_;
};

// Settings that make the mock cluster's group protocol fast enough for tests (see ENGINEERING.md:
// the defaults make a rejoin wait ~44 s).
inline KafkaOptions TestKafkaOptions(const std::string& bootstrap) {
  KafkaOptions o;
  o.properties = {{"bootstrap.servers", bootstrap},
                  {"session.timeout.ms", "6000"},
                  {"heartbeat.interval.ms", "500"},
                  {"topic.metadata.refresh.interval.ms", "1000"},
                  {"log_level", "3"}};
  o.producer_properties = {{"enable.idempotence", "true"},
                           {"acks", "all"},
                           {"compression.type", "lz4"},
                           {"partitioner", "murmur2_random"},
                           {"linger.ms", "5"}};
  o.consumer_properties = {{"fetch.wait.max.ms", "50"}};
  return o;
}

class KafkaHarness final : public BusHarness {
 public:
  explicit KafkaHarness(int brokers = 1) {
    cluster_ = kafka::MockCluster::Start(brokers).value();
    bus_ = kafka::KafkaBus::Open(TestKafkaOptions(cluster_->bootstrap())).value();
  }
  Bus& bus() override { return *bus_; }
  kafka::MockCluster& cluster() { return *cluster_; }
  void CreateTopic(const std::string& topic, int partitions) override {
    ASSERT_TRUE(cluster_->CreateTopic(topic, partitions).ok());
  }
  std::chrono::milliseconds settle() const override { return std::chrono::milliseconds(8000); }

 private:
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<kafka::KafkaBus> bus_;
};

}  // namespace torghut::bus::testing
