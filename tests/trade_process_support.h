// The fixture of the `torghut trade` process tests (trade_process_test.cc: trading, gates, the
// kill switch, the stream and LLM review; trade_failover_process_test.cc: faults, kill -9,
// standby, Kafka + Postgres): the real binary, the real simulator's trading API (`torghut sim
// serve`) over real sockets, TA rows produced onto the bus with `torghut bus produce`, and what
// the tests read back (decisions, executions, the broker's book) and assert on (store and broker
// agree).
#pragma once

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

namespace torghut::trade_testing {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

inline constexpr char kAdminToken[] = "oncall-token";
inline constexpr char kMicrobars[] = "torghut.ta.bars.1s.v1";
inline constexpr char kSignals[] = "torghut.ta.signals.v1";

// Buys one share at market on every final 1 s bar (macd above its signal with rsi14 below 100 holds
// for the rows Bars() writes), so each bar is exactly one decision.
inline constexpr char kEveryBarCatalog[] = R"(strategies:
  - name: every-bar
    enabled: true
    base_timeframe: 1Sec
    type: macd-rsi
    qty: 1
    params: {rsi_buy_below: 100, rsi_sell_above: 100}
)";

// The same, plus a buy limit 99% under the bar's close: accepted, never filled (the kill switch's
// open orders).
inline constexpr char kWithRestingLimits[] = R"(strategies:
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
inline bool Terminal(const std::string& status) {
  return status == "filled" || status == "rejected" || status == "canceled" ||
         status == "expired" || status == "done_for_day";
}

class TradeProcessTest : public ::testing::Test {
 protected:
  TradeProcessTest() : dir_("torghut-trade") {}

  // `torghut sim serve` with a broker account rich enough for every test here.
  // (`port` 0: any free one; a test restarting the simulator passes the port it had.)
  void StartSim(const std::string& symbols, const std::string& extra = "", int port = 0,
                const std::string& log = "sim.log") {
    sim_ = std::make_unique<TaProcess>(
        TORGHUT_BIN, "TORGHUT_HTTP_ACCESS_LOG=false", dir_.path() / log,
        "sim serve --port " + std::to_string(port) + " --symbols " + symbols +
            " --rate 20 --cash 100000000 --orders-per-minute 100000 " + extra);
    sim_base_ = testing::HttpBaseFromLog(dir_.path() / log, 0, 30s);
    ASSERT_FALSE(sim_base_.empty()) << testing::Tail(dir_.path() / log);
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

inline int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace torghut::trade_testing
