// `torghut trade` as oncall runs it (SPEC §6, §7): the real binary, the real simulator's trading
// API
// (`torghut sim serve`) over real sockets, TA rows produced onto the bus with `torghut bus
// produce`. Over the embedded bus + SQLite and over the Kafka mock cluster + a Postgres server
// started here: every bar decides once, paper orders are placed and filled, disabled and
// live-without-the-flag send nothing, the kill switch cancels what is open, and under broker
// faults, kill -9 at both crash windows, a standby taking over and the store going away there is
// exactly one broker order per decision and the store and the broker agree at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "torghut/core/time.h"
#include "torghut/ta/row_json.h"
#include "torghut/ta/rows.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/kafka_mock_process.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

constexpr char kAdminToken[] = "oncall-token";
constexpr char kMicrobars[] = "torghut.ta.bars.1s.v1";
constexpr char kSignals[] = "torghut.ta.signals.v1";

// Buys one share at market on every final 1 s bar (macd above its signal with rsi14 below 100 holds
// for the rows Bars() writes), so each bar is exactly one decision.
constexpr char kEveryBarCatalog[] = R"(strategies:
  - name: every-bar
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
)";

// The same, plus a buy limit 99% under the bar's close: accepted, never filled (the kill switch's
// open orders).
constexpr char kWithRestingLimits[] = R"(strategies:
  - name: every-bar
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
  - name: resting-limit
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    order_type: limit
    limit_offset_bps: -9900
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
)";

// Statuses after which nothing more happens to a decision's order.
bool Terminal(const std::string& status) {
  return status == "filled" || status == "rejected" || status == "canceled" ||
         status == "expired" || status == "done_for_day";
}

class TradeProcessTest : public ::testing::Test {
 protected:
  TradeProcessTest() : dir_("torghut-trade") {}

  // `torghut sim serve` with a broker account rich enough for every test here.
  void StartSim(const std::string& symbols, const std::string& extra = "") {
    sim_ = std::make_unique<TaProcess>(
        TORGHUT_BIN, "TORGHUT_HTTP_ACCESS_LOG=false", dir_.path() / "sim.log",
        "sim serve --port 0 --symbols " + symbols +
            " --rate 20 --cash 100000000 --orders-per-minute 100000 " + extra);
    sim_base_ = testing::HttpBaseFromLog(dir_.path() / "sim.log", 0, 30s);
    ASSERT_FALSE(sim_base_.empty()) << testing::Tail(dir_.path() / "sim.log");
  }
  json SimGet(const std::string& path) {
    const testing::HttpResult r = http_.Get(
        sim_base_ + path, {"APCA-API-KEY-ID: sim-key", "APCA-API-SECRET-KEY: sim-secret"});
    return json::parse(r.body, nullptr, false);
  }
  json SimStatus() {
    return json::parse(http_.Get(sim_base_ + "/sim/status").body, nullptr, false);
  }
  json SimBroker() {
    return json::parse(http_.Get(sim_base_ + "/sim/status").body, nullptr, false)["broker"];
  }
  void SimFaults(const json& faults) {
    ASSERT_EQ(http_.Post(sim_base_ + "/sim/faults", faults.dump()).status, 200);
  }
  int64_t OrdersAtTheBroker() { return SimBroker()["orders_created"].get<int64_t>(); }

  // Where the trader's bus and store are (embedded + SQLite unless a test says otherwise).
  std::string BusEnv() const {
    const std::string data = (dir_.path() / "data").string();
    return bus_env_.empty() ? "TORGHUT_DATA_DIR=" + data + " BUS_DIR=" + data + "/bus" : bus_env_;
  }
  std::string TradeEnv(const std::string& extra) const {
    return BusEnv() + " " + store_env_ +
           " TORGHUT_HTTP_ACCESS_LOG=false TRADING_ENABLED=true TRADING_MODE=paper"
           " TRADING_SESSION=always"
           " TRADING_AUTO_OFFSET_RESET=earliest TRADING_MAX_SIGNAL_AGE_SECONDS=0"
           " TRADING_MAX_ORDERS_PER_MINUTE=100000 TRADING_RECONCILE_MS=500"
           " TRADING_LEASE_RETRY_MS=200 TRADING_STRATEGY_RELOAD_SECONDS=1"
           " TRADING_STRATEGY_CONFIG_PATH=" +
           (dir_.path() / "strategies.yaml").string() + " TORGHUT_ADMIN_TOKEN=" + kAdminToken +
           " APCA_API_BASE_URL=" + sim_base_ +
           " APCA_API_KEY_ID=sim-key APCA_API_SECRET_KEY=sim-secret " + extra;
  }
  // Starts `torghut trade`; returns its HTTP base ("" if it never listened).
  std::string StartTrade(std::unique_ptr<TaProcess>* p, const std::string& extra = "",
                         const std::string& log = "trade.log") {
    const size_t from = testing::Slurp(dir_.path() / log).size();
    *p = std::make_unique<TaProcess>(TORGHUT_BIN, TradeEnv(extra), dir_.path() / log, "trade");
    return testing::HttpBaseFromLog(dir_.path() / log, from, 30s);
  }

  // `count` final 1 s bars per symbol ending `end_s` seconds since the epoch, as TA writes them
  // (a microbar and a signal row each), produced onto the TA topics: the signals first, their
  // symbols in the opposite order, and every `duplicate_every`th row twice. The feed must decide
  // once per bar whatever the arrival order across topics and symbols (within one symbol and
  // topic TA writes in event time, and so does this).
  void ProduceBars(const std::vector<std::string>& symbols, int count, int64_t end_s,
                   int duplicate_every = 0, double rsi14 = 40) {
    std::map<std::string, std::string> bars, signals;
    int n = 0;
    auto add = [&](std::string* out, const std::string& line) {
      *out += line + "\n";
      if (duplicate_every > 0 && ++n % duplicate_every == 0) *out += line + "\n";
    };
    for (const std::string& symbol : symbols) {
      for (int i = 0; i < count; ++i) {
        const int64_t t = end_s - count + 1 + i;
        ta::RowIdentity id;
        id.symbol = symbol;
        id.event_ts = id.window_end = Timestamp::FromNanos(t * kNanosPerSecond);
        id.window_start = Timestamp::FromNanos((t - 1) * kNanosPerSecond);
        id.ingest_ts = id.event_ts;
        id.seq = t;
        id.is_final = true;
        id.version = 3;
        ta::MicrobarRow bar;
        bar.id = id;
        bar.o = bar.h = bar.l = bar.c = bar.vwap = 100.0 + (i % 7) * 0.01;
        bar.v = 100;
        bar.count = 1;
        ta::SignalRow signal;
        signal.id = id;
        signal.macd = 0.5;
        signal.macd_signal = 0.25;
        signal.macd_hist = 0.25;
        signal.rsi14 = rsi14;
        std::string line;
        ta::AppendMicrobarJson(bar, &line);
        add(&bars[symbol], line);
        line.clear();
        ta::AppendSignalJson(signal, &line);
        add(&signals[symbol], line);
      }
    }
    std::string signal_lines, bar_lines;
    for (auto it = signals.rbegin(); it != signals.rend(); ++it) signal_lines += it->second;
    for (const auto& [symbol, lines] : bars) bar_lines += lines;
    Produce(kSignals, signal_lines);
    Produce(kMicrobars, bar_lines);
  }
  void Produce(const std::string& topic, const std::string& lines) {
    const std::filesystem::path file = dir_.path() / ("produce-" + topic + ".jsonl");
    testing::WriteFile(file, lines);
    const testing::CommandResult r =
        testing::RunCommand(BusEnv() + " " + TORGHUT_BIN + " bus produce --topic " + topic +
                                " --key-field symbol " + file.string(),
                            dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  json Get(const std::string& url) { return json::parse(http_.Get(url).body, nullptr, false); }
  json Status(const std::string& base) { return Get(base + "/trading/status"); }
  // Every decision the trader recorded for `symbols` (the API pages by symbol, 500 at most).
  std::vector<json> Decisions(const std::string& base, const std::vector<std::string>& symbols) {
    std::vector<json> out;
    for (const std::string& s : symbols) {
      const json page = Get(base + "/trading/decisions?limit=500&symbol=" + s);
      if (!page.is_array()) return {};
      for (const json& d : page) out.push_back(d);
    }
    return out;
  }
  // True once `want` decisions exist and all of them are in a terminal status.
  bool AllSettled(const std::string& base, const std::vector<std::string>& symbols, size_t want) {
    const std::vector<json> ds = Decisions(base, symbols);
    if (ds.size() != want) return false;
    for (const json& d : ds) {
      if (!Terminal(d["status"].get<std::string>())) return false;
    }
    return true;
  }
  testing::HttpResult KillSwitch(const std::string& base, bool on) {
    return http_.Post(base + "/trading/kill-switch", json{{"on", on}}.dump(),
                      {std::string("Authorization: Bearer ") + kAdminToken});
  }

  // The trader's executions of `symbols`, by client order id.
  std::map<std::string, json> Executions(const std::string& base,
                                         const std::vector<std::string>& symbols) {
    std::map<std::string, json> out;
    for (const std::string& s : symbols) {
      const json page = Get(base + "/trading/executions?limit=500&symbol=" + s);
      if (!page.is_array()) return {};
      for (const json& e : page) out[e["client_order_id"].get<std::string>()] = e;
    }
    return out;
  }

  // The store and the broker agree: each decision that was not rejected names exactly one broker
  // order through its client order id — the only orders there are — and the store's execution
  // has that order's id, status and filled quantity.
  void ExpectStoreAndBrokerAgree(const std::string& base, const std::vector<std::string>& symbols) {
    const json broker = SimBroker();
    const std::map<std::string, json> executions = Executions(base, symbols);
    std::set<std::string> ids;
    for (const json& d : Decisions(base, symbols)) {
      if (d["status"] == "rejected") continue;
      const std::string coid = d["decision"]["client_order_id"];
      ids.insert(coid);
      EXPECT_EQ(broker["orders_by_client_order_id"].value(coid, 0), 1) << coid;
      const json order = SimGet("/v2/orders:by_client_order_id?client_order_id=" + coid);
      ASSERT_TRUE(order.is_object()) << coid;
      auto e = executions.find(coid);
      ASSERT_NE(e, executions.end()) << coid;
      EXPECT_EQ(order["status"], d["status"]) << coid;
      EXPECT_EQ(order["status"], e->second["status"]) << coid;
      EXPECT_EQ(order["id"], e->second["alpaca_order_id"]) << coid;
      EXPECT_EQ(order["filled_qty"], e->second["filled_qty"]) << coid;
    }
    EXPECT_EQ(executions.size(), ids.size());
    EXPECT_EQ(broker["orders_by_client_order_id"].size(), ids.size());
    EXPECT_EQ(broker["orders_created"].get<int64_t>(), static_cast<int64_t>(ids.size()));
  }

  testing::ScratchDir dir_;
  testing::HttpClient http_;
  std::unique_ptr<TaProcess> sim_;
  std::string sim_base_;
  std::string bus_env_, store_env_;
};

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

TEST_F(TradeProcessTest, DisabledLiveWithoutTheFlagOrKillSwitchedRecordsRejectionsAndSendsNothing) {
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
    // Its own store (and lease) in its own data directory and its own consumer group, on the
    // same bus: each case reads the same ten bars.
    std::unique_ptr<TaProcess> trade;
    const std::string base =
        StartTrade(&trade, c.env + " TRADING_GROUP_ID=g-" + c.reason +
                               " TORGHUT_DATA_DIR=" + (dir_.path() / c.reason).string());
    ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "trade.log");
    ASSERT_TRUE(WaitFor([&] { return Decisions(base, symbols).size() == 10; }, 30s))
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
  ExpectStoreAndBrokerAgree(base, symbols);
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
  const json open = Status(base)["llm"];
  EXPECT_EQ(open["circuit"]["state"], "open") << open.dump();
  EXPECT_EQ(open["circuit"]["open"], true);
  EXPECT_FALSE(open["circuit"]["open_until"].is_null());
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
