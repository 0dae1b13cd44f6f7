#include "torghut/http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace torghut::http {
namespace {

TEST(MetricsTest, RendersTheTextExpositionFormat) {
  Registry r;
  Counter& ok = r.GetCounter("torghut_requests_total", "Requests served", {{"code", "200"}});
  ok.Inc(3);
  r.GetCounter("torghut_requests_total", "Requests served", {{"code", "404"}}).Inc();
  // The same name and labels are the same counter.
  EXPECT_EQ(&r.GetCounter("torghut_requests_total", "Requests served", {{"code", "200"}}), &ok);
  r.GetGauge("torghut_ready", "1 when ready").Set(1);
  Histogram& h = r.GetHistogram("torghut_lag_ms", "Lag", {1, 5, 10}, {{"topic", "a\"b\\c\nd"}});
  for (double v : {0.5, 1.0, 3.0, 7.0, 50.0}) h.Observe(v);
  EXPECT_EQ(r.Render(),
            "# HELP torghut_lag_ms Lag\n"
            "# TYPE torghut_lag_ms histogram\n"
            "torghut_lag_ms_bucket{topic=\"a\\\"b\\\\c\\nd\",le=\"1\"} 2\n"
            "torghut_lag_ms_bucket{topic=\"a\\\"b\\\\c\\nd\",le=\"5\"} 3\n"
            "torghut_lag_ms_bucket{topic=\"a\\\"b\\\\c\\nd\",le=\"10\"} 4\n"
            "torghut_lag_ms_bucket{topic=\"a\\\"b\\\\c\\nd\",le=\"+Inf\"} 5\n"
            "torghut_lag_ms_sum{topic=\"a\\\"b\\\\c\\nd\"} 61.5\n"
            "torghut_lag_ms_count{topic=\"a\\\"b\\\\c\\nd\"} 5\n"
            "# HELP torghut_ready 1 when ready\n"
            "# TYPE torghut_ready gauge\n"
            "torghut_ready 1\n"
            "# HELP torghut_requests_total Requests served\n"
            "# TYPE torghut_requests_total counter\n"
            "torghut_requests_total{code=\"200\"} 3\n"
            "torghut_requests_total{code=\"404\"} 1\n");
}

TEST(MetricsTest, CollectorsAddSamplesAtScrapeTime) {
  Registry r;
  double lag = 5;
  r.GetGauge("b_gauge", "registered").Set(2);
  r.AddCollector([&](SampleWriter& w) {
    w.Gauge("a_lag", "Lag now", {{"partition", "0"}}, lag);
    w.Counter("c_rows_total", "Rows", {}, 10);
  });
  lag = 7.25;
  const std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE a_lag gauge\na_lag{partition=\"0\"} 7.25\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE c_rows_total counter\nc_rows_total 10\n"), std::string::npos);
  // Sorted by family name.
  EXPECT_LT(text.find("a_lag"), text.find("b_gauge"));
  EXPECT_LT(text.find("b_gauge"), text.find("c_rows_total"));
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Counter& c = r.GetCounter("n_total", "n");
  Histogram& h = r.GetHistogram("h", "h", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000);
  EXPECT_EQ(h.count(), 40000);
  EXPECT_DOUBLE_EQ(h.sum(), 20000);
}

TEST(MetricsTest, QuantilesInterpolateInsideBuckets) {
  Histogram h({10, 20, 30});
  EXPECT_TRUE(std::isnan(h.Quantile(0.5)));
  for (int i = 0; i < 50; ++i) h.Observe(5);   // (0, 10]
  for (int i = 0; i < 50; ++i) h.Observe(15);  // (10, 20]
  EXPECT_DOUBLE_EQ(h.Quantile(0.5), 10);
  EXPECT_DOUBLE_EQ(h.Quantile(0.75), 15);
  EXPECT_DOUBLE_EQ(h.Quantile(1.0), 20);
}

}  // namespace
}  // namespace torghut::http
