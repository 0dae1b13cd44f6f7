// `backtest --grid`: the cartesian product of parameter values (SPEC §11), each combination a
// catalog of its own, run in parallel and ranked.
//
//   TORGHUT_ASSIGN_OR_RETURN(GridAxis a, ParseGridAxis("stop_loss_pct=0.5,1,2"));
//   TORGHUT_ASSIGN_OR_RETURN(GridAxis b, ParseGridAxis("demo-bollinger.max_hold_seconds=60,180"));
//   TORGHUT_ASSIGN_OR_RETURN(std::vector<GridPoint> points, ExpandGrid(catalog, {a, b}));
//   points.size();  // 6, in axis order (the last axis varies fastest)
//
// An axis `KEY=v1,v2` sets params.KEY on every strategy of the catalog whose rule has that
// parameter (an exit parameter counts: any rule carries them); `STRATEGY.KEY=…` on that strategy
// alone. A key no strategy takes, an unknown strategy, a value the rule refuses, a repeated key or
// an empty value list are errors naming the axis, before anything runs. A value that reads as a
// JSON number is set as a number, otherwise as a string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::backtest {

struct GridAxis {
  std::string strategy;  // empty: every strategy whose rule takes `key`
  std::string key;
  std::vector<std::string> values;
  std::string Label() const { return strategy.empty() ? key : strategy + "." + key; }
};

struct GridPoint {
  std::vector<std::pair<std::string, std::string>> params;  // (axis label, value), axis order
  std::vector<trading::Strategy> strategies;                // the catalog with them applied
  std::string Name() const;  // "stop_loss_pct=0.5,rsi_buy_below=30" (a directory name too)
};

Result<GridAxis> ParseGridAxis(std::string_view spec);

// Every combination, the first axis slowest. kInvalidArgument as described above.
Result<std::vector<GridPoint>> ExpandGrid(const std::vector<trading::Strategy>& catalog,
                                          const std::vector<GridAxis>& axes);

}  // namespace torghut::backtest
