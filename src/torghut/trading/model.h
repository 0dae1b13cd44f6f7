// The trading domain model (SPEC §6): strategies, decisions, orders at the broker, fills,
// portfolio snapshots and LLM reviews, with every enum's string form defined here and nowhere
// else. The engine, the broker client, the trader and the trading store all speak these types.
//
//   TORGHUT_ASSIGN_OR_RETURN(trading::Side side, trading::ParseSide("buy"));
//   trading::Decision d;
//   d.action = side;
//   d.timeframe = trading::Timeframe::k1Min;
//   d.client_order_id = trading::ClientOrderIdFor(d.decision_hash);
//   std::string_view wire = trading::ToString(d.status);        // "planned"
//   bool done = trading::IsTerminal(trading::OrderStatus::kFilled);  // true
//
// Conventions: money and quantities are exact `Decimal`s; times are epoch milliseconds UTC
// (`EpochMillis`); JSON documents carried as text are UTF-8 JSON objects. Field names follow the
// HTTP API of SPEC §7 where the two map (the comment names the API field when it differs). Plain
// values: copyable, no invariants beyond their fields, safe to share read-only across threads.
// Nothing here performs I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/ta/rows.h"

namespace torghut::trading {

using EpochMillis = int64_t;

// ---- enums and their string forms ----
//
// For each enum E: `ToString(E)` is its wire/storage form (Alpaca's spelling where Alpaca has
// one); `ParseE(text)` is the exact inverse and refuses anything else (case-sensitive) with
// kInvalidArgument naming the accepted forms; `AllEs()` lists every value once.

enum class Side : uint8_t { kBuy, kSell };
std::string_view ToString(Side v);
Result<Side> ParseSide(std::string_view text);
std::span<const Side> AllSides();

enum class OrderType : uint8_t { kMarket, kLimit };
std::string_view ToString(OrderType v);
Result<OrderType> ParseOrderType(std::string_view text);
std::span<const OrderType> AllOrderTypes();

// Alpaca's time-in-force values; strategies use `day` (SPEC §6).
enum class TimeInForce : uint8_t { kDay, kGtc, kIoc, kFok, kOpg, kCls };
std::string_view ToString(TimeInForce v);
Result<TimeInForce> ParseTimeInForce(std::string_view text);
std::span<const TimeInForce> AllTimeInForces();

// A strategy's bar size: "1Sec" | "1Min", evaluated on the TA rows of window PT1S | PT1M.
enum class Timeframe : uint8_t { k1Sec, k1Min };
std::string_view ToString(Timeframe v);
Result<Timeframe> ParseTimeframe(std::string_view text);
std::span<const Timeframe> AllTimeframes();
// The TA window the timeframe reads, and back: "PT1S" | "PT1M" (ta::WindowSizeName).
ta::WindowSize WindowSizeOf(Timeframe v);
Timeframe TimeframeOf(ta::WindowSize w);
std::string_view WindowSizeName(Timeframe v);
Result<Timeframe> ParseWindowSize(std::string_view window_size);
constexpr int64_t TimeframeMillis(Timeframe v) {
  return v == Timeframe::k1Sec ? 1'000 : 60'000;
}

// An order's status at the broker (Alpaca's order statuses, spelled as Alpaca does).
enum class OrderStatus : uint8_t {
  kNew,
  kAccepted,
  kPendingNew,
  kAcceptedForBidding,
  kPartiallyFilled,
  kFilled,
  kDoneForDay,
  kCanceled,
  kExpired,
  kReplaced,
  kPendingCancel,
  kPendingReplace,
  kStopped,
  kRejected,
  kSuspended,
  kCalculated,
  kHeld,
};
std::string_view ToString(OrderStatus v);
Result<OrderStatus> ParseOrderStatus(std::string_view text);
std::span<const OrderStatus> AllOrderStatuses();
// True for statuses after which the order never changes again and reconciliation stops asking:
// filled, canceled, expired, rejected, replaced (superseded by another order) and done_for_day
// (orders are `day` orders, so the broker sends nothing more).
bool IsTerminal(OrderStatus v);

// A decision's lifecycle (SPEC §6): planned → rejected | submitting → submitted → the broker's
// order status. `rejected` is one value for both a risk rejection and a broker rejection (the
// decision's reasons and its execution tell them apart).
enum class DecisionStatus : uint8_t {
  kPlanned,     // recorded, not yet sent; crash recovery resumes it
  kSubmitting,  // claimed durably before the POST; the outcome may be unknown after a crash
  kSubmitted,   // the broker accepted the POST
  kRejected,
  kNew,
  kAccepted,
  kPendingNew,
  kAcceptedForBidding,
  kPartiallyFilled,
  kFilled,
  kDoneForDay,
  kCanceled,
  kExpired,
  kReplaced,
  kPendingCancel,
  kPendingReplace,
  kStopped,
  kSuspended,
  kCalculated,
  kHeld,
};
std::string_view ToString(DecisionStatus v);
Result<DecisionStatus> ParseDecisionStatus(std::string_view text);
std::span<const DecisionStatus> AllDecisionStatuses();
// rejected, and the broker statuses that are terminal (IsTerminal(OrderStatus)).
bool IsTerminal(DecisionStatus v);
// The decision status that mirrors a broker order status (same spelling).
DecisionStatus DecisionStatusOf(OrderStatus v);
// The broker status a decision status mirrors; nullopt for planned, submitting, submitted.
// (`rejected` maps to OrderStatus::kRejected.)
std::optional<OrderStatus> OrderStatusOf(DecisionStatus v);

// What the LLM reviewer concluded (SPEC §6); `error` when the call or its reply failed,
// `skipped` when no call was made (circuit open, LLM disabled).
enum class LlmVerdict : uint8_t { kApprove, kVeto, kAdjust, kError, kSkipped };
std::string_view ToString(LlmVerdict v);
Result<LlmVerdict> ParseLlmVerdict(std::string_view text);
std::span<const LlmVerdict> AllLlmVerdicts();

// ---- the domain types ----

// One entry of the strategy catalog (SPEC §6).
struct Strategy {
  std::string name;  // unique
  std::string description;
  bool enabled = false;
  Timeframe base_timeframe = Timeframe::k1Min;
  std::string universe_type = "static";
  std::vector<std::string> symbols;
  std::optional<Decimal> max_notional_per_trade;
  std::optional<Decimal> max_position_pct_equity;
  std::string type;                // the rule, e.g. "macd-rsi"
  std::string params_json = "{}";  // the rule's parameters, a JSON object
  // Sizing and order shape: `qty` shares, else `notional` (neither: TRADING_DEFAULT_QTY).
  std::optional<Decimal> qty;
  std::optional<Decimal> notional;
  OrderType order_type = OrderType::kMarket;
  std::optional<Decimal> limit_offset_bps;  // limit price offset from the reference price
  TimeInForce time_in_force = TimeInForce::kDay;
  EpochMillis created_at = 0;
  EpochMillis updated_at = 0;
};

// What one (strategy, bar) that fired decided, and what became of it (SPEC §6). Identity is
// `decision_hash` (SHA-256 hex of the intent's canonical JSON; computed by the engine).
struct Decision {
  std::string decision_hash;
  std::string client_order_id;  // ClientOrderIdFor(decision_hash); the broker's idempotency key
  std::string strategy_name;    // API: strategy_id
  std::string symbol;
  Timeframe timeframe = Timeframe::k1Min;
  EpochMillis signal_event_ts = 0;  // the evaluated bar's event_ts
  Side action = Side::kBuy;
  Decimal qty;
  OrderType order_type = OrderType::kMarket;
  TimeInForce time_in_force = TimeInForce::kDay;
  std::optional<Decimal> limit_price;
  std::optional<Decimal> reference_price;  // the bar's close the decision was priced at
  DecisionStatus status = DecisionStatus::kPlanned;
  // Every reason, in the order found: the LLM guard's codes, then risk's (API: risk_reasons).
  std::vector<std::string> risk_reasons;
  // The rule's values, the reference price and the portfolio the engine saw: a JSON object.
  std::string inputs_json = "{}";
  std::string rationale;  // human-readable why (the rule's, or the LLM's when it adjusted)
  EpochMillis created_at = 0;
  EpochMillis updated_at = 0;
};

// An order as sent to the broker and tracked there (API: /trading/executions).
struct Execution {
  std::string decision_hash;                   // API: trade_decision_id
  std::string client_order_id;                 // unique
  std::optional<std::string> broker_order_id;  // unique when known (API: alpaca_order_id)
  std::string symbol;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kMarket;
  TimeInForce time_in_force = TimeInForce::kDay;
  Decimal submitted_qty;
  std::optional<Decimal> limit_price;
  Decimal filled_qty;
  std::optional<Decimal> avg_fill_price;
  OrderStatus status = OrderStatus::kNew;
  EpochMillis submitted_at = 0;  // API: created_at
  EpochMillis updated_at = 0;    // API: last_update_at
};

// One fill of an order, as the broker reported it (a trade_updates fill/partial_fill event or an
// account activity). P&L is computed from fills; `fill_id` makes reporting one twice harmless.
struct Fill {
  std::string fill_id;  // the broker's fill/activity id; unique
  std::string client_order_id;
  std::string strategy_name;  // attribution: the strategy whose decision made the order
  std::string symbol;
  Side side = Side::kBuy;
  Decimal qty;    // this fill's shares (> 0)
  Decimal price;  // this fill's price
  EpochMillis filled_at = 0;
};

// One position of the broker account.
struct Position {
  std::string symbol;
  Decimal qty;  // negative when short
  Decimal avg_entry_price;
  Decimal market_value;

  friend bool operator==(const Position&, const Position&) = default;
};

// The broker account at one moment (reconciliation snapshots it).
struct PositionSnapshot {
  EpochMillis taken_at = 0;
  Decimal equity, cash, buying_power;
  std::vector<Position> positions;
};

// One advisory review of a decision by the LLM (SPEC §6), stored whatever its outcome.
struct LlmReview {
  std::string decision_hash;
  std::string model;
  LlmVerdict verdict = LlmVerdict::kSkipped;
  std::optional<Decimal> confidence;  // [0, 1]
  // The adjustment an `adjust` verdict proposed (the policy guard decides whether it applies).
  std::optional<Decimal> adjusted_qty;
  std::optional<OrderType> adjusted_order_type;
  std::optional<Decimal> limit_price;
  std::string rationale;  // ≤ 280 characters as the model wrote it
  std::vector<std::string> risk_flags;
  std::string request_json;   // the request body sent
  std::string response_json;  // the reply as received ("" when there was none)
  int64_t prompt_tokens = 0, completion_tokens = 0, latency_ms = 0;
  std::optional<std::string> error;  // the error code/message when verdict is error
  EpochMillis created_at = 0;
};

// The broker client_order_id of a decision: "th-" + the first 40 characters of its hash (SPEC §6;
// Alpaca accepts up to 48). A shorter hash is used whole.
std::string ClientOrderIdFor(std::string_view decision_hash);

}  // namespace torghut::trading
