// One backtest run (SPEC §11): a recorded market-data file through the one TA input path
// (replay/file_replay.h), the same trading engine as `trade` and `up` (trading/engine.h), and the
// matching engine (broker/matching_engine.h) in process, on the data's own event time. No wall
// clock is read: the trading engine's `now` is the time of the event that finished the bar.
//
//   TORGHUT_ASSIGN_OR_RETURN(TradingCalendar calendar, TradingCalendar::NewYork());
//   backtest::BacktestConfig config;
//   config.input_path = "session.jsonl";
//   TORGHUT_ASSIGN_OR_RETURN(config.strategies, trading::ParseCatalog(text, "strategies.yaml"));
//   TORGHUT_ASSIGN_OR_RETURN(backtest::BacktestRun run, backtest::RunBacktest(config, calendar));
//   run.fills.size();   // what the matching engine filled, in order
//
// The order of things, per market event of the merge (the order `replay` and the TA service
// use): the matching engine sees the event first (an open order fills at this print); then the TA
// engine, which may finish bars; each final bar goes to the trading engine with the portfolio as
// the matching engine has it; a planned decision is submitted at once, at the event's time, so a
// market order fills at the next print. Fills go back to the trading engine (its holdings) as
// the live trader's trade_updates do.
//
// Deterministic: the same file, strategies and settings give the same decisions, fills and
// samples. Not thread-safe; runs of a grid each have their own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/ta/engine.h"
#include "torghut/trading/engine.h"
#include "torghut/trading/model.h"
#include "torghut/trading/settings.h"

namespace torghut::backtest {

using trading::EpochMillis;

struct BacktestConfig {
  std::string input_path;
  std::vector<trading::Strategy> strategies;  // validated (trading::ParseCatalog)
  // The gates and risk limits (TRADING_* as `trade` reads them). A backtest trades: `enabled` is
  // forced on, the mode is paper and the signal-age check is off (the clock is the data's).
  trading::TradingSettings settings;
  Decimal cash = Decimal::FromUnits(100'000 * Decimal::kOne);
  Decimal commission_per_share;  // ≥ 0
  Decimal slippage_bps;          // ≥ 0
  // Trade only bars and prints in [from, to) (epoch ms); earlier data still warms the indicators.
  std::optional<EpochMillis> from, to;
  std::vector<std::string> symbols;  // trade only these (empty: every symbol of the file)
  ta::EngineConfig engine;
  trading::Reviewer* reviewer = nullptr;  // --llm; outlives the run
  // Set to the event time before each bar: the clock the reviewer (its circuit breaker) reads.
  FakeClock* clock = nullptr;
  bool show_progress = false;  // a progress bar on stderr when it is a terminal
  std::string progress_label = "backtest";
};

// A fill of the run, with what it cost.
struct BacktestFill {
  trading::Fill fill;
  std::string decision_hash;
  Decimal commission;
};

// The account at the end of one minute of event time (only minutes in which a trade printed):
// cash and each position at its symbol's last trade before the minute's end.
struct EquitySample {
  EpochMillis ts = 0;  // the minute's end
  Decimal equity;
  bool exposed = false;  // any position held
};

// One minute of one symbol's trades (for the report's price charts).
struct PriceBar {
  EpochMillis ts = 0;  // the minute's start
  double open = 0, high = 0, low = 0, close = 0;
};

struct BadLine {
  int64_t line = 0;
  std::string reason;
};

struct BacktestRun {
  std::vector<trading::Decision> decisions;  // in the order made, each with its final status
  std::vector<trading::LlmReview> reviews;
  std::vector<BacktestFill> fills;                      // in the order filled
  std::vector<EquitySample> equity;                     // per minute, oldest first
  std::map<std::string, std::vector<PriceBar>> prices;  // per traded symbol, by minute
  Decimal start_equity, end_equity, end_cash;
  std::vector<broker::BrokerPosition> end_positions;
  EpochMillis first_event = 0, last_event = 0;  // of the data inside [from, to)
  int64_t lines = 0, events = 0, bars = 0;
  int64_t bad_lines = 0;
  int64_t late_prints = 0;  // trades older than their symbol's newest print: not matched against
  std::vector<BadLine> first_bad_lines;             // at most kMaxReportedBadLines
  std::vector<std::string> symbols_without_trades;  // of config.symbols
  double seconds = 0;                               // wall time (for the summary line only)
};

inline constexpr size_t kMaxReportedBadLines = 100;

// kInvalidArgument for an invalid configuration (a strategy, the TA settings, options of the
// matching engine, from ≥ to); kNotFound / kUnavailable when the file cannot be read. Bad lines
// are not errors: they are counted and the first ones kept.
Result<BacktestRun> RunBacktest(const BacktestConfig& config, const TradingCalendar& calendar);

}  // namespace torghut::backtest
