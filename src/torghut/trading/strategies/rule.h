// A strategy's rule: what it does with each final bar of a symbol (SPEC §6 Strategies).
//
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<Rule> rule, MakeRule("macd-cross",
//   R"({"rsi_max":70})")); RuleSignal s = rule->Evaluate("AAPL", inputs);   // kBuy / kSell /
//   kNone, with why BinaryWriter w; rule->Save(w);                   // per-symbol state, for
//   checkpoints
//
// Rules are small classes behind this one interface, with their state per symbol (a crossover
// detector remembers the previous bar's side). They see only the bar's indicator values — never
// a clock, a store or the portfolio — so the same bars give the same signals everywhere. What a
// strategy holds, and the exits any rule carries (stop loss, take profit, max hold, flatten
// before the close), are the engine's (strategies/exits.h).
//
// Parameters come from the catalog as a JSON object; MakeRule validates them: every key known to
// the rule or to the shared exits, each of the right type and range; the error names the key.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/binary_io.h"
#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

// One final bar as a rule sees it: the TA signal row's values and the bar's close. NaN = the
// indicator is not defined yet (warm-up) or the value was not finite.
struct RuleInputs {
  EpochMillis event_ts = 0;  // the bar's end
  double close = NAN;
  double macd = NAN, macd_signal = NAN, macd_hist = NAN;
  double ema12 = NAN, ema26 = NAN;
  double rsi14 = NAN;
  double boll_mid = NAN, boll_upper = NAN, boll_lower = NAN;
  double vwap_session = NAN, vwap_w5m = NAN;
  double imbalance_spread = NAN;
  double vol_realized_w60s = NAN;
};

enum class SignalKind : uint8_t { kNone, kBuy, kSell };

struct RuleSignal {
  SignalKind kind = SignalKind::kNone;
  // A sell that only closes what the strategy holds (bollinger-reversion's exit): no decision
  // when it holds nothing. Other sells sell the holding, or open a short of the strategy's size.
  bool exit_only = false;
  // Why nothing fired when an input was missing ("warm-up: rsi14 undefined"); "" otherwise.
  std::string skip;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual std::string_view type() const = 0;
  // Evaluates one final bar of `symbol`; called once per bar, in bar order per symbol.
  virtual RuleSignal Evaluate(std::string_view symbol, const RuleInputs& in) = 0;
  // Why `signal` fired on `in`, for the decision's rationale: "macd 0.1200 crossed above
  // macd_signal 0.1000". Asked only when a decision is made (formatting costs more than the test).
  virtual std::string Why(const RuleSignal& signal, const RuleInputs& in) const = 0;
  // The rule's parameters as a canonical JSON object (defaults filled in), for decision inputs.
  virtual std::string ParamsJson() const = 0;
  // Per-symbol state, bit-exactly restorable (same type and params).
  virtual void Save(BinaryWriter& w) const = 0;
  virtual Status Load(BinaryReader& r) = 0;
};

// The exit parameters any rule may carry (SPEC §6), validated with the rule's own.
struct ExitParams {
  std::optional<Decimal> stop_loss_pct;  // sell what is held when close ≤ entry × (1 − pct/100)
  std::optional<Decimal> take_profit_pct;  // ... when close ≥ entry × (1 + pct/100)
  std::optional<int64_t> max_hold_seconds;
  std::optional<int64_t> flatten_before_close_minutes;
};

// A rule of `type` with `params_json` (a JSON object; "" or "{}" for the defaults), and the exits
// found among the same params. kInvalidArgument naming the key for anything unknown or out of
// range; kNotFound for an unknown type (the message lists the known ones).
struct CompiledRule {
  std::unique_ptr<Rule> rule;
  ExitParams exits;
};
Result<CompiledRule> MakeRule(std::string_view type, std::string_view params_json);

// "macd-rsi", "macd-cross", "bollinger-reversion".
std::span<const std::string_view> RuleTypes();

}  // namespace torghut::trading
