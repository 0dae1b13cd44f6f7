// The LLM review of SPEC §6 as the trading engine's Reviewer: the request document, the call
// through a ChatModel, the answer's schema, the policy guard, the circuit breaker, shadow mode and
// the fail mode — and the audit record of every review.
//
//   OpenAiChatClient chat(config);
//   LlmReviewer reviewer(config, settings.mode, &chat, &clock);
//   trading::TradingEngine engine(settings, &calendar, &reviewer);   // reviews every decision
//   LlmStats s = reviewer.Stats();                                    // any thread
//
// What decides the outcome (ReviewOutcome::reasons, which join the decision's before risk's):
// - an answer that passes the schema: the guard's reasons and adjustments (review_policy.h);
// - a failed call (timeout, 5xx, unreachable, the key, an answer that is not a completion) is
//   `llm_error`; an answer that breaks the schema is llm_response_not_json / llm_response_invalid;
//   a call skipped because the circuit is open is `llm_circuit_open`: each a veto with
//   LLM_FAIL_MODE=veto or in live mode, nothing with pass_through in paper mode;
// - LLM_SHADOW_MODE: never anything — whatever happened, the review is stored and the decision
//   goes on as if there were no reviewer (verdict, error and circuit state are recorded only).
// Every failure counts against the circuit breaker; every review, skipped ones included, returns
// an LlmReview record (request, response, verdict, tokens, latency, error) for the store.
// Called on the trader's thread; Stats is thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "torghut/core/clock.h"
#include "torghut/llm/chat_client.h"
#include "torghut/llm/circuit_breaker.h"
#include "torghut/llm/llm_config.h"
#include "torghut/trading/engine.h"
#include "torghut/trading/settings.h"

namespace torghut::llm {

struct LlmStats {
  bool enabled = true, shadow_mode = false;
  FailMode fail_mode = FailMode::kVeto;
  int64_t requests = 0;  // calls made (skipped ones not included)
  int64_t approve = 0, veto = 0, adjust = 0, errors = 0;
  int64_t circuit_skips = 0;  // reviews skipped while the circuit was open
  int64_t shadow = 0;         // reviews made in shadow mode
  int64_t prompt_tokens = 0, completion_tokens = 0;
  int64_t last_latency_ms = 0;
  std::map<std::string, int64_t> errors_by_kind;
  CircuitSnapshot circuit;
};

class LlmReviewer final : public trading::Reviewer {
 public:
  // `model` and `clock` must outlive the reviewer. The config's prompt version must exist
  // (SystemPrompt); an unknown one reviews nothing and records the error.
  LlmReviewer(LlmConfig config, trading::TradingMode mode, ChatModel* model, const Clock* clock);

  trading::ReviewOutcome Review(const trading::Decision& decision,
                                const trading::PortfolioView& portfolio) override;
  LlmStats Stats() const;

  // The user message for `decision` (compact JSON, decimals as strings; SPEC §6).
  std::string RequestDocument(const trading::Decision& decision,
                              const trading::PortfolioView& portfolio) const;

 private:
  struct Recent {
    int64_t created_at;
    trading::Side action;
    Decimal qty;
    trading::LlmVerdict verdict;
  };
  // The reasons of a failure with code `code`, as the fail mode and trading mode say.
  std::vector<std::string> FailReasons(std::string_view code) const;
  void Remember(const trading::Decision& d, trading::LlmVerdict v);

  const LlmConfig config_;
  const trading::TradingMode mode_;
  ChatModel* model_;
  const Clock* clock_;
  CircuitBreaker breaker_;
  std::map<std::pair<std::string, std::string>, std::deque<Recent>> recent_;
  mutable std::mutex mu_;  // stats_
  LlmStats stats_;
};

}  // namespace torghut::llm
