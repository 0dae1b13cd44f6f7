// At-least-once producing for the forwarder (SPEC §2): a message whose delivery fails — or that
// cannot even be queued within 10 s — is kept and produced again (at most every 500 ms) until it
// is delivered; three failures in a row shut the bus gate until one delivery succeeds.
//
//   forwarder::RetryingProducer producer(&metrics, {&topics.trades, &topics.status}, &clock);
//   Status s = producer.Open([&](bus::ProducerOptions o) { return bus->NewProducer(std::move(o));
//   }); producer.Produce(&topics.trades, "AAPL", std::move(envelope_json)); producer.Serve(); //
//   often: delivery reports, retries int64_t lost = producer.Drain(10s);          // at stop: what
//   could not be delivered
//
// Counts deliveries in torghut_ws_produce_total{topic,result}. Everything but Gate() runs on one
// thread (the forwarder's session loop); Gate() is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/http/metrics.h"

namespace torghut::forwarder {

// The bus readiness gate: open while fewer than three deliveries in a row failed; `error_class`
// names why it is shut (the producer's class, or "kafka_produce").
struct BusGate {
  bool open = true;
  std::string error_class;
};

class RetryingProducer {
 public:
  using Factory = std::function<Result<std::unique_ptr<bus::Producer>>(bus::ProducerOptions)>;
  static constexpr int64_t kGateFailures = 3;

  // `topics` are the only topics produced to (the pointers are the keys; they must outlive this),
  // as are `metrics` and `clock`.
  RetryingProducer(http::Registry* metrics, const std::vector<const std::string*>& topics,
                   const Clock* clock);
  ~RetryingProducer();
  RetryingProducer(const RetryingProducer&) = delete;
  RetryingProducer& operator=(const RetryingProducer&) = delete;

  // Opens the producer with `make`; its delivery reports come back to this object.
  Status Open(const Factory& make);

  // Precondition: Open() succeeded and `topic` is one of the constructor's.
  void Produce(const std::string* topic, std::string_view key, std::string value);
  // Serves delivery reports and produces failed messages again when their pause is over.
  void Serve();
  // Serves reports, waiting up to `timeout` for the first (a wait's tick).
  void Poll(std::chrono::milliseconds timeout);
  // Retries and flushes until nothing is pending or `timeout` passed; returns how many messages
  // are still undelivered.
  int64_t Drain(std::chrono::milliseconds timeout);

  BusGate Gate() const;

 private:
  struct Pending {
    const std::string* topic;
    std::string key, value;
  };
  void OnDelivery(const bus::DeliveryReport& r);
  void OnFailed(uint64_t token, const Status& s);

  const Clock* clock_;
  std::unique_ptr<bus::Producer> producer_;
  std::unordered_map<uint64_t, Pending> pending_;  // by token: produced, not yet reported
  std::deque<Pending> retry_;                      // failed: produced again by Serve()
  uint64_t next_token_ = 0;
  int64_t next_retry_ns_ = 0;
  std::atomic<int64_t> consecutive_failures_{0};
  mutable std::mutex mu_;
  std::string error_class_;  // the producer's, while the gate is shut (under mu_)
  std::map<const std::string*, http::Counter*> ok_, failed_;
};

}  // namespace torghut::forwarder
