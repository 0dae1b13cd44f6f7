// A backtest's report (SPEC §11): every figure of a run as one JSON document (report.json), and
// the text summary printed at the end.
//
//   TORGHUT_ASSIGN_OR_RETURN(nlohmann::json report, backtest::BuildReport(run, config, ny));
//   std::fputs(backtest::TextSummary(report).c_str(), stdout);
//
// Top-level keys: `summary`, `days`, `by_strategy`, `rejections`, `decisions`, `fills` (SPEC §11),
// and `config` (what was run), `equity` (the per-minute curve with its drawdown), `prices` (each
// traded symbol's minute bars), `bad_lines`, `warnings`. Money and quantities are exact decimal
// strings; ratios, statistics and prices of the charts are JSON numbers; times RFC 3339 UTC.
// Nothing in it depends on the wall clock or the machine: the same run gives the same bytes.
//
// Definitions:
// - realized P&L, win/loss, closed round trips: trading/pnl.h (average cost per strategy and
//   symbol; commissions included); unrealized = end equity − start equity − realized (what the
//   open positions are worth over their cost, at the last prints); fees = Σ commissions.
// - `trades` = judged round trips (wins + losses); `win_rate` = wins / trades (null when none);
//   `avg_hold_seconds` = mean time from a (strategy, symbol) position's opening fill to the fill
//   that flattened it, over every closed round trip.
// - equity is sampled at the end of each minute that saw data; per-minute returns r = e/e₋₁ − 1
//   (the first against the start equity); Sharpe = mean/σ × √(252 × 390), Sortino = mean/σ₋ ×
//   √(252 × 390) with σ₋ = √(Σ min(r, 0)² / n) — null when σ (σ₋) is 0 or fewer than 2 returns.
// - max drawdown: the largest fall of the equity from its running peak (the start equity
//   included), as a fraction of the peak and in money, with the peak's and the trough's times and
//   when the peak was regained (null if never).
// - exposure = share of the minute samples with any position; turnover = Σ |fill notional| /
//   start equity.
// - `days`: per America/New_York day, pnl = that day's last equity − the previous day's (the start
//   equity for the first), and the day's realized P&L, fills and round trips.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "torghut/backtest/backtest_run.h"
#include "torghut/core/calendar.h"

namespace torghut::backtest {

// kOutOfRange when a sum leaves the Decimal range; kInvalidArgument for fills P&L cannot read.
Result<nlohmann::json> BuildReport(const BacktestRun& run, const BacktestConfig& config,
                                   const TimeZone& new_york);

// A few lines a person reads at the end of a run: the return, P&L, drawdown, Sharpe, trades.
std::string TextSummary(const nlohmann::json& report);

}  // namespace torghut::backtest
