// Joining the TA topics' rows into bars: any arrival order, revisions dropped, a missing partner
// reported once the other topic has moved past it, and what a reader may commit.
#include "torghut/trading/bar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace torghut::trading {
namespace {

ta::RowIdentity Id(std::string symbol, int64_t second, int64_t version = 3, bool final = true) {
  ta::RowIdentity id;
  id.symbol = std::move(symbol);
  id.window_size = id.window_step = ta::WindowSize::k1s;
  id.window_start = Timestamp::FromSeconds(1704207600 + second - 1);
  id.event_ts = id.window_end = Timestamp::FromSeconds(1704207600 + second);
  id.version = version;
  id.is_final = final;
  return id;
}
ta::MicrobarRow Bar(std::string symbol, int64_t second, double close = 100, int64_t version = 3,
                    bool final = true) {
  ta::MicrobarRow r;
  r.id = Id(std::move(symbol), second, version, final);
  r.o = r.h = r.l = r.c = close;
  r.v = 10;
  return r;
}
ta::SignalRow Sig(std::string symbol, int64_t second, double rsi = 50, int64_t version = 3) {
  ta::SignalRow r;
  r.id = Id(std::move(symbol), second, version);
  r.rsi14 = rsi;
  return r;
}

TEST(BarJoiner, JoinsEitherOrderAndCarriesTheValues) {
  BarJoiner j;
  EXPECT_TRUE(j.OnSignal(Sig("AAPL", 1, 31.5)).empty());
  auto bars = j.OnMicrobar(Bar("AAPL", 1, 187.2534));
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].symbol, "AAPL");
  EXPECT_EQ(bars[0].timeframe, Timeframe::k1Sec);
  EXPECT_EQ(bars[0].event_ts, 1704207601000);
  EXPECT_EQ(bars[0].close, Decimal::Parse("187.2534").value());
  EXPECT_EQ(bars[0].inputs.rsi14, 31.5);
  EXPECT_TRUE(std::isnan(bars[0].inputs.macd));
  EXPECT_TRUE(j.OnMicrobar(Bar("AAPL", 2)).empty());
  EXPECT_EQ(j.OnSignal(Sig("AAPL", 2)).size(), 1u);
  EXPECT_EQ(j.pending(), 0u);
  // A close that is not a positive number gives no reference price.
  j.OnMicrobar(Bar("MSFT", 1, -1));
  EXPECT_FALSE(j.OnSignal(Sig("MSFT", 1)).at(0).close.has_value());
}

// Infinite or NaN values from a row never reach a rule as numbers: an indicator becomes undefined
// (the rule skips it as warm-up), and a close that is not finite gives no reference price.
TEST(BarJoiner, InfiniteAndNanValuesBecomeUndefined) {
  BarJoiner j;
  ta::SignalRow sig = Sig("AAPL", 1, std::numeric_limits<double>::infinity());
  sig.macd = -std::numeric_limits<double>::infinity();
  sig.boll_upper = std::numeric_limits<double>::quiet_NaN();
  sig.ema12 = 101.5;
  j.OnSignal(sig);
  auto bars = j.OnMicrobar(Bar("AAPL", 1, std::numeric_limits<double>::infinity()));
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_TRUE(std::isnan(bars[0].inputs.rsi14));
  EXPECT_TRUE(std::isnan(bars[0].inputs.macd));
  EXPECT_TRUE(std::isnan(bars[0].inputs.boll_upper));
  EXPECT_EQ(bars[0].inputs.ema12, 101.5);
  EXPECT_FALSE(bars[0].close.has_value());
  EXPECT_TRUE(std::isnan(bars[0].inputs.close));
}

TEST(BarJoiner, RevisionsAndProvisionalRowsAreDropped) {
  BarJoiner j;
  j.OnMicrobar(Bar("AAPL", 1));
  ASSERT_EQ(j.OnSignal(Sig("AAPL", 1)).size(), 1u);
  // A later version of the same bar (and a re-delivered copy): no second bar, nothing waits.
  EXPECT_TRUE(j.OnMicrobar(Bar("AAPL", 1, 100, 9)).empty());
  EXPECT_TRUE(j.OnSignal(Sig("AAPL", 1, 50, 9)).empty());
  EXPECT_EQ(j.pending(), 0u);
  EXPECT_EQ(j.dropped(), 2);
  // Provisional rows never join.
  EXPECT_TRUE(j.OnMicrobar(Bar("AAPL", 5, 100, 2, false)).empty());
  EXPECT_EQ(j.pending(), 0u);
}

TEST(BarJoiner, APartnerThatCanNoLongerComeIsReportedNotWaitedForever) {
  BarJoiner j;
  // Second 3's bar has no signal (created behind the indicator chain); second 4 completes.
  j.OnMicrobar(Bar("AAPL", 3));
  j.OnMicrobar(Bar("AAPL", 4));
  EXPECT_TRUE(j.TakeSkips().empty());  // the signal topic may just be slower
  ASSERT_EQ(j.OnSignal(Sig("AAPL", 4)).size(), 1u);
  const auto skips = j.TakeSkips();
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].reason, "missing_signal");
  EXPECT_EQ(skips[0].event_ts, 1704207603000);
  EXPECT_EQ(j.pending(), 0u);
}

TEST(BarJoiner, ReadersCommitNothingPastARowThatStillWaits) {
  BarJoiner j;
  j.OnMicrobar(Bar("AAPL", 1), {0, 2, 100});
  j.OnMicrobar(Bar("AAPL", 2), {0, 2, 101});
  j.OnSignal(Sig("MSFT", 1), {1, 0, 7});
  auto oldest = j.OldestPending();
  EXPECT_EQ(oldest.size(), 2u);
  EXPECT_EQ((oldest[{0, 2}]), 100);
  EXPECT_EQ((oldest[{1, 0}]), 7);
  j.OnSignal(Sig("AAPL", 1), {1, 2, 55});
  oldest = j.OldestPending();
  EXPECT_EQ((oldest[{0, 2}]), 101);
}

}  // namespace
}  // namespace torghut::trading
