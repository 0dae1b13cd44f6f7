// The JSON forms of decisions and executions that the HTTP APIs share (SPEC §7): the trader's
// /trading/decisions and /trading/executions, and the trading page's /api/torghut/trading/*,
// field names as the original service's.
//
//   nlohmann::json d = trading::DecisionJson(decision, execution, reviews, "paper");
//   d["decision"]["risk_reasons"];      // ["cooldown_active"]
//   nlohmann::json e = trading::ExecutionJson(execution);
//   e["avg_fill_price"];                // "187.25" (decimals as strings: exact), or null
//
// Times are RFC 3339 UTC with milliseconds (null when 0: not yet happened). Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "torghut/trading/model.h"

namespace torghut::trading {

// RFC 3339 with milliseconds; null for 0 (unset).
nlohmann::json TimeJson(EpochMillis ms);
// The decimal's exact text; null when absent.
nlohmann::json DecimalJson(const std::optional<Decimal>& d);

// {id, strategy_id, symbol, timeframe, status, rationale, decision{action, qty, order_type,
// time_in_force, limit_price, reference_price, event_ts, decision_hash, client_order_id,
// risk_reasons[], inputs, llm_review?}, created_at, executed_at, alpaca_account_label}.
// `llm_review` is the newest of `reviews` (oldest first); `executed_at` the execution's
// submission time, null without one.
nlohmann::json DecisionJson(const Decision& d, const std::optional<Execution>& e,
                            const std::vector<LlmReview>& reviews, const std::string& label);

// {id, trade_decision_id, symbol, side, order_type, time_in_force, submitted_qty, filled_qty,
// avg_fill_price, status, created_at, last_update_at, alpaca_order_id, client_order_id}.
nlohmann::json ExecutionJson(const Execution& e);

}  // namespace torghut::trading
