// The trading half's input: one final TA bar — the signal row and the microbar row of the same
// identity (symbol, window_size, event_ts), joined (SPEC §6 Input).
//
//   BarJoiner joiner;
//   joiner.OnMicrobar(microbar_row);                   // rows as they come off the TA topics
//   for (TradingBar& bar : joiner.OnSignal(signal_row)) engine.OnBar(bar, now, portfolio);
//
// Only final rows are joined (provisional ones are dropped). Per (symbol, window) the TA service
// emits the first final version of each bar in event order on both topics, so: a row at or
// before the newest bar already joined is a revision or a re-delivery and is dropped at once (the
// engine evaluates each identity once anyway); and when a bar completes, older rows of the same
// (symbol, window) still waiting can no longer meet their partner — they are reported as skips
// (a final bar created behind the indicator chain has no signal row, for instance). The two
// topics may be read at different speeds: nothing is given up just for waiting.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/ta/engine.h"
#include "torghut/ta/rows.h"
#include "torghut/trading/model.h"
#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {

struct TradingBar {
  std::string symbol;
  Timeframe timeframe = Timeframe::k1Sec;
  EpochMillis event_ts = 0;  // the window's end
  int64_t version = 0;       // the microbar's
  // The bar's close as an exact decimal (4 fractional digits), the reference price; nullopt when
  // the close is not a positive finite number (risk: missing_price).
  std::optional<Decimal> close;
  RuleInputs inputs;  // the signal row's values (NaN = null or not finite) and the close
};

// The bar for a final microbar and signal of the same identity; kInvalidArgument when they are
// not final or not the same identity.
Result<TradingBar> JoinBar(const ta::MicrobarRow& bar, const ta::SignalRow& signal);

// Where a row came from on the bus (topic index, partition, offset), so that a reader commits
// nothing past a row that still waits for its partner (BarJoiner::OldestPending).
struct RowPosition {
  int topic = 0;
  int32_t partition = 0;
  int64_t offset = -1;
};

class BarJoiner {
 public:
  // `max_pending`: rows waiting per (symbol, window) before the oldest is given up regardless.
  explicit BarJoiner(size_t max_pending = 4096) : max_pending_(max_pending) {}

  using Position = RowPosition;
  // Each returns the bars completed by this row (zero or one); `skips` collects rows given up on.
  std::vector<TradingBar> OnMicrobar(const ta::MicrobarRow& row, Position at = {});
  std::vector<TradingBar> OnSignal(const ta::SignalRow& row, Position at = {});
  // The oldest offset still waiting, per (topic index, partition).
  std::map<std::pair<int, int32_t>, int64_t> OldestPending() const;

  struct Skip {
    std::string symbol;
    std::string window;
    EpochMillis event_ts;
    std::string reason;  // "missing_signal" | "missing_microbar" | "not_final"
  };
  std::vector<Skip> TakeSkips();
  size_t pending() const { return pending_.size(); }
  // Rows dropped as revisions or re-deliveries of bars already joined.
  int64_t dropped() const { return dropped_; }

 private:
  using Key = std::tuple<std::string, ta::WindowSize, int64_t>;  // symbol, window, event_ts
  struct Half {
    std::optional<ta::MicrobarRow> bar;
    std::optional<ta::SignalRow> signal;
    Position bar_at, signal_at;
  };
  template <typename Row>
  std::vector<TradingBar> Add(const Row& row, std::optional<Row> Half::*slot, Position Half::*at,
                              Position where);
  // Gives up rows of (symbol, w) older than `before`, and beyond max_pending_.
  void Expire(const std::string& symbol, ta::WindowSize w, int64_t before);

  size_t max_pending_;
  std::map<Key, Half> pending_;
  std::map<std::pair<std::string, ta::WindowSize>, int64_t> last_joined_;
  std::vector<Skip> skips_;
  int64_t dropped_ = 0;
};

// The TA engine's rows, as they are produced in process (file replay, backtest), joined into
// bars for a callback. Rows arrive in order (a final microbar, then its signal), so nothing waits.
class TradingBarSink final : public ta::RowSink {
 public:
  explicit TradingBarSink(std::function<void(const TradingBar&)> on_bar)
      : on_bar_(std::move(on_bar)) {}
  void OnMicrobar(const ta::MicrobarRow& row) override {
    for (const TradingBar& b : joiner_.OnMicrobar(row)) on_bar_(b);
  }
  void OnSignal(const ta::SignalRow& row) override {
    for (const TradingBar& b : joiner_.OnSignal(row)) on_bar_(b);
  }
  BarJoiner& joiner() { return joiner_; }

 private:
  BarJoiner joiner_;
  std::function<void(const TradingBar&)> on_bar_;
};

}  // namespace torghut::trading
