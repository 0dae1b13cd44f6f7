// One conformance suite, run against every bus backend: what the rest of Torghut relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "torghut/testing/bus_test_support.h"

namespace torghut::bus {
namespace {

using testing::BusHarness;
using testing::ConsumeFor;
using testing::ConsumeN;
using testing::Received;
using namespace std::chrono_literals;

class BusConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "embedded") {
      harness_ = std::make_unique<testing::EmbeddedHarness>();
    } else {
      harness_ = std::make_unique<testing::KafkaHarness>();
    }
    harness_->CreateTopic(kTopic, 3);
  }
  Bus& bus() { return harness_->bus(); }

  // Produces `n` messages round-robin over `keys`, value "key:i"; waits for every report.
  std::vector<DeliveryReport> ProduceAll(int n, std::vector<std::string> keys,
                                         int64_t first_ts = 0) {
    std::vector<DeliveryReport> reports;
    ProducerOptions opts;
    opts.on_delivery = [&](const DeliveryReport& r) {
      DeliveryReport copy = r;
      copy.topic = kTopic;
      reports.push_back(copy);
    };
    auto producer = bus().NewProducer(opts).value();
    for (int i = 0; i < n; ++i) {
      const std::string& key = keys[static_cast<size_t>(i) % keys.size()];
      EXPECT_TRUE(ProduceWait(*producer, kTopic, key, key + ":" + std::to_string(i),
                              first_ts == 0 ? 0 : first_ts + i, static_cast<uint64_t>(i), 10s)
                      .ok());
    }
    EXPECT_TRUE(producer->Flush(30s).ok());
    EXPECT_EQ(producer->InFlight(), 0);
    EXPECT_EQ(producer->ErrorClass(), "");
    return reports;
  }

  std::unique_ptr<Consumer> Subscribed(const std::string& group, ConsumerOptions opts = {}) {
    opts.group_id = group;
    auto c = bus().NewConsumer(opts).value();
    EXPECT_TRUE(c->Subscribe({kTopic}).ok());
    return c;
  }

  static constexpr const char* kTopic = "conformance.v1";
  std::unique_ptr<BusHarness> harness_;
};

TEST_P(BusConformance, KeepsOrderPerKeyAndPartitionsLikeKafka) {
  const std::vector<std::string> keys = {"AAPL", "MSFT", "NVDA", "TSLA", "SPY"};
  const auto reports = ProduceAll(500, keys);
  ASSERT_EQ(reports.size(), 500u);
  for (const auto& r : reports) {
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_GE(r.offset, 0);
  }
  auto consumer = Subscribed("order");
  const std::vector<Received> got = ConsumeN(*consumer, 500);
  ASSERT_EQ(got.size(), 500u);
  // Key k carries values k, k+5, k+10, ...: each must arrive exactly in that sequence.
  std::map<std::string, int> next_index;
  for (size_t k = 0; k < keys.size(); ++k) next_index[keys[k]] = static_cast<int>(k);
  for (const Received& m : got) {
    // Where a key lives is murmur2, as Kafka's Java clients put it.
    EXPECT_EQ(m.partition, PartitionForKey(m.key, 3)) << m.key;
    const int i = std::stoi(m.value.substr(m.value.find(':') + 1));
    int& expected = next_index.at(m.key);
    EXPECT_EQ(i, expected) << "out of order for " << m.key;
    expected = i + static_cast<int>(keys.size());
  }
  for (size_t k = 0; k < keys.size(); ++k)
    EXPECT_EQ(next_index[keys[k]], 500 + static_cast<int>(k));
}

TEST_P(BusConformance, UncommittedMessagesAreRedeliveredCommittedOnesAreNot) {
  ProduceAll(90, {"A", "B", "C", "D", "E", "F"});
  std::map<int32_t, int64_t> committed;  // partition -> position
  {
    auto first = Subscribed("alo");
    const auto got = ConsumeN(*first, 90);
    ASSERT_EQ(got.size(), 90u);
    // Commit only the first half of each partition: the rest was "not yet durable downstream".
    std::map<int32_t, std::vector<int64_t>> offsets;
    for (const auto& m : got) offsets[m.partition].push_back(m.offset);
    std::vector<TopicPartitionOffset> positions;
    for (auto& [p, list] : offsets) {
      std::sort(list.begin(), list.end());
      committed[p] = list[list.size() / 2];
      positions.push_back({kTopic, p, committed[p]});
    }
    ASSERT_TRUE(first->Commit(positions).ok());
    ASSERT_TRUE(first->Close().ok());
  }
  auto second = Subscribed("alo");
  int64_t expected = 0;
  const std::vector<PartitionOffsets> ends = bus().Offsets(kTopic).value();
  for (const auto& [p, pos] : committed) expected += ends[static_cast<size_t>(p)].high - pos;
  const auto again = ConsumeN(*second, static_cast<size_t>(expected));
  ASSERT_EQ(again.size(), static_cast<size_t>(expected));
  for (const auto& m : again) EXPECT_GE(m.offset, committed[m.partition]);
  // Nothing else: the committed half is not delivered again.
  EXPECT_TRUE(ConsumeFor(*second, 1s).empty());
}

TEST_P(BusConformance, RestartedConsumerResumesAtCommittedOffsets) {
  ProduceAll(60, {"A", "B", "C"});
  std::vector<TopicPartitionOffset> positions;
  {
    auto c = Subscribed("resume");
    const auto got = ConsumeN(*c, 60);
    ASSERT_EQ(got.size(), 60u);
    std::map<int32_t, int64_t> last;
    for (const auto& m : got) last[m.partition] = std::max(last[m.partition], m.offset);
    for (auto& [p, off] : last) positions.push_back({kTopic, p, off - 4});  // 5 left to redo
    ASSERT_TRUE(c->Commit(positions).ok());
  }  // destroyed without Close: a crash-like stop
  auto c = Subscribed("resume");
  const auto got = ConsumeN(*c, positions.size() * 5);
  ASSERT_EQ(got.size(), positions.size() * 5);
  std::map<int32_t, int64_t> first;
  for (const auto& m : got) {
    if (!first.count(m.partition)) first[m.partition] = m.offset;
  }
  for (const auto& p : positions) EXPECT_EQ(first[p.partition], p.offset);
}

TEST_P(BusConformance, NewGroupWithEarliestRereadsEverythingInIsolation) {
  ProduceAll(45, {"X", "Y", "Z"});
  auto live = Subscribed("live");
  const auto got = ConsumeN(*live, 45);
  ASSERT_EQ(got.size(), 45u);
  std::vector<TopicPartitionOffset> all;
  for (const auto& o : bus().Offsets(kTopic).value()) all.push_back({kTopic, o.partition, o.high});
  ASSERT_TRUE(live->Commit(all).ok());

  ConsumerOptions replay;
  replay.reset = OffsetReset::kEarliest;
  auto r = Subscribed("replay-1", replay);
  const auto again = ConsumeN(*r, 45);
  EXPECT_EQ(again.size(), 45u);
  // The replay group read everything; the live group's position did not move.
  for (const auto& lag : bus().GroupLag("live", kTopic).value()) EXPECT_EQ(lag.lag, 0);
  ASSERT_TRUE(r->Close().ok());
}

TEST_P(BusConformance, LatestResetSkipsWhatIsAlreadyThere) {
  ProduceAll(9, {"A", "B", "C"});
  ConsumerOptions opts;
  opts.reset = OffsetReset::kLatest;
  std::vector<TopicPartition> assigned;
  opts.on_assigned = [&](const std::vector<TopicPartition>& tps) {
    assigned.insert(assigned.end(), tps.begin(), tps.end());
  };
  auto c = Subscribed("tail", opts);
  // Wait for the assignment (a Poll runs the group protocol), then produce more.
  const auto end = std::chrono::steady_clock::now() + 30s;
  while (assigned.size() < 3 && std::chrono::steady_clock::now() < end) ConsumeFor(*c, 100ms);
  ASSERT_EQ(assigned.size(), 3u);
  ConsumeFor(*c, harness_->settle() / 8);  // let the consumer fetch its start positions
  const std::vector<PartitionOffsets> before = bus().Offsets(kTopic).value();
  ProduceAll(6, {"A", "B", "C"});
  const auto got = ConsumeN(*c, 6);
  ASSERT_EQ(got.size(), 6u);
  // Only what was produced after the consumer started: nothing below the old end offsets.
  for (const auto& m : got) EXPECT_GE(m.offset, before[static_cast<size_t>(m.partition)].high);
  EXPECT_TRUE(ConsumeFor(*c, 500ms).empty());
}

TEST_P(BusConformance, LagFiguresAreRight) {
  ProduceAll(90, {"A", "B", "C", "D", "E", "F", "G"});
  const auto offsets = bus().Offsets(kTopic).value();
  ASSERT_EQ(offsets.size(), 3u);
  int64_t total = 0;
  for (const auto& o : offsets) {
    EXPECT_EQ(o.low, 0);
    total += o.high;
  }
  EXPECT_EQ(total, 90);

  // No commits yet: everything is lag, committed is -1.
  auto before_result = bus().GroupLag("lagging", kTopic);
  ASSERT_TRUE(before_result.ok()) << before_result.status().ToString();
  auto before = before_result.value();
  for (const auto& l : before) {
    EXPECT_EQ(l.committed, -1);
    EXPECT_EQ(l.lag, offsets[static_cast<size_t>(l.partition)].high);
  }
  auto c = Subscribed("lagging");
  ASSERT_EQ(ConsumeN(*c, 90).size(), 90u);
  std::vector<TopicPartitionOffset> positions;
  for (const auto& o : offsets) positions.push_back({kTopic, o.partition, o.high / 3});
  ASSERT_TRUE(c->Commit(positions).ok());
  auto after_result = bus().GroupLag("lagging", kTopic);
  ASSERT_TRUE(after_result.ok()) << after_result.status().ToString();
  auto after = after_result.value();
  ASSERT_EQ(after.size(), 3u);
  for (const auto& l : after) {
    const auto& o = offsets[static_cast<size_t>(l.partition)];
    EXPECT_EQ(l.committed, o.high / 3);
    EXPECT_EQ(l.high, o.high);
    EXPECT_EQ(l.lag, o.high - o.high / 3);
  }
  const auto groups_result = bus().ListGroups();
  if (GetParam() == "kafka") {
    // The mock cluster implements no ListGroups request; say so as a clear error, not a crash.
    EXPECT_EQ(groups_result.status().code(), StatusCode::kFailedPrecondition);
  } else {
    ASSERT_TRUE(groups_result.ok()) << groups_result.status().ToString();
    const auto groups = groups_result.value();
    EXPECT_NE(std::find(groups.begin(), groups.end(), "lagging"), groups.end());
  }
  const auto topics = bus().ListTopics().value();
  EXPECT_NE(std::find(topics.begin(), topics.end(), kTopic), topics.end());
}

TEST_P(BusConformance, FullQueuePushesBackUntilReportsAreServed) {
  std::vector<DeliveryReport> reports;
  ProducerOptions opts;
  opts.queue_max_messages = 10;
  opts.on_delivery = [&](const DeliveryReport& r) { reports.push_back(r); };
  auto producer = bus().NewProducer(opts).value();
  int accepted = 0;
  Status s;
  for (int i = 0; i < 100; ++i) {
    s = producer->Produce(kTopic, "K", "v" + std::to_string(i), 0, static_cast<uint64_t>(i));
    if (!s.ok()) break;
    ++accepted;
  }
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_EQ(accepted, 10);
  ASSERT_TRUE(producer->Flush(30s).ok());
  ASSERT_EQ(reports.size(), 10u);
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_TRUE(reports[i].status.ok());
    EXPECT_EQ(reports[i].token, i);
    EXPECT_EQ(reports[i].offset, static_cast<int64_t>(i));  // one key: one partition, in order
  }
  // Served reports free the queue.
  EXPECT_TRUE(producer->Produce(kTopic, "K", "after", 0, 99).ok());
  EXPECT_TRUE(producer->Flush(30s).ok());
}

TEST_P(BusConformance, StartsAtATimestampAndSeeks) {
  const int64_t t0 = 1'700'000'000'000;
  ProduceAll(60, {"A", "B", "C"}, t0);
  ConsumerOptions opts;
  opts.start_timestamp_ms = t0 + 40;
  auto c = Subscribed("window", opts);
  const auto got = ConsumeN(*c, 20);
  ASSERT_EQ(got.size(), 20u);
  for (const auto& m : got) EXPECT_GE(m.timestamp_ms, t0 + 40);
  EXPECT_TRUE(ConsumeFor(*c, 500ms).empty());
  // Seek back to the start of one partition and read it again.
  const TopicPartition tp{kTopic, got.front().partition};
  ASSERT_TRUE(c->Seek({tp.topic, tp.partition, 0}).ok());
  const int64_t high = bus().Offsets(kTopic).value()[static_cast<size_t>(tp.partition)].high;
  const auto reread = ConsumeN(*c, static_cast<size_t>(high));
  ASSERT_EQ(reread.size(), static_cast<size_t>(high));
  EXPECT_EQ(reread.front().offset, 0);
  EXPECT_EQ(reread.front().partition, tp.partition);
}

// A member restoring state from a checkpoint chooses where each partition starts from inside
// on_assigned, overriding the committed position.
TEST_P(BusConformance, SeekInsideOnAssignedChoosesTheStart) {
  ProduceAll(60, {"A", "B", "C"});
  {
    auto first = Subscribed("restore");
    ASSERT_EQ(ConsumeN(*first, 60).size(), 60u);
    std::vector<TopicPartitionOffset> ends;
    for (const auto& o : bus().Offsets(kTopic).value())
      ends.push_back({kTopic, o.partition, o.high});
    ASSERT_TRUE(first->Commit(ends).ok());
    ASSERT_TRUE(first->Close().ok());
  }
  std::map<int32_t, int64_t> start;  // offset 5, or the end of a shorter partition
  int64_t expected = 0;
  for (const auto& o : bus().Offsets(kTopic).value()) {
    start[o.partition] = std::min<int64_t>(5, o.high);
    expected += o.high - start[o.partition];
  }
  ConsumerOptions opts;
  Consumer* self = nullptr;
  int seek_failures = 0;
  opts.on_assigned = [&](const std::vector<TopicPartition>& tps) {
    for (const auto& tp : tps) {
      if (!self->Seek({tp.topic, tp.partition, start[tp.partition]}).ok()) ++seek_failures;
    }
  };
  opts.group_id = "restore";
  auto c = bus().NewConsumer(opts).value();
  self = c.get();  // the embedded bus assigns inside Subscribe
  ASSERT_TRUE(c->Subscribe({kTopic}).ok());
  const auto got = ConsumeN(*c, static_cast<size_t>(expected));
  EXPECT_EQ(seek_failures, 0);
  ASSERT_EQ(got.size(), static_cast<size_t>(expected));
  std::map<int32_t, int64_t> first_offset;
  for (const auto& m : got) first_offset.emplace(m.partition, m.offset);
  for (const auto& [partition, offset] : first_offset) {
    EXPECT_EQ(offset, start[partition]) << partition;
  }
  EXPECT_TRUE(ConsumeFor(*c, 300ms).empty());
}

TEST_P(BusConformance, TwoMembersSplitPartitionsAndHandOverWithoutLoss) {
  ProduceAll(150, {"A", "B", "C", "D", "E", "F", "G", "H"});
  std::set<std::string> processed;
  // Each member processes a message, then commits everything it processed on revocation.
  struct Member {  // `done` outlives `consumer`, whose Close may still call on_revoked
    std::map<std::pair<std::string, int32_t>, int64_t> done;
    std::unique_ptr<Consumer> consumer;
  };
  auto make = [&](Member& m) {
    ConsumerOptions opts;
    opts.group_id = "split";
    opts.on_revoked = [&m](const std::vector<TopicPartition>& tps) {
      std::vector<TopicPartitionOffset> positions;
      for (const auto& tp : tps) {
        auto it = m.done.find({tp.topic, tp.partition});
        if (it != m.done.end()) positions.push_back({tp.topic, tp.partition, it->second});
      }
      // Kafka (real and mock) may refuse a commit once the group is rebalancing (kAborted);
      // then the new owner starts from the member's previous commit: duplicates, never loss.
      const Status s = m.consumer->Commit(positions);
      EXPECT_TRUE(s.ok() || s.code() == StatusCode::kAborted) << s.ToString();
    };
    m.consumer = bus().NewConsumer(opts).value();
    ASSERT_TRUE(m.consumer->Subscribe({kTopic}).ok());
  };
  Member a, b;
  make(a);
  make(b);
  // Poll both until the group has settled into a 2 + 1 split.
  std::vector<Message> batch;
  auto step = [&](Member& m, size_t max) {
    ASSERT_TRUE(m.consumer->Poll(&batch, max, 50ms).ok());
    for (const auto& msg : batch) {
      processed.insert(std::string(msg.value));
      m.done[{std::string(msg.topic), msg.partition}] = msg.offset + 1;
    }
    // Commit what was processed, as a service does after each durable write.
    std::vector<TopicPartitionOffset> positions;
    for (const auto& tp : m.consumer->Assignment()) {
      auto it = m.done.find({tp.topic, tp.partition});
      if (it != m.done.end()) positions.push_back({tp.topic, tp.partition, it->second});
    }
    const Status s = m.consumer->Commit(positions);
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kAborted) << s.ToString();
  };
  const auto end = std::chrono::steady_clock::now() + 60s;
  auto split = [&] {
    return a.consumer->Assignment().size() + b.consumer->Assignment().size() == 3 &&
           !a.consumer->Assignment().empty() && !b.consumer->Assignment().empty();
  };
  while (std::chrono::steady_clock::now() < end && !split()) {
    step(a, 2);
    step(b, 2);
  }
  std::set<int32_t> seen;
  for (const auto& tp : a.consumer->Assignment()) seen.insert(tp.partition);
  for (const auto& tp : b.consumer->Assignment()) seen.insert(tp.partition);
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1, 2}));
  EXPECT_EQ(std::min(a.consumer->Assignment().size(), b.consumer->Assignment().size()), 1u);
  // Process a little more, then b leaves: a must get b's partitions from b's commits.
  for (int i = 0; i < 5; ++i) {
    step(a, 3);
    step(b, 3);
  }
  ASSERT_TRUE(b.consumer->Close().ok());
  while (std::chrono::steady_clock::now() < end && processed.size() < 150) step(a, 50);
  EXPECT_EQ(processed.size(), 150u);
  EXPECT_EQ(a.consumer->Assignment().size(), 3u);
}

TEST_P(BusConformance, RefusesBadNames) {
  ProducerOptions popts;
  auto producer = bus().NewProducer(popts).value();
  EXPECT_EQ(producer->Produce("bad topic!", "k", "v").code(), StatusCode::kInvalidArgument);
  auto c = bus().NewConsumer({.group_id = "g"}).value();
  EXPECT_EQ(c->Subscribe({"no/slashes"}).code(), StatusCode::kInvalidArgument);
  if (GetParam() == "embedded") {
    // librdkafka's mock cluster creates every topic it is asked about, so only the embedded bus
    // can show this here; a real broker answers UNKNOWN_TOPIC_OR_PART, mapped to kNotFound too.
    EXPECT_EQ(bus().Offsets("missing.topic").status().code(), StatusCode::kNotFound);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BusConformance, ::testing::Values("embedded", "kafka"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace torghut::bus
