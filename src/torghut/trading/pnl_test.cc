// Realized P&L tables, every value computed by hand (the arithmetic is in the comments).
#include "torghut/trading/pnl.h"

#include <gtest/gtest.h>

#include "torghut/core/time.h"

namespace torghut::trading {
namespace {

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

EpochMillis At(std::string_view rfc3339) {
  return ParseRfc3339(rfc3339).value().millis();
}

Fill F(std::string id, std::string strategy, std::string symbol, Side side, std::string_view qty,
       std::string_view price, std::string_view at = "2024-03-12T14:30:00Z") {
  Fill f;
  f.fill_id = std::move(id);
  f.client_order_id = "th-" + f.fill_id;
  f.strategy_name = std::move(strategy);
  f.symbol = std::move(symbol);
  f.side = side;
  f.qty = D(qty);
  f.price = D(price);
  f.filled_at = At(at);
  return f;
}

constexpr Side kBuy = Side::kBuy;
constexpr Side kSell = Side::kSell;

class PnlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ny_ = new TimeZone(TimeZone::Load("America/New_York").value()); }
  static void TearDownTestSuite() { delete ny_; }

  PnlReport Run(const std::vector<Fill>& fills, const PnlOptions& options = {}) {
    Result<PnlReport> r = ComputeRealizedPnl(fills, *ny_, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : PnlReport{};
  }

  static TimeZone* ny_;
};
TimeZone* PnlTest::ny_ = nullptr;

// One expected line: day, strategy, symbol, realized, closed qty, wins, losses.
struct Want {
  std::string day, strategy, symbol, realized, closed;
  int64_t wins, losses;
};

void ExpectLines(const PnlReport& r, const std::vector<Want>& want) {
  ASSERT_EQ(r.lines.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    const PnlLine& l = r.lines[i];
    EXPECT_EQ(l.day, want[i].day);
    EXPECT_EQ(l.strategy_name, want[i].strategy);
    EXPECT_EQ(l.symbol, want[i].symbol);
    EXPECT_EQ(l.realized, D(want[i].realized)) << l.realized.ToString();
    EXPECT_EQ(l.closed_qty, D(want[i].closed)) << l.closed_qty.ToString();
    EXPECT_EQ(l.wins, want[i].wins);
    EXPECT_EQ(l.losses, want[i].losses);
  }
}

TEST_F(PnlTest, PartialCloseThenTheRestIsOneWinningRoundTrip) {
  const PnlReport r = Run({
      F("1", "s", "AAPL", kBuy, "10", "100", "2024-03-12T14:30:00Z"),  // basis 1000
      F("2", "s", "AAPL", kSell, "4", "110", "2024-03-12T15:00:00Z"),  // 440 − 400 = +40
      F("3", "s", "AAPL", kSell, "6", "95", "2024-03-12T16:00:00Z"),   // 570 − 600 = −30
  });
  // The round trip made +10 overall: one win, although its last fill lost money.
  ExpectLines(r, {{"2024-03-12", "s", "AAPL", "10", "10", 1, 0}});
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].fill_id, "2");
  EXPECT_EQ(r.series[0].realized, D("40"));
  EXPECT_EQ(r.series[0].cumulative, D("40"));
  EXPECT_EQ(r.series[1].realized, D("-30"));
  EXPECT_EQ(r.series[1].cumulative, D("10"));
  EXPECT_EQ(r.series[1].ts, At("2024-03-12T16:00:00Z"));
  EXPECT_TRUE(r.open.empty());
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.totals.fills, 3);
  EXPECT_EQ(r.totals.win_rate(), D("1"));
}

TEST_F(PnlTest, APartialCloseLeavesTheRestOpenAtItsAverageCost) {
  const PnlReport r = Run({
      F("1", "s", "MSFT", kBuy, "1", "10"),
      F("2", "s", "MSFT", kBuy, "2", "13"),   // basis 36 for 3: average 12
      F("3", "s", "MSFT", kSell, "1", "15"),  // 15 − 12 = +3
  });
  ExpectLines(r, {{"2024-03-12", "s", "MSFT", "3", "1", 0, 0}});  // not flat: not judged
  ASSERT_EQ(r.open.size(), 1u);
  EXPECT_EQ(r.open[0].qty, D("2"));
  EXPECT_EQ(r.open[0].cost_basis, D("24"));
  EXPECT_EQ(r.open[0].avg_price, D("12"));
  EXPECT_EQ(r.open[0].round_trip_realized, D("3"));
  EXPECT_FALSE(r.totals.win_rate().has_value());
}

TEST_F(PnlTest, ALosingRoundTrip) {
  const PnlReport r = Run({
      F("1", "s", "AAPL", kBuy, "3", "50.25"),   // 150.75
      F("2", "s", "AAPL", kSell, "3", "49.75"),  // 149.25 − 150.75 = −1.5
  });
  ExpectLines(r, {{"2024-03-12", "s", "AAPL", "-1.5", "3", 0, 1}});
  EXPECT_EQ(r.totals.win_rate(), D("0"));
}

TEST_F(PnlTest, InexactSharesOfTheBasisLeaveNoResidueWhenFlat) {
  const Decimal commissions[] = {D("0.01"), D("0"), D("0")};
  const PnlReport r = Run(
      {
          F("1", "s", "X", kBuy, "3", "1", "2024-03-12T14:30:00Z"),   // basis 3.01
          F("2", "s", "X", kSell, "1", "2", "2024-03-12T14:31:00Z"),  // 2 − 1.003333333
          F("3", "s", "X", kSell, "2", "2", "2024-03-12T14:32:00Z"),  // 4 − 2.006666667
      },
      {.commissions = commissions});
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].realized, D("0.996666667"));  // 3.01 / 3 = 1.00333…, rounded once
  EXPECT_EQ(r.series[1].realized, D("1.993333333"));  // the rest of the basis, exactly
  // Exactly 6 − 3.01, the cash that came back: no rounding residue.
  ExpectLines(r, {{"2024-03-12", "s", "X", "2.99", "3", 1, 0}});
  EXPECT_EQ(r.totals.commissions, D("0.01"));

  // A share of the basis is rounded half to even, not truncated: 2 × 1/3 = 0.666666667.
  const PnlReport thirds = Run({
      F("1", "s", "Y", kBuy, "1", "2", "2024-03-12T14:30:00Z"),
      F("2", "s", "Y", kBuy, "2", "0", "2024-03-12T14:31:00Z"),   // basis 2 for 3 shares
      F("3", "s", "Y", kSell, "1", "1", "2024-03-12T14:32:00Z"),  // 1 − 0.666666667
  });
  ASSERT_EQ(thirds.series.size(), 1u);
  EXPECT_EQ(thirds.series[0].realized, D("0.333333333"));
  ASSERT_EQ(thirds.open.size(), 1u);
  EXPECT_EQ(thirds.open[0].cost_basis, D("1.333333333"));
}

TEST_F(PnlTest, ASellLargerThanThePositionIsFlaggedAndTheExcessNotCounted) {
  const Decimal commissions[] = {D("0"), D("0.8"), D("0.2")};
  const std::vector<Fill> fills = {
      F("1", "s", "AAPL", kBuy, "5", "20", "2024-03-12T14:30:00Z"),
      // Closes the 5 held: 110 − 100 − 0.8 (all of its commission) = +9.2; 3 more not counted.
      F("2", "s", "AAPL", kSell, "8", "22", "2024-03-12T14:31:00Z"),
      // Nothing held: nothing closes, the commission paid is a cost.
      F("3", "s", "AAPL", kSell, "2", "22", "2024-03-12T14:32:00Z"),
  };
  const PnlReport r = Run(fills, {.commissions = commissions});
  ExpectLines(r, {{"2024-03-12", "s", "AAPL", "9", "5", 1, 0}});
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].fill_id, "2");
  EXPECT_EQ(r.warnings[0].held, D("5"));
  EXPECT_EQ(r.warnings[0].sold, D("8"));
  EXPECT_EQ(r.warnings[0].excess, D("3"));
  EXPECT_NE(r.warnings[0].message.find("larger than the 5 held"), std::string::npos)
      << r.warnings[0].message;
  EXPECT_EQ(r.warnings[1].held, D("0"));
  EXPECT_EQ(r.warnings[1].excess, D("2"));
  EXPECT_TRUE(r.open.empty());  // no short was opened
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[1].realized, D("-0.2"));
  EXPECT_EQ(r.series[1].cumulative, D("9"));
}

TEST_F(PnlTest, WithShortsTheExcessOpensAShortAtItsOwnAverage) {
  const Decimal commissions[] = {D("0"), D("0.8"), D("0"), D("0")};
  const PnlReport r = Run(
      {
          F("1", "s", "AAPL", kBuy, "5", "20", "2024-03-12T14:30:00Z"),
          // Flip: 5 close (commission 0.8 × 5/8 = 0.5): 110 − 100 − 0.5 = +9.5;
          // 3 open a short (commission 0.3): basis 66 − 0.3 = 65.7.
          F("2", "s", "AAPL", kSell, "8", "22", "2024-03-12T14:31:00Z"),
          F("3", "s", "AAPL", kSell, "2", "22", "2024-03-12T14:32:00Z"),  // basis 109.7 for 5
          F("4", "s", "AAPL", kBuy, "5", "21", "2024-03-12T14:33:00Z"),   // 109.7 − 105 = +4.7
      },
      {.allow_shorts = true, .commissions = commissions});
  EXPECT_TRUE(r.warnings.empty());
  ExpectLines(r, {{"2024-03-12", "s", "AAPL", "14.2", "10", 2, 0}});
  EXPECT_TRUE(r.open.empty());
}

TEST_F(PnlTest, AShortRoundTripClosedInTwoParts) {
  const Decimal commissions[] = {D("1"), D("0.4"), D("0.6")};
  const PnlReport r = Run(
      {
          F("1", "s", "TSLA", kSell, "10", "50", "2024-03-12T14:30:00Z"),  // basis 500 − 1 = 499
          F("2", "s", "TSLA", kBuy, "4", "45", "2024-03-12T14:31:00Z"),    // 199.6 − 180 − 0.4
          F("3", "s", "TSLA", kBuy, "6", "52", "2024-03-12T14:32:00Z"),    // 299.4 − 312 − 0.6
      },
      {.allow_shorts = true, .commissions = commissions});
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].realized, D("19.2"));
  EXPECT_EQ(r.series[1].realized, D("-13.2"));
  ExpectLines(r, {{"2024-03-12", "s", "TSLA", "6", "10", 1, 0}});
  EXPECT_EQ(r.lines[0].commissions, D("2"));
}

TEST_F(PnlTest, SeveralStrategiesOnOneSymbolKeepSeparateBooks) {
  const PnlReport r = Run({
      F("1", "alpha", "AAPL", kBuy, "10", "100", "2024-03-12T14:30:00Z"),
      F("2", "beta", "AAPL", kBuy, "5", "102", "2024-03-12T14:31:00Z"),
      // The account holds 15 at 100.666…; alpha's own average is 100: 1010 − 1000 = +10.
      F("3", "alpha", "AAPL", kSell, "10", "101", "2024-03-12T14:32:00Z"),
      F("4", "beta", "AAPL", kSell, "5", "101", "2024-03-12T14:33:00Z"),  // 505 − 510 = −5
  });
  ExpectLines(r, {{"2024-03-12", "alpha", "AAPL", "10", "10", 1, 0},
                  {"2024-03-12", "beta", "AAPL", "-5", "5", 0, 1}});
  EXPECT_EQ(r.totals.realized, D("5"));
  EXPECT_EQ(r.totals.win_rate(), D("0.5"));
  EXPECT_TRUE(r.warnings.empty());  // beta's sell is within beta's own position
}

TEST_F(PnlTest, TheTradingDayIsTheNewYorkDateAcrossTheSpringDstChange) {
  // DST began 2024-03-10 at 02:00 EST: midnight in New York is 05:00Z before, 04:00Z after.
  const std::vector<Fill> fills = {
      F("1", "s", "AAPL", kBuy, "2", "10", "2024-03-08T04:15:00Z"),   // Mar 7, 23:15 EST
      F("2", "s", "AAPL", kSell, "1", "12", "2024-03-11T03:30:00Z"),  // Mar 10, 23:30 EDT: +2
      F("3", "s", "AAPL", kSell, "1", "13", "2024-03-11T04:15:00Z"),  // Mar 11, 00:15 EDT: +3
  };
  const PnlReport all = Run(fills);
  ExpectLines(all, {{"2024-03-07", "s", "AAPL", "0", "0", 0, 0},
                    {"2024-03-10", "s", "AAPL", "2", "1", 0, 0},
                    {"2024-03-11", "s", "AAPL", "3", "1", 1, 0}});

  // One day: the earlier fills still give the average cost and the round trip's result.
  const PnlReport day = Run(fills, {.day = "2024-03-11"});
  ExpectLines(day, {{"2024-03-11", "s", "AAPL", "3", "1", 1, 0}});
  ASSERT_EQ(day.series.size(), 1u);
  EXPECT_EQ(day.series[0].cumulative, D("3"));
  EXPECT_EQ(day.totals.fills, 1);

  // A day before the position closed: later fills are not looked at.
  const PnlReport earlier = Run(fills, {.day = "2024-03-10"});
  ExpectLines(earlier, {{"2024-03-10", "s", "AAPL", "2", "1", 0, 0}});
  ASSERT_EQ(earlier.open.size(), 1u);
  EXPECT_EQ(earlier.open[0].qty, D("1"));
}

TEST_F(PnlTest, NewYorkDayAtTheEdgesOfBothDstChanges) {
  EXPECT_EQ(NewYorkDay(At("2024-03-11T03:59:59.999Z"), *ny_), "2024-03-10");
  EXPECT_EQ(NewYorkDay(At("2024-03-11T04:00:00Z"), *ny_), "2024-03-11");
  EXPECT_EQ(NewYorkDay(At("2024-03-09T04:59:59.999Z"), *ny_), "2024-03-08");
  EXPECT_EQ(NewYorkDay(At("2024-03-09T05:00:00Z"), *ny_), "2024-03-09");
  // DST ended 2024-11-03 at 02:00 EDT.
  EXPECT_EQ(NewYorkDay(At("2024-11-03T03:59:59Z"), *ny_), "2024-11-02");
  EXPECT_EQ(NewYorkDay(At("2024-11-03T04:00:00Z"), *ny_), "2024-11-03");
  EXPECT_EQ(NewYorkDay(At("2024-11-04T04:30:00Z"), *ny_), "2024-11-03");  // 23:30 EST
  EXPECT_EQ(NewYorkDay(At("2024-11-04T05:00:00Z"), *ny_), "2024-11-04");
}

TEST_F(PnlTest, FillsAreTakenInTimeOrderAndABreakEvenTripIsNeitherWinNorLoss) {
  const PnlReport r = Run({
      F("2", "s", "AAPL", kSell, "1", "10", "2024-03-12T14:31:00Z"),
      F("1", "s", "AAPL", kBuy, "1", "10", "2024-03-12T14:30:00Z"),
  });
  EXPECT_TRUE(r.warnings.empty());  // the buy came first in time
  ExpectLines(r, {{"2024-03-12", "s", "AAPL", "0", "1", 0, 0}});
  ASSERT_EQ(r.series.size(), 1u);  // it closed shares, so it is a point, at zero
  EXPECT_EQ(r.series[0].realized, D("0"));
}

TEST_F(PnlTest, BadInputIsRefusedWithTheReason) {
  const std::vector<Fill> fills = {F("1", "s", "AAPL", kBuy, "1", "10")};
  const Decimal two[] = {D("0"), D("0")};
  auto r = ComputeRealizedPnl(fills, *ny_, {.commissions = two});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("2 commissions for 1 fills"), std::string::npos);
  const Decimal negative[] = {D("-1")};
  EXPECT_FALSE(ComputeRealizedPnl(fills, *ny_, {.commissions = negative}).ok());
  EXPECT_FALSE(ComputeRealizedPnl(fills, *ny_, {.day = "2024-3-1"}).ok());
  std::vector<Fill> zero = fills;
  zero[0].qty = Decimal();
  r = ComputeRealizedPnl(zero, *ny_);
  EXPECT_NE(r.status().message().find("fill 1 has qty 0"), std::string::npos)
      << r.status().message();
  // Out of the Decimal range: an error, never a wrapped number.
  const std::vector<Fill> huge = {F("1", "s", "AAPL", kBuy, "1000000", "9000000")};
  r = ComputeRealizedPnl(huge, *ny_);
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange) << r.status().ToString();
}

}  // namespace
}  // namespace torghut::trading
