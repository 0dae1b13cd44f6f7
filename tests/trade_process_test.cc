// `torghut trade` as oncall runs it (SPEC §6, §7), over the embedded bus + SQLite: every bar
// decides once, paper orders are placed and filled, disabled, live-without-the-flag and the kill
// switch at start send nothing, the kill switch cancels what is open, fills missed while the
// trade_updates stream was down are reconciled on reconnect, and LLM review vetoes, records and
// trips its circuit. The fixture: tests/trade_process_support.h.
#include <functional>
#include "torghut/store/sqlite/sqlite_trading_store.h"

#include "trade_process_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using namespace trade_testing;  // NOLINT(google-build-using-namespace): the fixture's vocabulary
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

TEST_F(TradeProcessTest, PaperTradesEachBarOnceAndTheKillSwitchCancelsWhatIsOpen) {
  const std::vector<std::string> symbols = {"AAPL", "MSFT"};
  StartSim("AAPL,MSFT");
  testing::WriteFile(dir_.path() / "strategies.yaml", kWithRestingLimits);
  const int64_t end_s = NowSeconds();
  ProduceBars(symbols, 20, end_s - 40, /*duplicate_every=*/7);
  std::unique_ptr<TaProcess> trade;
  std::string base = StartTrade(&trade);
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");

  // 20 bars × 2 symbols × 2 strategies: 80 decisions, each one order; the market ones fill at the
  // simulator's next print, the limits rest.
  auto settled_and_resting = [&](size_t want, size_t resting) {
    const std::vector<json> ds = Decisions(base, symbols);
    if (ds.size() != want) return false;
    size_t open = 0;
    for (const json& d : ds) {
      const std::string st = d["status"];
      if (d["strategy_id"] == "resting-limit") {
        open += st == "new" || st == "accepted";
      } else if (st != "filled") {
        return false;
      }
    }
    return open == resting;
  };
  ASSERT_TRUE(WaitFor([&] { return settled_and_resting(80, 40); }, 60s))
      << Decisions(base, symbols).size() << testing::Tail(dir_.path() / "trade.log");
  ExpectStoreAndBrokerAgree(base, symbols);
  for (const json& d : Decisions(base, symbols)) {
    EXPECT_EQ(d["decision"]["risk_reasons"], json::array());
    EXPECT_EQ(d["alpaca_account_label"], "paper");
  }
  for (const auto& [coid, e] : Executions(base, symbols)) {
    if (e["order_type"] == "market") {
      EXPECT_EQ(e["filled_qty"], "1") << e.dump();
    }
  }
  // The broker's book shows the same: 20 shares of each, 40 open limits.
  const json positions = SimGet("/v2/positions");
  ASSERT_EQ(positions.size(), 2u) << positions.dump();
  for (const json& p : positions) EXPECT_EQ(p["qty"], "20") << p.dump();
  EXPECT_EQ(SimGet("/v2/orders?status=open&limit=500").size(), 40u);
  json status = Status(base);
  EXPECT_EQ(status["role"], "active");
  EXPECT_EQ(status["metrics"]["decisions_total"], 80);
  EXPECT_EQ(status["metrics"]["orders_submitted_total"], 80);
  EXPECT_EQ(status["trade_updates_connected"], true);
  EXPECT_EQ(http_.Get(base + "/readyz").status, 200);
  const std::string metrics = http_.Get(base + "/metrics").body;
  EXPECT_NE(metrics.find("torghut_trading_orders_total{result=\"submitted\"} 80"),
            std::string::npos);
  EXPECT_NE(metrics.find("torghut_trading_active 1"), std::string::npos);

  // SIGTERM: a clean exit; the restart evaluates nothing twice and carries on with new bars.
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0) << testing::Tail(dir_.path() / "trade.log");
  base = StartTrade(&trade);
  ASSERT_FALSE(base.empty());
  ProduceBars(symbols, 5, end_s - 20);
  ASSERT_TRUE(WaitFor([&] { return settled_and_resting(100, 50); }, 60s))
      << Decisions(base, symbols).size() << testing::Tail(dir_.path() / "trade.log");
  EXPECT_EQ(OrdersAtTheBroker(), 100);

  // A catalog edited to nonsense is reported and changes nothing.
  testing::WriteFile(dir_.path() / "strategies.yaml", "strategies: [{name: 1, type: ???\n");
  ASSERT_TRUE(WaitFor([&] { return !Status(base)["catalog"]["last_error"].is_null(); }, 30s));
  EXPECT_EQ(Status(base)["strategies"], 2);

  // The kill switch: refused without the token; with it, every open order is cancelled at the
  // broker and new decisions are rejected for it with nothing sent.
  EXPECT_EQ(http_.Post(base + "/trading/kill-switch", R"({"on":true})").status, 401);
  ASSERT_EQ(KillSwitch(base, true).status, 200);
  ASSERT_TRUE(WaitFor([&] { return SimGet("/v2/orders?status=open").empty(); }, 30s));
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const json& d : Decisions(base, symbols)) {
          if (d["strategy_id"] == "resting-limit" && d["status"] != "canceled") return false;
        }
        return true;
      },
      30s));
  ProduceBars(symbols, 3, end_s - 10);
  ASSERT_TRUE(WaitFor([&] { return Decisions(base, symbols).size() == 112; }, 30s));
  int killed = 0;
  for (const json& d : Decisions(base, symbols)) {
    if (d["status"] != "rejected") continue;
    ++killed;
    EXPECT_NE(d["decision"]["risk_reasons"].dump().find("kill_switch"), std::string::npos);
  }
  EXPECT_EQ(killed, 12);
  EXPECT_EQ(OrdersAtTheBroker(), 100);
  EXPECT_EQ(Status(base)["kill_switch"], true);
  ExpectStoreAndBrokerAgree(base, symbols);
  // Off again: trading resumes (with the last good catalog).
  ASSERT_EQ(KillSwitch(base, false).status, 200);
  ProduceBars(symbols, 1, end_s);
  ASSERT_TRUE(WaitFor([&] { return OrdersAtTheBroker() == 104; }, 30s));
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0);
}

// The gates: trading disabled, live mode without TRADING_LIVE_ENABLED, the kill switch at start —
// every decision recorded rejected with its reason, nothing sent to the broker.
class TradeGatesTest : public TradeProcessTest {
 protected:
  // `store_env(reason)`: each case's own store (and lease), so each reads the same ten bars.
  void ExpectEachGateRejectsEverything(
      const std::function<std::string(const std::string& reason)>& store_env) {
    const std::vector<std::string> symbols = {"AAPL"};
    StartSim("AAPL");
    testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
    ProduceBars(symbols, 10, NowSeconds() - 5);
    struct Case {
      std::string env, reason;
    };
    for (const Case& c : {Case{"TRADING_ENABLED=false", "trading_disabled"},
                          Case{"TRADING_MODE=live", "live_trading_disabled"},
                          Case{"TRADING_KILL_SWITCH=true", "kill_switch"}}) {
      SCOPED_TRACE(c.env);
      std::unique_ptr<TaProcess> trade;
      const std::string base =
          StartTrade(&trade, c.env + " TRADING_GROUP_ID=g-" + c.reason + " " + store_env(c.reason));
      ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
      ASSERT_TRUE(WaitFor([&] { return Decisions(base, symbols).size() == 10; }, 60s))
          << testing::Tail(dir_.path() / "trade.log");
      for (const json& d : Decisions(base, symbols)) {
        EXPECT_EQ(d["status"], "rejected");
        EXPECT_EQ(d["decision"]["risk_reasons"], json::array({c.reason}));
        EXPECT_TRUE(d["executed_at"].is_null());
      }
      EXPECT_TRUE(Executions(base, symbols).empty());
      EXPECT_EQ(SimBroker()["order_posts"], 0);
      trade->Signal(SIGTERM);
      EXPECT_EQ(trade->Wait(), 0);
    }
  }
};

TEST_F(TradeGatesTest, OnTheEmbeddedBusAndSqlite) {
  ExpectEachGateRejectsEverything([&](const std::string& reason) {
    return "TORGHUT_DATA_DIR=" + (dir_.path() / reason).string();
  });
}

TEST_F(TradeGatesTest, OnKafkaAndPostgres) {
  testing::MockClusterProcess cluster(
      TORGHUT_KAFKA_MOCK,
      std::string("--brokers 1 --topic ") + kMicrobars + ":3 --topic " + kSignals + ":3");
  testing::PostgresTestServer pg(dir_.path() / "pg");
  ASSERT_TRUE(pg.Start()) << pg.log();
  for (const char* db : {"trading_disabled", "live_trading_disabled", "kill_switch"}) {
    ASSERT_TRUE(pg.CreateDatabase(db)) << db;
  }
  bus_env_ = "BUS=kafka KAFKA_BOOTSTRAP_SERVERS=" + cluster.bootstrap();
  ExpectEachGateRejectsEverything([&](const std::string& reason) {
    return "TRADING_STORE=postgres DB_DSN='" + pg.dsn(reason) + "'";
  });
}

// Alpaca does not replay order events sent while the stream was down: when trade_updates comes
// back, the trader reconciles at once rather than at its next period (10 minutes here).
TEST_F(TradeProcessTest, FillsMissedWhileTradeUpdatesWasDownAreReconciledOnReconnect) {
  const std::vector<std::string> symbols = {"AAPL"};
  StartSim("AAPL");
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  std::unique_ptr<TaProcess> trade;
  const std::string base = StartTrade(&trade, "TRADING_RECONCILE_MS=600000");
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base)["trade_updates_connected"] == true; }, 30s))
      << testing::Tail(dir_.path() / "trade.log");
  SimFaults({{"trade_updates_drop", true}});
  ASSERT_TRUE(WaitFor([&] { return Status(base)["trade_updates_connected"] == false; }, 30s));
  ProduceBars(symbols, 5, NowSeconds() - 5);
  // The broker fills all five; the trader, deaf, still has them as sent.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json orders = SimGet("/v2/orders?status=closed&limit=500");
        return orders.is_array() && orders.size() == 5 &&
               std::all_of(orders.begin(), orders.end(),
                           [](const json& o) { return o["status"] == "filled"; });
      },
      30s));
  const std::vector<json> before = Decisions(base, symbols);
  ASSERT_EQ(before.size(), 5u);
  for (const json& d : before) EXPECT_NE(d["status"], "filled") << d.dump();
  SimFaults({{"trade_updates_drop", false}});
  ASSERT_TRUE(WaitFor([&] { return AllSettled(base, symbols, 5); }, 60s))
      << testing::Tail(dir_.path() / "trade.log");
  for (const json& d : Decisions(base, symbols)) EXPECT_EQ(d["status"], "filled") << d.dump();
  EXPECT_EQ(Status(base)["trade_updates_connected"], true);
  // The five fills came by reconciliation, not the stream: counted as drift.
  const json metrics = Get(base + "/trading/metrics")["metrics"];
  EXPECT_GE(metrics["reconcile_drift_total"].get<int64_t>(), 5) << metrics.dump();
  EXPECT_GE(metrics["reconcile_updates_total"].get<int64_t>(), 5) << metrics.dump();
  ExpectStoreAndBrokerAgree(base, symbols);
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0);
}

// SIGTERM while an order's POST is in flight: the answer is awaited and recorded before the
// process exits 0 — the store holds the order, not a claim for recovery to settle. Then the
// broker goes away: the next trader is not ready and says why (broker_unavailable), and is ready
// again once the broker answers.
TEST_F(TradeProcessTest, SigtermRecordsTheOrderInFlightAndABrokerDownIsNotReady) {
  const std::vector<std::string> symbols = {"AAPL"};
  StartSim("AAPL");
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  std::unique_ptr<TaProcess> trade;
  std::string base = StartTrade(&trade, "ALPACA_TIMEOUT_MS=20000 TRADING_RECONCILE_MS=600000");
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base)["role"] == "active"; }, 30s));
  SimFaults({{"orders_delay_ms", 3000}});
  ProduceBars(symbols, 1, NowSeconds() - 2);
  // The claim is durable and the POST is being answered slowly.
  std::string hash;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const json& d : Decisions(base, symbols)) {
          if (d["status"] == "submitting") hash = d["id"].get<std::string>();
        }
        return !hash.empty();
      },
      30s))
      << testing::Tail(dir_.path() / "trade.log");
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0) << testing::Tail(dir_.path() / "trade.log");
  EXPECT_EQ(OrdersAtTheBroker(), 1);
  {
    auto store = store::OpenSqliteTradingStore(dir_.path() / "data" / "trading.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const auto d = (*store)->GetDecision(hash);
    ASSERT_TRUE(d.ok() && d->has_value());
    EXPECT_NE((*d)->status, trading::DecisionStatus::kSubmitting);
    EXPECT_NE((*d)->status, trading::DecisionStatus::kPlanned);
    const auto e = (*store)->GetExecution((*d)->client_order_id);
    ASSERT_TRUE(e.ok() && e->has_value());
    EXPECT_TRUE((*e)->broker_order_id.has_value());
  }
  // The broker down at start (the simulator stopped): not ready, the reason named; the
  // simulator back on its port: ready.
  const int port = std::stoi(sim_base_.substr(sim_base_.rfind(':') + 1));
  sim_->Signal(SIGTERM);
  EXPECT_EQ(sim_->Wait(), 0);
  base = StartTrade(&trade, "TRADING_RECONCILE_MS=600000", "trade-2.log");
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade-2.log");
  ASSERT_TRUE(WaitFor(
      [&] {
        const testing::HttpResult r = http_.Get(base + "/readyz");
        return r.status == 503 && r.body.find("broker_unavailable") != std::string::npos;
      },
      30s))
      << http_.Get(base + "/readyz").body << testing::Tail(dir_.path() / "trade-2.log");
  StartSim("AAPL", "", port, "sim-2.log");
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 30s))
      << http_.Get(base + "/readyz").body;
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0);
}

// LLM review against the simulator's reviewer (`/v1/chat/completions`): approvals trade, its
// vetoes are recorded `llm_veto` with nothing sent, every review is stored with its tokens and
// latency; injected 500s open the circuit (decisions then rejected `llm_circuit_open` without a
// call), and after the cooldown one trial closes it again.
TEST_F(TradeProcessTest, LlmReviewVetoesTradesAndItsCircuitOpensAndClosesAgain) {
  const std::vector<std::string> symbols = {"AAPL"};
  StartSim("AAPL");
  testing::WriteFile(dir_.path() / "strategies.yaml", kEveryBarCatalog);
  std::unique_ptr<TaProcess> trade;
  const std::string base = StartTrade(
      &trade, "LLM_ENABLED=true LLM_BASE_URL=" + sim_base_ +
                  "/v1 LLM_API_KEY=sim-llm-key LLM_MODEL=sim-reviewer LLM_CIRCUIT_MAX_ERRORS=2 "
                  "LLM_CIRCUIT_COOLDOWN_SECONDS=1 LLM_TIMEOUT_SECONDS=5");
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
  ASSERT_TRUE(WaitFor([&] { return Status(base)["role"] == "active"; }, 30s));
  EXPECT_EQ(Status(base)["llm"]["enabled"], true);
  EXPECT_EQ(Status(base)["llm"]["circuit"]["state"], "closed");
  const int64_t t0 = NowSeconds() - 100;
  auto decisions_now = [&] { return Decisions(base, symbols); };
  auto by_status = [&](const std::string& status) {
    int n = 0;
    for (const json& d : decisions_now()) n += d["status"] == status;
    return n;
  };
  // 1. RSI 40: the reviewer approves; the orders go out and fill.
  ProduceBars(symbols, 3, t0 + 3);
  ASSERT_TRUE(WaitFor([&] { return AllSettled(base, symbols, 3); }, 30s))
      << testing::Tail(dir_.path() / "trade.log");
  for (const json& d : decisions_now()) {
    EXPECT_EQ(d["status"], "filled") << d.dump();
    const json& r = d["decision"]["llm_review"];
    EXPECT_EQ(r["verdict"], "approve") << d.dump();
    EXPECT_EQ(r["model"], "sim-reviewer");
    EXPECT_GT(r["prompt_tokens"].get<int64_t>(), 0);
    EXPECT_GT(r["completion_tokens"].get<int64_t>(), 0);
    EXPECT_GE(r["latency_ms"].get<int64_t>(), 0);
  }
  // 2. RSI 85 on a buy: vetoed, recorded, nothing sent.
  ProduceBars(symbols, 2, t0 + 5, 0, /*rsi14=*/85);
  ASSERT_TRUE(WaitFor([&] { return decisions_now().size() == 5; }, 30s));
  EXPECT_EQ(by_status("rejected"), 2);
  for (const json& d : decisions_now()) {
    if (d["status"] != "rejected") continue;
    EXPECT_EQ(d["decision"]["risk_reasons"], json::array({"llm_veto"})) << d.dump();
    EXPECT_EQ(d["decision"]["llm_review"]["verdict"], "veto");
  }
  EXPECT_EQ(OrdersAtTheBroker(), 3);
  // 3. Two 500s: two llm_error rejections, and the circuit opens.
  SimFaults({{"llm_http_500", 2}});
  ProduceBars(symbols, 2, t0 + 7);
  ASSERT_TRUE(WaitFor([&] { return decisions_now().size() == 7; }, 30s));
  // It opened once. (The cooldown is 1 s: on a loaded machine the status may be read after it
  // ended, half-open by then.)
  EXPECT_EQ(Get(base + "/trading/metrics")["metrics"]["llm_circuit_open_total"], 1);
  const json open = Status(base)["llm"];
  if (open["circuit"]["state"] == "open") {
    EXPECT_EQ(open["circuit"]["open"], true);
    EXPECT_FALSE(open["circuit"]["open_until"].is_null());
  } else {
    EXPECT_EQ(open["circuit"]["state"], "half_open") << open.dump();
  }
  // 4. While open: no call, rejected llm_circuit_open. (The cooldown is 1 s: a bar produced
  //    right away may already meet the half-open state, so this is checked on what was reviewed.)
  const int64_t requests_before = SimStatus()["llm"]["requests"].get<int64_t>();
  ProduceBars(symbols, 1, t0 + 8);
  ASSERT_TRUE(WaitFor([&] { return decisions_now().size() == 8; }, 30s));
  const json eighth = decisions_now().front();  // newest first
  if (eighth["decision"]["risk_reasons"] == json::array({"llm_circuit_open"})) {
    EXPECT_EQ(SimStatus()["llm"]["requests"].get<int64_t>(), requests_before);
    EXPECT_EQ(eighth["decision"]["llm_review"]["verdict"], "skipped");
  } else {
    EXPECT_EQ(eighth["decision"]["llm_review"]["verdict"], "approve") << eighth.dump();
  }
  // 5. After the cooldown: half-open, one trial approves, closed again.
  ASSERT_TRUE(WaitFor([&] { return Status(base)["llm"]["circuit"]["state"] != "open"; }, 30s));
  ProduceBars(symbols, 1, t0 + 9);
  ASSERT_TRUE(WaitFor([&] { return decisions_now().size() == 9; }, 30s));
  EXPECT_EQ(decisions_now().front()["decision"]["llm_review"]["verdict"], "approve");
  EXPECT_EQ(Status(base)["llm"]["circuit"]["state"], "closed");
  const json m = Get(base + "/trading/metrics")["metrics"];
  EXPECT_GE(m["llm_approve_total"].get<int64_t>(), 4);
  EXPECT_EQ(m["llm_veto_total"], 2);
  EXPECT_EQ(m["llm_error_total"], 2);
  EXPECT_EQ(m["llm_circuit_open_total"], 1);
  const std::string prom = http_.Get(base + "/metrics").body;
  EXPECT_NE(prom.find("torghut_llm_requests_total{verdict=\"veto\"} 2"), std::string::npos);
  EXPECT_NE(prom.find("torghut_llm_errors_total{kind=\"unavailable\"} 2"), std::string::npos);
  trade->Signal(SIGTERM);
  EXPECT_EQ(trade->Wait(), 0);
}

}  // namespace
}  // namespace torghut
