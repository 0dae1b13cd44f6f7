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
// The rules, in order (llm_review_rules.h): market.spread / market.price > 20 bps → veto 0.8
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
// and SPEC §10's single switch for the same faults:
//   "llm": MODE, "llm_count": N   MODE one of ok | http_500 | hang | slow | not_json | bad_schema |
//                                 long_rationale for the next N requests, then back to ok (no
//                                 llm_count: until changed); hang holds a request until the llm
//                                 switch changes (at most a day), slow answers after kSlowMs
// The count switches win over the mode when both apply to a request. A wait holds an HTTP thread
// (as a slow backend's would) but no lock another request needs. Faults apply to authenticated
// requests only. Status fields under "llm": requests, by_verdict {approve, veto}, errors_sent
// (every 4xx/5xx answered), faults {http_500, not_json, bad_schema, long_rationale, delayed, hung}
// (requests the faults shaped), hang_ms, delay_ms, mode, mode_left (-1: until changed).
// Thread-safe.
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
#include "torghut/sim/llm_review_rules.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

class LlmReviewer {
 public:
  static constexpr int64_t kSlowMs = 2'000;  // the "slow" mode's wait

  // `options` and `clock` must outlive this; it adds its switches and status to `faults`.
  LlmReviewer(const MarketServerOptions& options, Faults* faults, const Clock* clock);
  void Register(http::Router& router);
  // Ends every wait at once (requests then answer) and skips waits from now on. Idempotent.
  void Stop();

 private:
  // What a request is answered with (the fault it takes, if any).
  enum class Shape : uint8_t { kReview, kHttp500, kHang, kSlow, kNotJson, kBadSchema, kLong };

  http::Response Complete(const http::Request& r);
  // The "llm" mode's shape for the next request, counting it down; under mu_.
  Shape TakeModeLocked();
  // The hang and delay faults (and the mode's hang or slow `shape`): waits until their sum has
  // passed since the call, re-reading them whenever they change (clearing one releases the
  // requests it holds). `lock` holds mu_ and is released while waiting.
  void WaitLocked(std::unique_lock<std::mutex>& lock, Shape shape);
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
  Shape mode_ = Shape::kReview;
  int64_t mode_left_ = -1;     // requests the mode still shapes; -1: until changed
  uint64_t mode_changes_ = 0;  // ends the mode's hang
  int64_t requests_ = 0, completions_ = 0, approved_ = 0, vetoed_ = 0, errors_sent_ = 0;
  int64_t sent_500_ = 0, sent_not_json_ = 0, sent_bad_schema_ = 0, sent_long_ = 0, delayed_ = 0,
          hung_ = 0;
};

}  // namespace torghut::sim
