// The chart's trade markers (GET /api/torghut/trading/markers, api/trading_read_api.h): one
// symbol's decisions and fills over a time range, from the trading store. Private to api/.
//
//   MarkersQuery q{.window = {from_ms, to_ms, /*strategy=*/"", "AAPL"}, .limit = 1000};
//   TORGHUT_ASSIGN_OR_RETURN(nlohmann::json m, BuildMarkers(store, q));
//   m["decisions"][0]["event_ts"];  // the evaluated bar's end, where the page draws it
#pragma once

#include <nlohmann/json.hpp>

#include "torghut/core/status.h"
#include "torghut/store/trading_store.h"

namespace torghut::api::internal {

struct MarkersQuery {
  store::TradingWindow window;  // symbol set; strategy "" = every strategy
  int64_t limit = 1000;         // at most this many decisions, and this many fills
};

// {decisions:[…], fills:[…], truncated}: decisions taken in the window (created_at), oldest
// first, each {id, strategy_id, timeframe, event_ts, created_at, action, qty, order_type,
// limit_price, reference_price, status, risk_reasons, rationale, client_order_id}; fills in the
// window (filled_at), oldest first, each {id, client_order_id, decision_id (null when its decision
// is not among those), strategy_id, side, qty, price, filled_at}. When either list had more than
// `limit`, the newest `limit` are kept and `truncated` is true. Amounts are exact decimal strings.
Result<nlohmann::json> BuildMarkers(store::TradingStore& store, const MarkersQuery& q);

}  // namespace torghut::api::internal
