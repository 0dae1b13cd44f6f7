// The simulated broker's trading REST API v2 (SPEC §6, §10), Alpaca's paths, fields and errors:
//   GET  /v2/account                     GET  /v2/clock
//   GET  /v2/assets, /v2/assets/{symbol}
//   GET  /v2/positions                   DELETE /v2/positions            (close all → 207)
//   GET  /v2/positions/{symbol}          DELETE /v2/positions/{symbol}   (close: ?qty= |
//   ?percentage=) POST /v2/orders                      GET
//   /v2/orders?status=&limit=&after=&until=&direction=&symbols= GET  /v2/orders/{id} DELETE
//   /v2/orders/{id} (204)    DELETE /v2/orders (207) GET
//   /v2/orders:by_client_order_id?client_order_id=
// Auth: APCA-API-KEY-ID / APCA-API-SECRET-KEY must be the simulator's keys, else 401
// {"code":40110000,"message":"request is not authorized"}. Errors are {"code":…,"message":…}: 400
// an unreadable body, 422 an invalid field / a reused client_order_id / not cancelable, 403
// insufficient buying power or qty, 404 no such order, position or asset, 429 past
// options.broker.orders_per_minute order POSTs in the current wall-clock minute. Every answer
// carries X-Ratelimit-Limit / -Remaining / -Reset (Unix seconds of the window's end).
//
//   sim::BrokerRest rest(options, &account, &faults, &SystemClock());
//   rest.Register(router);
//
// Faults it owns (POST /sim/faults), each counting down per order POST:
//   "orders_accept_then_drop": N  the order is created, then the connection closes unanswered
//   "orders_http_500": N          500, nothing created
//   "orders_http_429": N          429 with X-Ratelimit-Remaining 0 and -Reset, nothing created
//   "orders_delay_ms": N          the order is created, the answer waits N ms (until changed)
// Status fields under "broker": requests, order_posts, orders_created, refused (4xx to a POST),
// rate_limited, faults (by kind), order_posts_by_client_order_id. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "torghut/core/clock.h"
#include "torghut/http/router.h"
#include "torghut/sim/broker_account.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/market_server.h"

namespace torghut::sim {

class BrokerRest {
 public:
  // Everything given must outlive this; it adds its switches and status to `faults`.
  BrokerRest(const MarketServerOptions& options, BrokerAccount* account, Faults* faults,
             const Clock* clock);
  void Register(http::Router& router);

 private:
  using Method = http::Response (BrokerRest::*)(const http::Request&);
  // Auth, the account's readiness, the handler, then the rate-limit headers.
  http::Handler Guard(Method method);

  http::Response PostOrder(const http::Request& r);
  http::Response ListOrders(const http::Request& r);
  http::Response GetOrder(const http::Request& r);
  http::Response CancelOrder(const http::Request& r);
  http::Response CancelAll(const http::Request& r);
  http::Response ByClientOrderId(const http::Request& r);
  http::Response Account(const http::Request& r);
  http::Response Clock(const http::Request& r);
  http::Response Asset(const http::Request& r);
  http::Response Assets(const http::Request& r);
  http::Response Positions(const http::Request& r);
  http::Response Position(const http::Request& r);
  http::Response ClosePosition(const http::Request& r);
  http::Response CloseAll(const http::Request& r);

  // Rolls the one-minute window to now; under mu_.
  void RollWindowLocked();
  void AddRateHeaders(http::Response* r);
  void ApplyFaults(const nlohmann::json& f);
  void WriteStatus(nlohmann::json* status) const;

  const MarketServerOptions& options_;
  BrokerAccount* account_;
  const torghut::Clock* clock_;

  mutable std::mutex mu_;
  int64_t window_start_s_ = 0;
  int64_t window_posts_ = 0;
  int64_t accept_then_drop_ = 0, http_500_ = 0, http_429_ = 0, delay_ms_ = 0;
  int64_t requests_ = 0, posts_ = 0, created_ = 0, refused_ = 0, rate_limited_ = 0;
  int64_t dropped_ = 0, answered_500_ = 0, answered_429_ = 0;
  std::map<std::string, int64_t> posts_by_client_order_id_;
};

}  // namespace torghut::sim
