// The simulated broker's wire bodies (SPEC §10): Alpaca trading API v2 objects — order, account,
// position, clock, asset, the trade_updates event, the {"code","message"} error — with Alpaca's
// field names, numbers as decimal strings and times as RFC 3339 UTC; and the POST /v2/orders body
// read back into a broker::OrderRequest with exact decimals (a JSON number's own digits, never a
// double).
//
//   Result<broker::OrderRequest> req = sim::ParseOrderBody(request.body);   // 422 text on error
//   std::string body = sim::OrderJson(order).dump();
//   std::string event = sim::TradeUpdateJson(update).dump();   // {"stream":"trade_updates",…}
//   http::Response r = sim::AlpacaError(403, 40310000, "insufficient buying power");
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/broker/broker.h"
#include "torghut/core/status.h"
#include "torghut/http/router.h"

namespace torghut::sim {

using Json = nlohmann::ordered_json;

// Alpaca's error codes by class.
inline constexpr int kCodeBadRequest = 40010000;  // 400 a body that does not parse
inline constexpr int kCodeInvalid = 40010001;     // 422 an invalid field
inline constexpr int kCodeUnauthorized = 40110000;
inline constexpr int kCodeForbidden = 40310000;  // 403 buying power, shares
inline constexpr int kCodeNotFound = 40410000;
inline constexpr int kCodeUnprocessable = 42210000;  // 422 not cancelable
inline constexpr int kCodeRateLimited = 42910000;
inline constexpr int kCodeInternal = 50010000;

// {"code":code,"message":message} with that HTTP status.
http::Response AlpacaError(int status, int code, std::string_view message);

// A stable UUID-shaped id for a symbol's asset (the same symbol, the same id, every run).
std::string AssetId(std::string_view symbol);
// RFC 3339 UTC of epoch milliseconds.
std::string Rfc3339Millis(broker::EpochMillis ms);

Json OrderJson(const broker::BrokerOrder& o);
struct AccountExtras {  // what the account object shows beyond broker::Account
  Decimal long_market_value, short_market_value;  // short: negative, as Alpaca shows it
  bool shorting_enabled = false;
  broker::EpochMillis created_at = 0, now = 0;
};
Json AccountJson(const broker::Account& a, const AccountExtras& extras);
// `qty_available`: shares not promised to open orders; `last`: the current price.
Json PositionJson(const broker::BrokerPosition& p, Decimal qty_available, Decimal last);
Json ClockJson(const broker::MarketClock& c);
Json AssetJson(std::string_view symbol, bool shortable);
// {"stream":"trade_updates","data":{"event",…,"order":{…}}}
Json TradeUpdateJson(const broker::TradeUpdate& u);

// POST /v2/orders. InvalidArgument with Alpaca's message for a field that is missing or wrong
// (the REST layer answers 422), or "request body format is invalid" when the body is not a JSON
// object (400). Only market and limit orders of order_class simple; `notional` is refused.
Result<broker::OrderRequest> ParseOrderBody(std::string_view body);
inline constexpr std::string_view kBadBody = "request body format is invalid";

}  // namespace torghut::sim
