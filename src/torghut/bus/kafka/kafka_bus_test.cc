// Kafka-only behaviour over the real protocol (librdkafka's mock cluster): faults surface to the
// producer's error classification, and after recovery every acknowledged message is there exactly
// once per offset.
#include "torghut/bus/kafka/kafka_bus.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <map>
#include <set>

#include "torghut/testing/bus_test_support.h"

namespace torghut::bus::kafka {
namespace {

using namespace std::chrono_literals;

// Waits (serving reports) until `pred` holds or `deadline` passes.
template <typename Pred>
bool PollUntil(Producer& p, Pred pred, std::chrono::milliseconds deadline = 30s) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    p.Poll(50ms);
  }
  return true;
}

// Every acknowledged message is stored exactly once: offsets unique, values unique.
void ExpectExactlyOncePerOffset(Bus& bus, const std::string& topic,
                                const std::map<uint64_t, int64_t>& acked, size_t stored) {
  auto consumer = bus.NewConsumer({.group_id = "verify"}).value();
  ASSERT_TRUE(consumer->Subscribe({topic}).ok());
  const auto got = testing::ConsumeN(*consumer, stored);
  ASSERT_EQ(got.size(), stored);
  std::set<std::pair<int32_t, int64_t>> offsets;
  std::set<std::string> values;
  for (const auto& m : got) {
    EXPECT_TRUE(offsets.insert({m.partition, m.offset}).second);
    EXPECT_TRUE(values.insert(m.value).second) << "duplicate " << m.value;
  }
  for (const auto& [token, offset] : acked) {
    EXPECT_EQ(values.count("m" + std::to_string(token)), 1u) << "acked message lost: " << token;
  }
  EXPECT_TRUE(testing::ConsumeFor(*consumer, 1s).empty());
}

TEST(KafkaBus, BrokerDownSurfacesAsMetadataErrorAndRecoversWithoutDuplicates) {
  testing::KafkaHarness h(/*brokers=*/1);
  h.CreateTopic("faults.v1", 1);
  std::map<uint64_t, int64_t> acked;
  int failed = 0;
  ProducerOptions opts;
  opts.on_delivery = [&](const DeliveryReport& r) {
    if (r.status.ok())
      acked[r.token] = r.offset;
    else
      ++failed;
  };
  auto producer = h.bus().NewProducer(opts).value();
  for (uint64_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(producer->Produce("faults.v1", "K", "m" + std::to_string(i), 0, i).ok());
  }
  ASSERT_TRUE(producer->Flush(30s).ok());
  ASSERT_EQ(acked.size(), 100u);

  ASSERT_TRUE(h.cluster().SetBrokerDown(1).ok());
  for (uint64_t i = 100; i < 200; ++i) {
    ASSERT_TRUE(producer->Produce("faults.v1", "K", "m" + std::to_string(i), 0, i).ok());
  }
  ASSERT_TRUE(PollUntil(*producer, [&] { return !producer->ErrorClass().empty(); }))
      << "a broker outage never reached the producer";
  EXPECT_EQ(producer->ErrorClass(), "kafka_metadata");
  EXPECT_EQ(acked.size(), 100u);  // nothing acknowledged while the broker is down

  ASSERT_TRUE(h.cluster().SetBrokerUp(1).ok());
  ASSERT_TRUE(producer->Flush(60s).ok());
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(acked.size(), 200u);
  EXPECT_EQ(producer->ErrorClass(), "");
  ExpectExactlyOncePerOffset(h.bus(), "faults.v1", acked, 200);
}

TEST(KafkaBus, InjectedProduceErrorsAreRetriedOrClassifiedAndNothingIsDuplicated) {
  testing::KafkaHarness h(/*brokers=*/1);
  h.CreateTopic("inject.v1", 1);
  std::map<uint64_t, int64_t> acked;
  std::vector<Status> failures;
  ProducerOptions opts;
  opts.on_delivery = [&](const DeliveryReport& r) {
    if (r.status.ok())
      acked[r.token] = r.offset;
    else
      failures.push_back(r.status);
  };
  auto producer = h.bus().NewProducer(opts).value();
  // Retriable: the idempotent producer retries and the broker keeps one copy of each.
  h.cluster().PushRequestErrors(/*Produce=*/0, 4, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  for (uint64_t i = 0; i < 50; ++i) {
    ASSERT_TRUE(producer->Produce("inject.v1", "K", "m" + std::to_string(i), 0, i).ok());
  }
  ASSERT_TRUE(producer->Flush(30s).ok());
  EXPECT_EQ(acked.size(), 50u);
  EXPECT_TRUE(failures.empty());

  // Permanent: the batch fails, the report says so and the producer's class is kafka_produce.
  h.cluster().PushRequestErrors(/*Produce=*/0, 1, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE);
  ASSERT_TRUE(producer->Produce("inject.v1", "K", "rejected", 0, 999).ok());
  ASSERT_TRUE(producer->Flush(30s).ok());
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(producer->ErrorClass(), "kafka_produce");
  EXPECT_EQ(acked.count(999), 0u);

  // Recovered: the next delivery clears the class.
  for (uint64_t i = 50; i < 60; ++i) {
    ASSERT_TRUE(producer->Produce("inject.v1", "K", "m" + std::to_string(i), 0, i).ok());
  }
  ASSERT_TRUE(producer->Flush(30s).ok());
  EXPECT_EQ(producer->ErrorClass(), "");
  EXPECT_EQ(acked.size(), 60u);
  ExpectExactlyOncePerOffset(h.bus(), "inject.v1", acked, 60);
}

TEST(KafkaBus, ClassifiesErrorsForReadiness) {
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED), "kafka_auth");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__AUTHENTICATION), "kafka_auth");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), "kafka_auth");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN), "kafka_metadata");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), "kafka_metadata");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT), "kafka_produce");
  EXPECT_EQ(ClassifyKafkaError(RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE), "kafka_produce");
}

TEST(KafkaBus, UnreachableClusterFailsDeliveryWithMetadataClass) {
  KafkaOptions o = testing::TestKafkaOptions("127.0.0.1:1");  // nothing listens on port 1
  o.producer_properties["message.timeout.ms"] = "1500";
  auto bus = KafkaBus::Open(o).value();
  std::vector<Status> failures;
  ProducerOptions opts;
  opts.on_delivery = [&](const DeliveryReport& r) {
    if (!r.status.ok()) failures.push_back(r.status);
  };
  auto producer = bus->NewProducer(opts).value();
  ASSERT_TRUE(producer->Produce("nowhere.v1", "K", "v").ok());
  ASSERT_TRUE(PollUntil(*producer, [&] { return !failures.empty(); }));
  EXPECT_EQ(failures[0].code(), StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(producer->ErrorClass().empty());
}

}  // namespace
}  // namespace torghut::bus::kafka
