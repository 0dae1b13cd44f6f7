// The bus: keyed, partitioned, durable message topics (SPEC §3). Two backends sit behind these
// interfaces — the embedded log (bus/embedded/) and Kafka (bus/kafka/) — and no caller knows which
// one it has.
//
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<Bus> bus, OpenBus(ReadBusConfig(cfg)));
//
//   // Producing: keyed by symbol, so every message of one symbol lands in one partition in order.
//   ProducerOptions popts;
//   popts.on_delivery = [](const DeliveryReport& r) { if (!r.status.ok()) ...; };
//   auto producer = bus->NewProducer(popts).value();
//   Status s = producer->Produce("torghut.trades.v1", "AAPL", envelope_json);
//   if (s.code() == StatusCode::kResourceExhausted) producer->Poll(10ms);  // back-pressure
//   producer->Flush(5s);
//
//   // Consuming as a group, committing only what is durable downstream (at-least-once).
//   ConsumerOptions copts{.group_id = "torghut-ta"};
//   auto consumer = bus->NewConsumer(copts).value();
//   consumer->Subscribe({"torghut.trades.v1"});
//   std::vector<Message> batch;
//   consumer->Poll(&batch, 1000, 100ms);   // views valid until the next Poll
//   ... write outputs durably ...
//   consumer->Commit({{"torghut.trades.v1", m.partition, m.offset + 1}});
//
// Threading: a Producer or Consumer is used by one thread at a time; delivery reports and
// rebalance callbacks run on that thread, inside Poll/Flush/Close. A Bus may be shared.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::bus {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// `offset` is a position: the offset of the next message to read.
struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  auto operator<=>(const TopicPartitionOffset&) const = default;
};

// One consumed message. The views point into memory owned by the consumer and stay valid until
// its next Poll or Close.
struct Message {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // producer-assigned, UTC epoch milliseconds
  std::string_view key;
  std::string_view value;
};

// The outcome of one Produce. On success `offset` is where the message now lives; on failure the
// message is not on the bus and `status` says why (see Producer::ErrorClass).
struct DeliveryReport {
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
  uint64_t token = 0;  // the caller's token from Produce
  Status status;
};

struct ProducerOptions {
  // Called on the producing thread from Poll/Flush, once per message, in produce order per
  // partition. May be empty.
  std::function<void(const DeliveryReport&)> on_delivery;
  // Bound of the send queue (messages not yet reported). Produce refuses beyond it.
  int64_t queue_max_messages = 100'000;
};

class Producer {
 public:
  virtual ~Producer() = default;

  // Queues one message for `topic`; the partition is murmur2(key) mod partitions, as Kafka's Java
  // clients choose it, on both backends. `timestamp_ms` 0 means now. Copies key and value.
  // kResourceExhausted when the queue is full: serve reports with Poll and retry (back-pressure).
  // kNotFound for an unknown topic (Kafka), kInvalidArgument for a bad topic name.
  virtual Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                         int64_t timestamp_ms = 0, uint64_t token = 0) = 0;
  // Serves delivery reports, waiting up to `timeout` for the first. Returns how many were served.
  virtual int Poll(std::chrono::milliseconds timeout) = 0;
  // Waits until every queued message is reported (or `timeout`: kDeadlineExceeded).
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
  // Messages produced but not yet reported.
  virtual int64_t InFlight() const = 0;
  // Readiness: "" while healthy; else the class of the latest unrecovered error — "kafka_auth",
  // "kafka_metadata", "kafka_produce" (Kafka) or "bus_io" (embedded). Cleared by a successful
  // delivery.
  virtual std::string ErrorClass() const = 0;
};

// Produce, serving delivery reports while the queue is full, for up to `timeout`.
Status ProduceWait(Producer& producer, std::string_view topic, std::string_view key,
                   std::string_view value, int64_t timestamp_ms, uint64_t token,
                   std::chrono::milliseconds timeout);

enum class OffsetReset : uint8_t { kEarliest, kLatest };

struct ConsumerOptions {
  std::string group_id;
  // Where a partition starts when the group has no committed offset for it (or the committed
  // offset is no longer on the bus).
  OffsetReset reset = OffsetReset::kEarliest;
  // If set, every assigned partition starts at its first message with timestamp >= this,
  // whatever the group committed (replays of a window).
  std::optional<int64_t> start_timestamp_ms;
  // Called from Poll when partitions are handed to / taken from this member. on_assigned may call
  // Seek to choose where an assigned partition starts (e.g. from a checkpoint). Commit what is
  // durable in on_revoked: after it returns another member may start reading those partitions.
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  std::function<void(const std::vector<TopicPartition>&)> on_revoked;
};

class Consumer {
 public:
  virtual ~Consumer() = default;

  // Joins the group for `topics`; partitions are assigned during later Polls.
  virtual Status Subscribe(const std::vector<std::string>& topics) = 0;
  // Clears *out, then waits up to `timeout` for messages and returns up to `max` of them, in
  // offset order per partition. Views are valid until the next Poll or Close.
  virtual Status Poll(std::vector<Message>* out, size_t max, std::chrono::milliseconds timeout) = 0;
  // Durably records positions (last processed offset + 1) for the group. Synchronous. Only
  // partitions currently assigned to this member may be committed.
  virtual Status Commit(const std::vector<TopicPartitionOffset>& positions) = 0;
  // Moves the read position of an assigned partition.
  virtual Status Seek(const TopicPartitionOffset& position) = 0;
  virtual std::vector<TopicPartition> Assignment() const = 0;
  // Leaves the group (on_revoked runs first). The consumer is unusable afterwards.
  virtual Status Close() = 0;
};

// Offsets of one partition: `low` is the earliest offset still on the bus, `high` the offset the
// next message will get (so high - low messages are stored).
struct PartitionOffsets {
  int32_t partition = 0;
  int64_t low = 0;
  int64_t high = 0;
};

// A group's position in one partition: `committed` is -1 when the group has committed nothing
// there; `lag` counts messages after the committed position (from `low` when none).
struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;
  int64_t high = 0;
  int64_t lag = 0;
};

class Bus {
 public:
  virtual ~Bus() = default;
  virtual std::string_view Backend() const = 0;  // "embedded" or "kafka"

  virtual Result<std::unique_ptr<Producer>> NewProducer(ProducerOptions options) = 0;
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(ConsumerOptions options) = 0;

  // Creates `topic` with `partitions` if it does not exist; an existing topic is left as it is.
  // Kafka: only the embedded bus creates topics itself; on Kafka this checks that the topic exists
  // (topics are provisioned by the cluster's operators) and returns kNotFound otherwise.
  virtual Status EnsureTopic(std::string_view topic, int32_t partitions) = 0;
  virtual Result<std::vector<std::string>> ListTopics() = 0;
  virtual Result<std::vector<PartitionOffsets>> Offsets(std::string_view topic) = 0;
  virtual Result<std::vector<std::string>> ListGroups() = 0;
  // Committed position, end offset and lag of `group` in every partition of `topic`.
  virtual Result<std::vector<PartitionLag>> GroupLag(std::string_view group,
                                                     std::string_view topic) = 0;
};

// Kafka's default partitioner (murmur2 of the key, positive, modulo the partition count), so both
// backends and Java clients agree on where a key lives.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

// Topic names are [A-Za-z0-9._-]{1,249}, as in Kafka.
Status ValidateTopicName(std::string_view topic);

}  // namespace torghut::bus
