// `torghut up` as a user runs it: the simulated market → forwarder → embedded bus → TA → SQLite →
// read API and paper trading against the simulator's broker in one process; SIGTERM stops it
// cleanly, a restart continues from where it stopped, and `torghut serve` reads the same stores
// (the trading store only when TRADING_STORE is set).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "torghut/testing/http_client.h"
#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace torghut {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::TaProcess;
using testing::WaitFor;

class UpProcessTest : public ::testing::Test {
 protected:
  UpProcessTest() : dir_("torghut-up") {}
  json Get(const std::string& url) { return json::parse(http_.Get(url).body, nullptr, false); }
  // The newest 1 s bar of `symbol` (event_ts), "" while there is none.
  std::string NewestBar(const std::string& base, const std::string& symbol) {
    const json j = Get(base + "/api/torghut/ta/latest?symbol=" + symbol);
    return j.is_object() && j["bars"].is_object() ? j["bars"]["event_ts"].get<std::string>() : "";
  }
  // Where TA's first "partition assigned" line at or after `from` starts (the trader logs its own).
  static size_t TaAssignment(const std::string& log, size_t from) {
    for (size_t at = log.find("partition assigned", from); at != std::string::npos;
         at = log.find("partition assigned", at + 1)) {
      const size_t line = log.rfind('\n', at);
      const size_t begin = line == std::string::npos ? 0 : line + 1;
      if (log.substr(begin, at - begin).find("\"component\":\"ta\"") != std::string::npos)
        return at;
    }
    return std::string::npos;
  }
  // How many of the decisions on AAPL and MSFT are filled.
  int FilledDecisions(const std::string& base) {
    int filled = 0;
    for (const std::string symbol : {"AAPL", "MSFT"}) {
      const json page = Get(base + "/trading/decisions?symbol=" + symbol);
      if (!page.is_array()) continue;
      for (const json& d : page) filled += d["status"] == "filled";
    }
    return filled;
  }
  testing::ScratchDir dir_;
  testing::HttpClient http_;
};

TEST_F(UpProcessTest, RunsThePipelineStopsCleanlyAndContinuesAfterARestart) {
  const std::string data = (dir_.path() / "data").string();
  const std::string args = "up --port 0 --data-dir " + data + " --symbols AAPL,MSFT --rate 20";
  std::string first_newest;
  {
    // With LLM review on: `up` asks its own simulator's reviewer (no LLM_BASE_URL needed).
    TaProcess up(TORGHUT_BIN,
                 "LLM_ENABLED=true LLM_CIRCUIT_MAX_ERRORS=2 LLM_CIRCUIT_COOLDOWN_SECONDS=2",
                 dir_.path() / "up.log", args);
    const std::string base = testing::HttpBaseFromLog(dir_.path() / "up.log", 0, 30s);
    ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "up.log");
    ASSERT_TRUE(WaitFor(
        [&] {
          return Get(base + "/api/torghut/symbols")["symbols"] == json::array({"AAPL", "MSFT"});
        },
        60s))
        << testing::Tail(dir_.path() / "up.log");
    ASSERT_TRUE(WaitFor([&] { return !NewestBar(base, "MSFT").empty(); }, 30s));
    ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 30s))
        << http_.Get(base + "/readyz").body;
    const json ready = Get(base + "/readyz");
    EXPECT_EQ(ready["ws"]["gates"]["alpaca_ws"], true);
    EXPECT_EQ(ready["ta"]["state"], "running");
    // Bars keep coming (the market runs in real time).
    first_newest = NewestBar(base, "AAPL");
    ASSERT_TRUE(WaitFor([&] { return NewestBar(base, "AAPL") > first_newest; }, 30s));
    first_newest = NewestBar(base, "AAPL");
    // Live updates: the stream of the symbol being viewed carries bars as they are written.
    {
      testing::CommandResult sse = testing::RunCommand(
          "curl -sN --max-time 3 '" + base + "/api/torghut/ta/stream?symbol=AAPL'", dir_.path());
      EXPECT_GE(testing::CountOccurrences(sse.out, "event: bar"), 2) << sse.out.substr(0, 500);
      EXPECT_GE(testing::CountOccurrences(sse.out, "event: signal"), 2);
    }
    // Paper trading on the seeded demo catalog, against the built-in simulator's trading API:
    // a decision is planned, sent and filled, and the fill is at the broker and in the store.
    ASSERT_TRUE(WaitFor([&] { return FilledDecisions(base) > 0; }, 120s))
        << Get(base + "/trading/status").dump() << testing::Tail(dir_.path() / "up.log");
    const json status = Get(base + "/trading/status");
    EXPECT_EQ(status["mode"], "paper") << status.dump();
    EXPECT_EQ(status["enabled"], true);
    EXPECT_EQ(status["llm"]["enabled"], true);
    EXPECT_EQ(status["llm"]["circuit"]["state"], "closed");
    // Every decision was reviewed: the review is stored with it, tokens and latency included.
    int reviewed = 0;
    for (const std::string symbol : {"AAPL", "MSFT"}) {
      for (const json& d : Get(base + "/trading/decisions?symbol=" + symbol)) {
        const json& r = d["decision"]["llm_review"];
        ASSERT_TRUE(r.is_object()) << d.dump();
        EXPECT_TRUE(r["verdict"] == "approve" || r["verdict"] == "veto") << r.dump();
        EXPECT_GT(r["prompt_tokens"].get<int64_t>(), 0);
        EXPECT_GE(r["latency_ms"].get<int64_t>(), 0) << r.dump();
        ++reviewed;
      }
    }
    EXPECT_GT(reviewed, 0);
    EXPECT_EQ(
        Get(base + "/trading/metrics")["metrics"]["llm_requests_total"].get<int>() >= reviewed,
        true);
    // Two failing reviews (the simulator's reviewer answers 500) open the circuit; the failed
    // decisions are rejected llm_error; after the cooldown a trial review closes it again.
    auto metric = [&](const char* name) {
      const json m = Get(base + "/trading/metrics")["metrics"];
      return m.is_object() && m[name].is_number() ? m[name].get<int64_t>() : -1;
    };
    ASSERT_EQ(http_.Post(base + "/sim/faults", R"({"llm_http_500": 2})").status, 200);
    ASSERT_TRUE(WaitFor([&] { return metric("llm_circuit_open_total") == 1; }, 180s))
        << Get(base + "/trading/status")["llm"].dump();
    EXPECT_EQ(metric("llm_error_total"), 2);
    int llm_errors = 0;
    for (const std::string symbol : {"AAPL", "MSFT"}) {
      for (const json& d : Get(base + "/trading/decisions?symbol=" + symbol)) {
        llm_errors += d["decision"]["risk_reasons"] == json::array({"llm_error"});
      }
    }
    EXPECT_EQ(llm_errors, 2);
    ASSERT_TRUE(WaitFor(
        [&] {
          return Get(base + "/trading/status")["llm"]["circuit"]["state"] == "closed" &&
                 metric("llm_approve_total") + metric("llm_veto_total") > reviewed;
        },
        180s))
        << Get(base + "/trading/status")["llm"].dump();
    bool filled_execution = false;
    for (const std::string symbol : {"AAPL", "MSFT"}) {
      const json page = Get(base + "/trading/executions?symbol=" + symbol);
      ASSERT_TRUE(page.is_array()) << page.dump();
      for (const json& e : page) filled_execution |= e["status"] == "filled";
    }
    EXPECT_TRUE(filled_execution);
    // The trading page's API reads the same store: today's summary counts those fills.
    const json strategies = Get(base + "/api/torghut/trading/strategies");
    ASSERT_TRUE(strategies["strategies"].is_array()) << strategies.dump();
    EXPECT_FALSE(strategies["strategies"].empty());
    const json summary = Get(base + "/api/torghut/trading/summary");
    ASSERT_EQ(summary["ok"], true) << summary.dump();
    EXPECT_GE(summary["summary"]["executions"]["filledCount"].get<int>(), 1) << summary.dump();
    EXPECT_EQ(summary["summary"]["interval"]["tz"], "America/New_York");
    EXPECT_FALSE(Get(base + "/api/torghut/trading/executions")["items"].empty());
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(data) / "strategies.yaml"));
    // The sim's stream and the forwarder's and TA's status share the port.
    EXPECT_EQ(http_.Get(base + "/ws/status").status, 200);
    EXPECT_EQ(http_.Get(base + "/ta/status").status, 200);
    up.Signal(SIGTERM);
    EXPECT_EQ(up.Wait(), 0) << testing::Tail(dir_.path() / "up.log");
  }
  const size_t restart_at = testing::Slurp(dir_.path() / "up.log").size();
  {
    TaProcess up(TORGHUT_BIN, "", dir_.path() / "up.log", args);
    const std::string base = testing::HttpBaseFromLog(dir_.path() / "up.log", restart_at, 30s);
    ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "up.log");
    // What the first run stored is there from the start, and new bars follow it.
    EXPECT_GE(NewestBar(base, "AAPL"), first_newest);
    ASSERT_TRUE(WaitFor([&] { return NewestBar(base, "AAPL") > first_newest; }, 60s))
        << testing::Tail(dir_.path() / "up.log");
    // TA resumed from its checkpoint instead of starting over.
    ASSERT_TRUE(WaitFor(
        [&] {
          return TaAssignment(testing::Slurp(dir_.path() / "up.log"), restart_at) !=
                 std::string::npos;
        },
        30s));
    const std::string log = testing::Slurp(dir_.path() / "up.log");
    const size_t assigned = TaAssignment(log, restart_at);
    EXPECT_NE(log.substr(assigned, 200).find("\"from\":\"checkpoint\""), std::string::npos)
        << log.substr(assigned, 200);
    up.Signal(SIGTERM);
    EXPECT_EQ(up.Wait(), 0);
  }
  // `torghut serve` over the same store.
  TaProcess serve(TORGHUT_BIN, "TORGHUT_DATA_DIR=" + data, dir_.path() / "serve.log", "serve");
  const std::string base = testing::HttpBaseFromLog(dir_.path() / "serve.log", 0, 30s);
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "serve.log");
  ASSERT_TRUE(WaitFor([&] { return http_.Get(base + "/readyz").status == 200; }, 30s));
  EXPECT_EQ(Get(base + "/api/torghut/symbols")["symbols"], json::array({"AAPL", "MSFT"}));
  EXPECT_GE(NewestBar(base, "AAPL"), first_newest);
  EXPECT_EQ(http_.Get(base + "/api/torghut/ta/bars?symbol=AAPL").status, 400);
  // Without TRADING_STORE, `serve` has no trading store: the trading page's API says so.
  const auto disabled = http_.Get(base + "/api/torghut/trading/summary");
  EXPECT_EQ(disabled.status, 503);
  EXPECT_EQ(json::parse(disabled.body, nullptr, false)["disabled"], true) << disabled.body;
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
  // With it, `serve` reads the trader's store that `up` wrote.
  TaProcess trading(TORGHUT_BIN, "TORGHUT_DATA_DIR=" + data + " TRADING_STORE=sqlite",
                    dir_.path() / "serve-trading.log", "serve");
  const std::string trading_base =
      testing::HttpBaseFromLog(dir_.path() / "serve-trading.log", 0, 30s);
  ASSERT_FALSE(trading_base.empty()) << testing::Tail(dir_.path() / "serve-trading.log");
  const json names = Get(trading_base + "/api/torghut/trading/strategies");
  ASSERT_TRUE(names["strategies"].is_array()) << names.dump();
  EXPECT_FALSE(names["strategies"].empty());
  const std::string strategy = names["strategies"][0]["name"];
  const json summary = Get(trading_base + "/api/torghut/trading/summary?strategy=" + strategy);
  EXPECT_EQ(summary["ok"], true) << summary.dump();
  EXPECT_EQ(summary["summary"]["strategy"], strategy);
  EXPECT_EQ(http_.Get(trading_base + "/api/torghut/trading/summary?strategy=no-such").status, 400);
}

TEST_F(UpProcessTest, ServeIsNotReadyWithoutASchema) {
  TaProcess serve(TORGHUT_BIN, "TORGHUT_DATA_DIR=" + (dir_.path() / "empty").string(),
                  dir_.path() / "serve.log", "serve");
  const std::string base = testing::HttpBaseFromLog(dir_.path() / "serve.log", 0, 30s);
  ASSERT_FALSE(base.empty()) << testing::Tail(dir_.path() / "serve.log");
  const auto r = http_.Get(base + "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("torghut migrate"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace torghut
