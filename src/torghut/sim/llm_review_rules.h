// The simulator's review rules (SPEC §6, §10): a review request document in, a review out, the
// same review for the same document, byte for byte. Pure functions, thread-safe.
//
//   Result<sim::LlmReview> r = sim::ReviewDocument(R"({"decision":{"action":"buy",
//       "inputs":{"rsi14":85}},"market":{"price":"187.25","spread":"0.02"}})");
//   // r->verdict "veto", r->confidence 0.75, r->risk_flags {"rsi_extreme"}
//
// In order: market.spread / market.price (else decision.reference_price) > 20 bps → veto 0.8
// ["wide_spread"]; decision.inputs.rsi14 ≥ 80 on a buy or ≤ 20 on a sell → veto 0.75
// ["rsi_extreme"]; else approve 0.9 []. The rationale is one sentence naming the rule and its
// numbers, ASCII, at most 280 characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::sim {

// One review in the reply schema (SPEC §6): verdict approve | veto, confidence in [0, 1], a
// rationale of at most 280 characters, and the risk flags.
struct LlmReview {
  std::string verdict;
  double confidence = 0;
  std::string rationale;
  std::vector<std::string> risk_flags;
};

// The rules applied to a review request document (the last user message's content).
// InvalidArgument (naming the field) when it is not JSON, lacks `decision`, has an action other
// than buy / sell, or carries a price or spread that is not a decimal.
Result<LlmReview> ReviewDocument(std::string_view document);

}  // namespace torghut::sim
