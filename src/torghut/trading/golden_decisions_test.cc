// The golden decision log: a committed recording (tests/golden/trading/input.jsonl, from
// `torghut sim generate --symbols AAPL,MSFT --seconds 900 --seed 17 --rate 3`) through the TA
// engine's rows (file replay) into the trading engine, with a committed catalog and a broker
// that fills at the reference price, gives the committed list of decisions
// (tests/golden/trading/decisions.jsonl). A change to any rule, to risk or to sizing shows up as
// a diff of that file; when the change is intended, regenerate it with
//   TORGHUT_UPDATE_GOLDEN=1 ./trading_test --gtest_filter='GoldenDecisions.*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "torghut/replay/file_replay.h"
#include "torghut/testing/instant_broker.h"
#include "torghut/trading/bar.h"
#include "torghut/trading/engine.h"

namespace torghut::trading {
namespace {

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

std::vector<Strategy> GoldenCatalog() {
  auto make = [](std::string name, std::string type, Timeframe tf, std::string params) {
    Strategy s;
    s.name = std::move(name);
    s.enabled = true;
    s.type = std::move(type);
    s.base_timeframe = tf;
    s.params_json = std::move(params);
    return s;
  };
  Strategy rsi = make("rsi-1s", "macd-rsi", Timeframe::k1Sec, "{}");
  rsi.qty = D("5");
  Strategy cross = make("cross-1s", "macd-cross", Timeframe::k1Sec,
                        R"({"rsi_max": 70, "stop_loss_pct": 0.03, "take_profit_pct": 0.05})");
  cross.qty = D("3");
  cross.symbols = {"AAPL"};
  Strategy boll =
      make("boll-1s", "bollinger-reversion", Timeframe::k1Sec, R"({"max_hold_seconds": 20})");
  boll.notional = D("2000");
  boll.symbols = {"MSFT"};
  boll.order_type = OrderType::kLimit;
  boll.limit_offset_bps = D("10");
  boll.max_position_pct_equity = D("3");
  Strategy minute = make("cross-1m", "macd-cross", Timeframe::k1Min, "{}");
  return {rsi, cross, boll, minute};
}

std::string DecisionLine(const Decision& d) {
  nlohmann::json j = {{"decision_hash", d.decision_hash},
                      {"strategy", d.strategy_name},
                      {"symbol", d.symbol},
                      {"timeframe", ToString(d.timeframe)},
                      {"event_ts", d.signal_event_ts},
                      {"action", ToString(d.action)},
                      {"qty", d.qty.ToString()},
                      {"order_type", ToString(d.order_type)},
                      {"limit_price", d.limit_price ? d.limit_price->ToString() : ""},
                      {"status", ToString(d.status)},
                      {"risk_reasons", d.risk_reasons},
                      {"reference_price", d.reference_price ? d.reference_price->ToString() : ""},
                      {"rationale", d.rationale}};
  return j.dump();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(GoldenDecisions, TheRecordingGivesTheCommittedDecisions) {
  const std::string dir = std::string(TORGHUT_SOURCE_DIR) + "/tests/golden/trading/";
  const TradingCalendar calendar = TradingCalendar::NewYork().value();
  ta::TradingSessions sessions(&calendar);
  TradingSettings settings;
  settings.enabled = true;
  settings.check_signal_age = false;  // the data's own time is the clock
  settings.cooldown_seconds = 5;
  settings.max_notional_per_trade = D("5000");
  TradingEngine engine(settings, &calendar);
  ASSERT_TRUE(engine.SetStrategies(GoldenCatalog()).ok());
  testing::InstantBroker broker(D("100000"));
  std::string log;
  int64_t bars = 0;
  TradingBarSink sink([&](const TradingBar& bar) {
    ++bars;
    for (const Decision& d : engine.OnBar(bar, bar.event_ts, broker.portfolio).decisions) {
      log += DecisionLine(d) + "\n";
      if (d.status == DecisionStatus::kPlanned) broker.Fill(engine, d, bar.event_ts);
    }
  });
  replay::FileReplayOptions options;
  options.input_path = dir + "input.jsonl";
  options.show_progress = false;
  ASSERT_TRUE(replay::ReplayFile(options, &sessions, &sink, nullptr).ok());
  EXPECT_GT(bars, 1500);
  EXPECT_TRUE(sink.joiner().TakeSkips().empty());
  if (std::getenv("TORGHUT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(dir + "decisions.jsonl") << log;
    GTEST_SKIP() << "wrote " << dir << "decisions.jsonl";
  }
  const std::string want = Slurp(dir + "decisions.jsonl");
  ASSERT_FALSE(want.empty()) << "no golden file; generate it (see the top of this file)";
  // Every kind of outcome is in the log, so a change to any of them shows.
  for (const char* part :
       {"\"status\":\"planned\"", "\"status\":\"rejected\"", "cooldown_active",
        "\"strategy\":\"cross-1s\"", "\"strategy\":\"boll-1s\"", "\"action\":\"sell\"",
        "\"order_type\":\"limit\"", "stop_loss:", "take_profit:", "max_hold:"}) {
    EXPECT_NE(want.find(part), std::string::npos) << part;
  }
  EXPECT_TRUE(log == want) << "the decisions changed; first difference near line " << [&] {
    size_t line = 1;
    for (size_t i = 0; i < std::min(log.size(), want.size()); ++i) {
      if (log[i] != want[i]) return line;
      line += log[i] == '\n';
    }
    return line;
  }();
}

}  // namespace
}  // namespace torghut::trading
