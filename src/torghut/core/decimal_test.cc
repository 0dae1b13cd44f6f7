#include "torghut/core/decimal.h"

#include <gtest/gtest.h>

#include <cmath>

namespace torghut {
namespace {

Decimal D(std::string_view s) {
  Result<Decimal> d = Decimal::Parse(s);
  EXPECT_TRUE(d.ok()) << s << ": " << d.status().message();
  return d.ok() ? *d : Decimal();
}

TEST(DecimalTest, ParseAndFormatRoundTrip) {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"+2", "2"},
      {"187.25", "187.25"},
      {"187.250", "187.25"},
      {"-1.5", "-1.5"},
      {"0.000000001", "0.000000001"},
      {"123456789.123456789", "123456789.123456789"},
      {"1.2300000000000", "1.23"},
      {"9200000000", "9200000000"},
      {"007.10", "7.1"}};
  for (auto [in, out] : cases) EXPECT_EQ(D(in).ToString(), out) << in;
  EXPECT_EQ(D("187.2").ToString(2), "187.20");
  EXPECT_EQ(D("5").ToString(2), "5.00");
  EXPECT_EQ(D("-0.5").ToString(3), "-0.500");
  EXPECT_EQ(D("1.5").units(), 1'500'000'000);
}

TEST(DecimalTest, BadStringsAreRejectedWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},          {"abc", "digit"},      {"1e5", "exponent"},
      {".5", "digit before"}, {"5.", "digit after"}, {"1.0000000001", "9 fractional"},
      {"1 ", "unexpected"},   {"--1", "digit"},      {"99999999999", "range"},
      {"1,5", "unexpected"}};
  for (auto [in, why] : cases) {
    Result<Decimal> d = Decimal::Parse(in);
    ASSERT_FALSE(d.ok()) << in;
    EXPECT_NE(d.status().message().find(why), std::string::npos)
        << in << ": " << d.status().message();
  }
}

TEST(DecimalTest, ArithmeticIsExact) {
  // 0.1 + 0.2 is exactly 0.3 here, unlike binary floating point.
  EXPECT_EQ(*D("0.1").Add(D("0.2")), D("0.3"));
  EXPECT_EQ(*D("187.25").Mul(D("3")), D("561.75"));
  EXPECT_EQ(*D("-2.5").Mul(D("0.4")), D("-1"));
  EXPECT_EQ(*D("10").Sub(D("10.000000001")), D("-0.000000001"));
  EXPECT_EQ(*D("1").Div(D("3")), D("0.333333333"));
  EXPECT_EQ(*D("2").Div(D("3")), D("0.666666667"));
  EXPECT_EQ(*D("-2").Div(D("3")), D("-0.666666667"));
  EXPECT_EQ(*D("1").Div(D("-8")), D("-0.125"));
  EXPECT_FALSE(D("1").Div(D("0")).ok());
}

TEST(DecimalTest, MultiplicationRoundsHalfEvenByDefault) {
  // 0.000000005 × 0.1 = 0.0000000005 → tie → even (0); 0.000000015 × 0.1 → 0.000000002.
  EXPECT_EQ(*D("0.000000005").Mul(D("0.1")), D("0"));
  EXPECT_EQ(*D("0.000000015").Mul(D("0.1")), D("0.000000002"));
  EXPECT_EQ(*D("0.000000005").Mul(D("0.1"), RoundingMode::kHalfUp), D("0.000000001"));
  EXPECT_EQ(*D("-0.000000005").Mul(D("0.1"), RoundingMode::kFloor), D("-0.000000001"));
  EXPECT_EQ(*D("-0.000000005").Mul(D("0.1"), RoundingMode::kCeiling), D("0"));
}

TEST(DecimalTest, RoundingModes) {
  struct Case {
    const char* in;
    RoundingMode mode;
    const char* out;
  };
  const Case cases[] = {
      {"2.345", RoundingMode::kHalfEven, "2.34"},  {"2.355", RoundingMode::kHalfEven, "2.36"},
      {"2.345", RoundingMode::kHalfUp, "2.35"},    {"-2.345", RoundingMode::kHalfUp, "-2.35"},
      {"2.349", RoundingMode::kDown, "2.34"},      {"-2.349", RoundingMode::kDown, "-2.34"},
      {"-2.341", RoundingMode::kFloor, "-2.35"},   {"2.341", RoundingMode::kCeiling, "2.35"},
      {"2.3451", RoundingMode::kHalfEven, "2.35"}, {"2.34", RoundingMode::kCeiling, "2.34"}};
  for (const Case& c : cases) {
    EXPECT_EQ(D(c.in).RoundTo(2, c.mode), D(c.out)) << c.in << " mode " << static_cast<int>(c.mode);
  }
  EXPECT_EQ(D("0.5").RoundTo(0, RoundingMode::kHalfEven), D("0"));
  EXPECT_EQ(D("1.5").RoundTo(0, RoundingMode::kHalfEven), D("2"));
}

TEST(DecimalTest, OverflowIsReportedNotWrapped) {
  const Decimal big = D("9000000000");
  Result<Decimal> sum = big.Add(big);
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(big.Mul(D("2")).ok());
  EXPECT_FALSE(D("-9000000000").Sub(big).ok());
  EXPECT_FALSE(Decimal::FromInt(10'000'000'000).ok());
  EXPECT_FALSE(Decimal::FromUnits(INT64_MIN).Negate().ok());
  EXPECT_TRUE(big.Mul(D("1")).ok());
}

TEST(DecimalTest, DoublesAndComparison) {
  EXPECT_EQ(*Decimal::FromDouble(0.1 + 0.2, 2), D("0.3"));
  EXPECT_EQ(*Decimal::FromDouble(-187.255, 2), D("-187.26"));  // nearest at 2 digits
  EXPECT_FALSE(Decimal::FromDouble(std::nan(""), 2).ok());
  EXPECT_FALSE(Decimal::FromDouble(1e30, 2).ok());
  EXPECT_DOUBLE_EQ(D("187.25").ToDouble(), 187.25);
  EXPECT_LT(D("-1"), D("0.000000001"));
  EXPECT_GT(D("2.5"), D("2.49"));
  EXPECT_EQ(D("2.50"), D("2.5"));
  EXPECT_EQ(D("-3.5").Abs(), D("3.5"));
  EXPECT_TRUE(D("-0.0").is_zero());
}

}  // namespace
}  // namespace torghut
