// Statistics of an equity curve (report.h defines them): per-minute returns, Sharpe and Sortino,
// the maximum drawdown with its dates, exposure. Pure functions on doubles — ratios, not money.
//
//   EquityStats s = ComputeEquityStats(100000.0, {{t1, 100100.0, true}, {t2, 99900.0, false}});
//   s.max_drawdown;  // (100100 − 99900) / 100100
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace torghut::backtest {

struct EquityPoint {
  int64_t ts = 0;  // epoch ms
  double equity = 0;
  bool exposed = false;
};

struct EquityStats {
  std::vector<double> returns;  // one per point
  std::optional<double> sharpe, sortino;
  double max_drawdown = 0;                                  // fraction of the peak, ≥ 0
  double max_drawdown_amount = 0;                           // peak − trough
  std::optional<int64_t> peak_ts, trough_ts, recovered_ts;  // null: no drawdown / not regained
  std::vector<double> drawdown;  // per point, fraction of the running peak
  double exposure = 0;           // share of points exposed
};

// Minutes in a trading year: the annualisation of per-minute returns.
inline constexpr double kMinutesPerYear = 252.0 * 390.0;

// `start` is the equity before the first point (the first return is against it; it is the first
// peak, at `start_ts`).
EquityStats ComputeEquityStats(double start, int64_t start_ts,
                               const std::vector<EquityPoint>& points);

}  // namespace torghut::backtest
