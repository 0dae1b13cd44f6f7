// A scripted Alpaca trading API on loopback, for the broker tests only (header-only; never linked
// into the binary): the project's http::Server answering Alpaca-shaped bodies from a small order
// book, with the key check, Alpaca's duplicate client_order_id rule, and a script hook that can
// answer any request instead (an error, a 429 with rate-limit headers, a dropped connection).
//
//   FakeAlpaca alpaca;
//   ASSERT_TRUE(alpaca.Start().ok());
//   alpaca.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
//     if (r.method == "POST" && n == 1) return http::Response::Json(500, R"({"message":"x"})");
//     return std::nullopt;                 // the default handling
//   });
//   alpaca.DropAfterCreate(1);             // the next POST creates its order, then hangs up
//   AlpacaBroker broker(alpaca.Config());
#pragma once

#include <fmt/format.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "torghut/broker/alpaca/config.h"
#include "torghut/http/server.h"

namespace torghut::broker::test_support {

class FakeAlpaca {
 public:
  static constexpr char kKeyId[] = "PKFAKEKEY0123456789";
  static constexpr char kSecret[] = "fake-secret-9876543210-abcdef";
  static constexpr int kOrderRoutes = 64;  // DELETE works for order-1 … order-64

  // Runs before the default handling; `n` counts requests of this method and path, from 1.
  using Script = std::function<std::optional<http::Response>(const http::Request&, int n)>;

  FakeAlpaca() {
    http::Router router;
    auto handle = [this](const http::Request& r) { return Handle(r); };
    router.Post("/v2/orders", handle);
    router.Get("/v2/orders", handle);
    router.Delete("/v2/orders", handle);
    router.Get("/v2/orders:by_client_order_id", handle);
    router.GetPrefix("/v2/orders/", handle);
    for (int i = 1; i <= kOrderRoutes; ++i) {  // exact paths: both methods, or GET is a 405
      router.Get("/v2/orders/order-" + std::to_string(i), handle);
      router.Delete("/v2/orders/order-" + std::to_string(i), handle);
    }
    router.Get("/v2/account", handle);
    router.Get("/v2/positions", handle);
    router.Get("/v2/clock", handle);
    http::ServerConfig config;
    config.port = 0;
    config.threads = 2;  // a script may hold one thread
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
  }
  ~FakeAlpaca() { server_->Stop(); }

  Status Start() { return server_->Start(); }
  void Stop() { server_->Stop(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  AlpacaConfig Config() const {
    AlpacaConfig c;
    c.base_url = base_url();
    c.key_id = kKeyId;
    c.secret_key = kSecret;
    c.timeout_ms = 5'000;
    return c;
  }

  void SetScript(Script s) {
    std::lock_guard lock(mu_);
    script_ = std::move(s);
  }
  // The next `n` order POSTs create their order and then close the connection unanswered.
  void DropAfterCreate(int n) {
    std::lock_guard lock(mu_);
    drop_after_create_ = n;
  }
  // Adds an order as if placed earlier (status and fill as given).
  std::string AddOrder(const std::string& client_order_id, const std::string& status = "new") {
    std::lock_guard lock(mu_);
    nlohmann::json o = NewOrder(client_order_id, "AAPL", "buy", "1", "market", nullptr);
    o["status"] = status;
    orders_.push_back(o);
    return o["id"];
  }
  int OrdersFor(const std::string& client_order_id) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& o : orders_) n += o["client_order_id"] == client_order_id ? 1 : 0;
    return n;
  }
  int Requests(const std::string& method, const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = counts_.find(method + " " + path);
    return it == counts_.end() ? 0 : it->second;
  }
  // Every request as "METHOD path?query", in arrival order.
  std::vector<std::string> Log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  nlohmann::json NewOrder(const std::string& cid, const std::string& symbol,
                          const std::string& side, const std::string& qty, const std::string& type,
                          const nlohmann::json& limit_price) {
    const std::string now = "2024-03-22T14:30:00." + fmt::format("{:06d}", ++next_id_) + "Z";
    return nlohmann::json{{"id", "order-" + std::to_string(next_id_)},
                          {"client_order_id", cid},
                          {"created_at", now},
                          {"updated_at", now},
                          {"submitted_at", now},
                          {"filled_at", nullptr},
                          {"expired_at", nullptr},
                          {"canceled_at", nullptr},
                          {"asset_class", "us_equity"},
                          {"symbol", symbol},
                          {"notional", nullptr},
                          {"qty", qty},
                          {"filled_qty", "0"},
                          {"filled_avg_price", nullptr},
                          {"order_type", type},
                          {"type", type},
                          {"side", side},
                          {"time_in_force", "day"},
                          {"limit_price", limit_price},
                          {"stop_price", nullptr},
                          {"status", "accepted"},
                          {"extended_hours", false}};
  }

  static http::Response Error(int status, int64_t code, const std::string& message) {
    nlohmann::json j{{"message", message}};
    if (code != 0) j["code"] = code;
    return http::Response::Json(status, j.dump());
  }

  http::Response Handle(const http::Request& r) {
    std::unique_lock lock(mu_);
    const int n = ++counts_[r.method + " " + r.path];
    std::string query;
    for (const auto& [k, v] : r.query) query += (query.empty() ? "?" : "&") + k + "=" + v;
    log_.push_back(r.method + " " + r.path + query);
    if (script_) {
      Script script = script_;
      lock.unlock();  // a script may block (a slow answer) without holding up other requests
      std::optional<http::Response> scripted = script(r, n);
      if (scripted) return *scripted;
      lock.lock();
    }
    if (r.Header("apca-api-key-id") != kKeyId || r.Header("apca-api-secret-key") != kSecret) {
      return Error(401, 40110000, "request is not authorized");
    }
    if (r.path == "/v2/orders" && r.method == "POST") return Create(r);
    if (r.path == "/v2/orders:by_client_order_id") {
      const auto cid = r.Query("client_order_id");
      for (const auto& o : orders_) {
        if (cid && o["client_order_id"] == *cid) return http::Response::Json(200, o.dump());
      }
      return Error(404, 40410000, "order not found");
    }
    if (r.path.rfind("/v2/orders/", 0) == 0) {
      const std::string id = r.path.substr(11);
      for (auto& o : orders_) {
        if (o["id"] != id) continue;
        if (r.method == "GET") return http::Response::Json(200, o.dump());
        if (o["status"] == "filled" || o["status"] == "canceled") {
          return Error(422, 42210000, "order is not cancelable");
        }
        o["status"] = "canceled";
        return http::Response::Json(204, "");
      }
      return Error(404, 40410000, "order not found");
    }
    if (r.path == "/v2/orders" && r.method == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& o : orders_) list.push_back(o);
      return http::Response::Json(200, list.dump());
    }
    if (r.path == "/v2/orders" && r.method == "DELETE") {
      nlohmann::json out = nlohmann::json::array();
      for (auto& o : orders_) {
        if (o["status"] == "filled" || o["status"] == "canceled" ||
            o["status"] == "pending_cancel") {
          continue;
        }
        o["status"] = "pending_cancel";
        out.push_back({{"id", o["id"]}, {"status", 200}, {"body", o}});
      }
      return http::Response::Json(207, out.dump());
    }
    if (r.path == "/v2/account") {
      return http::Response::Json(200, R"({"id":"1d9eed04-be39-4e01-9b84-a48ac5bbafcf",
        "account_number":"PA3FAKE00001","status":"ACTIVE","currency":"USD",
        "buying_power":"199000.5","cash":"99500.25","portfolio_value":"100100.75",
        "equity":"100100.75","last_equity":"100000","multiplier":"2"})");
    }
    if (r.path == "/v2/positions") {
      return http::Response::Json(200, R"([{"asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
        "symbol":"AAPL","exchange":"NASDAQ","asset_class":"us_equity","qty":"3",
        "avg_entry_price":"187.25","side":"long","market_value":"570.3","cost_basis":"561.75",
        "unrealized_pl":"8.55","current_price":"190.1","qty_available":"3"}])");
    }
    if (r.path == "/v2/clock") {
      return http::Response::Json(200, R"({"timestamp":"2024-03-22T10:00:00.123456789-04:00",
        "is_open":true,"next_open":"2024-03-25T09:30:00-04:00",
        "next_close":"2024-03-22T16:00:00-04:00"})");
    }
    return Error(404, 40410000, "not found");
  }

  http::Response Create(const http::Request& r) {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || !body.contains("symbol") || !body["qty"].is_string()) {
      return Error(422, 40010001, "invalid order");
    }
    const std::string cid = body.value("client_order_id", "");
    for (const auto& o : orders_) {
      if (o["client_order_id"] == cid)
        return Error(422, 40010001, "client_order_id must be unique");
    }
    nlohmann::json o =
        NewOrder(cid, body["symbol"], body["side"], body["qty"], body["type"],
                 body.contains("limit_price") ? body["limit_price"] : nlohmann::json(nullptr));
    orders_.push_back(o);
    if (drop_after_create_ > 0) {
      --drop_after_create_;
      http::Response dropped;
      dropped.drop_connection = true;
      return dropped;
    }
    return http::Response::Json(200, o.dump());
  }

  http::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  Script script_;
  int drop_after_create_ = 0;
  int next_id_ = 0;
  std::vector<nlohmann::json> orders_;
  std::map<std::string, int> counts_;
  std::vector<std::string> log_;
};

}  // namespace torghut::broker::test_support
