#include "torghut/core/time.h"

#include <gtest/gtest.h>

namespace torghut {
namespace {

int64_t Ns(std::string_view s) {
  Result<Timestamp> t = ParseRfc3339(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().message();
  return t.ok() ? t->nanos() : 0;
}

TEST(TimeTest, ParsesNanosecondsAndOffsets) {
  EXPECT_EQ(Ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ns("2024-01-02T14:30:00.123456789Z"), 1704205800123456789);
  EXPECT_EQ(Ns("2024-01-02T14:30:00.5Z"), 1704205800500000000);
  EXPECT_EQ(Ns("2024-01-02t14:30:00z"), 1704205800000000000);
  EXPECT_EQ(Ns("2024-01-02 14:30:00Z"), 1704205800000000000);
  EXPECT_EQ(Ns("2024-01-02T09:30:00-05:00"), 1704205800000000000);
  EXPECT_EQ(Ns("2024-01-02T20:00:00+05:30"), 1704205800000000000);
  EXPECT_EQ(Ns("2024-01-02T14:30:00+00:00"), 1704205800000000000);
}

TEST(TimeTest, LeapDays) {
  EXPECT_EQ(Ns("2024-02-29T00:00:00Z") - Ns("2024-02-28T00:00:00Z"), kNanosPerDay);
  EXPECT_EQ(Ns("2024-03-01T00:00:00Z") - Ns("2024-02-29T00:00:00Z"), kNanosPerDay);
  EXPECT_EQ(Ns("2000-02-29T12:00:00Z"), 951825600 * kNanosPerSecond);
  EXPECT_FALSE(ParseRfc3339("2023-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").ok());  // not a leap year
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
}

TEST(TimeTest, RoundsFractionsBeyondNanosecondsHalfUp) {
  EXPECT_EQ(Ns("2024-01-02T14:30:00.1234567894Z") % kNanosPerSecond, 123456789);
  EXPECT_EQ(Ns("2024-01-02T14:30:00.1234567895Z") % kNanosPerSecond, 123456790);
  // Carry into the next second.
  EXPECT_EQ(Ns("2024-01-02T14:30:00.9999999999Z"), Ns("2024-01-02T14:30:01Z"));
  // A leap second folds into the next second.
  EXPECT_EQ(Ns("2016-12-31T23:59:60Z"), Ns("2017-01-01T00:00:00Z"));
}

TEST(TimeTest, BadStringsAreRejectedWithAReason) {
  for (std::string_view bad :
       {"", "2024-01-02", "2024-01-02T14:30:00", "2024-13-02T14:30:00Z", "2024-00-02T14:30:00Z",
        "2024-01-32T14:30:00Z", "2024-01-02T24:00:00Z", "2024-01-02T14:60:00Z",
        "2024-01-02T14:30:61Z", "2024-01-02T14:30:00+5:00", "2024-01-02T14:30:00+25:00",
        "2024-01-02T14:30:00.Z", "2024-01-02T14:30:00Zjunk", "2024/01/02T14:30:00Z",
        "2024-01-02X14:30:00Z", "not a time", "2024-1-2T14:30:00Z"}) {
    Result<Timestamp> t = ParseRfc3339(bad);
    EXPECT_FALSE(t.ok()) << "accepted: " << bad;
    EXPECT_FALSE(t.status().message().empty());
  }
}

TEST(TimeTest, FormatsWithChosenPrecision) {
  const Timestamp t = Timestamp::FromNanos(1704205800123456789);
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kNone), "2024-01-02T14:30:00Z");
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kMillis), "2024-01-02T14:30:00.123Z");
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kMicros), "2024-01-02T14:30:00.123456Z");
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kNanos), "2024-01-02T14:30:00.123456789Z");
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kAuto), "2024-01-02T14:30:00.123456789Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromMillis(1704205800500), FracDigits::kAuto),
            "2024-01-02T14:30:00.5Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromSeconds(1704205800), FracDigits::kAuto),
            "2024-01-02T14:30:00Z");
  char buf[kRfc3339MaxLen];
  EXPECT_EQ(FormatRfc3339(Timestamp::FromSeconds(1709164800), buf, FracDigits::kMillis),
            "2024-02-29T00:00:00.000Z");
}

TEST(TimeTest, BeforeTheEpochAndRoundTrips) {
  const Timestamp t = Timestamp::FromNanos(-1);  // 1969-12-31T23:59:59.999999999Z
  EXPECT_EQ(FormatRfc3339(t, FracDigits::kNanos), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(t.seconds(), -1);
  EXPECT_EQ(t.millis(), -1);
  EXPECT_EQ(t.FloorTo(kNanosPerSecond).nanos(), -kNanosPerSecond);
  for (int64_t ns :
       {int64_t{0}, int64_t{-1}, int64_t{1704205800123456789},
        int64_t{951825600} * kNanosPerSecond + 7, int64_t{-2208988800} * kNanosPerSecond}) {
    const std::string s = FormatRfc3339(Timestamp::FromNanos(ns), FracDigits::kNanos);
    EXPECT_EQ(Ns(s), ns) << s;
  }
}

TEST(TimeTest, ParseTimeArgAcceptsEpochSecondsMillisAndRfc3339) {
  EXPECT_EQ(ParseTimeArg("1704205800")->nanos(), 1704205800 * kNanosPerSecond);
  EXPECT_EQ(ParseTimeArg("1704205800123")->nanos(), 1704205800123 * kNanosPerMilli);
  EXPECT_EQ(ParseTimeArg("2024-01-02T14:30:00Z")->nanos(), 1704205800 * kNanosPerSecond);
  EXPECT_FALSE(ParseTimeArg("").ok());
  EXPECT_FALSE(ParseTimeArg("yesterday").ok());
}

TEST(TimeTest, CivilConversions) {
  const CivilTime c = ToCivil(Timestamp::FromNanos(1704205800123456789));
  EXPECT_EQ(c.year, 2024);
  EXPECT_EQ(c.month, 1);
  EXPECT_EQ(c.day, 2);
  EXPECT_EQ(c.hour, 14);
  EXPECT_EQ(c.minute, 30);
  EXPECT_EQ(c.nanos, 123456789);
  EXPECT_EQ(FromCivil(c)->nanos(), 1704205800123456789);
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(2024, 1, 2)), 2);  // a Tuesday
  EXPECT_FALSE(FromCivil(CivilTime{2023, 2, 29, 0, 0, 0, 0}).ok());
}

}  // namespace
}  // namespace torghut
