// Alpaca's trading API v2 bodies ↔ the broker types (broker.h): the order request Torghut POSTs,
// and the order, account, position, clock, cancel-all and error bodies Alpaca answers with. Alpaca
// sends numbers as strings; they are read as exact decimals (a JSON number is accepted too, from
// its text; digits past Decimal's 9th fractional one — Alpaca's last_equity has 14 — are rounded
// off half away from zero). Times are RFC 3339 with any offset, read as epoch milliseconds UTC
// (floored).
//
//   std::string body = AlpacaOrderRequestJson(request);  // {"symbol":"AAPL","qty":"10",…}
//   TORGHUT_ASSIGN_OR_RETURN(BrokerOrder o, ParseAlpacaOrder(response_body));
//   std::optional<AlpacaError> e = ParseAlpacaError(R"({"code":40310000,"message":"…"})");
//
// Parsers answer kDataLoss naming the field ("order.filled_qty: missing") for a body that is not
// Alpaca's. Fields Torghut does not use are ignored; Alpaca adds fields over time. Pure functions,
// no I/O; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/core/status.h"

namespace torghut::broker {

// The POST /v2/orders body: symbol, qty, side, type, time_in_force, client_order_id and (limit
// orders) limit_price, every number as a string.
std::string AlpacaOrderRequestJson(const OrderRequest& request);
// kInvalidArgument for a request no broker should be sent: no client_order_id or one over 48
// characters, no symbol, a quantity ≤ 0, a limit order without a positive limit price or a market
// order with one.
Status ValidateOrderRequest(const OrderRequest& request);

// One order object (GET /v2/orders/{id}, POST /v2/orders, …). `qty` is null for notional orders
// (not Torghut's): it reads as 0. The order type is `type` (else the older `order_type`); only
// market and limit are representable, any other is kDataLoss.
Result<BrokerOrder> ParseAlpacaOrder(std::string_view json);
// A JSON array of orders (GET /v2/orders).
Result<std::vector<BrokerOrder>> ParseAlpacaOrders(std::string_view json);
// GET /v2/account: account_number, status, equity, last_equity, cash, buying_power.
Result<Account> ParseAlpacaAccount(std::string_view json);
// GET /v2/positions. A short position's qty is negative (Alpaca writes it so; a positive qty with
// side "short" is negated).
Result<std::vector<BrokerPosition>> ParseAlpacaPositions(std::string_view json);
// GET /v2/clock (timestamps with a New York offset, nanosecond fractions).
Result<MarketClock> ParseAlpacaClock(std::string_view json);
// DELETE /v2/orders: [{"id":…,"status":200,"body":{…}}, …] → the ids, in answer order.
Result<std::vector<std::string>> ParseAlpacaCancelAll(std::string_view json);

// Alpaca's error body {"code":40310000,"message":"insufficient buying power", …}. nullopt when
// the body is not a JSON object with a string "message" (e.g. a proxy's HTML page); `code` is 0
// when the body has none (Alpaca's own 403 "forbidden." has none).
struct AlpacaError {
  int64_t code = 0;
  std::string message;
};
std::optional<AlpacaError> ParseAlpacaError(std::string_view body);

}  // namespace torghut::broker
