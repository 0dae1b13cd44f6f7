// The parameter grid: axes parsed and expanded into catalogs, every bad axis refused before any
// run, and a grid's reports equal to the single runs with the same parameters.
#include "torghut/backtest/grid.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "torghut/backtest/runs.h"
#include "torghut/sim/generator.h"
#include "torghut/testing/test_support.h"
#include "torghut/trading/catalog.h"

namespace torghut::backtest {
namespace {

using nlohmann::json;

constexpr char kCatalog[] = R"(strategies:
  - {name: cross, enabled: true, base_timeframe: 1Sec, type: macd-cross, qty: 5,
     params: {stop_loss_pct: 0.2}}
  - {name: revert, enabled: true, base_timeframe: 1Sec, type: bollinger-reversion, notional: 2000}
  - {name: rsi, enabled: true, base_timeframe: 1Min, type: macd-rsi, qty: 1}
)";

std::vector<trading::Strategy> Catalog() {
  return trading::ParseCatalog(kCatalog, "grid test").value();
}

json Params(const trading::Strategy& s) {
  return json::parse(s.params_json);
}

TEST(GridTest, AxesExpandToEveryCombinationOnTheStrategiesThatTakeThem) {
  auto a = ParseGridAxis("stop_loss_pct=0.5,1");
  auto b = ParseGridAxis("revert.max_hold_seconds=60,120,180");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->strategy, "revert");
  auto points = ExpandGrid(Catalog(), {*a, *b});
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 6u);
  EXPECT_EQ((*points)[0].Name(), "stop_loss_pct=0.5,revert.max_hold_seconds=60");
  EXPECT_EQ((*points)[5].Name(), "stop_loss_pct=1,revert.max_hold_seconds=180");
  const GridPoint& p = (*points)[4];  // stop_loss_pct=1, max_hold 120
  // An exit parameter goes to every strategy (any rule carries exits); as a number.
  for (const trading::Strategy& s : p.strategies)
    EXPECT_EQ(Params(s)["stop_loss_pct"], 1) << s.name;
  EXPECT_EQ(Params(p.strategies[1])["max_hold_seconds"], 120);
  EXPECT_FALSE(Params(p.strategies[0]).contains("max_hold_seconds"));
  // A rule parameter goes only to the strategies whose rule has it.
  auto rsi = ExpandGrid(Catalog(), {ParseGridAxis("rsi_buy_below=30,35").value()});
  ASSERT_TRUE(rsi.ok()) << rsi.status().ToString();
  EXPECT_EQ(Params((*rsi)[1].strategies[2])["rsi_buy_below"], 35);
  EXPECT_FALSE(Params((*rsi)[1].strategies[0]).contains("rsi_buy_below"));
  // No axes: the catalog itself.
  auto none = ExpandGrid(Catalog(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 1u);
  EXPECT_EQ((*none)[0].Name(), "base");
}

TEST(GridTest, BadAxesAreRefusedNamingTheAxis) {
  for (const auto& [spec, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"stop_loss_pct", "expected KEY=v1"},
           {"=1,2", "expected KEY=v1"},
           {"stop_loss_pct=", "a key and at least one value"},
           {"stop_loss_pct=1,,2", "empty or unusable value"},
           {"stop_loss_pct=1,1", "given twice"}}) {
    auto a = ParseGridAxis(spec);
    ASSERT_FALSE(a.ok()) << spec;
    EXPECT_NE(a.status().message().find(mentions), std::string::npos) << a.status().message();
  }
  for (const auto& [spec, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"no_such_param=1,2", "'no_such_param' is not a parameter of any strategy"},
           {"nobody.stop_loss_pct=1", "no strategy 'nobody'"},
           {"cross.rsi_buy_below=30", "is not a parameter of strategy 'cross'"},
           {"stop_loss_pct=1,-5", "stop_loss_pct=-5"}}) {
    auto points = ExpandGrid(Catalog(), {ParseGridAxis(spec).value()});
    ASSERT_FALSE(points.ok()) << spec;
    EXPECT_EQ(points.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(points.status().message().find(mentions), std::string::npos)
        << spec << ": " << points.status().message();
  }
  auto twice = ExpandGrid(Catalog(), {ParseGridAxis("stop_loss_pct=1").value(),
                                      ParseGridAxis("stop_loss_pct=2").value()});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("given twice"), std::string::npos);
}

TEST(GridTest, AGridsReportsEqualTheSingleRunsAndAreRanked) {
  testing::ScratchDir dir("torghut-grid");
  sim::GeneratorOptions g;
  g.symbols = {"AAPL", "MSFT"};
  g.seconds = 900;
  g.trades_per_second = 6;
  const std::string file = (dir.path() / "s.jsonl").string();
  ASSERT_TRUE(sim::GenerateFile(g, file).ok());
  auto calendar = TradingCalendar::NewYork();
  ASSERT_TRUE(calendar.ok());
  BacktestConfig config;
  config.input_path = file;
  config.strategies = Catalog();
  auto points = ExpandGrid(config.strategies, {ParseGridAxis("stop_loss_pct=0.05,0.3").value(),
                                               ParseGridAxis("take_profit_pct=0.05,1").value()});
  ASSERT_TRUE(points.ok());
  int done = 0;
  GridOptions options;
  options.rank_by = "total_pnl";
  options.jobs = 2;
  options.on_done = [&](const GridPoint&, const json&) { ++done; };
  auto grid = RunGrid(config, *points, *calendar, dir.path() / "grid", options);
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(done, 4);
  const json& runs = (*grid)["runs"];
  ASSERT_EQ(runs.size(), 4u);
  std::set<std::string> distinct;
  for (size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i]["rank"], i + 1);
    if (i > 0) {
      EXPECT_GE(std::stod(runs[i - 1]["summary"]["total_pnl"].get<std::string>()),
                std::stod(runs[i]["summary"]["total_pnl"].get<std::string>()));
    }
    distinct.insert(runs[i]["summary"]["total_pnl"].get<std::string>());
  }
  EXPECT_GT(distinct.size(), 1u) << "the parameters changed nothing";
  // Each of the grid's reports is the single run of its point, byte for byte.
  for (const GridPoint& p : *points) {
    BacktestConfig single = config;
    single.strategies = p.strategies;
    auto report = RunToDirectory(single, *calendar, dir.path() / "single" / p.Name());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    std::ifstream a(dir.path() / "grid" / p.Name() / "report.json");
    std::ifstream b(dir.path() / "single" / p.Name() / "report.json");
    const std::string ga((std::istreambuf_iterator<char>(a)), {});
    const std::string sb((std::istreambuf_iterator<char>(b)), {});
    EXPECT_FALSE(ga.empty());
    EXPECT_EQ(ga, sb) << p.Name();
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "grid" / "grid.json"));
}

}  // namespace
}  // namespace torghut::backtest
