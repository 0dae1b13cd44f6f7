// What `torghut backtest` does with runs: one run into a directory (report.json, report.html),
// and a grid of runs in parallel, ranked (grid.json) — backtest_run.h, report.h and grid.h put
// together, so the command is wiring only.
//
//   TORGHUT_ASSIGN_OR_RETURN(nlohmann::json report, RunToDirectory(config, calendar, "out"));
//   TORGHUT_ASSIGN_OR_RETURN(nlohmann::json ranking,
//                            RunGrid(config, points, calendar, "out", {.rank_by = "sharpe"}));
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torghut/backtest/backtest_run.h"
#include "torghut/backtest/grid.h"

namespace torghut::backtest {

// Runs `config` and writes DIR/report.json (2-space indented, sorted keys, a final newline) and
// DIR/report.html, each atomically. Returns the report.
Result<nlohmann::json> RunToDirectory(const BacktestConfig& config, const TradingCalendar& calendar,
                                      const std::filesystem::path& dir);

// The metrics a grid can be ranked by (summary fields): return, total_pnl, sharpe, sortino,
// win_rate (higher first) and max_drawdown (lower first).
Status ValidateRankBy(std::string_view metric);

struct GridOptions {
  std::string rank_by = "sharpe";
  int jobs = 0;  // parallel runs; 0 = the machine's cores
  // Called (under a lock) as each run ends, with its name and report — e.g. to print a line.
  std::function<void(const GridPoint&, const nlohmann::json& report)> on_done;
};

// Every point as a run of its own in DIR/<point name>/ (config's strategies replaced by the
// point's), `jobs` at a time; then DIR/grid.json = {rank_by, runs:[{rank, name, params, dir,
// summary}]} best first (nulls last, ties by name). The first failing run's error fails the grid.
Result<nlohmann::json> RunGrid(const BacktestConfig& config, const std::vector<GridPoint>& points,
                               const TradingCalendar& calendar, const std::filesystem::path& dir,
                               const GridOptions& options);

}  // namespace torghut::backtest
