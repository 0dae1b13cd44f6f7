// Broker: what the trader asks of a brokerage account (SPEC §6 Execution) — Alpaca's trading API
// v2 against the real service or `torghut sim serve` (broker/alpaca/), and the same calls answered
// in process by the matching engine in a backtest.
//
//   TORGHUT_ASSIGN_OR_RETURN(BrokerOrder o, broker.SubmitOrder(request));
//   // kDeadlineExceeded: the outcome is uncertain — see SubmitExactlyOnce (submit.h), never POST
//   // the same order again blindly.
//   TORGHUT_ASSIGN_OR_RETURN(std::optional<BrokerOrder> known,
//                            broker.GetOrderByClientOrderId(request.client_order_id));
//
// Errors (Status codes; messages never contain a key or secret):
//   kDeadlineExceeded   the request may have reached the broker and the outcome is unknown
//                       (timed out, connection lost, a 5xx answer to a POST): look it up
//   kUnavailable        nothing reached the broker (refused, DNS, TLS) or a 5xx to a read: retry
//   kResourceExhausted  rate limited beyond what the client waits for (429, X-Ratelimit-Reset)
//   kUnauthenticated    401: the key is wrong or rotated (readiness class alpaca_auth)
//   kPermissionDenied   403 that is not a business rejection (forbidden for this key)
//   kFailedPrecondition 403 business rejection: insufficient buying power or shares, wash trade
//   kInvalidArgument    422: an invalid order, or a client_order_id already used
//   kNotFound           404: no such order (or position)
//   kDataLoss           an answer that does not parse as Alpaca's
// Implementations are not thread-safe unless they say so: one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::broker {

using trading::EpochMillis;

// POST /v2/orders.
struct OrderRequest {
  std::string client_order_id;  // ≤ 48 characters; the idempotency key
  std::string symbol;
  trading::Side side = trading::Side::kBuy;
  Decimal qty;
  trading::OrderType type = trading::OrderType::kMarket;
  trading::TimeInForce time_in_force = trading::TimeInForce::kDay;
  std::optional<Decimal> limit_price;  // type limit only
};

// The order a trading decision makes: its client_order_id (the decision's) is the idempotency key.
inline OrderRequest OrderRequestOf(const trading::Decision& d) {
  OrderRequest r;
  r.client_order_id = d.client_order_id;
  r.symbol = d.symbol;
  r.side = d.action;
  r.qty = d.qty;
  r.type = d.order_type;
  r.time_in_force = d.time_in_force;
  r.limit_price = d.limit_price;
  return r;
}

// An order as the broker reports it (Alpaca's order object, the fields Torghut uses).
struct BrokerOrder {
  std::string id;  // the broker's order id
  std::string client_order_id;
  std::string symbol;
  trading::Side side = trading::Side::kBuy;
  trading::OrderType type = trading::OrderType::kMarket;
  trading::TimeInForce time_in_force = trading::TimeInForce::kDay;
  Decimal qty;
  Decimal filled_qty;
  std::optional<Decimal> filled_avg_price;
  std::optional<Decimal> limit_price;
  trading::OrderStatus status = trading::OrderStatus::kNew;
  EpochMillis created_at = 0, updated_at = 0, submitted_at = 0;
  std::optional<EpochMillis> filled_at, canceled_at, expired_at;
};

// GET /v2/orders.
struct OrderQuery {
  std::string status = "open";              // open | closed | all
  int limit = 50;                           // 1..500
  std::optional<EpochMillis> after, until;  // exclusive, on submission time
  std::string direction = "desc";           // asc | desc
  std::vector<std::string> symbols;         // empty: all
};

struct Account {
  std::string account_number;
  std::string status;                               // ACTIVE, ...
  Decimal equity, last_equity, cash, buying_power;  // last_equity: at the previous close
};

struct BrokerPosition {
  std::string symbol;
  Decimal qty;  // negative when short
  Decimal avg_entry_price;
  Decimal market_value;
  Decimal unrealized_pl;
};

struct MarketClock {
  EpochMillis timestamp = 0;
  bool is_open = false;
  EpochMillis next_open = 0, next_close = 0;
};

class Broker {
 public:
  virtual ~Broker() = default;
  virtual std::string_view name() const = 0;  // "alpaca", "matching-engine", ...

  virtual Result<BrokerOrder> SubmitOrder(const OrderRequest& request) = 0;
  // GET /v2/orders:by_client_order_id; nullopt when the broker has no such order.
  virtual Result<std::optional<BrokerOrder>> GetOrderByClientOrderId(
      std::string_view client_order_id) = 0;
  virtual Result<BrokerOrder> GetOrder(std::string_view order_id) = 0;
  virtual Result<std::vector<BrokerOrder>> ListOrders(const OrderQuery& query) = 0;
  // DELETE /v2/orders/{id}: kNotFound when unknown; kFailedPrecondition when no longer cancelable.
  virtual Status CancelOrder(std::string_view order_id) = 0;
  // DELETE /v2/orders: the ids of the orders asked to cancel.
  virtual Result<std::vector<std::string>> CancelAllOrders() = 0;
  virtual Result<Account> GetAccount() = 0;
  virtual Result<std::vector<BrokerPosition>> ListPositions() = 0;
  virtual Result<MarketClock> GetClock() = 0;
};

// One event of the trade_updates stream (SPEC §6: new, fill, partial_fill, canceled, expired,
// rejected, ...), with the order as it is after the event.
struct TradeUpdate {
  std::string event;  // new | fill | partial_fill | canceled | expired | rejected | replaced | ...
  std::string execution_id;  // fills: the fill's id (unique)
  EpochMillis timestamp = 0;
  std::optional<Decimal> price;  // fills: this fill's price
  std::optional<Decimal> qty;    // fills: this fill's quantity
  std::optional<Decimal> position_qty;
  BrokerOrder order;
};

}  // namespace torghut::broker
