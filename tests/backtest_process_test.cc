// `torghut backtest` as a user runs it: a generated multi-session file through the binary, the
// text summary, report.json and report.html written and byte-identical on a second run, the grid
// ranked, and every bad input refused with one clear line and exit 2 before any work.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "torghut/testing/ta_process_support.h"
#include "torghut/testing/test_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using torghut::testing::CommandResult;
using torghut::testing::Lines;
using torghut::testing::Slurp;

class BacktestProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two regular sessions (a Tuesday and a Wednesday) of AAPL and MSFT at 2 trades/s.
    CommandResult g = Torghut(
        "sim generate --symbols AAPL,MSFT --sessions 2 --rate 2 --quotes-per-trade 0.5 --out "
        "s.jsonl");
    ASSERT_EQ(g.exit_code, 0) << g.err;
  }
  CommandResult Torghut(const std::string& args, const std::string& env = "") {
    return torghut::testing::RunCommand(
        "cd " + dir_.string() + " && " + env + " " + std::string(TORGHUT_BIN) + " " + args, dir_);
  }
  torghut::testing::ScratchDir scratch_{"torghut-backtest-cli"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(BacktestProcessTest, ARunWritesItsReportsAndTheSameInputTheSameBytes) {
  CommandResult r = Torghut("backtest --from-file s.jsonl --commission-per-share 0.005 --out a");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("backtest 2024-01-02T14:30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("round trips, win rate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("report: a/report.json, a/report.html"), std::string::npos) << r.out;
  const json report = json::parse(Slurp(dir_ / "a" / "report.json"));
  for (const char* key : {"summary", "days", "by_strategy", "rejections", "decisions", "fills"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  // Two New York days, each with its P&L; the days add up to the whole.
  ASSERT_EQ(report["days"].size(), 2u);
  EXPECT_EQ(report["days"][0]["day"], "2024-01-02");
  EXPECT_EQ(report["days"][1]["day"], "2024-01-03");
  const double total = std::stod(report["summary"]["total_pnl"].get<std::string>());
  EXPECT_NEAR(std::stod(report["days"][0]["pnl"].get<std::string>()) +
                  std::stod(report["days"][1]["pnl"].get<std::string>()),
              total, 1e-6);
  EXPECT_GT(report["fills"].size(), 10u);
  EXPECT_GT(std::stod(report["summary"]["fees"].get<std::string>()), 0);
  // Market hours only: nothing before 14:30Z or after 21:00Z.
  for (const json& f : report["fills"]) {
    const std::string t = f["ts"].get<std::string>().substr(11, 5);
    EXPECT_GE(t, "14:30") << f["ts"];
    EXPECT_LT(t, "21:00") << f["ts"];
  }
  const std::string html = Slurp(dir_ / "a" / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos) << "the page loads nothing";
  EXPECT_EQ(html.find("https://"), std::string::npos) << "the page loads nothing";

  ASSERT_EQ(Torghut("backtest --from-file s.jsonl --commission-per-share 0.005 --out b "
                    "--no-progress")
                .exit_code,
            0);
  EXPECT_EQ(Slurp(dir_ / "a" / "report.json"), Slurp(dir_ / "b" / "report.json"));
  EXPECT_EQ(Slurp(dir_ / "a" / "report.html"), Slurp(dir_ / "b" / "report.html"));
}

TEST_F(BacktestProcessTest, AGridRunsEveryCombinationAndRanksThem) {
  CommandResult r = Torghut(
      "backtest --from-file s.jsonl --out g --grid stop_loss_pct=0.1,0.5 --grid "
      "demo-bollinger.max_hold_seconds=60,300 --rank-by total_pnl --jobs 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("grid: 4 runs, ranked by total_pnl"), std::string::npos) << r.out;
  const json grid = json::parse(Slurp(dir_ / "g" / "grid.json"));
  ASSERT_EQ(grid["runs"].size(), 4u);
  for (const json& run : grid["runs"]) {
    EXPECT_TRUE(fs::exists(dir_ / "g" / run["dir"].get<std::string>() / "report.json"));
    EXPECT_TRUE(fs::exists(dir_ / "g" / run["dir"].get<std::string>() / "report.html"));
  }
  EXPECT_GE(std::stod(grid["runs"][0]["summary"]["total_pnl"].get<std::string>()),
            std::stod(grid["runs"][3]["summary"]["total_pnl"].get<std::string>()));
  // The best run's report is the single run with its parameters.
  const json best = grid["runs"][0];
  std::ofstream catalog(dir_ / "best.yaml");
  catalog << "strategies:\n"
          << "  - {name: demo-macd-cross, enabled: true, base_timeframe: 1Sec, type: macd-cross, "
             "qty: 5, params: {stop_loss_pct: "
          << best["params"]["stop_loss_pct"].get<std::string>()
          << ", take_profit_pct: 0.3, max_hold_seconds: 120}}\n"
          << "  - {name: demo-bollinger, enabled: true, base_timeframe: 1Sec, type: "
             "bollinger-reversion, notional: 2000, params: {max_hold_seconds: "
          << best["params"]["demo-bollinger.max_hold_seconds"].get<std::string>()
          << ", stop_loss_pct: " << best["params"]["stop_loss_pct"].get<std::string>() << "}}\n"
          << "  - {name: macd-rsi-default, enabled: true, base_timeframe: 1Min, type: macd-rsi, "
             "qty: 1, params: {stop_loss_pct: "
          << best["params"]["stop_loss_pct"].get<std::string>() << "}}\n";
  catalog.close();
  ASSERT_EQ(Torghut("backtest --from-file s.jsonl --strategies best.yaml --out single").exit_code,
            0);
  const json single = json::parse(Slurp(dir_ / "single" / "report.json"));
  const json from_grid =
      json::parse(Slurp(dir_ / "g" / best["dir"].get<std::string>() / "report.json"));
  EXPECT_EQ(single["decisions"], from_grid["decisions"]);
  EXPECT_EQ(single["fills"], from_grid["fills"]);
  EXPECT_EQ(single["summary"], from_grid["summary"]);
}

TEST_F(BacktestProcessTest, BadInputIsOneClearLineAndExitTwoBeforeAnyWork) {
  std::ofstream(dir_ / "bad.yaml") << "strategies:\n  - {name: x, type: macd-cross, qty: 5, "
                                      "params: {nope: 1}}\n";
  std::ofstream(dir_ / "dup.yaml") << "strategies:\n  - {name: x, type: macd-cross, qty: 1}\n"
                                      "  - {name: x, type: macd-cross, qty: 2}\n";
  for (const auto& [args, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"--strategies bad.yaml", "params.nope is not a parameter"},
           {"--strategies dup.yaml", "dup.yaml"},
           {"--strategies missing.yaml", "cannot read the strategy file missing.yaml"},
           {"--from 2024-01-03T00:00:00Z --to 2024-01-02T00:00:00Z", "--from must be before --to"},
           {"--from yesterday", "--from:"},
           {"--grid no_such_param=1,2", "'no_such_param' is not a parameter of any strategy"},
           {"--grid stop_loss_pct", "expected KEY=v1"},
           {"--grid nobody.stop_loss_pct=1", "no strategy 'nobody'"},
           {"--cash -5", "--cash must not be negative"},
           {"--slippage-bps abc", "--slippage-bps abc"},
           {"--symbols aapl", "'aapl' is not a valid symbol"},
           {"--rank-by luck --grid stop_loss_pct=1", "--rank-by luck"}}) {
    const std::string out = "out-" + std::to_string(std::hash<std::string>{}(args));
    CommandResult r = Torghut("backtest --from-file s.jsonl --out " + out + " " + args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << args << ": " << r.err;
    EXPECT_NE(r.err.find(mentions), std::string::npos) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir_ / out)) << args << ": nothing is written";
  }
  EXPECT_EQ(Torghut("backtest --from-file nothing.jsonl").exit_code, 2);
}

TEST_F(BacktestProcessTest, BadLinesAreReportedWithTheirNumbersAndTheRunGoesOn) {
  {
    std::ifstream in(dir_ / "s.jsonl");
    std::ofstream out(dir_ / "dirty.jsonl");
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      out << line << "\n";
      if (n == 3) out << "{broken\n";
    }
  }
  CommandResult r = Torghut("backtest --from-file dirty.jsonl --out d --symbols AAPL");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("dirty.jsonl:4: skipped"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 bad lines skipped"), std::string::npos) << r.out;
  const json report = json::parse(Slurp(dir_ / "d" / "report.json"));
  EXPECT_EQ(report["bad_lines"]["count"], 1);
  EXPECT_EQ(report["bad_lines"]["first"][0]["line"], 4);
  for (const json& d : report["decisions"]) EXPECT_EQ(d["symbol"], "AAPL");
}

TEST_F(BacktestProcessTest, ASymbolWithoutTradesIsAnErrorThatStillLeavesTheReport) {
  CommandResult r = Torghut("backtest --from-file s.jsonl --out t --symbols AAPL,TSLA");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no trades for TSLA in s.jsonl"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("no trades for AAPL"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "t" / "report.json"));
  // A window with no data at all.
  r = Torghut("backtest --from-file s.jsonl --out w --from 2025-01-01T00:00:00Z");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no trades in s.jsonl inside --from/--to"), std::string::npos) << r.err;
}

// --llm: every decision is reviewed by the LLM_* settings' server (here the simulator's rule-based
// reviewer, an OpenAI-compatible /v1/chat/completions) and the review is in the report.
TEST_F(BacktestProcessTest, WithLlmEveryDecisionCarriesItsReview) {
  using namespace std::chrono_literals;
  torghut::testing::TaProcess sim(TORGHUT_BIN, "TORGHUT_HTTP_ACCESS_LOG=false", dir_ / "sim.log",
                                  "sim serve --port 0");
  const std::string sim_base = torghut::testing::HttpBaseFromLog(dir_ / "sim.log", 0, 30s);
  ASSERT_FALSE(sim_base.empty()) << torghut::testing::Tail(dir_ / "sim.log");
  // The first half hour: a few dozen decisions, each one review request.
  CommandResult r =
      Torghut("backtest --from-file s.jsonl --out llm --llm --to 2024-01-02T15:00:00Z",
              "LLM_BASE_URL=" + sim_base + "/v1 LLM_API_KEY=sim-llm-key");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(Slurp(dir_ / "llm" / "report.json"));
  ASSERT_FALSE(report["decisions"].empty());
  int approved = 0, vetoed = 0;
  for (const json& d : report["decisions"]) {
    ASSERT_TRUE(d.contains("llm_review")) << d.dump();
    const std::string verdict = d["llm_review"]["verdict"];
    EXPECT_TRUE(verdict == "approve" || verdict == "veto") << d.dump();
    approved += verdict == "approve";
    vetoed += verdict == "veto";
    // A veto is one of the decision's reasons; the live reviewer's policy applies unchanged.
    if (verdict == "veto") {
      EXPECT_EQ(d["status"], "rejected") << d.dump();
      EXPECT_NE(d["risk_reasons"].dump().find("llm_veto"), std::string::npos) << d.dump();
    }
  }
  EXPECT_GT(approved, 0);
  RecordProperty("vetoed", vetoed);
  // Without --llm nothing is reviewed.
  ASSERT_EQ(Torghut("backtest --from-file s.jsonl --out plain --to 2024-01-02T15:00:00Z").exit_code,
            0);
  const json plain = json::parse(Slurp(dir_ / "plain" / "report.json"));
  ASSERT_FALSE(plain["decisions"].empty());
  for (const json& d : plain["decisions"]) EXPECT_FALSE(d.contains("llm_review"));
  EXPECT_EQ(Torghut("backtest --from-file s.jsonl --llm", "LLM_BASE_URL=").exit_code, 2);
}

}  // namespace
