#include "torghut/ta/indicators/indicators.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace torghut::ta::indicators {
namespace {

std::vector<double> Series(int n) {
  std::vector<double> v;
  double x = 100;
  for (int i = 0; i < n; ++i) {
    x += std::sin(i * 0.7) * 0.8 + (i % 5 == 0 ? -0.3 : 0.1);
    v.push_back(x);
  }
  return v;
}

TEST(EmaTest, NullUntilPeriodThenSeededWithTheSimpleMean) {
  Ema ema(3);
  EXPECT_TRUE(std::isnan(ema.Update(1)));
  EXPECT_TRUE(std::isnan(ema.Update(2)));
  EXPECT_DOUBLE_EQ(ema.Update(6), 3.0);  // mean of 1, 2, 6
  EXPECT_DOUBLE_EQ(ema.Update(7), (7 - 3.0) * 0.5 + 3.0);
}

TEST(MacdTest, DefinedOnceTheSlowEmaIsAndSignalAfterNineMore) {
  Macd macd(12, 26, 9);
  const auto s = Series(60);
  for (int i = 0; i < 60; ++i) {
    macd.Update(s[i]);
    EXPECT_EQ(std::isnan(macd.macd()), i < 25) << i;
    EXPECT_EQ(std::isnan(macd.signal()), i < 33) << i;
    EXPECT_EQ(std::isnan(macd.hist()), i < 33) << i;
    if (i >= 25) {
      EXPECT_DOUBLE_EQ(macd.macd(), macd.fast().value() - macd.slow().value());
    }
    if (i >= 33) {
      EXPECT_DOUBLE_EQ(macd.hist(), macd.macd() - macd.signal());
    }
  }
}

TEST(RsiTest, FirstValueAfterNChangesAndZeroOnAFlatSeries) {
  Rsi rsi(14);
  for (int i = 0; i < 14; ++i) EXPECT_TRUE(std::isnan(rsi.Update(5.0))) << i;
  EXPECT_EQ(rsi.Update(5.0), 0.0);  // flat: G+L = 0 → 0 (TA-Lib's convention)
  Rsi up(2);
  up.Update(1);
  up.Update(2);
  EXPECT_DOUBLE_EQ(up.Update(3), 100.0);
  EXPECT_DOUBLE_EQ(up.Update(2), 100.0 * 0.5 / (0.5 + 0.5));  // G = (1·1+0)/2, L = (0+1)/2
}

TEST(BollingerTest, PopulationSigmaOfTheLastNValues) {
  Bollinger b(4, 2.0);
  for (double x : {1.0, 2.0, 3.0}) {
    b.Update(x);
    EXPECT_TRUE(std::isnan(b.mid()));
  }
  b.Update(4.0);
  const double sd = std::sqrt(1.25);  // population σ of 1,2,3,4
  EXPECT_DOUBLE_EQ(b.mid(), 2.5);
  EXPECT_NEAR(b.upper(), 2.5 + 2 * sd, 1e-12);
  EXPECT_NEAR(b.lower(), 2.5 - 2 * sd, 1e-12);
  b.Update(10.0);  // window 2,3,4,10
  EXPECT_DOUBLE_EQ(b.mid(), 4.75);
  Bollinger flat(20, 2.0);
  for (int i = 0; i < 20; ++i) flat.Update(7.0);
  EXPECT_EQ(flat.upper(), 7.0);
  EXPECT_EQ(flat.lower(), 7.0);
}

TEST(RollingVwapTest, BarsLeaveTheWindowByEndTime) {
  const int64_t s = 1'000'000'000;
  RollingVwap w(3 * s, 4);
  EXPECT_DOUBLE_EQ(w.Update(1 * s, 10 * 100, 100), 10.0);
  EXPECT_DOUBLE_EQ(w.Update(2 * s, 20 * 100, 100), 15.0);
  EXPECT_DOUBLE_EQ(w.Update(4 * s, 40 * 100, 100), 30.0);  // bar ending at 1 s left (4 − 3]
  EXPECT_DOUBLE_EQ(w.Update(10 * s, 50 * 10, 10), 50.0);   // all older bars left
  EXPECT_TRUE(std::isnan(w.Update(11 * s, 0, 0)) == false);
  RollingVwap empty(s, 2);
  EXPECT_TRUE(std::isnan(empty.Update(s, 0, 0)));
}

TEST(SessionVwapTest, ResetStartsANewSession) {
  SessionVwap v;
  v.Update(10 * 100, 100);
  EXPECT_DOUBLE_EQ(v.Update(20 * 100, 100), 15.0);
  v.Reset();
  EXPECT_TRUE(std::isnan(v.value()));
  EXPECT_DOUBLE_EQ(v.Update(30 * 10, 10), 30.0);
}

TEST(RealizedVolTest, PopulationSigmaOfLogReturnsAfterNReturns) {
  RealizedVol vol(3);
  const std::vector<double> closes = {100, 101, 100, 102, 99};
  std::vector<double> out;
  for (double c : closes) out.push_back(vol.Update(c));
  EXPECT_TRUE(std::isnan(out[2]));
  const double r1 = std::log(101.0 / 100), r2 = std::log(100.0 / 101), r3 = std::log(102.0 / 100);
  const double m = (r1 + r2 + r3) / 3;
  const double expect =
      std::sqrt(((r1 - m) * (r1 - m) + (r2 - m) * (r2 - m) + (r3 - m) * (r3 - m)) / 3);
  EXPECT_NEAR(out[3], expect, 1e-15);
}

// Saving mid-stream and restoring into a fresh object continues with identical bits.
TEST(IndicatorSnapshotTest, SaveLoadMidStreamIsBitExact) {
  const auto s = Series(400);
  Macd a(12, 26, 9);
  Rsi ra(14);
  Bollinger ba(20, 2.0);
  RollingVwap va(300'000'000'000, 301);
  RealizedVol qa(60);
  for (int i = 0; i < 150; ++i) {
    a.Update(s[i]), ra.Update(s[i]), ba.Update(s[i]), qa.Update(s[i]);
    va.Update(i * 1'000'000'000LL, s[i] * 10, 10);
  }
  BinaryWriter w;
  a.Save(w), ra.Save(w), ba.Save(w), va.Save(w), qa.Save(w);
  Macd b(12, 26, 9);
  Rsi rb(14);
  Bollinger bb(20, 2.0);
  RollingVwap vb(300'000'000'000, 301);
  RealizedVol qb(60);
  BinaryReader r(w.data());
  ASSERT_TRUE(b.Load(r) && rb.Load(r) && bb.Load(r) && vb.Load(r) && qb.Load(r));
  EXPECT_TRUE(r.AtEnd());
  for (int i = 150; i < 400; ++i) {
    a.Update(s[i]), b.Update(s[i]);
    EXPECT_EQ(ra.Update(s[i]), rb.Update(s[i]));
    ba.Update(s[i]), bb.Update(s[i]);
    EXPECT_EQ(va.Update(i * 1'000'000'000LL, s[i] * 10, 10),
              vb.Update(i * 1'000'000'000LL, s[i] * 10, 10));
    EXPECT_EQ(qa.Update(s[i]), qb.Update(s[i]));
    EXPECT_EQ(a.macd(), b.macd());
    EXPECT_EQ(a.signal(), b.signal());
    EXPECT_EQ(ba.upper(), bb.upper());
  }
  // A truncated snapshot is refused.
  BinaryReader cut(std::string_view(w.data()).substr(0, 20));
  Macd c(12, 26, 9);
  EXPECT_FALSE(c.Load(cut));
  EXPECT_EQ(cut.Error().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace torghut::ta::indicators
