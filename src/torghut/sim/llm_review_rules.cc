#include "torghut/sim/llm_review_rules.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "torghut/core/decimal.h"

namespace torghut::sim {

namespace {

using nlohmann::json;

constexpr size_t kMaxRationale = 280;  // SPEC §6
constexpr int64_t kWideSpreadBps = 20;

// A decimal field written as a string (or a number); nullopt when absent or null.
Result<std::optional<Decimal>> DecimalField(const json& object, const char* key,
                                            std::string_view where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<Decimal>();
  Result<Decimal> d = it->is_string()   ? Decimal::Parse(it->get<std::string>())
                      : it->is_number() ? Decimal::Parse(it->dump())
                                        : Result<Decimal>(InvalidArgument("not a string"));
  if (!d.ok()) return InvalidArgument(fmt::format("{}.{} is not a decimal", where, key));
  return std::optional<Decimal>(*d);
}

const json* ObjectField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

// The symbol as the rationale names it: its first 16 characters of [A-Za-z0-9./-] (the rest of
// the text is ASCII too, so its length in bytes is its length in characters).
std::string SafeSymbol(const json& decision) {
  auto it = decision.find("symbol");
  std::string out;
  if (it == decision.end() || !it->is_string()) return "the";
  for (char c : it->get_ref<const std::string&>()) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '/' || c == '-';
    if (ok && out.size() < 16) out.push_back(c);
  }
  return out.empty() ? "the" : out;
}

// The spread rule's verdict: nullopt when the spread or a positive price is unknown.
struct SpreadCheck {
  bool wide = false;
  std::string bps;  // one fractional digit
};
Result<std::optional<SpreadCheck>> CheckSpread(std::optional<Decimal> spread,
                                               std::optional<Decimal> price) {
  if (!spread || !price || !(*price > Decimal())) return std::optional<SpreadCheck>();
  const Decimal scale = Decimal::FromUnits(10'000 * Decimal::kOne);
  const Decimal limit = Decimal::FromUnits(kWideSpreadBps * Decimal::kOne);
  // spread / price > 20 / 10000, compared exactly as spread × 10000 > price × 20.
  Result<Decimal> lhs = spread->Mul(scale);
  Result<Decimal> rhs = price->Mul(limit);
  if (!lhs.ok() || !rhs.ok()) return InvalidArgument("market.spread is out of range");
  SpreadCheck c;
  c.wide = *lhs > *rhs;
  Result<Decimal> bps = lhs->Div(*price);
  c.bps = bps.ok() ? bps->RoundTo(1, RoundingMode::kHalfEven).ToString(1) : "?";
  return std::optional<SpreadCheck>(c);
}

}  // namespace

Result<LlmReview> ReviewDocument(std::string_view document) {
  const json doc = json::parse(document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument("the review request is not a JSON object");
  }
  const json* decision = ObjectField(doc, "decision");
  if (decision == nullptr) return InvalidArgument("the review request has no decision object");
  auto action_it = decision->find("action");
  const std::string action =
      action_it != decision->end() && action_it->is_string() ? action_it->get<std::string>() : "";
  if (action != "buy" && action != "sell") {
    return InvalidArgument("decision.action must be buy or sell");
  }
  const json empty = json::object();
  const json* market = ObjectField(doc, "market");
  if (market == nullptr) market = &empty;
  TORGHUT_ASSIGN_OR_RETURN(std::optional<Decimal> spread,
                           DecimalField(*market, "spread", "market"));
  TORGHUT_ASSIGN_OR_RETURN(std::optional<Decimal> price, DecimalField(*market, "price", "market"));
  if (!price) {
    TORGHUT_ASSIGN_OR_RETURN(price, DecimalField(*decision, "reference_price", "decision"));
  }
  std::optional<double> rsi;
  if (const json* inputs = ObjectField(*decision, "inputs")) {
    auto it = inputs->find("rsi14");
    if (it != inputs->end() && it->is_number()) {
      rsi = it->get<double>();
    } else if (it != inputs->end() && it->is_string()) {
      TORGHUT_ASSIGN_OR_RETURN(std::optional<Decimal> d,
                               DecimalField(*inputs, "rsi14", "decision.inputs"));
      rsi = d->ToDouble();
    }
  }
  const std::string subject = SafeSymbol(*decision) + " " + action;
  TORGHUT_ASSIGN_OR_RETURN(std::optional<SpreadCheck> sc, CheckSpread(spread, price));

  LlmReview r;
  if (sc && sc->wide) {
    r.verdict = "veto";
    r.confidence = 0.8;
    r.risk_flags = {"wide_spread"};
    r.rationale = fmt::format(
        "Veto {}: wide_spread - the spread {} is {} bps of the price {}, above the {} bps limit.",
        subject, spread->ToString(), sc->bps, price->ToString(), kWideSpreadBps);
  } else if (rsi && ((action == "buy" && *rsi >= 80) || (action == "sell" && *rsi <= 20))) {
    r.verdict = "veto";
    r.confidence = 0.75;
    r.risk_flags = {"rsi_extreme"};
    r.rationale = fmt::format("Veto {}: rsi_extreme - rsi14 {} is {} the {} limit for a {}.",
                              subject, *rsi, action == "buy" ? "at or above" : "at or below",
                              action == "buy" ? 80 : 20, action);
  } else {
    r.verdict = "approve";
    r.confidence = 0.9;
    r.rationale = fmt::format(
        "Approve {}: the spread is {} and rsi14 is {}.", subject,
        sc ? fmt::format("{} bps, within the {} bps limit", sc->bps, kWideSpreadBps) : "unknown",
        rsi ? fmt::format("{}, not extreme", *rsi) : "not given");
  }
  if (r.rationale.size() > kMaxRationale) r.rationale.resize(kMaxRationale);
  return r;
}

}  // namespace torghut::sim
