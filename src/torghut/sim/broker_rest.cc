#include "torghut/sim/broker_rest.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "torghut/core/time.h"
#include "torghut/sim/broker_json.h"

namespace torghut::sim {

namespace {

using broker::MatchingEngine;

http::Response Ok(const Json& j, int status = 200) {
  return http::Response::Json(status, j.dump());
}

// A Status of the engine as Alpaca answers it.
http::Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return AlpacaError(422, kCodeInvalid, s.message());
    case StatusCode::kFailedPrecondition:
      return AlpacaError(403, kCodeForbidden, s.message());
    case StatusCode::kNotFound:
      return AlpacaError(404, kCodeNotFound, s.message());
    default:
      return AlpacaError(500, kCodeInternal, "internal server error");
  }
}

// after= / until=: RFC 3339, or a date (its midnight UTC).
Result<broker::EpochMillis> TimeParam(std::string_view v) {
  if (v.size() == 10) {
    Result<Timestamp> t = ParseRfc3339(std::string(v) + "T00:00:00Z");
    if (t.ok()) return t->millis();
  }
  TORGHUT_ASSIGN_OR_RETURN(Timestamp t, ParseRfc3339(v));
  return t.millis();
}

// The part of the path after `prefix` (the {id} or {symbol}); empty when it has a '/'.
std::string Tail(const http::Request& r, std::string_view prefix) {
  std::string tail = r.path.substr(prefix.size());
  return tail.find('/') == std::string::npos ? tail : "";
}

Json PositionOf(MatchingEngine& e, const broker::BrokerPosition& p) {
  const Decimal available = p.qty.is_negative() ? p.qty : e.SellableQty(p.symbol);
  const std::optional<Decimal> last = e.LastPrice(p.symbol);
  return PositionJson(p, available, last ? *last : p.avg_entry_price);
}

}  // namespace

BrokerRest::BrokerRest(const MarketServerOptions& options, BrokerAccount* account, Faults* faults,
                       const torghut::Clock* clock)
    : options_(options), account_(account), clock_(clock) {
  faults->AddSwitches({{"orders_accept_then_drop", FaultValue::kCount},
                       {"orders_http_500", FaultValue::kCount},
                       {"orders_http_429", FaultValue::kCount},
                       {"orders_delay_ms", FaultValue::kCount}},
                      [this](const nlohmann::json& f) { ApplyFaults(f); });
  faults->AddStatus([this](nlohmann::json* status) { WriteStatus(status); });
}

void BrokerRest::Register(http::Router& router) {
  router.Get("/v2/account", Guard(&BrokerRest::Account));
  router.Get("/v2/clock", Guard(&BrokerRest::Clock));
  router.Get("/v2/assets", Guard(&BrokerRest::Assets));
  router.AddPrefix("GET", "/v2/assets/", Guard(&BrokerRest::Asset), "/v2/assets/{symbol}");
  router.Get("/v2/positions", Guard(&BrokerRest::Positions));
  router.Delete("/v2/positions", Guard(&BrokerRest::CloseAll));
  router.AddPrefix("GET", "/v2/positions/", Guard(&BrokerRest::Position), "/v2/positions/{symbol}");
  router.AddPrefix("DELETE", "/v2/positions/", Guard(&BrokerRest::ClosePosition),
                   "/v2/positions/{symbol}");
  router.Post("/v2/orders", Guard(&BrokerRest::PostOrder));
  router.Get("/v2/orders", Guard(&BrokerRest::ListOrders));
  router.Delete("/v2/orders", Guard(&BrokerRest::CancelAll));
  router.Get("/v2/orders:by_client_order_id", Guard(&BrokerRest::ByClientOrderId));
  router.AddPrefix("GET", "/v2/orders/", Guard(&BrokerRest::GetOrder), "/v2/orders/{id}");
  router.AddPrefix("DELETE", "/v2/orders/", Guard(&BrokerRest::CancelOrder), "/v2/orders/{id}");
}

http::Handler BrokerRest::Guard(Method method) {
  return [this, method](const http::Request& r) {
    {
      std::lock_guard lock(mu_);
      ++requests_;
    }
    http::Response res;
    if (r.Header("apca-api-key-id") != options_.key_id ||
        r.Header("apca-api-secret-key") != options_.secret_key) {
      res = AlpacaError(401, kCodeUnauthorized, "request is not authorized");
    } else if (!account_->open()) {
      res = AlpacaError(503, kCodeInternal, "the simulated broker is not started");
    } else {
      res = (this->*method)(r);
    }
    AddRateHeaders(&res);
    return res;
  };
}

void BrokerRest::RollWindowLocked() {
  const int64_t now_s = clock_->NowMillis() / 1000;
  const int64_t start = now_s - now_s % 60;
  if (start != window_start_s_) {
    window_start_s_ = start;
    window_posts_ = 0;
  }
}

void BrokerRest::AddRateHeaders(http::Response* r) {
  for (const auto& [name, value] : r->headers) {
    if (name == "X-Ratelimit-Limit") return;  // a 429 said it already
  }
  std::lock_guard lock(mu_);
  RollWindowLocked();
  const int64_t limit = options_.broker.orders_per_minute;
  r->headers.emplace_back("X-Ratelimit-Limit", std::to_string(limit));
  r->headers.emplace_back("X-Ratelimit-Remaining",
                          std::to_string(std::max<int64_t>(0, limit - window_posts_)));
  r->headers.emplace_back("X-Ratelimit-Reset", std::to_string(window_start_s_ + 60));
}

void BrokerRest::ApplyFaults(const nlohmann::json& f) {
  std::lock_guard lock(mu_);
  if (f.contains("orders_accept_then_drop")) {
    accept_then_drop_ = f["orders_accept_then_drop"].get<int64_t>();
  }
  if (f.contains("orders_http_500")) http_500_ = f["orders_http_500"].get<int64_t>();
  if (f.contains("orders_http_429")) http_429_ = f["orders_http_429"].get<int64_t>();
  if (f.contains("orders_delay_ms")) delay_ms_ = f["orders_delay_ms"].get<int64_t>();
}

http::Response BrokerRest::PostOrder(const http::Request& r) {
  Result<broker::OrderRequest> req = ParseOrderBody(r.body);
  bool drop = false;
  int64_t delay_ms = 0;
  {
    std::lock_guard lock(mu_);
    RollWindowLocked();
    ++posts_;
    ++window_posts_;
    if (req.ok() && !req->client_order_id.empty()) {
      ++posts_by_client_order_id_[req->client_order_id];
    }
    if (window_posts_ > options_.broker.orders_per_minute || http_429_ > 0) {
      if (window_posts_ > options_.broker.orders_per_minute) {
        ++rate_limited_;
      } else {
        --http_429_;
        ++answered_429_;
      }
      // The real limit: nothing left until the window's end. The fault's 429 is a short storm:
      // the same headers, with a reset one second ahead (a client that honours it waits ~1 s).
      const bool real = window_posts_ > options_.broker.orders_per_minute;
      http::Response res = AlpacaError(429, kCodeRateLimited, "rate limit exceeded");
      res.headers.emplace_back("X-Ratelimit-Limit",
                               std::to_string(options_.broker.orders_per_minute));
      res.headers.emplace_back("X-Ratelimit-Remaining", "0");
      res.headers.emplace_back(
          "X-Ratelimit-Reset",
          std::to_string(real ? window_start_s_ + 60 : clock_->NowMillis() / 1000 + 1));
      return res;
    }
    if (http_500_ > 0) {
      --http_500_;
      ++answered_500_;
      return AlpacaError(500, kCodeInternal, "internal server error");
    }
    delay_ms = delay_ms_;
  }
  auto refuse = [this](http::Response res) {
    std::lock_guard lock(mu_);
    ++refused_;
    return res;
  };
  if (!req.ok()) {
    return refuse(req.status().message() == kBadBody
                      ? AlpacaError(400, kCodeBadRequest, kBadBody)
                      : AlpacaError(422, kCodeInvalid, req.status().message()));
  }
  if (!account_->KnownSymbol(req->symbol)) {
    return refuse(
        AlpacaError(422, kCodeInvalid, fmt::format("asset \"{}\" not found", req->symbol)));
  }
  Result<broker::BrokerOrder> order =
      account_->With([&](MatchingEngine& e) { return e.SubmitOrder(*req); });
  if (!order.ok()) return refuse(FromStatus(order.status()));
  {
    std::lock_guard lock(mu_);
    ++created_;
    if (accept_then_drop_ > 0) {
      --accept_then_drop_;
      ++dropped_;
      drop = true;
    }
  }
  // The faults: a slow answer (this handler's thread waits, as a slow backend's would), or none.
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  if (drop) {
    http::Response res;
    res.drop_connection = true;
    return res;
  }
  return Ok(OrderJson(*order));
}

http::Response BrokerRest::ListOrders(const http::Request& r) {
  broker::OrderQuery q;
  if (auto v = r.Query("status")) q.status = std::string(*v);
  if (auto v = r.Query("direction")) q.direction = std::string(*v);
  if (auto v = r.Query("limit")) {
    char* end = nullptr;
    const std::string text(*v);
    q.limit = static_cast<int>(std::strtol(text.c_str(), &end, 10));
    if (text.empty() || *end != '\0') return AlpacaError(422, kCodeInvalid, "invalid limit");
  }
  for (const char* key : {"after", "until"}) {
    if (auto v = r.Query(key); v && !v->empty()) {
      Result<broker::EpochMillis> t = TimeParam(*v);
      if (!t.ok()) return AlpacaError(422, kCodeInvalid, fmt::format("invalid {}", key));
      (std::string_view(key) == "after" ? q.after : q.until) = *t;
    }
  }
  if (auto v = r.Query("symbols")) {
    for (size_t at = 0; at <= v->size();) {
      const size_t comma = std::min(v->find(',', at), v->size());
      if (comma > at) q.symbols.emplace_back(v->substr(at, comma - at));
      at = comma + 1;
    }
  }
  auto orders = account_->With([&](MatchingEngine& e) { return e.ListOrders(q); });
  if (!orders.ok()) return AlpacaError(422, kCodeInvalid, orders.status().message());
  Json list = Json::array();
  for (const broker::BrokerOrder& o : *orders) list.push_back(OrderJson(o));
  return Ok(list);
}

http::Response BrokerRest::GetOrder(const http::Request& r) {
  const std::string id = Tail(r, "/v2/orders/");
  auto order = account_->With([&](MatchingEngine& e) { return e.GetOrder(id); });
  if (!order.ok()) return AlpacaError(404, kCodeNotFound, "order not found");
  return Ok(OrderJson(*order));
}

http::Response BrokerRest::CancelOrder(const http::Request& r) {
  const std::string id = Tail(r, "/v2/orders/");
  const Status s = account_->With([&](MatchingEngine& e) { return e.CancelOrder(id); });
  if (s.code() == StatusCode::kNotFound) return AlpacaError(404, kCodeNotFound, "order not found");
  if (!s.ok()) return AlpacaError(422, kCodeUnprocessable, "order is not cancelable");
  return http::Response::Text(204, "");
}

http::Response BrokerRest::CancelAll(const http::Request&) {
  Json list = Json::array();
  account_->With([&](MatchingEngine& e) {
    for (const std::string& id : e.CancelAllOrders().value_or({})) {
      Json item;
      item["id"] = id;
      item["status"] = 200;
      item["body"] = OrderJson(e.GetOrder(id).value());
      list.push_back(std::move(item));
    }
  });
  return Ok(list, 207);
}

http::Response BrokerRest::ByClientOrderId(const http::Request& r) {
  const std::string cid(r.Query("client_order_id").value_or(""));
  if (cid.empty()) return AlpacaError(422, kCodeInvalid, "client_order_id is required");
  auto order = account_->With([&](MatchingEngine& e) { return e.GetOrderByClientOrderId(cid); });
  if (!order.ok() || !order->has_value()) {
    return AlpacaError(404, kCodeNotFound, "order not found");
  }
  return Ok(OrderJson(**order));
}

http::Response BrokerRest::Account(const http::Request&) {
  return account_->With([&](MatchingEngine& e) {
    Result<broker::Account> a = e.GetAccount();
    if (!a.ok()) return FromStatus(a.status());
    AccountExtras x;
    for (const broker::BrokerPosition& p : e.Positions()) {
      Decimal& side = p.qty.is_negative() ? x.short_market_value : x.long_market_value;
      side = side.Add(p.market_value).value_or(side);
    }
    x.shorting_enabled = options_.broker.allow_shorts;
    x.created_at = account_->created_at();
    x.now = e.now();
    return Ok(AccountJson(*a, x));
  });
}

http::Response BrokerRest::Clock(const http::Request&) {
  auto c = account_->With([&](MatchingEngine& e) { return e.GetClock(); });
  if (!c.ok()) return FromStatus(c.status());
  return Ok(ClockJson(*c));
}

http::Response BrokerRest::Asset(const http::Request& r) {
  const std::string symbol = Tail(r, "/v2/assets/");
  if (!account_->KnownSymbol(symbol)) return AlpacaError(404, kCodeNotFound, "asset not found");
  return Ok(AssetJson(symbol, options_.broker.allow_shorts));
}

http::Response BrokerRest::Assets(const http::Request&) {
  Json list = Json::array();
  for (const std::string& s : account_->Symbols()) {
    list.push_back(AssetJson(s, options_.broker.allow_shorts));
  }
  return Ok(list);
}

http::Response BrokerRest::Positions(const http::Request&) {
  return account_->With([&](MatchingEngine& e) {
    Json list = Json::array();
    for (const broker::BrokerPosition& p : e.Positions()) list.push_back(PositionOf(e, p));
    return Ok(list);
  });
}

http::Response BrokerRest::Position(const http::Request& r) {
  const std::string symbol = Tail(r, "/v2/positions/");
  return account_->With([&](MatchingEngine& e) {
    for (const broker::BrokerPosition& p : e.Positions()) {
      if (p.symbol == symbol) return Ok(PositionOf(e, p));
    }
    return AlpacaError(404, kCodeNotFound, "position does not exist");
  });
}

http::Response BrokerRest::ClosePosition(const http::Request& r) {
  const std::string symbol = Tail(r, "/v2/positions/");
  std::optional<Decimal> qty, percentage;
  for (const char* key : {"qty", "percentage"}) {
    if (auto v = r.Query(key)) {
      Result<Decimal> d = Decimal::Parse(*v);
      if (!d.ok() || !(*d > Decimal())) {
        return AlpacaError(422, kCodeInvalid, fmt::format("invalid {}", key));
      }
      (std::string_view(key) == "qty" ? qty : percentage) = *d;
    }
  }
  auto order = account_->With([&](MatchingEngine& e) -> Result<broker::BrokerOrder> {
    if (percentage) {
      for (const broker::BrokerPosition& p : e.Positions()) {
        if (p.symbol != symbol) continue;
        TORGHUT_ASSIGN_OR_RETURN(Decimal share,
                                 percentage->Div(Decimal::FromUnits(100 * Decimal::kOne)));
        TORGHUT_ASSIGN_OR_RETURN(Decimal q, p.qty.Abs().Mul(share, RoundingMode::kDown));
        qty = q;
      }
    }
    return e.ClosePosition(symbol, qty);
  });
  if (!order.ok()) return FromStatus(order.status());
  return Ok(OrderJson(*order));
}

http::Response BrokerRest::CloseAll(const http::Request& r) {
  const bool cancel = r.Query("cancel_orders").value_or("") == "true";
  Json list = Json::array();
  account_->With([&](MatchingEngine& e) {
    if (cancel) (void)e.CancelAllOrders();
    for (const broker::BrokerPosition& p : e.Positions()) {
      Result<broker::BrokerOrder> o = e.ClosePosition(p.symbol, std::nullopt);
      Json item;
      item["symbol"] = p.symbol;
      if (o.ok()) {
        item["status"] = 200;
        item["body"] = OrderJson(*o);
      } else {
        const http::Response err = FromStatus(o.status());
        item["status"] = err.status;
        item["body"] = Json::parse(err.body);
      }
      list.push_back(std::move(item));
    }
  });
  return Ok(list, 207);
}

void BrokerRest::WriteStatus(nlohmann::json* status) const {
  std::lock_guard lock(mu_);
  nlohmann::json& b = (*status)["broker"];
  b["requests"] = requests_;
  b["order_posts"] = posts_;
  b["orders_created"] = created_;
  b["refused"] = refused_;
  b["rate_limited"] = rate_limited_;
  b["faults"] = {
      {"accept_then_drop", dropped_}, {"http_500", answered_500_}, {"http_429", answered_429_}};
  b["order_posts_by_client_order_id"] = posts_by_client_order_id_;
}

}  // namespace torghut::sim
