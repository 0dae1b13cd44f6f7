// At-least-once producing in process, over a producer whose deliveries fail on demand: failed
// messages are produced again after the pause, the bus gate shuts after three failures in a row
// and opens at the next success, and Drain reports what could not be delivered.
#include "torghut/forwarder/retrying_producer.h"

#include <gtest/gtest.h>

#include <map>

#include "torghut/core/time.h"

namespace torghut::forwarder {
namespace {

using namespace std::chrono_literals;

// Queues messages and reports them at the next Poll: failed while `fail` is set (class "bus_io"),
// delivered otherwise. Everything delivered is kept.
class FlakyProducer final : public bus::Producer {
 public:
  explicit FlakyProducer(bus::ProducerOptions o) : options_(std::move(o)) {}
  Status Produce(std::string_view topic, std::string_view key, std::string_view value, int64_t,
                 uint64_t token) override {
    if (refuse) return Unavailable("bus down");
    queued_.push_back({std::string(topic), std::string(key), std::string(value), token});
    return Status::Ok();
  }
  int Poll(std::chrono::milliseconds) override {
    std::vector<Queued> batch;
    batch.swap(queued_);
    for (const Queued& q : batch) {
      bus::DeliveryReport r;
      r.topic = q.topic;
      r.token = q.token;
      if (fail) {
        r.status = Unavailable("disk full");
        error_class_ = "bus_io";
      } else {
        r.offset = static_cast<int64_t>(delivered.size());
        delivered.push_back(q.topic + "/" + q.key + "/" + q.value);
        error_class_.clear();
      }
      options_.on_delivery(r);
    }
    return static_cast<int>(batch.size());
  }
  Status Flush(std::chrono::milliseconds timeout) override {
    Poll(timeout);
    return Status::Ok();
  }
  int64_t InFlight() const override { return static_cast<int64_t>(queued_.size()); }
  std::string ErrorClass() const override { return error_class_; }

  bool fail = false, refuse = false;
  std::vector<std::string> delivered;

 private:
  struct Queued {
    std::string topic, key, value;
    uint64_t token;
  };
  bus::ProducerOptions options_;
  std::vector<Queued> queued_;
  std::string error_class_;
};

class RetryingProducerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(producer_
                    .Open([this](bus::ProducerOptions o) -> Result<std::unique_ptr<bus::Producer>> {
                      auto p = std::make_unique<FlakyProducer>(std::move(o));
                      flaky_ = p.get();
                      return std::unique_ptr<bus::Producer>(std::move(p));
                    })
                    .ok());
  }
  int64_t Count(const std::string& topic, const char* result) {
    return metrics_
        .GetCounter("torghut_ws_produce_total", "", {{"topic", topic}, {"result", result}})
        .value();
  }

  std::string trades_ = "trades", status_ = "status";
  http::Registry metrics_;
  FakeClock clock_{1'000 * kNanosPerSecond};
  RetryingProducer producer_{&metrics_, {&trades_, &status_}, &clock_};
  FlakyProducer* flaky_ = nullptr;
};

TEST_F(RetryingProducerTest, FailedDeliveriesAreProducedAgainUntilDelivered) {
  flaky_->fail = true;
  producer_.Produce(&trades_, "AAPL", "t1");
  producer_.Produce(&trades_, "MSFT", "t2");
  producer_.Serve();  // both reports: failed, kept for a retry
  EXPECT_EQ(Count("trades", "error"), 2);
  EXPECT_TRUE(producer_.Gate().open);  // two failures in a row
  flaky_->fail = false;
  producer_.Serve();  // the first retry goes out at once
  producer_.Serve();  // its reports
  EXPECT_EQ(flaky_->delivered, (std::vector<std::string>{"trades/AAPL/t1", "trades/MSFT/t2"}));
  EXPECT_EQ(Count("trades", "success"), 2);
  EXPECT_EQ(producer_.Drain(1s), 0);
}

TEST_F(RetryingProducerTest, ThreeFailuresInARowShutTheGateUntilOneSucceeds) {
  flaky_->fail = true;
  for (const char* v : {"a", "b", "c"}) producer_.Produce(&status_, "k", v);
  producer_.Serve();  // three failed reports; the first retry goes out at once
  BusGate gate = producer_.Gate();
  EXPECT_FALSE(gate.open);
  EXPECT_EQ(gate.error_class, "bus_io");  // the producer's own class
  flaky_->fail = false;
  producer_.Serve();  // the retries are delivered
  EXPECT_EQ(flaky_->delivered.size(), 3u);
  EXPECT_TRUE(producer_.Gate().open);
  // A second failure round waits for the pause before it is produced again.
  flaky_->fail = true;
  producer_.Produce(&status_, "k", "d");
  producer_.Serve();  // failed; the pause that began with the last retry is not over
  flaky_->fail = false;
  producer_.Serve();
  EXPECT_EQ(flaky_->delivered.size(), 3u);
  clock_.AdvanceMillis(500);
  producer_.Serve();
  producer_.Serve();
  EXPECT_EQ(flaky_->delivered.size(), 4u);
}

TEST_F(RetryingProducerTest, AMessageThatCannotBeQueuedIsKeptAndDrainCountsWhatIsLeft) {
  flaky_->refuse = true;
  producer_.Produce(&trades_, "AAPL", "t1");
  EXPECT_EQ(Count("trades", "error"), 1);
  // Still refused at stop: Drain gives up after its timeout and reports the message.
  EXPECT_EQ(producer_.Drain(50ms), 1);
  flaky_->refuse = false;
  EXPECT_EQ(producer_.Drain(1s), 0);
  EXPECT_EQ(flaky_->delivered, (std::vector<std::string>{"trades/AAPL/t1"}));
}

}  // namespace
}  // namespace torghut::forwarder
