// Percentiles of latency samples and the one-line report the latency benchmarks print.
#pragma once

#include <algorithm>
#include <cstdio>
#include <vector>

namespace torghut::bench {

// The q-quantile (0..1) by rank; 0 for no samples.
inline double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// "<what> n=… p50 … p90 … p99 … max …" in milliseconds, `what` padded to `width`.
inline void ReportLatency(const char* what, const std::vector<double>& ms, int width = 34) {
  std::printf("%-*s n=%-7zu p50 %8.3f ms   p90 %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", width,
              what, ms.size(), Percentile(ms, 0.50), Percentile(ms, 0.90), Percentile(ms, 0.99),
              ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
}

}  // namespace torghut::bench
