// AlpacaBroker against a scripted Alpaca on loopback: every method's request and parsing, every
// error class of broker.h (401, 403 business or not, 404, 422, 429 waited out against an injected
// clock, 5xx on a POST vs a GET, dropped and refused connections, timeouts, bodies that do not
// parse), the latency record, and no key in any message.
#include "torghut/broker/alpaca/alpaca_broker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>

#include "torghut/broker/alpaca/fake_alpaca_test_server.h"
#include "torghut/broker/alpaca/wire.h"

namespace torghut::broker {
namespace {

using test_support::FakeAlpaca;

constexpr int64_t kNowMs = 1'711'116'000'000;  // 2024-03-22T14:00:00Z

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

OrderRequest LimitBuy(std::string cid) {
  OrderRequest r;
  r.client_order_id = std::move(cid);
  r.symbol = "AAPL";
  r.side = trading::Side::kBuy;
  r.qty = D("2");
  r.type = trading::OrderType::kLimit;
  r.limit_price = D("187.25");
  return r;
}

http::Response Answer(int status, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Response r = http::Response::Json(status, std::move(body));
  r.headers = std::move(headers);
  return r;
}

class AlpacaBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(alpaca_.Start().ok());
    options_.clock = &clock_;
    options_.sleep = [this](int64_t ms) {
      waits_.push_back(ms);
      clock_.AdvanceMillis(ms);
    };
    options_.on_call = [this](const BrokerCall& c) {
      calls_.push_back(std::string(c.call));
      last_call_ = c;
      last_call_.call = last_call_.method = last_call_.error_class = "";
    };
  }
  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      release_ = true;
    }
    cv_.notify_all();
    alpaca_.Stop();  // joins the handlers, which use this fixture's members
  }

  AlpacaBroker MakeBroker(AlpacaConfig config) { return AlpacaBroker(std::move(config), options_); }
  AlpacaBroker MakeBroker() { return MakeBroker(alpaca_.Config()); }

  // Every message a caller could see must be free of the keys.
  void ExpectNoKey(const Status& s) {
    EXPECT_EQ(s.message().find(FakeAlpaca::kKeyId), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(FakeAlpaca::kSecret), std::string::npos) << s.message();
  }

  FakeAlpaca alpaca_;
  FakeClock clock_{kNowMs * 1'000'000};
  AlpacaBrokerOptions options_;
  std::vector<int64_t> waits_;
  std::vector<std::string> calls_;
  BrokerCall last_call_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_ = false;
};

TEST_F(AlpacaBrokerTest, SubmitsAndReadsOrdersAsAlpacaWritesThem) {
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-aaaa"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, "order-1");
  EXPECT_EQ(o->client_order_id, "th-aaaa");
  EXPECT_EQ(o->type, trading::OrderType::kLimit);
  EXPECT_EQ(o->limit_price, D("187.25"));
  EXPECT_EQ(o->qty, D("2"));
  EXPECT_EQ(o->status, trading::OrderStatus::kAccepted);
  EXPECT_EQ(o->created_at, ParseRfc3339("2024-03-22T14:30:00.000001Z").value().millis());

  Result<std::optional<BrokerOrder>> found = broker.GetOrderByClientOrderId("th-aaaa");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "order-1");
  found = broker.GetOrderByClientOrderId("th-none");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->has_value());  // 404 is an answer, not an error
  EXPECT_EQ(broker.last_error_class(), "");
  // …but only Alpaca's 404: a page from something else in the way says nothing about the order.
  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.path != "/v2/orders:by_client_order_id") return std::nullopt;
    return http::Response::Text(404, "<html>404 Not Found</html>", "text/html");
  });
  EXPECT_EQ(broker.GetOrderByClientOrderId("th-none").status().code(), StatusCode::kNotFound);
  alpaca_.SetScript(nullptr);

  Result<BrokerOrder> by_id = broker.GetOrder("order-1");
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->client_order_id, "th-aaaa");
  EXPECT_EQ(broker.GetOrder("order-9").status().code(), StatusCode::kNotFound);

  OrderQuery q;
  q.status = "all";
  q.limit = 10;
  q.direction = "asc";
  q.after = ParseRfc3339("2024-03-22T13:30:00Z").value().millis();
  q.symbols = {"AAPL", "MSFT"};
  Result<std::vector<BrokerOrder>> list = broker.ListOrders(q);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  const std::vector<std::string> log = alpaca_.Log();
  EXPECT_NE(std::find(log.begin(), log.end(),
                      "GET /v2/orders?after=2024-03-22T13:30:00.000Z&direction=asc&limit=10&"
                      "status=all&symbols=AAPL,MSFT"),
            log.end());
  q.limit = 501;
  EXPECT_EQ(broker.ListOrders(q).status().code(), StatusCode::kInvalidArgument);
  q.limit = 10;
  q.status = "pending";
  EXPECT_EQ(broker.ListOrders(q).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(calls_,
            (std::vector<std::string>{
                "submit_order", "get_order_by_client_order_id", "get_order_by_client_order_id",
                "get_order_by_client_order_id", "get_order", "get_order", "list_orders"}));
}

TEST_F(AlpacaBrokerTest, CancelsOneOrAllOrders) {
  AlpacaBroker broker = MakeBroker();
  const std::string filled = alpaca_.AddOrder("th-filled", "filled");
  const std::string open = alpaca_.AddOrder("th-open", "new");
  const std::string open2 = alpaca_.AddOrder("th-open2", "partially_filled");
  Status s = broker.CancelOrder(open);
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = broker.CancelOrder(filled);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();  // 422: not cancelable
  EXPECT_NE(s.message().find("order is not cancelable"), std::string::npos) << s.message();
  EXPECT_EQ(broker.CancelOrder("order-60").code(), StatusCode::kNotFound);
  Result<std::vector<std::string>> ids = broker.CancelAllOrders();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, std::vector<std::string>{open2});
  ids = broker.CancelAllOrders();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_TRUE(ids->empty());
}

TEST_F(AlpacaBrokerTest, ReadsAccountPositionsAndClock) {
  AlpacaBroker broker = MakeBroker();
  Result<Account> a = broker.GetAccount();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->account_number, "PA3FAKE00001");
  EXPECT_EQ(a->equity, D("100100.75"));
  EXPECT_EQ(a->last_equity, D("100000"));
  EXPECT_EQ(a->cash, D("99500.25"));
  EXPECT_EQ(a->buying_power, D("199000.5"));
  Result<std::vector<BrokerPosition>> p = broker.ListPositions();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].symbol, "AAPL");
  EXPECT_EQ((*p)[0].qty, D("3"));
  EXPECT_EQ((*p)[0].unrealized_pl, D("8.55"));
  Result<MarketClock> c = broker.GetClock();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->is_open);
  EXPECT_EQ(c->timestamp, ParseRfc3339("2024-03-22T14:00:00.123Z").value().millis());
  EXPECT_EQ(c->next_close, ParseRfc3339("2024-03-22T20:00:00Z").value().millis());
  EXPECT_EQ(last_call_.attempts, 1);
  EXPECT_EQ(last_call_.http_status, 200);
  EXPECT_EQ(last_call_.code, StatusCode::kOk);
}

TEST_F(AlpacaBrokerTest, AWrongOrForbiddenKeyIsTheAuthClass) {
  AlpacaConfig wrong = alpaca_.Config();
  wrong.secret_key = "rotated-secret-000111222";
  AlpacaBroker broker = MakeBroker(wrong);
  Result<Account> a = broker.GetAccount();
  EXPECT_EQ(a.status().code(), StatusCode::kUnauthenticated) << a.status().ToString();
  EXPECT_NE(a.status().message().find("HTTP 401: request is not authorized (code 40110000)"),
            std::string::npos)
      << a.status().message();
  EXPECT_EQ(broker.last_error_class(), "alpaca_auth");
  EXPECT_EQ(a.status().message().find("rotated-secret"), std::string::npos);
  EXPECT_EQ(alpaca_.Requests("GET", "/v2/account"), 1);  // a 4xx is not retried

  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.path == "/v2/account") return Answer(403, R"({"message": "forbidden."})");
    return std::nullopt;
  });
  AlpacaBroker ok_key = MakeBroker();
  a = ok_key.GetAccount();
  EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied) << a.status().ToString();
  EXPECT_EQ(ok_key.last_error_class(), "alpaca_auth");
  EXPECT_EQ(AlpacaErrorClass(a.status()), "alpaca_auth");
  // A success clears the class.
  ASSERT_TRUE(ok_key.GetClock().ok());
  EXPECT_EQ(ok_key.last_error_class(), "");
}

TEST_F(AlpacaBrokerTest, OrderLevelRejectionsKeepTheirClasses) {
  alpaca_.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.method != "POST") return std::nullopt;
    if (n == 1) {
      return Answer(403, R"({"buying_power":"176.28","code":40310000,)"
                         R"("message":"insufficient buying power"})");
    }
    if (n == 2) return Answer(422, R"({"code":40010001,"message":"qty must be > 0"})");
    if (n == 3) return Answer(404, R"({"code":40410000,"message":"asset not found"})");
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-1"));
  EXPECT_EQ(o.status().code(), StatusCode::kFailedPrecondition) << o.status().ToString();
  EXPECT_NE(o.status().message().find("insufficient buying power (code 40310000)"),
            std::string::npos);
  EXPECT_EQ(broker.last_error_class(), "");  // about this order, not about the connection
  o = broker.SubmitOrder(LimitBuy("th-2"));
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument) << o.status().ToString();
  o = broker.SubmitOrder(LimitBuy("th-3"));
  EXPECT_EQ(o.status().code(), StatusCode::kNotFound) << o.status().ToString();
  o = broker.SubmitOrder(LimitBuy("th-4"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  // A reused client_order_id: Alpaca's 422.
  o = broker.SubmitOrder(LimitBuy("th-4"));
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(o.status().message().find("client_order_id must be unique"), std::string::npos);
  EXPECT_EQ(alpaca_.OrdersFor("th-4"), 1);
  // A request no broker should see is refused before sending.
  OrderRequest bad = LimitBuy("th-5");
  bad.limit_price.reset();
  EXPECT_EQ(broker.SubmitOrder(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 5);
}

TEST_F(AlpacaBrokerTest, A429IsWaitedOutUntilTheResetAndSentAgain) {
  // Two 429s naming the window's reset (Unix seconds), then the order goes through.
  alpaca_.SetScript([this](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.method != "POST" || n > 2) return std::nullopt;
    const int64_t reset_s = clock_.NowMillis() / 1000 + (n == 1 ? 7 : 3);
    return Answer(429, R"({"message":"too many requests."})",
                  {{"X-Ratelimit-Limit", "200"},
                   {"X-Ratelimit-Remaining", "0"},
                   {"X-Ratelimit-Reset", std::to_string(reset_s)}});
  });
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-limited"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(waits_, (std::vector<int64_t>{7'000, 3'000}));
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 3);
  EXPECT_EQ(alpaca_.OrdersFor("th-limited"), 1);
  EXPECT_EQ(last_call_.attempts, 3);
  EXPECT_EQ(last_call_.rate_limit_wait_ms, 10'000);
}

TEST_F(AlpacaBrokerTest, A429WithoutResetUsesRetryAfterOrTheDefaultAndNeverSpins) {
  alpaca_.SetScript([this](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.path != "/v2/clock") return std::nullopt;
    if (n == 1) return Answer(429, "{}", {{"Retry-After", "2"}});
    if (n == 2) return Answer(429, "{}");
    if (n == 3) {  // a reset already passed (clock skew): the minimum wait, not a spin
      return Answer(429, "{}",
                    {{"X-Ratelimit-Reset", std::to_string(clock_.NowMillis() / 1000 - 30)}});
    }
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  ASSERT_TRUE(broker.GetClock().ok());
  EXPECT_EQ(waits_, (std::vector<int64_t>{2'000, 1'000, 500}));
}

TEST_F(AlpacaBrokerTest, RateLimitedBeyondTheBoundIsResourceExhausted) {
  alpaca_.SetScript([this](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.method != "POST") return std::nullopt;
    return Answer(429, R"({"message":"too many requests."})",
                  {{"X-Ratelimit-Remaining", "0"},
                   {"X-Ratelimit-Reset", std::to_string(clock_.NowMillis() / 1000 + 40)}});
  });
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-busy"));
  EXPECT_EQ(o.status().code(), StatusCode::kResourceExhausted) << o.status().ToString();
  EXPECT_EQ(waits_, (std::vector<int64_t>{40'000}));  // a second 40 s would pass the 60 s bound
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 2);
  EXPECT_EQ(broker.last_error_class(), "alpaca_rate_limited");
  EXPECT_EQ(alpaca_.OrdersFor("th-busy"), 0);
}

TEST_F(AlpacaBrokerTest, A5xxToAPostIsUncertainAndNotSentAgain) {
  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.method == "POST") return Answer(500, R"({"code":50010000,"message":"internal error"})");
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-500"));
  EXPECT_EQ(o.status().code(), StatusCode::kDeadlineExceeded) << o.status().ToString();
  EXPECT_NE(o.status().message().find("the order may exist"), std::string::npos);
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 1);
  EXPECT_TRUE(waits_.empty());
  EXPECT_EQ(broker.last_error_class(), "alpaca_unreachable");
}

TEST_F(AlpacaBrokerTest, A5xxToAGetIsRetriedWithinBounds) {
  alpaca_.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.path == "/v2/account" && n <= 2) return Answer(503, "<html>unavailable</html>");
    if (r.path == "/v2/positions") return Answer(502, "<html>bad gateway</html>");
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  Result<Account> a = broker.GetAccount();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(alpaca_.Requests("GET", "/v2/account"), 3);
  EXPECT_EQ(waits_, (std::vector<int64_t>{250, 500}));
  Result<std::vector<BrokerPosition>> p = broker.ListPositions();
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable) << p.status().ToString();
  EXPECT_NE(p.status().message().find("HTTP 502: <html>bad gateway</html>"), std::string::npos);
  EXPECT_EQ(alpaca_.Requests("GET", "/v2/positions"), 3);  // read_retry.max_attempts
}

TEST_F(AlpacaBrokerTest, AConnectionDroppedAfterThePostArrivedIsUncertain) {
  alpaca_.DropAfterCreate(1);
  AlpacaBroker broker = MakeBroker();
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-dropped"));
  EXPECT_EQ(o.status().code(), StatusCode::kDeadlineExceeded) << o.status().ToString();
  EXPECT_NE(o.status().message().find("may have reached Alpaca"), std::string::npos);
  EXPECT_EQ(alpaca_.OrdersFor("th-dropped"), 1);  // it did
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 1);
  ExpectNoKey(o.status());

  // A dropped read is retried.
  alpaca_.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.path != "/v2/clock" || n > 1) return std::nullopt;
    http::Response dropped;
    dropped.drop_connection = true;
    return dropped;
  });
  EXPECT_TRUE(broker.GetClock().ok());
  EXPECT_EQ(alpaca_.Requests("GET", "/v2/clock"), 2);
}

TEST_F(AlpacaBrokerTest, ATimeoutIsUncertainAndARefusedConnectionIsNot) {
  alpaca_.SetScript([this](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.method != "POST") return std::nullopt;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return release_; });
    return Answer(500, "{}");
  });
  AlpacaConfig config = alpaca_.Config();
  config.timeout_ms = 300;
  AlpacaBroker broker = MakeBroker(config);
  Result<BrokerOrder> o = broker.SubmitOrder(LimitBuy("th-slow"));
  EXPECT_EQ(o.status().code(), StatusCode::kDeadlineExceeded) << o.status().ToString();

  AlpacaConfig nowhere = alpaca_.Config();
  nowhere.base_url = "http://127.0.0.1:1";
  AlpacaBroker refused = MakeBroker(nowhere);
  o = refused.SubmitOrder(LimitBuy("th-refused"));
  EXPECT_EQ(o.status().code(), StatusCode::kUnavailable) << o.status().ToString();
  EXPECT_EQ(refused.last_error_class(), "alpaca_unreachable");
  ExpectNoKey(o.status());
}

TEST_F(AlpacaBrokerTest, ABodyThatDoesNotParseIsDataLoss) {
  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.path == "/v2/account") return Answer(200, R"({"account_number":"PA1","status":"X"})");
    if (r.path == "/v2/clock") return Answer(200, "<html>maintenance</html>");
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  Result<Account> a = broker.GetAccount();
  EXPECT_EQ(a.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(a.status().message().find("alpaca GET /v2/account: HTTP 200: account.equity: missing"),
            std::string::npos)
      << a.status().message();
  EXPECT_EQ(broker.GetClock().status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(broker.last_error_class(), "alpaca_protocol");
}

TEST_F(AlpacaBrokerTest, NoKeyAppearsInAnyMessage) {
  // Even an error body that echoes the credentials is scrubbed.
  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    const std::string echo = std::string(r.Header("apca-api-key-id")) + " / " +
                             std::string(r.Header("apca-api-secret-key"));
    if (r.path == "/v2/account") return Answer(401, R"({"message":"bad key )" + echo + R"("})");
    if (r.path == "/v2/clock") return Answer(500, "<pre>" + echo + "</pre>");
    if (r.method == "POST") return Answer(403, R"({"message":"denied for )" + echo + R"("})");
    return std::nullopt;
  });
  AlpacaBroker broker = MakeBroker();
  std::vector<Status> errors = {broker.GetAccount().status(), broker.GetClock().status(),
                                broker.SubmitOrder(LimitBuy("th-k")).status()};
  for (const Status& s : errors) {
    EXPECT_FALSE(s.ok());
    ExpectNoKey(s);
    EXPECT_NE(s.message().find("*** / ***"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace torghut::broker
