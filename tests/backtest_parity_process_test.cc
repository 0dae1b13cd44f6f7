// Parity of the backtest with the live path (SPEC §11): one recorded session through `torghut up`
// as it trades live — `sim serve` replaying the file as the market and the broker, the forwarder
// reading its stream, TA over the embedded bus, the trader sending orders to the simulator's
// trading API — and through `torghut backtest`. The decisions must be the same (hash, action, qty,
// status class, reasons); fills may differ only where the live matching saw a different next
// trade (the live pipeline's milliseconds are four times as much market time at --speed 4), and
// the test reports how many did.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "torghut/core/time.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

// Rules whose decisions depend on the bars alone: they only buy (a sell is sized by what the
// strategy holds, and an exit by its fills' prices and times — which follow the fills, and the
// live path's fills may land on a later print than the backtest's), and the account is too rich
// for buying power to refuse one.
constexpr char kCatalog[] = R"(strategies:
  - {name: dip, enabled: true, base_timeframe: 1Sec, type: macd-rsi, qty: 1,
     params: {rsi_buy_below: 45, rsi_sell_above: 100}}
  - {name: trend, enabled: true, base_timeframe: 1Sec, type: macd-rsi, qty: 2,
     params: {rsi_buy_below: 60, rsi_sell_above: 100}}
)";
constexpr char kCash[] = "100000000";
// The same gates and limits on both paths (a 2024 recording: no wall-clock gate may apply).
constexpr char kSettings[] =
    "TRADING_SESSION=always TRADING_MAX_SIGNAL_AGE_SECONDS=0 TRADING_MAX_ORDERS_PER_MINUTE=1000";
constexpr int kSeconds = 300;

int64_t ParseMs(const std::string& iso) {
  return ParseRfc3339(iso + (iso.back() == 'Z' ? "" : "Z")).value().millis();
}

bool Terminal(const std::string& status) {
  return status == "filled" || status == "rejected" || status == "canceled" ||
         status == "expired" || status == "done_for_day";
}

class BacktestParityTest : public ::testing::Test {
 protected:
  testing::CommandResult Torghut(const std::string& args, const std::string& env = "") {
    return testing::RunCommand(
        "cd " + dir_.path().string() + " && " + env + " " + TORGHUT_BIN + " " + args, dir_.path());
  }
  json Get(const std::string& url) { return json::parse(http_.Get(url).body, nullptr, false); }
  testing::ScratchDir dir_{"torghut-backtest-parity"};
  testing::HttpClient http_;
};

TEST_F(BacktestParityTest, TheLivePathAndTheBacktestMakeTheSameDecisions) {
  // A clean recording (no duplicates, late prints or cancels: the TA parity of those is the
  // replay tests'); 5 minutes of AAPL and MSFT from the open.
  ASSERT_EQ(Torghut("sim generate --symbols AAPL,MSFT --seconds " + std::to_string(kSeconds) +
                    " --rate 5 --duplicate-share 0 --late-share 0 --cancel-share 0 --out s.jsonl")
                .exit_code,
            0);
  testing::WriteFile(dir_.path() / "strategies.yaml", kCatalog);

  // ---- the backtest of the same file ----
  const testing::CommandResult bt = Torghut(
      "backtest --from-file s.jsonl --strategies strategies.yaml --out bt --no-progress "
      "--cash " +
          std::string(kCash),
      kSettings);
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  const json report = json::parse(testing::Slurp(dir_.path() / "bt" / "report.json"));

  // The decisions of bars that finished before the recording's last seconds (live, the very last
  // bars finish by the idle timer, a backtest never sees a later print for them).
  const std::string cutoff = "2024-01-02T14:34:50";
  std::map<std::string, json> backtest_by_hash, live_by_hash;
  for (const json& d : report["decisions"]) {
    if (d["event_ts"].get<std::string>() < cutoff) backtest_by_hash[d["decision_hash"]] = d;
  }
  ASSERT_GT(backtest_by_hash.size(), 10u) << "too few decisions to compare";

  // ---- live: the simulator replays the file (market and broker) at 4× once `up` subscribes ----
  TaProcess sim(TORGHUT_BIN, "TORGHUT_HTTP_ACCESS_LOG=false", dir_.path() / "sim.log",
                "sim serve --port 0 --from-file " + (dir_.path() / "s.jsonl").string() +
                    " --speed 4 --wait-for-subscriber --orders-per-minute 100000 --cash " + kCash);
  const std::string sim_base = testing::HttpBaseFromLog(dir_.path() / "sim.log", 0, 30s);
  ASSERT_FALSE(sim_base.empty()) << testing::Tail(dir_.path() / "sim.log");
  const std::string ws = "ws" + sim_base.substr(4);
  const std::string data = (dir_.path() / "data").string();
  std::filesystem::create_directories(data);
  testing::WriteFile(std::filesystem::path(data) / "strategies.yaml", kCatalog);
  std::vector<json> live;
  std::map<std::string, json> live_orders;  // client order id → execution
  {
    TaProcess up(TORGHUT_BIN,
                 std::string(kSettings) +
                     " TORGHUT_HTTP_ACCESS_LOG=false ALPACA_KEY_ID=sim-key "
                     "ALPACA_SECRET_KEY=sim-secret ALPACA_FEED=iex ALPACA_STREAM_URL=" +
                     ws + " ALPACA_DATA_URL=" + sim_base + " APCA_API_BASE_URL=" + sim_base +
                     " APCA_API_KEY_ID=sim-key APCA_API_SECRET_KEY=sim-secret",
                 dir_.path() / "up.log", "up --port 0 --data-dir " + data + " --symbols AAPL,MSFT");
    const std::string base = testing::HttpBaseFromLog(dir_.path() / "up.log", 0, 30s);
    ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "up.log");
    // The recording ends at 14:37:00; its last minute bars are released then.
    ASSERT_TRUE(WaitFor(
        [&] {
          const json s = Get(sim_base + "/sim/status");
          return s.is_object() && s.value("finished", false);
        },
        kSeconds / 4 * 1s + 60s))
        << Get(sim_base + "/sim/status").dump() << testing::Tail(dir_.path() / "up.log");
    // Then the pipeline drains: the live path has made every decision the backtest made before
    // the cutoff (it evaluates each symbol's bars in time order, so by then it has made all of
    // its own before the cutoff too), and every order has settled. A decision the live path never
    // makes fails the wait, and the comparison below names it.
    ASSERT_TRUE(WaitFor(
        [&] {
          std::vector<json> now;
          std::set<std::string> hashes;
          for (const std::string symbol : {"AAPL", "MSFT"}) {
            const json page = Get(base + "/trading/decisions?limit=500&symbol=" + symbol);
            if (!page.is_array()) return false;
            for (const json& d : page) {
              if (!Terminal(d["status"].get<std::string>())) return false;
              hashes.insert(d["id"].get<std::string>());
              now.push_back(d);
            }
          }
          live = std::move(now);
          for (const auto& [hash, d] : backtest_by_hash) {
            if (!hashes.count(hash)) return false;
          }
          return true;
        },
        90s))
        << live.size() << " decisions live; " << testing::Tail(dir_.path() / "up.log");
    for (const std::string symbol : {"AAPL", "MSFT"}) {
      for (const json& e : Get(base + "/trading/executions?limit=500&symbol=" + symbol)) {
        live_orders[e["client_order_id"]] = e;
      }
    }
  }

  for (const json& d : live) {
    if (d["decision"]["event_ts"].get<std::string>() < cutoff) live_by_hash[d["id"]] = d;
  }
  std::vector<std::string> only_backtest, only_live;
  for (const auto& [hash, d] : backtest_by_hash) {
    if (!live_by_hash.count(hash)) only_backtest.push_back(hash + " " + d.dump());
  }
  for (const auto& [hash, d] : live_by_hash) {
    if (!backtest_by_hash.count(hash)) only_live.push_back(hash + " " + d.dump());
  }
  EXPECT_TRUE(only_backtest.empty()) << only_backtest.size() << " decisions only in the backtest, "
                                     << "e.g. " << only_backtest.front();
  EXPECT_TRUE(only_live.empty()) << only_live.size() << " decisions only live, e.g. "
                                 << (only_live.empty() ? "" : only_live.front());
  auto accepted = [](const std::string& status) { return status != "rejected"; };
  for (const auto& [hash, b] : backtest_by_hash) {
    auto it = live_by_hash.find(hash);
    if (it == live_by_hash.end()) continue;
    const json& l = it->second;
    EXPECT_EQ(l["strategy_id"], b["strategy"]) << hash;
    EXPECT_EQ(l["symbol"], b["symbol"]) << hash;
    EXPECT_EQ(l["decision"]["action"], b["action"]) << hash;
    EXPECT_EQ(l["decision"]["qty"], b["qty"]) << hash;
    EXPECT_EQ(l["decision"]["risk_reasons"], b["risk_reasons"]) << hash;
    EXPECT_EQ(accepted(l["status"]), accepted(b["status"]))
        << hash << ": live " << l["status"] << ", backtest " << b["status"];
  }

  // Fills: where the backtest's and the live order's prices differ, the live order met another
  // print of the recording (its pipeline's milliseconds are market time at 4×, more under load).
  // The simulator's own record of the order says when, in the recording's time: the price must
  // be one the market showed then, and the order must have gone out after its bar.
  struct Print {
    int64_t ms;
    double price;
  };
  std::map<std::string, std::vector<Print>> prints;  // symbol → trades and the touch of quotes
  for (const std::string& line : testing::Lines(testing::Slurp(dir_.path() / "s.jsonl"))) {
    const json m = json::parse(line, nullptr, false);
    if (!m.is_object()) continue;
    // A market order fills at the next trade, or at the touch of a quote that comes first.
    if (m["T"] != "t" && m["T"] != "q") continue;
    const int64_t at = ParseMs(m["t"]);
    if (m["T"] == "t") prints[m["S"]].push_back({at, m["p"].get<double>()});
    if (m["T"] == "q") {
      prints[m["S"]].push_back({at, m["bp"].get<double>()});
      prints[m["S"]].push_back({at, m["ap"].get<double>()});
    }
  }
  std::map<std::string, json> sim_orders;  // client order id → the simulator's order
  {
    const json page =
        json::parse(http_
                        .Get(sim_base + "/v2/orders?status=all&limit=500",
                             {"APCA-API-KEY-ID: sim-key", "APCA-API-SECRET-KEY: sim-secret"})
                        .body,
                    nullptr, false);
    ASSERT_TRUE(page.is_array()) << page.dump();
    for (const json& o : page) sim_orders[o["client_order_id"]] = o;
  }
  std::map<std::string, json> backtest_first_fill;  // client order id → its first fill
  for (const json& f : report["fills"]) backtest_first_fill.emplace(f["client_order_id"], f);
  int compared = 0, same = 0, other = 0;
  int64_t earliest_ms = 0, latest_ms = 0;  // live fill time − the backtest's
  for (const auto& [hash, b] : backtest_by_hash) {
    auto lo = live_orders.find(b["client_order_id"]);
    auto bf = backtest_first_fill.find(b["client_order_id"]);
    if (lo == live_orders.end() || bf == backtest_first_fill.end()) continue;
    const json& l = lo->second;
    if (!l["avg_fill_price"].is_string() || l["filled_qty"] != l["submitted_qty"]) continue;
    if (bf->second["qty"] != l["filled_qty"]) continue;  // partial fills: not one print each
    ++compared;
    const double live_price = std::stod(l["avg_fill_price"].get<std::string>());
    const double backtest_price = std::stod(bf->second["price"].get<std::string>());
    if (std::abs(live_price - backtest_price) < 1e-9) {
      ++same;
      continue;
    }
    ++other;
    auto so = sim_orders.find(b["client_order_id"]);
    ASSERT_NE(so, sim_orders.end()) << b["client_order_id"] << " is not in the simulator's orders";
    ASSERT_TRUE(so->second["filled_at"].is_string()) << so->second.dump();
    const int64_t backtest_ms = ParseMs(bf->second["ts"]);
    const int64_t submitted_ms = ParseMs(so->second["submitted_at"]);
    const int64_t filled_ms = ParseMs(so->second["filled_at"]);
    earliest_ms = std::min(earliest_ms, filled_ms - backtest_ms);
    latest_ms = std::max(latest_ms, filled_ms - backtest_ms);
    // The live order goes out after its bar ended; it may meet the market before the backtest's
    // did (a bar the live path finished by the idle timer, before the event that closed it in the
    // backtest arrived) or after it (the pipeline's latency in market time).
    EXPECT_GE(submitted_ms, ParseMs(b["event_ts"])) << so->second.dump() << " " << b.dump();
    // A price the market showed from its submission to its (last) fill: one print or touch, or
    // for an order filled in parts an average of several, inside their range.
    double lo_price = 1e300, hi_price = -1e300;
    for (const Print& p : prints[b["symbol"]]) {
      if (p.ms < submitted_ms || p.ms > filled_ms) continue;
      lo_price = std::min(lo_price, p.price);
      hi_price = std::max(hi_price, p.price);
    }
    const bool found = live_price >= lo_price - 1e-9 && live_price <= hi_price + 1e-9;
    EXPECT_TRUE(found) << b["client_order_id"] << ": live filled at " << live_price
                       << ", which nothing the market showed from its submission to its fill ("
                       << so->second.dump() << ") explains";
  }
  ASSERT_GT(compared, 5);
  std::printf(
      "parity: %zu decisions the same on both paths; of %d orders filled whole on both, "
      "%d at the same price, %d at another print live (%lld ms to %+lld ms of the "
      "recording from the backtest's)\n",
      backtest_by_hash.size(), compared, same, other, static_cast<long long>(earliest_ms),
      static_cast<long long>(latest_ms));
}

}  // namespace
}  // namespace torghut
