#include "torghut/trading/model.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace torghut::trading {
namespace {

// One table per enum: every value once, in declaration order, with its string form. ToString,
// Parse and All read the same table, so the forms cannot drift apart.
template <typename E, size_t N>
struct EnumNames {
  std::string_view what;  // for error messages, e.g. "order status"
  std::array<std::pair<E, std::string_view>, N> names;
  std::array<E, N> values;

  constexpr EnumNames(std::string_view w, std::array<std::pair<E, std::string_view>, N> n)
      : what(w), names(n), values() {
    for (size_t i = 0; i < N; ++i) values[i] = names[i].first;
  }

  std::string_view Name(E v) const {
    for (const auto& [value, name] : names) {
      if (value == v) return name;
    }
    return "?";  // unreachable for a value of E; kept total for safety
  }

  Result<E> Parse(std::string_view text) const {
    for (const auto& [value, name] : names) {
      if (name == text) return value;
    }
    std::string accepted;
    for (const auto& entry : names) {
      accepted += (accepted.empty() ? "" : ", ") + std::string(entry.second);
    }
    return InvalidArgument(
        fmt::format("unknown {} '{}' (expected one of: {})", what, text.substr(0, 64), accepted));
  }
};

template <typename E, size_t N>
constexpr EnumNames<E, N> Names(std::string_view what,
                                const std::pair<E, std::string_view> (&names)[N]) {
  std::array<std::pair<E, std::string_view>, N> a{};
  for (size_t i = 0; i < N; ++i) a[i] = names[i];
  return EnumNames<E, N>(what, a);
}

constexpr auto kSides = Names<Side>("side", {{Side::kBuy, "buy"}, {Side::kSell, "sell"}});

constexpr auto kOrderTypes =
    Names<OrderType>("order type", {{OrderType::kMarket, "market"}, {OrderType::kLimit, "limit"}});

constexpr auto kTimeInForces = Names<TimeInForce>("time in force", {{TimeInForce::kDay, "day"},
                                                                    {TimeInForce::kGtc, "gtc"},
                                                                    {TimeInForce::kIoc, "ioc"},
                                                                    {TimeInForce::kFok, "fok"},
                                                                    {TimeInForce::kOpg, "opg"},
                                                                    {TimeInForce::kCls, "cls"}});

constexpr auto kTimeframes =
    Names<Timeframe>("timeframe", {{Timeframe::k1Sec, "1Sec"}, {Timeframe::k1Min, "1Min"}});

constexpr auto kWindowSizes =
    Names<Timeframe>("window size", {{Timeframe::k1Sec, "PT1S"}, {Timeframe::k1Min, "PT1M"}});

constexpr auto kOrderStatuses =
    Names<OrderStatus>("order status", {{OrderStatus::kNew, "new"},
                                        {OrderStatus::kAccepted, "accepted"},
                                        {OrderStatus::kPendingNew, "pending_new"},
                                        {OrderStatus::kAcceptedForBidding, "accepted_for_bidding"},
                                        {OrderStatus::kPartiallyFilled, "partially_filled"},
                                        {OrderStatus::kFilled, "filled"},
                                        {OrderStatus::kDoneForDay, "done_for_day"},
                                        {OrderStatus::kCanceled, "canceled"},
                                        {OrderStatus::kExpired, "expired"},
                                        {OrderStatus::kReplaced, "replaced"},
                                        {OrderStatus::kPendingCancel, "pending_cancel"},
                                        {OrderStatus::kPendingReplace, "pending_replace"},
                                        {OrderStatus::kStopped, "stopped"},
                                        {OrderStatus::kRejected, "rejected"},
                                        {OrderStatus::kSuspended, "suspended"},
                                        {OrderStatus::kCalculated, "calculated"},
                                        {OrderStatus::kHeld, "held"}});

// Decision statuses of our own, then one per broker status (the mapping below pairs them).
constexpr auto kDecisionStatuses = Names<DecisionStatus>(
    "decision status", {{DecisionStatus::kPlanned, "planned"},
                        {DecisionStatus::kSubmitting, "submitting"},
                        {DecisionStatus::kSubmitted, "submitted"},
                        {DecisionStatus::kRejected, "rejected"},
                        {DecisionStatus::kNew, "new"},
                        {DecisionStatus::kAccepted, "accepted"},
                        {DecisionStatus::kPendingNew, "pending_new"},
                        {DecisionStatus::kAcceptedForBidding, "accepted_for_bidding"},
                        {DecisionStatus::kPartiallyFilled, "partially_filled"},
                        {DecisionStatus::kFilled, "filled"},
                        {DecisionStatus::kDoneForDay, "done_for_day"},
                        {DecisionStatus::kCanceled, "canceled"},
                        {DecisionStatus::kExpired, "expired"},
                        {DecisionStatus::kReplaced, "replaced"},
                        {DecisionStatus::kPendingCancel, "pending_cancel"},
                        {DecisionStatus::kPendingReplace, "pending_replace"},
                        {DecisionStatus::kStopped, "stopped"},
                        {DecisionStatus::kSuspended, "suspended"},
                        {DecisionStatus::kCalculated, "calculated"},
                        {DecisionStatus::kHeld, "held"}});

constexpr std::pair<OrderStatus, DecisionStatus> kBrokerToDecision[] = {
    {OrderStatus::kNew, DecisionStatus::kNew},
    {OrderStatus::kAccepted, DecisionStatus::kAccepted},
    {OrderStatus::kPendingNew, DecisionStatus::kPendingNew},
    {OrderStatus::kAcceptedForBidding, DecisionStatus::kAcceptedForBidding},
    {OrderStatus::kPartiallyFilled, DecisionStatus::kPartiallyFilled},
    {OrderStatus::kFilled, DecisionStatus::kFilled},
    {OrderStatus::kDoneForDay, DecisionStatus::kDoneForDay},
    {OrderStatus::kCanceled, DecisionStatus::kCanceled},
    {OrderStatus::kExpired, DecisionStatus::kExpired},
    {OrderStatus::kReplaced, DecisionStatus::kReplaced},
    {OrderStatus::kPendingCancel, DecisionStatus::kPendingCancel},
    {OrderStatus::kPendingReplace, DecisionStatus::kPendingReplace},
    {OrderStatus::kStopped, DecisionStatus::kStopped},
    {OrderStatus::kRejected, DecisionStatus::kRejected},
    {OrderStatus::kSuspended, DecisionStatus::kSuspended},
    {OrderStatus::kCalculated, DecisionStatus::kCalculated},
    {OrderStatus::kHeld, DecisionStatus::kHeld},
};

constexpr auto kLlmVerdicts = Names<LlmVerdict>("LLM verdict", {{LlmVerdict::kApprove, "approve"},
                                                                {LlmVerdict::kVeto, "veto"},
                                                                {LlmVerdict::kAdjust, "adjust"},
                                                                {LlmVerdict::kError, "error"},
                                                                {LlmVerdict::kSkipped, "skipped"}});

}  // namespace

std::string_view ToString(Side v) {
  return kSides.Name(v);
}
Result<Side> ParseSide(std::string_view text) {
  return kSides.Parse(text);
}
std::span<const Side> AllSides() {
  return kSides.values;
}

std::string_view ToString(OrderType v) {
  return kOrderTypes.Name(v);
}
Result<OrderType> ParseOrderType(std::string_view text) {
  return kOrderTypes.Parse(text);
}
std::span<const OrderType> AllOrderTypes() {
  return kOrderTypes.values;
}

std::string_view ToString(TimeInForce v) {
  return kTimeInForces.Name(v);
}
Result<TimeInForce> ParseTimeInForce(std::string_view text) {
  return kTimeInForces.Parse(text);
}
std::span<const TimeInForce> AllTimeInForces() {
  return kTimeInForces.values;
}

std::string_view ToString(Timeframe v) {
  return kTimeframes.Name(v);
}
Result<Timeframe> ParseTimeframe(std::string_view text) {
  return kTimeframes.Parse(text);
}
std::span<const Timeframe> AllTimeframes() {
  return kTimeframes.values;
}
ta::WindowSize WindowSizeOf(Timeframe v) {
  return v == Timeframe::k1Sec ? ta::WindowSize::k1s : ta::WindowSize::k1m;
}
Timeframe TimeframeOf(ta::WindowSize w) {
  return w == ta::WindowSize::k1s ? Timeframe::k1Sec : Timeframe::k1Min;
}
std::string_view WindowSizeName(Timeframe v) {
  return kWindowSizes.Name(v);
}
Result<Timeframe> ParseWindowSize(std::string_view window_size) {
  return kWindowSizes.Parse(window_size);
}

std::string_view ToString(OrderStatus v) {
  return kOrderStatuses.Name(v);
}
Result<OrderStatus> ParseOrderStatus(std::string_view text) {
  return kOrderStatuses.Parse(text);
}
std::span<const OrderStatus> AllOrderStatuses() {
  return kOrderStatuses.values;
}
bool IsTerminal(OrderStatus v) {
  switch (v) {
    case OrderStatus::kFilled:
    case OrderStatus::kCanceled:
    case OrderStatus::kExpired:
    case OrderStatus::kRejected:
    case OrderStatus::kDoneForDay:
    case OrderStatus::kReplaced:
      return true;
    default:
      return false;
  }
}

std::string_view ToString(DecisionStatus v) {
  return kDecisionStatuses.Name(v);
}
Result<DecisionStatus> ParseDecisionStatus(std::string_view text) {
  return kDecisionStatuses.Parse(text);
}
std::span<const DecisionStatus> AllDecisionStatuses() {
  return kDecisionStatuses.values;
}
bool IsTerminal(DecisionStatus v) {
  const std::optional<OrderStatus> broker = OrderStatusOf(v);
  return broker && IsTerminal(*broker);
}
DecisionStatus DecisionStatusOf(OrderStatus v) {
  for (const auto& [broker, decision] : kBrokerToDecision) {
    if (broker == v) return decision;
  }
  return DecisionStatus::kSubmitted;  // unreachable: every broker status is in the table
}
std::optional<OrderStatus> OrderStatusOf(DecisionStatus v) {
  for (const auto& [broker, decision] : kBrokerToDecision) {
    if (decision == v) return broker;
  }
  return std::nullopt;
}

std::string_view ToString(LlmVerdict v) {
  return kLlmVerdicts.Name(v);
}
Result<LlmVerdict> ParseLlmVerdict(std::string_view text) {
  return kLlmVerdicts.Parse(text);
}
std::span<const LlmVerdict> AllLlmVerdicts() {
  return kLlmVerdicts.values;
}

std::string ClientOrderIdFor(std::string_view decision_hash) {
  return "th-" + std::string(decision_hash.substr(0, 40));
}

}  // namespace torghut::trading
