// The model's answer and what the trader lets it do (SPEC §6 "LLM review").
//
//   Result<ParsedReview> r = ParseReview(content);   // the assistant message's content
//   if (!r.ok()) { /* r.status().message() starts with llm_response_not_json | _invalid */ }
//   GuardResult g = ApplyPolicy(*r, decision, config.policy);
//   // g.reasons join the decision's reasons before risk's; g.qty / order_type / limit_price
//   // replace the decision's fields (an adjusted decision keeps its hash and still meets risk).
//
// The schema: {verdict: approve|veto|adjust, confidence ∈ [0,1], adjusted_qty?,
// adjusted_order_type? (market|limit), limit_price?, rationale (≤ 280 characters), risk_flags[]
// (strings)}; decimals as JSON numbers or strings. Anything else is llm_response_invalid naming the
// field.
//
// The guard, in order: confidence < min_confidence → llm_confidence_below_min (overrides an
// approve); veto → llm_veto; approve → nothing; adjust → llm_adjustment_not_allowed unless
// adjustments are allowed, llm_adjusted_qty_out_of_bounds outside [min, max] × the decision's qty,
// llm_limit_price_missing for a limit order without a positive limit price — else the adjustment
// applies. Only market ↔ limit can be proposed: any other order type fails the schema.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/llm/llm_config.h"
#include "torghut/trading/model.h"

namespace torghut::llm {

inline constexpr std::string_view kNotJson = "llm_response_not_json";
inline constexpr std::string_view kInvalid = "llm_response_invalid";
inline constexpr size_t kMaxRationale = 280;

struct ParsedReview {
  trading::LlmVerdict verdict = trading::LlmVerdict::kApprove;
  Decimal confidence;
  std::optional<Decimal> adjusted_qty;
  std::optional<trading::OrderType> adjusted_order_type;
  std::optional<Decimal> limit_price;
  std::string rationale;
  std::vector<std::string> risk_flags;
};

// kDataLoss whose message is "llm_response_not_json: …" or "llm_response_invalid: …".
Result<ParsedReview> ParseReview(std::string_view content);
// The reason code of a ParseReview error (kNotJson or kInvalid).
std::string_view ParseErrorCode(const Status& s);

struct GuardResult {
  std::vector<std::string> reasons;  // empty: the decision proceeds (adjusted or not)
  std::optional<Decimal> qty;
  std::optional<trading::OrderType> order_type;
  std::optional<Decimal> limit_price;
};

GuardResult ApplyPolicy(const ParsedReview& review, const trading::Decision& decision,
                        const ReviewPolicy& policy);

}  // namespace torghut::llm
