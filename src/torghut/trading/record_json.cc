#include "torghut/trading/record_json.h"

#include "torghut/core/time.h"

namespace torghut::trading {

using nlohmann::json;

json TimeJson(EpochMillis ms) {
  return ms > 0 ? json(FormatRfc3339(Timestamp::FromMillis(ms), FracDigits::kMillis)) : json();
}

json DecimalJson(const std::optional<Decimal>& d) {
  return d ? json(d->ToString()) : json();
}

namespace {
// The engine writes inputs as a JSON object; anything else (never expected) is shown as null
// rather than as invalid output.
json InputsJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json() : j;
}
}  // namespace

json DecisionJson(const Decision& d, const std::optional<Execution>& e,
                  const std::vector<LlmReview>& reviews, const std::string& label) {
  json decision = {{"action", ToString(d.action)},
                   {"qty", d.qty.ToString()},
                   {"order_type", ToString(d.order_type)},
                   {"time_in_force", ToString(d.time_in_force)},
                   {"limit_price", DecimalJson(d.limit_price)},
                   {"reference_price", DecimalJson(d.reference_price)},
                   {"event_ts", TimeJson(d.signal_event_ts)},
                   {"decision_hash", d.decision_hash},
                   {"client_order_id", d.client_order_id},
                   {"risk_reasons", d.risk_reasons},
                   {"inputs", InputsJson(d.inputs_json)}};
  if (!reviews.empty()) {
    const LlmReview& l = reviews.back();
    decision["llm_review"] = {{"verdict", ToString(l.verdict)},
                              {"confidence", DecimalJson(l.confidence)},
                              {"rationale", l.rationale},
                              {"risk_flags", l.risk_flags},
                              {"model", l.model},
                              {"prompt_tokens", l.prompt_tokens},
                              {"completion_tokens", l.completion_tokens},
                              {"latency_ms", l.latency_ms},
                              {"adjusted_qty", DecimalJson(l.adjusted_qty)},
                              {"error", l.error ? json(*l.error) : json()}};
  }
  return {{"id", d.decision_hash},
          {"strategy_id", d.strategy_name},
          {"symbol", d.symbol},
          {"timeframe", ToString(d.timeframe)},
          {"status", ToString(d.status)},
          {"rationale", d.rationale},
          {"decision", decision},
          {"created_at", TimeJson(d.created_at)},
          {"executed_at", e ? TimeJson(e->submitted_at) : json()},
          {"alpaca_account_label", label}};
}

json ExecutionJson(const Execution& e) {
  return {{"id", e.client_order_id},
          {"trade_decision_id", e.decision_hash},
          {"symbol", e.symbol},
          {"side", ToString(e.side)},
          {"order_type", ToString(e.order_type)},
          {"time_in_force", ToString(e.time_in_force)},
          {"submitted_qty", e.submitted_qty.ToString()},
          {"filled_qty", e.filled_qty.ToString()},
          {"avg_fill_price", DecimalJson(e.avg_fill_price)},
          {"status", ToString(e.status)},
          {"created_at", TimeJson(e.submitted_at)},
          {"last_update_at", TimeJson(e.updated_at)},
          {"alpaca_order_id", e.broker_order_id ? json(*e.broker_order_id) : json()},
          {"client_order_id", e.client_order_id}};
}

}  // namespace torghut::trading
