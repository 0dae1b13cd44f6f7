// The submit protocol end to end over HTTP: SubmitExactlyOnce and RecoverSubmission driving
// AlpacaBroker against a scripted Alpaca that creates the order and hangs up, answers 500 without
// creating it, rate-limits, or is slower than the client's timeout — exactly one order each time.
#include <gtest/gtest.h>

#include <condition_variable>

#include "torghut/broker/alpaca/alpaca_broker.h"
#include "torghut/broker/alpaca/fake_alpaca_test_server.h"
#include "torghut/broker/submit.h"

namespace torghut::broker {
namespace {

using test_support::FakeAlpaca;

OrderRequest MarketBuy(std::string cid) {
  OrderRequest r;
  r.client_order_id = std::move(cid);
  r.symbol = "MSFT";
  r.qty = Decimal::Parse("1").value();
  return r;
}

class AlpacaSubmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(alpaca_.Start().ok());
    options_.sleep = [this](int64_t ms) { broker_waits_.push_back(ms); };
    policy_.sleep = [this](int64_t ms) { submit_waits_.push_back(ms); };
  }
  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      release_ = true;
    }
    cv_.notify_all();
    alpaca_.Stop();
  }

  FakeAlpaca alpaca_;
  AlpacaBrokerOptions options_;
  SubmitPolicy policy_;
  SubmitReport report_;
  std::vector<int64_t> broker_waits_, submit_waits_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_ = false;
};

TEST_F(AlpacaSubmitTest, CreatedThenTheConnectionDroppedMakesOneOrder) {
  alpaca_.DropAfterCreate(1);
  AlpacaBroker broker(alpaca_.Config(), options_);
  Result<BrokerOrder> o = SubmitExactlyOnce(broker, MarketBuy("th-drop"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(report_.found_by_lookup);
  EXPECT_EQ(o->client_order_id, "th-drop");
  EXPECT_EQ(alpaca_.OrdersFor("th-drop"), 1);
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 1);
  EXPECT_EQ(alpaca_.Requests("GET", "/v2/orders:by_client_order_id"), 1);
}

TEST_F(AlpacaSubmitTest, A500WithoutAnOrderIsLookedUpAndSentOnceMore) {
  alpaca_.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.method == "POST" && n == 1) {
      return http::Response::Json(500, R"({"code":50010000,"message":"internal error"})");
    }
    return std::nullopt;
  });
  AlpacaBroker broker(alpaca_.Config(), options_);
  Result<BrokerOrder> o = SubmitExactlyOnce(broker, MarketBuy("th-500"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(report_.found_by_lookup);
  EXPECT_EQ(alpaca_.OrdersFor("th-500"), 1);
  EXPECT_EQ(alpaca_.Log(),
            (std::vector<std::string>{"POST /v2/orders",
                                      "GET /v2/orders:by_client_order_id?client_order_id=th-500",
                                      "POST /v2/orders"}));
}

TEST_F(AlpacaSubmitTest, ATimeoutAfterTheOrderWasCreatedIsResolvedByTheLookup) {
  // The server creates the order, then answers slower than the client waits.
  alpaca_.DropAfterCreate(0);
  alpaca_.SetScript([this](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.method != "POST" || n != 1) return std::nullopt;
    alpaca_.AddOrder("th-slow", "accepted");
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return release_; });
    return http::Response::Json(500, "{}");
  });
  AlpacaConfig config = alpaca_.Config();
  config.timeout_ms = 300;
  AlpacaBroker broker(config, options_);
  Result<BrokerOrder> o = SubmitExactlyOnce(broker, MarketBuy("th-slow"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(report_.found_by_lookup);
  EXPECT_EQ(report_.sends, 1);
  EXPECT_EQ(alpaca_.OrdersFor("th-slow"), 1);
}

TEST_F(AlpacaSubmitTest, RateLimitsAreWaitedOutInsideOneSend) {
  alpaca_.SetScript([](const http::Request& r, int n) -> std::optional<http::Response> {
    if (r.method != "POST" || n > 1) return std::nullopt;
    http::Response res = http::Response::Json(429, R"({"message":"too many requests."})");
    res.headers = {{"Retry-After", "1"}};
    return res;
  });
  AlpacaBroker broker(alpaca_.Config(), options_);
  Result<BrokerOrder> o = SubmitExactlyOnce(broker, MarketBuy("th-429"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(report_.sends, 1);  // the client waited; the protocol saw one answered POST
  EXPECT_EQ(broker_waits_, (std::vector<int64_t>{1'000}));
  EXPECT_EQ(alpaca_.OrdersFor("th-429"), 1);
}

TEST_F(AlpacaSubmitTest, RecoveryFindsAnOrderPlacedBeforeTheCrash) {
  alpaca_.AddOrder("th-crashed", "filled");
  AlpacaBroker broker(alpaca_.Config(), options_);
  Result<BrokerOrder> o = RecoverSubmission(broker, MarketBuy("th-crashed"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status, trading::OrderStatus::kFilled);
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 0);
  o = RecoverSubmission(broker, MarketBuy("th-never-sent"), policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 1);
  EXPECT_EQ(alpaca_.OrdersFor("th-never-sent"), 1);
}

TEST_F(AlpacaSubmitTest, AnUnreachableBrokerLeavesTheOutcomeKnownOrUnknownHonestly) {
  alpaca_.DropAfterCreate(1);
  alpaca_.SetScript([](const http::Request& r, int) -> std::optional<http::Response> {
    if (r.path == "/v2/orders:by_client_order_id") return http::Response::Json(503, "{}");
    return std::nullopt;
  });
  AlpacaBroker broker(alpaca_.Config(), options_);
  Result<BrokerOrder> o = SubmitExactlyOnce(broker, MarketBuy("th-dark"), policy_, &report_);
  ASSERT_FALSE(o.ok());
  EXPECT_TRUE(OutcomeUnknown(o.status())) << o.status().ToString();
  EXPECT_EQ(alpaca_.Requests("POST", "/v2/orders"), 1);  // never sent blind
  EXPECT_EQ(alpaca_.OrdersFor("th-dark"), 1);
  EXPECT_EQ(o.status().message().find(FakeAlpaca::kSecret), std::string::npos);
}

}  // namespace
}  // namespace torghut::broker
