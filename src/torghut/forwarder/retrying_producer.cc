#include "torghut/forwarder/retrying_producer.h"

#include "torghut/core/log.h"
#include "torghut/core/time.h"

namespace torghut::forwarder {

using namespace std::chrono_literals;

namespace {
constexpr int64_t kRetryPauseNs = 500 * kNanosPerMilli;
}  // namespace

RetryingProducer::RetryingProducer(http::Registry* metrics,
                                   const std::vector<const std::string*>& topics,
                                   const Clock* clock)
    : clock_(clock) {
  for (const std::string* topic : topics) {
    ok_[topic] =
        &metrics->GetCounter("torghut_ws_produce_total", "Bus deliveries by topic and result",
                             {{"topic", *topic}, {"result", "success"}});
    failed_[topic] =
        &metrics->GetCounter("torghut_ws_produce_total", "Bus deliveries by topic and result",
                             {{"topic", *topic}, {"result", "error"}});
  }
}

RetryingProducer::~RetryingProducer() = default;

Status RetryingProducer::Open(const Factory& make) {
  bus::ProducerOptions options;
  options.on_delivery = [this](const bus::DeliveryReport& r) { OnDelivery(r); };
  auto p = make(std::move(options));
  if (!p.ok()) return p.status();
  producer_ = std::move(*p);
  return Status::Ok();
}

void RetryingProducer::Produce(const std::string* topic, std::string_view key, std::string value) {
  const uint64_t token = ++next_token_;
  auto [it, inserted] = pending_.emplace(token, Pending{topic, std::string(key), {}});
  it->second.value = std::move(value);
  // (Delivery reports served while waiting erase other entries only: `it` stays valid.)
  Status s = bus::ProduceWait(*producer_, *topic, it->second.key, it->second.value, 0, token, 10s);
  if (!s.ok()) {
    // Not even queued (a full queue for 10 s, a bus I/O error): keep it for a retry.
    OnFailed(token, s);
  }
}

void RetryingProducer::OnDelivery(const bus::DeliveryReport& r) {
  if (r.status.ok()) {
    auto it = pending_.find(r.token);
    if (it == pending_.end()) return;
    ok_[it->second.topic]->Inc();
    pending_.erase(it);
    consecutive_failures_.store(0);
    return;
  }
  OnFailed(r.token, r.status);
}

void RetryingProducer::OnFailed(uint64_t token, const Status& s) {
  auto it = pending_.find(token);
  if (it == pending_.end()) return;
  failed_[it->second.topic]->Inc();
  if (consecutive_failures_.fetch_add(1) + 1 == kGateFailures) {
    log::Error("ws", "bus produce failing", {{"error", s.ToString()}});
  }
  retry_.push_back(std::move(it->second));
  pending_.erase(it);
}

void RetryingProducer::Serve() {
  producer_->Poll(0ms);
  if (consecutive_failures_.load() >= kGateFailures) {
    std::string cls = producer_->ErrorClass();
    std::lock_guard lock(mu_);
    error_class_ = std::move(cls);
  }
  const int64_t now = clock_->NowNanos();
  if (retry_.empty() || now < next_retry_ns_) return;
  next_retry_ns_ = now + kRetryPauseNs;
  std::deque<Pending> again;
  again.swap(retry_);
  for (Pending& m : again) Produce(m.topic, m.key, std::move(m.value));
}

void RetryingProducer::Poll(std::chrono::milliseconds timeout) {
  producer_->Poll(timeout);
}

int64_t RetryingProducer::Drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while ((!retry_.empty() || producer_->InFlight() > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    next_retry_ns_ = 0;
    Serve();
    (void)producer_->Flush(500ms);
  }
  return static_cast<int64_t>(retry_.size()) + producer_->InFlight();
}

BusGate RetryingProducer::Gate() const {
  BusGate g;
  g.open = consecutive_failures_.load() < kGateFailures;
  if (!g.open) {
    std::lock_guard lock(mu_);
    g.error_class = error_class_.empty() ? "kafka_produce" : error_class_;
  }
  return g;
}

}  // namespace torghut::forwarder
