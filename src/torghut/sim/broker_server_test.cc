// The simulated broker over real sockets: Alpaca's trading REST v2 (auth, rate limits, orders
// through their lifecycle against the simulator's own market, positions, errors), each fault
// switch, and the trade_updates stream in JSON and msgpack.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "torghut/alpaca/msgpack_json.h"
#include "torghut/http/server.h"
#include "torghut/http/websocket_client.h"
#include "torghut/sim/market_server.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/test_support.h"

namespace torghut::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int64_t kStartSeconds = 1704205810;  // 2024-01-02 09:30:10 ET, a session's first minute

class BrokerServerTest : public ::testing::Test {
 protected:
  void Start(MarketServerOptions o = {}, const Clock* clock = &SystemClock()) {
    o.generator.symbols = {"AAPL", "MSFT"};
    o.generator.trades_per_second = 50;
    o.start = Timestamp::FromSeconds(kStartSeconds);
    market_ = std::make_unique<MarketServer>(std::move(o), clock);
    http::Router router;
    market_->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.threads = 2;
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(market_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    ws_base_ = "ws://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (market_) market_->Stop();
  }
  testing::HttpResult Call(const std::string& method, const std::string& path,
                           const std::string& body = "") {
    return http_.Do(method, base_ + path, body, keys_);
  }
  json Body(const testing::HttpResult& r) { return json::parse(r.body, nullptr, false); }
  testing::HttpResult Order(const std::string& cid, const std::string& side,
                            const std::string& qty) {
    return Call("POST", "/v2/orders",
                R"({"symbol":"AAPL","qty":")" + qty + R"(","side":")" + side +
                    R"(","type":"market","time_in_force":"day","client_order_id":")" + cid + "\"}");
  }
  json SimStatus() { return Body(http_.Get(base_ + "/sim/status")); }
  void Faults(const std::string& body) {
    ASSERT_EQ(http_.Post(base_ + "/sim/faults", body).status, 200) << body;
  }
  // Polls GET /v2/orders/{id} until its status is `status`.
  json WaitOrder(const std::string& id, const std::string& status) {
    json o;
    EXPECT_TRUE(testing::WaitFor(
        [&] {
          o = Body(Call("GET", "/v2/orders/" + id));
          return o.value("status", "") == status;
        },
        10s))
        << o;
    return o;
  }
  void ListenJson(http::WebSocketClient& ws) {
    ASSERT_TRUE(ws.Connect(ws_base_ + "/stream", {}).ok());
    ASSERT_TRUE(
        ws.Write(
              R"({"action":"authenticate","data":{"key_id":"sim-key","secret_key":"sim-secret"}})")
            .ok());
    EXPECT_EQ(Next(ws), json::parse(R"({"stream":"authorization","data":{"action":"authenticate",)"
                                    R"("status":"authorized"}})"));
    ASSERT_TRUE(ws.Write(R"({"action":"listen","data":{"streams":["trade_updates"]}})").ok());
    EXPECT_EQ(Next(ws),
              json::parse(R"({"stream":"listening","data":{"streams":["trade_updates"]}})"));
  }
  json Next(http::WebSocketClient& ws) {
    std::string frame;
    Status s = ws.Read(&frame, 10s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return json::parse(frame, nullptr, false);
  }

  const std::vector<std::string> keys_ = {"APCA-API-KEY-ID: sim-key",
                                          "APCA-API-SECRET-KEY: sim-secret"};
  testing::HttpClient http_;
  http::Registry metrics_;
  std::unique_ptr<MarketServer> market_;
  std::unique_ptr<http::Server> server_;
  std::string base_, ws_base_;
};

TEST_F(BrokerServerTest, AuthAccountClockAssetsAndRateHeadersOnEveryAnswer) {
  Start();
  testing::HttpResult r = http_.Get(base_ + "/v2/account");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r), json::parse(R"({"code":40110000,"message":"request is not authorized"})"));
  EXPECT_EQ(r.Header("x-ratelimit-limit"), "200");
  r = http_.Get(base_ + "/v2/account", {"APCA-API-KEY-ID: sim-key", "APCA-API-SECRET-KEY: x"});
  EXPECT_EQ(r.status, 401);
  r = Call("GET", "/v2/account");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-ratelimit-remaining"), "200");
  EXPECT_FALSE(r.Header("x-ratelimit-reset").empty());
  const json a = Body(r);
  EXPECT_EQ(a["cash"], "100000");
  EXPECT_EQ(a["buying_power"], "100000");
  EXPECT_EQ(a["equity"], "100000");
  EXPECT_EQ(a["status"], "ACTIVE");
  EXPECT_EQ(a["currency"], "USD");
  const json c = Body(Call("GET", "/v2/clock"));
  EXPECT_EQ(c["is_open"], true);
  EXPECT_EQ(c["next_close"], "2024-01-02T21:00:00Z");
  EXPECT_EQ(c["timestamp"].get<std::string>().substr(0, 15), "2024-01-02T14:3");
  const json asset = Body(Call("GET", "/v2/assets/AAPL"));
  EXPECT_EQ(asset["symbol"], "AAPL");
  EXPECT_EQ(asset["tradable"], true);
  EXPECT_EQ(asset["shortable"], false);
  EXPECT_EQ(Call("GET", "/v2/assets/ZZZZ").status, 404);
  EXPECT_EQ(Body(Call("GET", "/v2/assets")).size(), 2u);
  EXPECT_EQ(Call("GET", "/v2/nope").status, 404);  // never an upgrade demand
  EXPECT_EQ(Call("GET", "/v2/positions").body, "[]");
}

TEST_F(BrokerServerTest, AnOrderThroughItsLifeAgainstTheSimulatedMarket) {
  Start();
  testing::HttpResult r = Order("cid-1", "buy", "10");
  ASSERT_EQ(r.status, 200) << r.body;
  json o = Body(r);
  EXPECT_EQ(o["status"], "new");
  EXPECT_EQ(o["qty"], "10");
  EXPECT_EQ(o["filled_qty"], "0");
  EXPECT_TRUE(o["filled_avg_price"].is_null());
  EXPECT_EQ(o["client_order_id"], "cid-1");
  EXPECT_EQ(o["symbol"], "AAPL");
  EXPECT_EQ(o["type"], "market");
  const std::string id = o["id"];
  o = WaitOrder(id, "filled");
  EXPECT_EQ(o["filled_qty"], "10");
  const std::string price = o["filled_avg_price"];
  EXPECT_EQ(Body(Call("GET", "/v2/orders:by_client_order_id?client_order_id=cid-1"))["id"], id);
  EXPECT_EQ(Call("GET", "/v2/orders:by_client_order_id?client_order_id=none").status, 404);
  // The position and the cash, from the fill's own price.
  const json p = Body(Call("GET", "/v2/positions/AAPL"));
  EXPECT_EQ(p["qty"], "10");
  EXPECT_EQ(p["avg_entry_price"], price);
  EXPECT_EQ(p["side"], "long");
  const Decimal cost =
      Decimal::Parse(price).value().Mul(Decimal::FromUnits(10 * Decimal::kOne)).value();
  EXPECT_EQ(Body(Call("GET", "/v2/account"))["cash"],
            Decimal::FromUnits(100'000 * Decimal::kOne).Sub(cost).value().ToString());
  // Alpaca's refusals.
  r = Order("cid-1", "buy", "1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r),
            json::parse(R"({"code":40010001,"message":"client_order_id must be unique"})"));
  r = Order("cid-2", "sell", "11");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["message"],
            "insufficient qty available for order (requested: 11, available: 10)");
  r = Call("POST", "/v2/orders",
           R"({"symbol":"AAPL","qty":"100000","side":"buy","type":"limit","limit_price":"50",)"
           R"("time_in_force":"day","client_order_id":"cid-3"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["message"], "insufficient buying power");
  EXPECT_EQ(Call("POST", "/v2/orders", "[1]").status, 400);
  EXPECT_EQ(Call("POST", "/v2/orders",
                 R"({"symbol":"ZZZZ","qty":"1","side":"buy","type":"market",)"
                 R"("time_in_force":"day"})")
                .status,
            422);
  EXPECT_EQ(
      Call("POST", "/v2/orders", R"({"symbol":"AAPL","qty":"1","side":"buy","type":"market"})")
          .status,
      422);  // time_in_force is required
  // A resting limit, canceled.
  r = Call("POST", "/v2/orders",
           R"({"symbol":"AAPL","qty":1,"side":"buy","type":"limit","limit_price":1.5,)"
           R"("time_in_force":"gtc","client_order_id":"rest"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json resting = Body(r);
  EXPECT_EQ(resting["limit_price"], "1.5");                            // a JSON number's own digits
  EXPECT_EQ(Body(Call("GET", "/v2/orders"))[0]["id"], resting["id"]);  // open, newest first
  EXPECT_EQ(Call("DELETE", "/v2/orders/" + resting["id"].get<std::string>()).status, 204);
  EXPECT_EQ(Call("DELETE", "/v2/orders/" + resting["id"].get<std::string>()).status, 422);
  EXPECT_EQ(Call("DELETE", "/v2/orders/nope").status, 404);
  EXPECT_EQ(Call("GET", "/v2/orders/nope").status, 404);
  const json all = Body(Call("GET", "/v2/orders?status=all&direction=asc&limit=2"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["id"], id);
  EXPECT_EQ(all[1]["status"], "canceled");
  EXPECT_EQ(Call("GET", "/v2/orders?limit=x").status, 422);
  EXPECT_EQ(Call("GET", "/v2/orders?after=yesterday").status, 422);
  EXPECT_EQ(Body(Call("GET", "/v2/orders?status=closed&symbols=MSFT")).size(), 0u);
  // DELETE /v2/orders: 207 with each canceled order.
  ASSERT_EQ(Call("POST", "/v2/orders",
                 R"({"symbol":"MSFT","qty":"1","side":"buy","type":"limit","limit_price":"1",)"
                 R"("time_in_force":"day"})")
                .status,
            200);
  r = Call("DELETE", "/v2/orders");
  EXPECT_EQ(r.status, 207);
  ASSERT_EQ(Body(r).size(), 1u);
  EXPECT_EQ(Body(r)[0]["body"]["status"], "canceled");
  // Closing the position: a market sell of all of it, then no position.
  r = Call("DELETE", "/v2/positions/AAPL");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["side"], "sell");
  WaitOrder(Body(r)["id"], "filled");
  EXPECT_EQ(Call("GET", "/v2/positions/AAPL").status, 404);
  EXPECT_EQ(Call("DELETE", "/v2/positions/AAPL").status, 404);
  const json status = SimStatus()["broker"];
  EXPECT_EQ(status["orders_by_client_order_id"]["cid-1"], 1);
  EXPECT_EQ(status["order_posts_by_client_order_id"]["cid-1"], 2);
}

TEST_F(BrokerServerTest, OrderPostsPastTheLimitAnswer429UntilTheMinuteEnds) {
  FakeClock clock(int64_t{kStartSeconds} * 1'000'000'000);  // 10 s into a minute
  MarketServerOptions o;
  o.broker.orders_per_minute = 2;
  Start(o, &clock);
  EXPECT_EQ(Order("a", "buy", "1").status, 200);
  testing::HttpResult r = Order("b", "buy", "1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("x-ratelimit-remaining"), "0");
  r = Order("c", "buy", "1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r)["code"], 42910000);
  EXPECT_EQ(r.Header("x-ratelimit-limit"), "2");
  EXPECT_EQ(r.Header("x-ratelimit-reset"), std::to_string(kStartSeconds - 10 + 60));
  EXPECT_EQ(Call("GET", "/v2/orders:by_client_order_id?client_order_id=c").status, 404);
  EXPECT_EQ(Call("GET", "/v2/account").status, 200);  // reads are not order POSTs
  clock.AdvanceMillis(50'000);                        // the next minute
  EXPECT_EQ(Order("c", "buy", "1").status, 200);
  EXPECT_EQ(SimStatus()["broker"]["rate_limited"], 1);
}

TEST_F(BrokerServerTest, EachOrderFaultSwitch) {
  Start();
  // 500: nothing created.
  Faults(R"({"orders_http_500":1})");
  EXPECT_EQ(Order("f500", "buy", "1").status, 500);
  EXPECT_EQ(Call("GET", "/v2/orders:by_client_order_id?client_order_id=f500").status, 404);
  EXPECT_EQ(Order("f500", "buy", "1").status, 200);  // the switch counted down
  // 429 with a reset a second ahead (a short storm, not the window's end): nothing created.
  Faults(R"({"orders_http_429":1})");
  const int64_t before_s = SystemClock().NowMillis() / 1000;
  testing::HttpResult r = Order("f429", "buy", "1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("x-ratelimit-remaining"), "0");
  const int64_t reset_s = std::stoll(r.Header("x-ratelimit-reset"));
  EXPECT_GE(reset_s, before_s + 1);
  EXPECT_LE(reset_s, SystemClock().NowMillis() / 1000 + 1);
  EXPECT_EQ(Call("GET", "/v2/orders:by_client_order_id?client_order_id=f429").status, 404);
  // Accept, then drop: the client gets no answer, yet the order exists (the uncertain outcome).
  Faults(R"({"orders_accept_then_drop":1})");
  {
    // A fresh connection: libcurl re-sends a request whose kept-alive connection closed before
    // any answer, which would hide the drop (http::HttpClient refuses to; see client.h).
    testing::HttpClient fresh;
    r = fresh.Do("POST", base_ + "/v2/orders",
                 R"({"symbol":"AAPL","qty":"1","side":"buy","type":"market",)"
                 R"("time_in_force":"day","client_order_id":"fdrop"})",
                 keys_);
  }
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  const json found = Body(Call("GET", "/v2/orders:by_client_order_id?client_order_id=fdrop"));
  EXPECT_EQ(found["client_order_id"], "fdrop");
  EXPECT_EQ(Order("fdrop", "buy", "1").status, 422);  // re-sent with the same id: refused
  EXPECT_EQ(Order("after-drop", "buy", "1").status, 200);
  // A slow answer: the order exists before the answer comes.
  Faults(R"({"orders_delay_ms":400})");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Order("slow", "buy", "1").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms);
  Faults(R"({"orders_delay_ms":0})");
  const json b = SimStatus()["broker"];
  EXPECT_EQ(b["faults"]["http_500"], 1);
  EXPECT_EQ(b["faults"]["http_429"], 1);
  EXPECT_EQ(b["faults"]["accept_then_drop"], 1);
  EXPECT_EQ(b["order_posts_by_client_order_id"]["fdrop"], 2);
  EXPECT_EQ(b["orders_by_client_order_id"]["fdrop"], 1);
  EXPECT_EQ(b["orders_by_client_order_id"].count("f500"), 1u);  // created by the second POST
  EXPECT_EQ(b["orders_by_client_order_id"].count("f429"), 0u);
  EXPECT_EQ(http_.Post(base_ + "/sim/faults", R"({"orders_http_500":-1})").status, 400);
}

TEST_F(BrokerServerTest, TradeUpdatesInJsonFromNewToFill) {
  Start();
  http::WebSocketClient bad;
  ASSERT_TRUE(bad.Connect(ws_base_ + "/stream", {}).ok());
  ASSERT_TRUE(bad.Write(R"({"action":"listen","data":{"streams":["trade_updates"]}})").ok());
  EXPECT_EQ(Next(bad)["data"]["status"], "unauthorized");
  ASSERT_TRUE(
      bad.Write(R"({"action":"authenticate","data":{"key_id":"x","secret_key":"y"}})").ok());
  EXPECT_EQ(Next(bad)["data"]["status"], "unauthorized");
  std::string frame;
  EXPECT_EQ(bad.Read(&frame, 5s).code(), StatusCode::kUnavailable);  // the server closed it

  http::WebSocketClient ws;
  ListenJson(ws);
  ASSERT_EQ(Order("tu-1", "buy", "5").status, 200);
  json u = Next(ws);
  EXPECT_EQ(u["stream"], "trade_updates");
  EXPECT_EQ(u["data"]["event"], "new");
  EXPECT_EQ(u["data"]["order"]["client_order_id"], "tu-1");
  u = Next(ws);
  ASSERT_EQ(u["data"]["event"], "fill") << u;
  EXPECT_EQ(u["data"]["qty"], "5");
  EXPECT_EQ(u["data"]["position_qty"], "5");
  EXPECT_TRUE(u["data"]["price"].is_string());
  EXPECT_FALSE(u["data"]["execution_id"].get<std::string>().empty());
  EXPECT_EQ(u["data"]["order"]["status"], "filled");
  EXPECT_EQ(u["data"]["order"]["filled_avg_price"], u["data"]["price"]);
  // trade_updates_drop: every trade_updates socket is cut.
  Faults(R"({"trade_updates_drop":true})");
  Status s;
  while ((s = ws.Read(&frame, 5s)).ok()) {
  }
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(
      testing::WaitFor([&] { return SimStatus()["trade_updates"]["connections"] == 0; }, 5s));
  // While the switch stays on, a new connection is cut too; cleared, clients get back in.
  http::WebSocketClient again;
  if (again.Connect(ws_base_ + "/stream", {}).ok()) {
    (void)again.Write(
        R"({"action":"authenticate","data":{"key_id":"sim-key","secret_key":"sim-secret"}})");
    while ((s = again.Read(&frame, 5s)).ok()) {
      EXPECT_EQ(frame.find("authorized"), std::string::npos) << frame;
    }
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  }
  Faults(R"({"trade_updates_drop":false})");
  http::WebSocketClient back;
  ListenJson(back);
}

TEST_F(BrokerServerTest, TradeUpdatesInMsgpack) {
  Start();
  http::WebSocketClient ws;
  http::WebSocketClientOptions o;
  o.headers = {{"Content-Type", "application/msgpack"}};
  ASSERT_TRUE(ws.Connect(ws_base_ + "/stream", o).ok());
  auto send = [&](const std::string& j) {
    std::string bytes;
    ASSERT_TRUE(alpaca::JsonToMsgpack(j, &bytes).ok());
    ASSERT_TRUE(ws.WriteBinary(bytes).ok());
  };
  auto next = [&] {
    std::string frame;
    bool binary = false;
    EXPECT_TRUE(ws.ReadMessage(&frame, &binary, 10s).ok());
    EXPECT_TRUE(binary);
    Result<std::string> j = alpaca::MsgpackToJson(frame);
    EXPECT_TRUE(j.ok());
    return j.ok() ? json::parse(*j) : json();
  };
  send(R"({"action":"authenticate","data":{"key_id":"sim-key","secret_key":"sim-secret"}})");
  EXPECT_EQ(next()["data"]["status"], "authorized");
  send(R"({"action":"listen","data":{"streams":["trade_updates"]}})");
  EXPECT_EQ(next()["stream"], "listening");
  ASSERT_EQ(Order("mp-1", "buy", "2").status, 200);
  EXPECT_EQ(next()["data"]["event"], "new");
  const json fill = next();
  EXPECT_EQ(fill["data"]["event"], "fill");
  EXPECT_EQ(fill["data"]["qty"], "2");
}

}  // namespace
}  // namespace torghut::sim
