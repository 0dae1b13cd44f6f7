// The backtest in process, on a generated session: determinism, the report's P&L, equity curve,
// drawdown and win rate against an independent computation from the report's own fills and
// prices, the window and symbol filters, bad lines, and the statistics on hand-computed numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "torghut/backtest/backtest_run.h"
#include "torghut/backtest/equity_stats.h"
#include "torghut/backtest/report.h"
#include "torghut/core/time.h"
#include "torghut/sim/generator.h"
#include "torghut/testing/test_support.h"
#include "torghut/trading/catalog.h"

namespace torghut::backtest {
namespace {

using nlohmann::json;

constexpr char kCatalog[] = R"(strategies:
  - name: cross
    enabled: true
    base_timeframe: 1Sec
    type: macd-cross
    qty: 5
    params: {stop_loss_pct: 0.2, take_profit_pct: 0.3, max_hold_seconds: 120}
  - name: revert
    enabled: true
    base_timeframe: 1Sec
    type: bollinger-reversion
    notional: 2000
    params: {max_hold_seconds: 180}
)";

// 2024-01-02 (a Tuesday) from the open: 20 minutes of AAPL and MSFT.
constexpr int64_t kOpenMs = 1'704'205'800'000;

class BacktestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(calendar_.ok()) << calendar_.status().ToString();
    sim::GeneratorOptions g;
    g.symbols = {"AAPL", "MSFT"};
    g.seconds = 1200;
    g.trades_per_second = 8;
    g.seed = 11;
    ASSERT_TRUE(sim::GenerateFile(g, Path("session.jsonl")).ok());
    auto strategies = trading::ParseCatalog(kCatalog, "test catalog");
    ASSERT_TRUE(strategies.ok()) << strategies.status().ToString();
    config_.input_path = Path("session.jsonl");
    config_.strategies = *strategies;
    config_.settings.max_orders_per_minute = 1000;
  }

  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }

  json Report(const BacktestConfig& c) {
    Result<BacktestRun> run = RunBacktest(c, *calendar_);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    if (!run.ok()) return json();
    Result<json> report = BuildReport(*run, c, calendar_->zone());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : json();
  }

  testing::ScratchDir dir_{"torghut-backtest"};
  Result<TradingCalendar> calendar_ = TradingCalendar::NewYork();
  BacktestConfig config_;
};

int64_t Ms(const json& iso) {
  return ParseRfc3339(iso.get<std::string>()).value().millis();
}

double D(const json& decimal) {
  return std::stod(decimal.get<std::string>());
}

TEST_F(BacktestTest, TheSameInputGivesTheSameReportByteForByte) {
  const json a = Report(config_);
  const json b = Report(config_);
  ASSERT_FALSE(a.is_null());
  EXPECT_EQ(a.dump(2), b.dump(2));
  // It traded: something worth comparing.
  EXPECT_GT(a["fills"].size(), 20u);
  EXPECT_GT(a["summary"]["trades"].get<int64_t>(), 5);
}

// The report's figures from its own fill list and minute prices, computed here without
// trading/pnl.h or the matching engine: average cost per (strategy, symbol), commissions
// charged to cash; equity = cash + Σ shares × the symbol's latest minute close.
TEST_F(BacktestTest, PnlEquityDrawdownAndWinRateAgreeWithAnIndependentComputation) {
  config_.commission_per_share = Decimal::Parse("0.005").value();
  config_.slippage_bps = Decimal::Parse("1").value();
  const json r = Report(config_);
  ASSERT_FALSE(r.is_null());
  const json& fills = r["fills"];
  ASSERT_GT(fills.size(), 20u);

  struct Book {
    double qty = 0, basis = 0, trip = 0;
  };
  std::map<std::pair<std::string, std::string>, Book> books;
  double realized = 0, fees = 0;
  int wins = 0, losses = 0;
  for (const json& f : fills) {
    Book& b = books[{f["strategy"], f["symbol"]}];
    const double q = D(f["qty"]), p = D(f["price"]), c = D(f["commission"]);
    fees += c;
    if (f["side"] == "buy") {
      b.qty += q;
      b.basis += q * p + c;
      continue;
    }
    const double closed = std::min(q, b.qty);  // shorts are off: the excess is not counted
    if (closed <= 0) {
      realized -= c;
      continue;
    }
    const double released = b.basis * closed / b.qty;
    const double pnl = closed * p - c - released;
    realized += pnl;
    b.trip += pnl;
    b.basis -= released;
    b.qty -= closed;
    if (b.qty == 0) {  // (whole shares: exact in a double) the round trip ends
      if (b.trip > 0) ++wins;
      if (b.trip < 0) ++losses;
      b = {};
    }
  }
  const json& s = r["summary"];
  EXPECT_EQ(s["wins"], wins);
  EXPECT_EQ(s["losses"], losses);
  ASSERT_GT(wins + losses, 0);
  EXPECT_DOUBLE_EQ(s["win_rate"].get<double>(), static_cast<double>(wins) / (wins + losses));
  EXPECT_NEAR(D(s["realized_pnl"]), realized, 1e-6 * fills.size());
  EXPECT_NEAR(D(s["fees"]), fees, 1e-9 * fills.size());

  // The equity curve: at each minute's end, cash plus positions at the latest closes.
  std::map<std::string, std::vector<std::pair<int64_t, double>>> closes;
  for (const auto& [symbol, bars] : r["prices"].items()) {
    for (const json& b : bars) closes[symbol].emplace_back(Ms(b["ts"]), b["c"].get<double>());
  }
  double cash_now = 100000;
  std::map<std::string, double> shares;
  // Symbols are not in step in the merge: the fills in time order (ties as filled).
  std::vector<json> by_time(fills.begin(), fills.end());
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const json& a, const json& b) { return Ms(a["ts"]) < Ms(b["ts"]); });
  size_t next_fill = 0;
  double peak = 100000, max_dd = 0;
  for (const json& e : r["equity"]) {
    const int64_t end = Ms(e["ts"]);
    for (; next_fill < by_time.size() && Ms(by_time[next_fill]["ts"]) < end; ++next_fill) {
      const json& f = by_time[next_fill];
      const double q = D(f["qty"]), p = D(f["price"]), c = D(f["commission"]);
      const double sign = f["side"] == "buy" ? 1 : -1;
      cash_now -= sign * q * p + c;
      shares[f["symbol"]] += sign * q;
    }
    double value = cash_now;
    for (const auto& [symbol, qty] : shares) {
      double last = 0;
      for (const auto& [ts, close] : closes[symbol]) {
        if (ts < end) last = close;
      }
      value += qty * last;
    }
    EXPECT_NEAR(D(e["equity"]), value, 1e-4) << e["ts"];
    peak = std::max(peak, value);
    max_dd = std::max(max_dd, (peak - value) / peak);
  }
  EXPECT_NEAR(s["max_drawdown"]["pct"].get<double>(), max_dd, 1e-9);
  EXPECT_NEAR(
      D(s["total_pnl"]),
      cash_now - 100000 +
          [&] {
            double v = 0;
            for (const auto& [symbol, qty] : shares) v += qty * closes[symbol].back().second;
            return v;
          }(),
      1e-4);
}

TEST_F(BacktestTest, TheWindowAndTheSymbolsBoundWhatIsTraded) {
  const json all = Report(config_);
  config_.from = kOpenMs + 300'000;
  config_.to = kOpenMs + 900'000;
  config_.symbols = {"AAPL", "TSLA"};
  const json r = Report(config_);
  ASSERT_FALSE(r["decisions"].empty());
  for (const json& d : r["decisions"]) {
    EXPECT_EQ(d["symbol"], "AAPL");
    EXPECT_GE(Ms(d["event_ts"]), *config_.from);
    EXPECT_LT(Ms(d["event_ts"]), *config_.to);
  }
  for (const json& f : r["fills"]) {
    EXPECT_EQ(f["symbol"], "AAPL");
    EXPECT_LT(Ms(f["ts"]), *config_.to);
  }
  EXPECT_GE(Ms(r["summary"]["first_event"]), *config_.from);
  EXPECT_LT(Ms(r["summary"]["last_event"]), *config_.to);
  EXPECT_EQ(r["prices"].size(), 1u);  // AAPL only
  EXPECT_LT(r["decisions"].size(), all["decisions"].size());
  // A symbol the file never trades is named.
  ASSERT_FALSE(r["warnings"].empty());
  EXPECT_NE(r["warnings"][0].get<std::string>().find("no trades for TSLA"), std::string::npos);
  // An empty window is refused before any work.
  config_.to = config_.from;
  Result<BacktestRun> empty = RunBacktest(config_, *calendar_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("--from"), std::string::npos);
}

TEST_F(BacktestTest, BadLinesAreCountedWithTheirNumbersAndChangeNothingElse) {
  const json clean = Report(config_);
  // The same file with three bad lines in it (lines 2, 5 and the last).
  std::ifstream in(Path("session.jsonl"));
  std::ofstream out(Path("dirty.jsonl"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n == 2) out << "{not json\n";
    if (n == 4)
      out << R"({"T":"t","S":"AAPL","p":"oops"})"
          << "\n";
    out << line << "\n";
  }
  out << "garbage\n";
  out.close();
  config_.input_path = Path("dirty.jsonl");
  const json dirty = Report(config_);
  EXPECT_EQ(dirty["summary"]["bad_lines"], 3);
  ASSERT_EQ(dirty["bad_lines"]["first"].size(), 3u);
  EXPECT_EQ(dirty["bad_lines"]["first"][0]["line"], 2);
  EXPECT_EQ(dirty["bad_lines"]["first"][1]["line"], 5);
  EXPECT_EQ(dirty["bad_lines"]["first"][2]["line"], clean["summary"]["lines"].get<int64_t>() + 3);
  EXPECT_EQ(dirty["decisions"], clean["decisions"]);
  EXPECT_EQ(dirty["fills"], clean["fills"]);
}

TEST(EquityStatsTest, ReturnsDrawdownAndRatiosByHand) {
  // 100 → 110 → 99 → 105 → 121: the fall from 110 to 99 is the largest (10%), regained at 121.
  const EquityStats s = ComputeEquityStats(
      100, 0, {{60, 110, true}, {120, 99, true}, {180, 105, false}, {240, 121, false}});
  ASSERT_EQ(s.returns.size(), 4u);
  EXPECT_DOUBLE_EQ(s.returns[0], 110.0 / 100 - 1);
  EXPECT_DOUBLE_EQ(s.returns[1], 99.0 / 110 - 1);
  EXPECT_DOUBLE_EQ(s.max_drawdown, 11.0 / 110);
  EXPECT_DOUBLE_EQ(s.max_drawdown_amount, 11);
  EXPECT_EQ(s.peak_ts, 60);
  EXPECT_EQ(s.trough_ts, 120);
  EXPECT_EQ(s.recovered_ts, 240);
  EXPECT_DOUBLE_EQ(s.drawdown[2], (110.0 - 105) / 110);
  EXPECT_DOUBLE_EQ(s.exposure, 0.5);
  double mean = 0;
  for (double r : s.returns) mean += r / 4;
  double var = 0, down = 0;
  for (double r : s.returns) {
    var += (r - mean) * (r - mean) / 3;
    down += r < 0 ? r * r / 4 : 0;
  }
  EXPECT_NEAR(*s.sharpe, mean / std::sqrt(var) * std::sqrt(kMinutesPerYear), 1e-9);
  EXPECT_NEAR(*s.sortino, mean / std::sqrt(down) * std::sqrt(kMinutesPerYear), 1e-9);
  // Flat: no ratio, no drawdown.
  const EquityStats flat = ComputeEquityStats(100, 0, {{60, 100, false}, {120, 100, false}});
  EXPECT_FALSE(flat.sharpe.has_value());
  EXPECT_FALSE(flat.sortino.has_value());
  EXPECT_EQ(flat.max_drawdown, 0);
  EXPECT_FALSE(flat.trough_ts.has_value());
  // Never regained.
  EXPECT_FALSE(ComputeEquityStats(100, 0, {{60, 90, true}}).recovered_ts.has_value());
}

}  // namespace
}  // namespace torghut::backtest
