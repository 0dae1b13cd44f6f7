// `torghut trade` under failure (SPEC §6 "Bad input and faults"): broker faults and kill -9 at
// both crash windows, a standby taking over, Kafka + Postgres with the store going away — exactly
// one broker order per decision, and the store and the broker agree at the end. The fixture:
// tests/trade_process_support.h.
#include "trade_process_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using namespace trade_testing;  // NOLINT(google-build-using-namespace): the fixture's vocabulary
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

// 1,000 decisions through accept-then-drop, 500s, 429s and timeouts, with the trader killed -9
// again and again right after a durable claim and right after the broker's answer.
TEST_F(TradeProcessTest, ExactlyOneBrokerOrderPerDecisionUnderFaultsAndKills) {
  const std::vector<std::string> symbols = {"AAPL", "MSFT", "NVDA", "AMZN", "GOOG",
                                            "META", "TSLA", "AMD",  "INTC", "NFLX"};
  std::string list;
  for (const std::string& s : symbols) list += (list.empty() ? "" : ",") + s;
  StartSim(list);
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  ProduceBars(symbols, 100, NowSeconds() - 5, /*duplicate_every=*/13);
  SimFaults({{"orders_accept_then_drop", 40}, {"orders_http_500", 40}, {"orders_http_429", 5}});

  struct Crash {
    std::string point;
    int after;
    bool slow_broker;  // the broker answers after the client's timeout (ALPACA_TIMEOUT_MS)
  };
  const std::vector<Crash> crashes = {{"after_claim", 37, false},  {"after_post", 53, false},
                                      {"after_claim", 90, true},   {"after_post", 20, true},
                                      {"after_claim", 120, false}, {"after_post", 110, false}};
  int run = 0;
  for (const Crash& c : crashes) {
    SCOPED_TRACE("run " + std::to_string(run) + ": " + c.point + ":" + std::to_string(c.after));
    SimFaults({{"orders_delay_ms", c.slow_broker ? 700 : 0}});
    std::unique_ptr<TaProcess> trade;
    const std::string base =
        StartTrade(&trade, "ALPACA_TIMEOUT_MS=400 TORGHUT_TEST_CRASH=" + c.point + ":" +
                               std::to_string(c.after));
    ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
    ASSERT_TRUE(WaitFor([&] { return trade->Exited(); }, 120s))
        << testing::Tail(dir_.path() / "trade.log");
    EXPECT_EQ(trade->Wait(), 128 + SIGKILL);
    ++run;
  }
  EXPECT_EQ(testing::CountOccurrences(testing::Slurp(dir_.path() / "trade.log"),
                                      "TORGHUT_TEST_CRASH: killing the process"),
            static_cast<int>(crashes.size()));
  SimFaults({{"orders_delay_ms", 0}});
  std::unique_ptr<TaProcess> trade;
  const std::string base = StartTrade(&trade);
  ASSERT_FALSE(base.empty());
  ASSERT_TRUE(WaitFor([&] { return AllSettled(base, symbols, 1000); }, 180s))
      << Decisions(base, symbols).size() << testing::Tail(dir_.path() / "trade.log");
  for (const json& d : Decisions(base, symbols)) EXPECT_EQ(d["status"], "filled") << d.dump();
  ExpectStoreAndBrokerAgree(base, symbols);
  // The faults happened: resends after drops and 500s, waits after 429s.
  const json broker = SimBroker();
  EXPECT_EQ(broker["faults"]["accept_then_drop"], 40);
  EXPECT_EQ(broker["faults"]["http_500"], 40);
  EXPECT_EQ(broker["faults"]["http_429"], 5);
  // Each 500 and each 429 answers a post that created nothing, so the order is posted again:
  // at least 45 posts beyond one per client order id (faults are consecutive, so one id may take
  // several). A dropped answer is found by client order id, not necessarily posted again.
  int extra_posts = 0;
  for (const auto& [coid, posts] : broker["order_posts_by_client_order_id"].items()) {
    extra_posts += posts.get<int>() - 1;
  }
  EXPECT_GE(extra_posts, 45);
  EXPECT_EQ(broker["order_posts_by_client_order_id"].size(), 1000u);
  // The account is what 1,000 one-share buys make.
  int64_t shares = 0;
  for (const json& p : SimGet("/v2/positions")) shares += std::stoll(p["qty"].get<std::string>());
  EXPECT_EQ(shares, 1000);
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0);
}

TEST_F(TradeProcessTest, ASecondTraderIsAHotStandbyAndTakesOverAfterAKill) {
  const std::vector<std::string> symbols = {"AAPL", "MSFT"};
  StartSim("AAPL,MSFT");
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  std::unique_ptr<TaProcess> a, b;
  const std::string base_a = StartTrade(&a, "", "a.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base_a)["role"] == "active"; }, 30s))
      << testing::Tail(dir_.path() / "a.log");
  const std::string base_b = StartTrade(&b, "", "b.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base_b)["role"] == "standby"; }, 30s))
      << testing::Tail(dir_.path() / "b.log");
  const testing::HttpResult ready = http_.Get(base_b + "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("standby"), std::string::npos) << ready.body;

  ProduceBars(symbols, 150, NowSeconds() - 5);
  ASSERT_TRUE(WaitFor([&] { return OrdersAtTheBroker() >= 30; }, 60s));
  a->Signal(SIGKILL);
  EXPECT_EQ(a->Wait(), 128 + SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return Status(base_b)["role"] == "active"; }, 30s))
      << testing::Tail(dir_.path() / "b.log");
  ASSERT_TRUE(WaitFor([&] { return AllSettled(base_b, symbols, 300); }, 60s))
      << Decisions(base_b, symbols).size() << testing::Tail(dir_.path() / "b.log");
  ExpectStoreAndBrokerAgree(base_b, symbols);
  EXPECT_EQ(http_.Get(base_b + "/readyz").status, 200);
}

// The production shape: Kafka (the mock cluster) and Postgres. A trader killed after a POST, a
// standby taking over through the advisory lock, and Postgres stopped mid-run: readiness says why,
// and once it is back every decision ends with exactly one order.
TEST_F(TradeProcessTest, KafkaAndPostgresSurviveAKillAndAStoreOutage) {
  const std::vector<std::string> symbols = {"AAPL", "MSFT"};
  testing::MockClusterProcess cluster(
      TORGHUT_KAFKA_MOCK,
      std::string("--brokers 1 --topic ") + kMicrobars + ":3 --topic " + kSignals + ":3");
  testing::PostgresTestServer pg(dir_.path() / "pg");
  ASSERT_TRUE(pg.Start()) << pg.log();
  bus_env_ = "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap();
  store_env_ = "TRADING_STORE=postgres DB_DSN='" + pg.dsn() + "'";
  StartSim("AAPL,MSFT");
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  std::unique_ptr<TaProcess> a, b;
  const std::string base_a = StartTrade(&a, "TORGHUT_TEST_CRASH=after_post:25", "a.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base_a)["role"] == "active"; }, 60s))
      << testing::Tail(dir_.path() / "a.log");
  const std::string base_b = StartTrade(&b, "", "b.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base_b)["role"] == "standby"; }, 30s))
      << testing::Tail(dir_.path() / "b.log");

  ProduceBars(symbols, 100, NowSeconds() - 5, /*duplicate_every=*/11);
  ASSERT_TRUE(WaitFor([&] { return a->Exited(); }, 60s)) << testing::Tail(dir_.path() / "a.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base_b)["role"] == "active"; }, 30s))
      << testing::Tail(dir_.path() / "b.log");
  ASSERT_TRUE(WaitFor([&] { return OrdersAtTheBroker() >= 60; }, 60s));

  pg.Stop();
  ASSERT_TRUE(WaitFor(
      [&] {
        const testing::HttpResult r = http_.Get(base_b + "/readyz");
        return r.status == 503 && r.body.find("store") != std::string::npos;
      },
      30s))
      << http_.Get(base_b + "/readyz").body;
  ASSERT_TRUE(pg.Start()) << pg.log();
  ASSERT_TRUE(WaitFor([&] { return AllSettled(base_b, symbols, 200); }, 90s))
      << Decisions(base_b, symbols).size() << testing::Tail(dir_.path() / "b.log");
  ExpectStoreAndBrokerAgree(base_b, symbols);
  EXPECT_TRUE(WaitFor([&] { return http_.Get(base_b + "/readyz").status == 200; }, 30s));
  b->Signal(SIGTERM);
  EXPECT_EQ(b->Wait(), 0) << testing::Tail(dir_.path() / "b.log");
}

}  // namespace
}  // namespace torghut
