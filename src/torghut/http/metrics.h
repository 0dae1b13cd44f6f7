// A Prometheus metrics registry: counters, gauges and histograms with labels, rendered in the
// text exposition format (version 0.0.4) that `GET /metrics` serves.
//
//   http::Registry metrics;
//   http::Counter& sent = metrics.GetCounter("torghut_ws_messages_total", "Messages forwarded",
//                                            {{"type", "trade"}});
//   sent.Inc();
//   metrics.GetHistogram("torghut_ws_lag_ms", "Ingest - event time", http::LatencyBucketsMs())
//       .Observe(12.5);
//   metrics.AddCollector([&](http::SampleWriter& w) {  // values read at scrape time
//     w.Gauge("torghut_ta_source_lag_messages", "Unprocessed input", {}, service.Report().lag);
//   });
//   std::string text = metrics.Render();
//
// Contract: a metric is identified by (name, labels); asking again returns the same object, whose
// address stays valid for the registry's life. One name has one type and one help text (a
// mismatch is a programming error: the first registration wins and the call returns it anyway).
// Updating a metric is lock-free (atomics); registration and Render take a mutex. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace torghut::http {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed upper bounds (ascending, +Inf implied). Observe is O(log buckets), lock-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts, the +Inf bucket last; the sum and count of observations.
  std::vector<int64_t> BucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  int64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The q-quantile (0..1) estimated by linear interpolation inside its bucket (NaN when empty).
  double Quantile(double q) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<int64_t> count_{0};
};

// Millisecond latency buckets, 0.1 ms … 60 s.
std::vector<double> LatencyBucketsMs();
// Second latency buckets for request durations, 50 µs … 10 s.
std::vector<double> LatencyBucketsSeconds();

// Where collectors write the samples they compute at scrape time.
class SampleWriter {
 public:
  virtual ~SampleWriter() = default;
  virtual void Gauge(std::string_view name, std::string_view help, const Labels& labels,
                     double value) = 0;
  virtual void Counter(std::string_view name, std::string_view help, const Labels& labels,
                       double value) = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                          const Labels& labels = {});
  // Called on every Render, from the rendering thread; must be thread-safe itself.
  void AddCollector(std::function<void(SampleWriter&)> collector);

  // The text exposition format: families sorted by name, each with # HELP and # TYPE.
  std::string Render() const;

 private:
  struct Family;
  Family& FamilyFor(std::string_view name, std::string_view help, int type);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::vector<std::function<void(SampleWriter&)>> collectors_;
};

}  // namespace torghut::http
