// What the broker says about the trader's orders, applied to the store, the engine and the
// portfolio (SPEC §6 Execution: trade_updates update executions at once; reconciliation refreshes
// every non-terminal order; the broker is the source of truth).
//
//   OrderSync sync(store, &engine, &portfolio, clock);
//   sync.Track(decision);                      // an order the trader sent (or recovered)
//   sync.ApplyUpdate(update);                  // a trade_updates event
//   sync.ApplyOrder(order);                    // an order as GET /v2/orders/{id} returned it
//
// Fills: each fill is stored once (unique fill id) and moves the engine's holding and the
// portfolio once. A fill the stream never delivered (the socket was down) is found by
// reconciliation — the order's filled quantity grew — and recorded as one fill of the difference
// at the implied average price; the fills recorded for an order never add up to more than the
// order's own filled quantity, so a late stream event for a fill already recorded this way is
// not counted twice. Single-threaded (the trader's loop).
#pragma once

#include <map>
#include <string>

#include "torghut/broker/broker.h"
#include "torghut/core/clock.h"
#include "torghut/store/trading_store.h"
#include "torghut/trader/portfolio_tracker.h"
#include "torghut/trading/engine.h"

namespace torghut::trader {

struct OrderSyncCounters {
  int64_t updates = 0, fills = 0, reconciled_fills = 0, duplicate_fills = 0, recorded_late = 0,
          status_changes = 0;
};

class OrderSync {
 public:
  OrderSync(store::TradingStore* store, trading::TradingEngine* engine, PortfolioTracker* portfolio,
            const Clock* clock)
      : store_(store), engine_(engine), portfolio_(portfolio), clock_(clock) {}

  // Remembers which strategy and decision an order belongs to (for fill attribution).
  void Track(const trading::Decision& d);
  // Loads what it needs to know about `client_order_id` from the store; false if unknown.
  Result<bool> Learn(std::string_view client_order_id);

  Status ApplyUpdate(const broker::TradeUpdate& u);
  Status ApplyOrder(const broker::BrokerOrder& o);

  const OrderSyncCounters& counters() const { return counters_; }

 private:
  struct Known {
    std::string decision_hash, strategy, symbol;
    trading::Side side = trading::Side::kBuy;
    Decimal recorded_fill_qty;  // Σ fills stored for this order
    bool done = false;
  };
  Status RecordFill(Known& k, const broker::BrokerOrder& o, const std::string& fill_id, Decimal qty,
                    Decimal price, trading::EpochMillis at);
  Known* Find(std::string_view client_order_id);

  store::TradingStore* store_;
  trading::TradingEngine* engine_;
  PortfolioTracker* portfolio_;
  const Clock* clock_;
  std::map<std::string, Known, std::less<>> known_;  // by client order id
  OrderSyncCounters counters_;
};

}  // namespace torghut::trader
