// A Kafka cluster in-process, on librdkafka's mock cluster (rdkafka_mock.h): real Kafka protocol
// on loopback listeners, consumer groups, broker down/up and request-error injection. No Kafka
// broker is packaged for Debian; this is what the tests, benchmarks and the `torghut-kafka-mock`
// fixture program talk to. Not for production.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut::bus::kafka {

class MockCluster {
 public:
  // Starts `brokers` brokers (ids 1..brokers) on 127.0.0.1 ephemeral ports.
  static Result<std::unique_ptr<MockCluster>> Start(int brokers);
  ~MockCluster();

  // "127.0.0.1:port,..." for bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }
  Status CreateTopic(std::string_view topic, int partitions, int replication = 1);
  Status SetBrokerDown(int32_t broker_id);
  Status SetBrokerUp(int32_t broker_id);
  // The next `count` requests with Kafka API key `api_key` (0 = Produce) fail with `error` (a
  // Kafka error code, e.g. 7 REQUEST_TIMED_OUT or 19 NOT_ENOUGH_REPLICAS).
  void PushRequestErrors(int16_t api_key, int count, int error);

 private:
  MockCluster() = default;
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::string bootstrap_;
};

}  // namespace torghut::bus::kafka
