// The simulator's LLM reviewer (SPEC §6 "LLM review", §10): OpenAI's chat completions at
// POST /v1/chat/completions answered by a deterministic rule-based reviewer, so that the trader's
// LLM review runs with no internet.
//
//   sim::LlmReviewer reviewer(options, &faults, &SystemClock());
//   reviewer.Register(router);   // POST /v1/chat/completions
//   ...
//   reviewer.Stop();             // releases requests held by the hang / delay faults
//
// Request: `Authorization: Bearer <options.llm_api_key>` (else 401 invalid_api_key), OpenAI's body
// {model, messages:[{role, content}], temperature, max_tokens, response_format}; the LAST user
// message's content is the review request document (SPEC §6: decision, portfolio, market,
// recent_decisions, policy; decimals as strings). Anything else is a 400. Errors carry OpenAI's
// body {"error":{"message","type","param":null,"code"}}.
//
// The rules, in order (ReviewDocument): market.spread / market.price > 20 bps → veto 0.8
// ["wide_spread"]; decision.inputs.rsi14 ≥ 80 on a buy or ≤ 20 on a sell → veto 0.75
// ["rsi_extreme"]; else approve 0.9 []. The same document always gets the same review, byte for
// byte; the reply's id (chatcmpl-sim-N) and created (the clock's epoch seconds) are the only
// fields that differ between two answers to the same body.
//
// Faults it owns (POST /sim/faults):
//   "llm_http_500": N         the next N requests answer 500 (type server_error)
//   "llm_hang_ms": MS         every request waits MS before answering (past a client's timeout);
//                             0 = off; a change applies at once to requests already waiting
//   "llm_delay_ms": MS        the same wait, for a slow answer that still arrives in time
//   "llm_not_json": N         the next N reviews' content is prose, not JSON
//   "llm_bad_schema": N       the next N reviews are JSON breaking the schema (verdict "maybe",
//                             confidence 7)
//   "llm_long_rationale": N   the next N reviews have a rationale of 300+ characters
// A wait holds an HTTP thread (as a slow backend's would) but no lock another request needs.
// Status fields under "llm": requests, by_verdict {approve, veto}, errors_sent (every 4xx/5xx
// answered), faults {http_500, not_json, bad_schema, long_rationale, delayed, hung} (answers the
// faults shaped), hang_ms, delay_ms. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/http/router.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_server.h"

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

class LlmReviewer {
 public:
  // `options` and `clock` must outlive this; it adds its switches and status to `faults`.
  LlmReviewer(const MarketServerOptions& options, Faults* faults, const Clock* clock);
  void Register(http::Router& router);
  // Ends every wait at once (requests then answer) and skips waits from now on. Idempotent.
  void Stop();

 private:
  http::Response Complete(const http::Request& r);
  // The hang and delay faults: waits until their sum has passed since `start`, re-reading them
  // whenever they change (clearing one releases the requests it holds). `lock` holds mu_ and is
  // released while waiting.
  void WaitLocked(std::unique_lock<std::mutex>& lock);
  http::Response Error(int status, std::string_view type, std::string_view message,
                       std::string_view code);
  void ApplyFaults(const nlohmann::json& f);
  void WriteStatus(nlohmann::json* status) const;

  const MarketServerOptions& options_;
  const torghut::Clock* clock_;

  mutable std::mutex mu_;
  std::condition_variable changed_;  // the wait faults changed, or Stop()
  bool stopping_ = false;
  int64_t http_500_ = 0, hang_ms_ = 0, delay_ms_ = 0, not_json_ = 0, bad_schema_ = 0,
          long_rationale_ = 0;
  int64_t requests_ = 0, completions_ = 0, approved_ = 0, vetoed_ = 0, errors_sent_ = 0;
  int64_t sent_500_ = 0, sent_not_json_ = 0, sent_bad_schema_ = 0, sent_long_ = 0, delayed_ = 0,
          hung_ = 0;
};

}  // namespace torghut::sim
