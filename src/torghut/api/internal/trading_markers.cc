#include "torghut/api/internal/trading_markers.h"

#include <algorithm>
#include <map>

#include "torghut/trading/record_json.h"

namespace torghut::api::internal {

using nlohmann::json;

Result<json> BuildMarkers(store::TradingStore& store, const MarkersQuery& q) {
  // One more than the limit says whether the list was cut.
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Decision> decisions,
                           store.ListDecisionsInWindow(q.window, std::nullopt, q.limit + 1));
  bool truncated = static_cast<int64_t>(decisions.size()) > q.limit;
  if (truncated) decisions.resize(q.limit);  // newest first: the oldest go
  std::reverse(decisions.begin(), decisions.end());
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Fill> fills, store.ListFills(q.window));
  if (static_cast<int64_t>(fills.size()) > q.limit) {
    truncated = true;
    fills.erase(fills.begin(), fills.end() - q.limit);  // oldest first: the oldest go
  }

  std::map<std::string, std::string, std::less<>> decision_of_order;
  json decision_items = json::array();
  for (const trading::Decision& d : decisions) {
    decision_of_order.emplace(d.client_order_id, d.decision_hash);
    decision_items.push_back({{"id", d.decision_hash},
                              {"strategy_id", d.strategy_name},
                              {"timeframe", trading::ToString(d.timeframe)},
                              {"event_ts", trading::TimeJson(d.signal_event_ts)},
                              {"created_at", trading::TimeJson(d.created_at)},
                              {"action", trading::ToString(d.action)},
                              {"qty", d.qty.ToString()},
                              {"order_type", trading::ToString(d.order_type)},
                              {"limit_price", trading::DecimalJson(d.limit_price)},
                              {"reference_price", trading::DecimalJson(d.reference_price)},
                              {"status", trading::ToString(d.status)},
                              {"risk_reasons", d.risk_reasons},
                              {"rationale", d.rationale},
                              {"client_order_id", d.client_order_id}});
  }
  json fill_items = json::array();
  for (const trading::Fill& f : fills) {
    auto it = decision_of_order.find(f.client_order_id);
    fill_items.push_back(
        {{"id", f.fill_id},
         {"client_order_id", f.client_order_id},
         {"decision_id", it == decision_of_order.end() ? json() : json(it->second)},
         {"strategy_id", f.strategy_name},
         {"side", trading::ToString(f.side)},
         {"qty", f.qty.ToString()},
         {"price", f.price.ToString()},
         {"filled_at", trading::TimeJson(f.filled_at)}});
  }
  return json{{"decisions", std::move(decision_items)},
              {"fills", std::move(fill_items)},
              {"truncated", truncated}};
}

}  // namespace torghut::api::internal
