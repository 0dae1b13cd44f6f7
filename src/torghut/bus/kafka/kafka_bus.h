// The Kafka bus (BUS=kafka), on librdkafka. Producers are idempotent with acks=all and lz4 (set by
// ReadBusConfig; overridable through KAFKA_* pass-through); consumers never auto-commit — offsets
// move only when the caller says its outputs are durable (Consumer::Commit).
//
// Topics are provisioned by the cluster's operators (or the test fixture): EnsureTopic only
// checks that a topic exists. Keys are partitioned with murmur2 (partitioner=murmur2_random), as
// Java clients and the embedded bus do.
#pragma once

#include <memory>
#include <string_view>

#include "torghut/bus/bus.h"
#include "torghut/bus/bus_config.h"

namespace torghut::bus::kafka {

class KafkaBus final : public Bus {
 public:
  static Result<std::unique_ptr<KafkaBus>> Open(const KafkaOptions& options);
  ~KafkaBus() override;

  std::string_view Backend() const override { return "kafka"; }
  Result<std::unique_ptr<Producer>> NewProducer(ProducerOptions options) override;
  Result<std::unique_ptr<Consumer>> NewConsumer(ConsumerOptions options) override;
  Status EnsureTopic(std::string_view topic, int32_t partitions) override;
  Result<std::vector<std::string>> ListTopics() override;
  Result<std::vector<PartitionOffsets>> Offsets(std::string_view topic) override;
  Result<std::vector<std::string>> ListGroups() override;
  Result<std::vector<PartitionLag>> GroupLag(std::string_view group,
                                             std::string_view topic) override;

 private:
  struct Admin;
  explicit KafkaBus(const KafkaOptions& options);
  KafkaOptions options_;
  std::unique_ptr<Admin> admin_;
};

// The readiness class of a librdkafka error code: "kafka_auth", "kafka_metadata" or
// "kafka_produce".
std::string_view ClassifyKafkaError(int rd_kafka_resp_err);

}  // namespace torghut::bus::kafka
