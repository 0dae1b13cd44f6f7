#include "torghut/backtest/equity_stats.h"

#include <cmath>

namespace torghut::backtest {

EquityStats ComputeEquityStats(double start, int64_t start_ts,
                               const std::vector<EquityPoint>& points) {
  EquityStats s;
  double previous = start, peak = start;
  int64_t peak_at = start_ts;
  int64_t exposed = 0;
  double max_peak = 0;  // the peak the largest drawdown fell from
  for (const EquityPoint& p : points) {
    s.returns.push_back(previous != 0 ? p.equity / previous - 1 : 0);
    previous = p.equity;
    if (p.exposed) ++exposed;
    if (p.equity > peak) {
      peak = p.equity;
      peak_at = p.ts;
    }
    const double dd = peak > 0 ? (peak - p.equity) / peak : 0;
    s.drawdown.push_back(dd);
    if (dd > s.max_drawdown) {
      s.max_drawdown = dd;
      s.max_drawdown_amount = peak - p.equity;
      s.peak_ts = peak_at;
      s.trough_ts = p.ts;
      s.recovered_ts.reset();
      max_peak = peak;
    } else if (s.trough_ts && !s.recovered_ts && p.equity >= max_peak) {
      s.recovered_ts = p.ts;
    }
  }
  if (!points.empty())
    s.exposure = static_cast<double>(exposed) / static_cast<double>(points.size());
  const size_t n = s.returns.size();
  if (n >= 2) {
    double sum = 0;
    for (double r : s.returns) sum += r;
    const double mean = sum / static_cast<double>(n);
    double var = 0, down = 0;
    for (double r : s.returns) {
      var += (r - mean) * (r - mean);
      if (r < 0) down += r * r;
    }
    const double sd = std::sqrt(var / static_cast<double>(n - 1));
    const double dsd = std::sqrt(down / static_cast<double>(n));
    const double annual = std::sqrt(kMinutesPerYear);
    if (sd > 0) s.sharpe = mean / sd * annual;
    if (dsd > 0) s.sortino = mean / dsd * annual;
  }
  return s;
}

}  // namespace torghut::backtest
