// TradingEngine: final TA bars in, decisions out (SPEC §6). Step-driven, with no I/O of its own —
// the clock value, the portfolio view and the reviewer are handed in — so that `trade`, `up` and
// `backtest` run exactly this code and make the same decisions on the same bars.
//
//   TradingEngine engine(settings, &calendar);
//   TORGHUT_RETURN_IF_ERROR(engine.SetStrategies(catalog));            // hot reload: call again
//   for (const StrategyCursor& c : store_cursors) engine.RestoreCursor(c);
//   EngineStep step = engine.OnBar(bar, now_ms, portfolio);
//   // store step.decisions + step.cursors in one transaction; submit the planned ones
//   engine.OnFill(fill);                    // as the broker reports fills of the engine's orders
//   engine.OnOrderDone(client_order_id);    // canceled / expired / rejected / filled
//
// Per bar, for each enabled strategy of the bar's timeframe whose symbols hold the bar's symbol
// (no symbols: every symbol), in strategy-name order:
//  1. once per bar identity: a bar at or before the strategy's cursor for (symbol, timeframe) —
//     a revision, a re-delivered copy — is skipped; otherwise the cursor moves to it;
//  2. the rule sees the bar (its per-symbol state advances on every bar);
//  3. an exit (stop loss, take profit, max hold, flatten before the close) of what the strategy
//     holds comes first; else the rule's buy or sell; else nothing (a skip with the reason);
//  4. the decision: hash and client order id (decision_hash.h), quantity (qty, notional → whole
//     shares, else TRADING_DEFAULT_QTY; a sell sells what the strategy holds), order type and
//     limit price, the reference price (the bar's close), the inputs it saw;
//  5. the reviewer (optional) may veto or adjust — its reasons come first, it never removes
//     risk's — then risk (risk.h) has the final word;
//  6. a decision without reasons is `planned` (to submit) and counts, at once, as an open order in
//     the portfolio the next strategy of the same bar sees; otherwise it is `rejected`.
// Deterministic: the same bars, portfolio views, `now` values and reviews give byte-identical
// decisions.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "torghut/core/binary_io.h"
#include "torghut/core/calendar.h"
#include "torghut/core/status.h"
#include "torghut/core/symbols.h"
#include "torghut/trading/bar.h"
#include "torghut/trading/model.h"
#include "torghut/trading/portfolio.h"
#include "torghut/trading/risk.h"
#include "torghut/trading/settings.h"
#include "torghut/trading/strategies/exits.h"
#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {

// A reviewer's say on one decision (the LLM review of SPEC §6 plugs in here). Reasons join the
// decision's reasons before risk's; adjustments replace the decision's fields before risk runs.
struct ReviewOutcome {
  std::vector<std::string> reasons;  // e.g. llm_veto; empty: the decision may proceed
  std::optional<Decimal> qty;
  std::optional<OrderType> order_type;
  std::optional<Decimal> limit_price;
  std::optional<LlmReview> review;  // stored with the decision
};

class Reviewer {
 public:
  virtual ~Reviewer() = default;
  virtual ReviewOutcome Review(const Decision& decision, const PortfolioView& portfolio) = 0;
};

// Where one strategy stopped evaluating one symbol's bars of one timeframe.
struct StrategyCursor {
  std::string strategy;
  std::string symbol;
  Timeframe timeframe = Timeframe::k1Sec;
  EpochMillis event_ts = 0;
  friend bool operator==(const StrategyCursor&, const StrategyCursor&) = default;
};

// A strategy that looked at the bar and decided nothing, and why.
struct EngineSkip {
  std::string strategy;
  std::string reason;  // "already evaluated", "no signal", "warm-up: rsi14 undefined", ...
};

struct EngineStep {
  std::vector<Decision> decisions;      // in the order made
  std::vector<LlmReview> reviews;       // the reviewer's records, for the decisions above
  std::vector<StrategyCursor> cursors;  // moved by this bar (store them with the decisions)
  std::vector<EngineSkip> skips;
};

struct EngineCounters {
  int64_t bars = 0, evaluations = 0, already_evaluated = 0, decisions = 0, planned = 0,
          rejected = 0, exits = 0;
};

class TradingEngine {
 public:
  // `calendar` (and `reviewer` when given) must outlive the engine.
  TradingEngine(TradingSettings settings, const TradingCalendar* calendar,
                Reviewer* reviewer = nullptr);
  ~TradingEngine();
  TradingEngine(const TradingEngine&) = delete;
  TradingEngine& operator=(const TradingEngine&) = delete;

  // The catalog (every strategy, enabled or not). A strategy whose rule and parameters did not
  // change keeps its rule state; a changed one starts its rule afresh. On an invalid strategy
  // nothing changes and the error names it.
  Status SetStrategies(const std::vector<Strategy>& strategies);
  const std::map<std::string, Strategy, std::less<>>& strategies() const;
  // TRADING_STATIC_SYMBOLS or the polled universe; nullopt: each strategy's own symbols.
  void SetUniverse(std::optional<std::vector<std::string>> symbols);
  TradingSettings& settings() { return settings_; }
  const TradingSettings& settings() const { return settings_; }

  void RestoreCursor(const StrategyCursor& cursor);

  // One final bar. `now` is the wall clock in live and paper trading, the bar's own time in a
  // backtest (only stale_signal and the decisions' created_at read it).
  EngineStep OnBar(const TradingBar& bar, EpochMillis now, const PortfolioView& portfolio);

  // A fill of an order the engine decided: the strategy's holding moves (average cost).
  void OnFill(const Fill& fill);
  // An order that will fill no further: what was still unfilled is no longer pending.
  void OnOrderDone(std::string_view client_order_id);
  // An order still open at the broker from before a restart: it counts as pending (an exit does
  // not sell again what an open sell is already selling).
  void RestoreOpenOrder(std::string_view client_order_id, std::string_view strategy,
                        std::string_view symbol, Side side, Decimal remaining);
  // What a strategy holds of a symbol (zero when nothing).
  Holding HoldingOf(std::string_view strategy, std::string_view symbol) const;

  // Everything that shapes later decisions: rule states, holdings, pending orders, cursors, risk
  // state. Load restores it exactly (the same strategies must be set first).
  void Save(BinaryWriter& w) const;
  Status Load(BinaryReader& r);

  const EngineCounters& counters() const { return counters_; }
  // EngineStep::skips costs strings per strategy and bar; a backtest or the trader that does
  // not read them turns them off.
  void set_record_skips(bool on) { record_skips_ = on; }
  // Decision::inputs_json (the audit record of what the decision saw) is half of a decision's
  // cost; a backtest, which reports decisions without it, turns it off. On by default.
  void set_record_inputs(bool on) { record_inputs_ = on; }

 private:
  struct Compiled;
  // Strategies and symbols are interned (ids from name tables), so the per-bar lookups are
  // integer hash lookups: key = strategy id << 32 | symbol id.
  using Key = uint64_t;
  struct Pending {
    Key key = 0;
    Side side = Side::kBuy;
    Decimal remaining;
  };

  void Evaluate(const Compiled& c, const TradingBar& bar, SymbolId symbol, EpochMillis now,
                PortfolioView& working, EngineStep& step);
  Key KeyOf(std::string_view strategy, std::string_view symbol);
  static Key CursorKeyOf(Key key, Timeframe tf) { return key << 1 | static_cast<uint8_t>(tf); }
  void AddPendingSell(Key key, Decimal qty);
  bool InUniverse(std::string_view symbol) const;

  TradingSettings settings_;
  const TradingCalendar* calendar_;
  Reviewer* reviewer_;
  std::map<std::string, Strategy, std::less<>> strategies_;
  std::map<std::string, std::unique_ptr<Compiled>, std::less<>> compiled_;
  std::optional<std::vector<std::string>> universe_;  // sorted
  SymbolTable strategy_ids_, symbol_ids_;
  std::unordered_map<Key, EpochMillis> cursors_;  // CursorKeyOf(key, timeframe)
  std::unordered_map<Key, Holding> holdings_;
  std::unordered_map<Key, Decimal> pending_sells_;       // Σ remaining of open sells
  std::map<std::string, Pending, std::less<>> pending_;  // by client order id
  bool record_skips_ = true;
  bool record_inputs_ = true;
  RiskState risk_;
  EngineCounters counters_;
};

}  // namespace torghut::trading
