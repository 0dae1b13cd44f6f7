#include "torghut/llm/review_policy.h"

#include <nlohmann/json.hpp>

namespace torghut::llm {

namespace {

using nlohmann::json;

Status Invalid(std::string_view why) {
  return Status(StatusCode::kDataLoss, std::string(kInvalid) + ": " + std::string(why));
}

// A decimal field sent as a number or a string; nullopt when absent or null.
Result<std::optional<Decimal>> DecimalField(const json& j, const char* name) {
  if (!j.contains(name) || j[name].is_null()) return std::optional<Decimal>();
  const json& v = j[name];
  Result<Decimal> d = v.is_string()           ? Decimal::Parse(v.get<std::string>())
                      : v.is_number_integer() ? Decimal::Parse(v.dump())
                      : v.is_number()         ? Decimal::FromDouble(v.get<double>(), 6)
                                              : Result<Decimal>(InvalidArgument("not a number"));
  if (!d.ok()) return Invalid(std::string(name) + " is not a decimal");
  return std::optional<Decimal>(*d);
}

}  // namespace

std::string_view ParseErrorCode(const Status& s) {
  return s.message().rfind(kNotJson, 0) == 0 ? kNotJson : kInvalid;
}

Result<ParsedReview> ParseReview(std::string_view content) {
  const json j = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(StatusCode::kDataLoss, std::string(kNotJson) + ": the content is not JSON");
  }
  if (!j.is_object()) return Invalid("not a JSON object");
  ParsedReview r;
  if (!j.contains("verdict") || !j["verdict"].is_string()) return Invalid("verdict missing");
  const std::string verdict = j["verdict"].get<std::string>();
  if (verdict == "approve") {
    r.verdict = trading::LlmVerdict::kApprove;
  } else if (verdict == "veto") {
    r.verdict = trading::LlmVerdict::kVeto;
  } else if (verdict == "adjust") {
    r.verdict = trading::LlmVerdict::kAdjust;
  } else {
    return Invalid("verdict \"" + verdict + "\" is not approve, veto or adjust");
  }
  TORGHUT_ASSIGN_OR_RETURN(std::optional<Decimal> confidence, DecimalField(j, "confidence"));
  if (!confidence) return Invalid("confidence missing");
  if (*confidence < Decimal() || *confidence > Decimal::FromUnits(Decimal::kOne)) {
    return Invalid("confidence " + confidence->ToString() + " is outside [0, 1]");
  }
  r.confidence = *confidence;
  TORGHUT_ASSIGN_OR_RETURN(r.adjusted_qty, DecimalField(j, "adjusted_qty"));
  TORGHUT_ASSIGN_OR_RETURN(r.limit_price, DecimalField(j, "limit_price"));
  if (j.contains("adjusted_order_type") && !j["adjusted_order_type"].is_null()) {
    if (!j["adjusted_order_type"].is_string()) return Invalid("adjusted_order_type not a string");
    Result<trading::OrderType> t =
        trading::ParseOrderType(j["adjusted_order_type"].get<std::string>());
    if (!t.ok()) return Invalid("adjusted_order_type is not an order type");
    r.adjusted_order_type = *t;
  }
  if (!j.contains("rationale") || !j["rationale"].is_string()) return Invalid("rationale missing");
  r.rationale = j["rationale"].get<std::string>();
  if (r.rationale.size() > kMaxRationale) {
    return Invalid("rationale longer than 280 characters (" + std::to_string(r.rationale.size()) +
                   ")");
  }
  if (j.contains("risk_flags") && !j["risk_flags"].is_null()) {
    if (!j["risk_flags"].is_array()) return Invalid("risk_flags is not an array");
    for (const json& f : j["risk_flags"]) {
      if (!f.is_string()) return Invalid("risk_flags holds a non-string");
      r.risk_flags.push_back(f.get<std::string>());
    }
  }
  return r;
}

GuardResult ApplyPolicy(const ParsedReview& review, const trading::Decision& decision,
                        const ReviewPolicy& policy) {
  GuardResult g;
  if (review.confidence < policy.min_confidence) {
    g.reasons.emplace_back("llm_confidence_below_min");
    return g;
  }
  switch (review.verdict) {
    case trading::LlmVerdict::kVeto:
      g.reasons.emplace_back("llm_veto");
      return g;
    case trading::LlmVerdict::kApprove:
      return g;
    case trading::LlmVerdict::kAdjust:
      break;
    default:
      g.reasons.emplace_back(std::string(kInvalid));
      return g;
  }
  if (!policy.adjustment_allowed) {
    g.reasons.emplace_back("llm_adjustment_not_allowed");
    return g;
  }
  if (review.adjusted_qty) {
    const Result<Decimal> low = decision.qty.Mul(policy.min_qty_multiplier);
    const Result<Decimal> high = decision.qty.Mul(policy.max_qty_multiplier);
    if (!low.ok() || !high.ok() || *review.adjusted_qty <= Decimal() ||
        *review.adjusted_qty < *low || *review.adjusted_qty > *high) {
      g.reasons.emplace_back("llm_adjusted_qty_out_of_bounds");
    }
  }
  const trading::OrderType type = review.adjusted_order_type.value_or(decision.order_type);
  if (type == trading::OrderType::kLimit) {
    const std::optional<Decimal> limit =
        review.limit_price ? review.limit_price : decision.limit_price;
    if (!limit || *limit <= Decimal()) g.reasons.emplace_back("llm_limit_price_missing");
  }
  if (!g.reasons.empty()) return g;
  g.qty = review.adjusted_qty;
  if (review.adjusted_order_type) g.order_type = review.adjusted_order_type;
  if (type == trading::OrderType::kLimit && review.limit_price) g.limit_price = review.limit_price;
  return g;
}

}  // namespace torghut::llm
