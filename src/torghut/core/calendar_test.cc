#include "torghut/core/calendar.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace torghut {
namespace {

Timestamp T(std::string_view s) {
  Result<Timestamp> t = ParseRfc3339(s);
  EXPECT_TRUE(t.ok()) << s;
  return t.ok() ? *t : Timestamp();
}

class CalendarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<TradingCalendar> cal = TradingCalendar::NewYork();
    ASSERT_TRUE(cal.ok()) << cal.status().message();
    calendar_ = new TradingCalendar(std::move(*cal));
  }
  static void TearDownTestSuite() { delete calendar_; }
  static TradingCalendar* calendar_;
};
TradingCalendar* CalendarTest::calendar_ = nullptr;

TEST_F(CalendarTest, DstSwitchesInNewYork) {
  const TimeZone& tz = calendar_->zone();
  // Spring forward 2024-03-10 02:00 EST → 03:00 EDT (07:00Z).
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2024-03-10T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2024-03-10T07:00:00Z")), -4 * 3600);
  // Fall back 2024-11-03 02:00 EDT → 01:00 EST (06:00Z).
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2024-11-03T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2024-11-03T06:00:00Z")), -5 * 3600);
  // Local → UTC, including the gap and the overlap.
  EXPECT_EQ(tz.FromLocal(2024, 3, 10, 1, 59, 59), T("2024-03-10T06:59:59Z"));
  EXPECT_EQ(tz.FromLocal(2024, 3, 10, 2, 30, 0), T("2024-03-10T07:30:00Z"));  // gap: 03:30 EDT
  EXPECT_EQ(tz.FromLocal(2024, 3, 10, 3, 0, 0), T("2024-03-10T07:00:00Z"));
  EXPECT_EQ(tz.FromLocal(2024, 11, 3, 1, 30, 0), T("2024-11-03T05:30:00Z"));  // overlap: earlier
  EXPECT_EQ(tz.FromLocal(2024, 11, 3, 2, 30, 0), T("2024-11-03T07:30:00Z"));
}

TEST_F(CalendarTest, FarFutureUsesThePosixRule) {
  const TimeZone& tz = calendar_->zone();
  // 2090: second Sunday of March is the 12th, first Sunday of November the 5th.
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-03-12T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-03-12T07:00:00Z")), -4 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-07-01T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-11-05T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-11-05T06:00:00Z")), -5 * 3600);
  EXPECT_EQ(tz.UtcOffsetSeconds(T("2090-12-25T12:00:00Z")), -5 * 3600);
}

TEST_F(CalendarTest, SessionStartIsFourAmNewYorkOnTradingDays) {
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-07-10T15:00:00Z")),
            T("2024-07-10T08:00:00Z"));
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-01-10T15:00:00Z")),
            T("2024-01-10T09:00:00Z"));
  // Before 04:00 the previous trading day's session is current.
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-07-10T07:59:59Z")),
            T("2024-07-09T08:00:00Z"));
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-07-10T08:00:00Z")),
            T("2024-07-10T08:00:00Z"));
  // Weekend → Friday; Monday after a holiday weekend (MLK 2024-01-15) → Friday.
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-07-13T12:00:00Z")),
            T("2024-07-12T08:00:00Z"));
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-01-15T18:00:00Z")),
            T("2024-01-12T09:00:00Z"));
  EXPECT_EQ(calendar_->NextSessionStartAfter(T("2024-01-12T09:00:00Z")), T("2024-01-16T09:00:00Z"));
  // The Monday after spring forward starts at 08:00Z, the Friday before at 09:00Z.
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-03-11T12:00:00Z")),
            T("2024-03-11T08:00:00Z"));
  EXPECT_EQ(calendar_->SessionStartAtOrBefore(T("2024-03-10T12:00:00Z")),
            T("2024-03-08T09:00:00Z"));
}

TEST_F(CalendarTest, Holidays) {
  const int holidays[][3] = {
      {2024, 1, 1},   {2024, 1, 15}, {2024, 2, 19},  {2024, 3, 29},  {2024, 5, 27},
      {2024, 6, 19},  {2024, 7, 4},  {2024, 9, 2},   {2024, 11, 28}, {2024, 12, 25},
      {2025, 1, 1},   {2025, 1, 20}, {2025, 2, 17},  {2025, 4, 18},  {2025, 5, 26},
      {2025, 6, 19},  {2025, 7, 4},  {2025, 9, 1},   {2025, 11, 27}, {2025, 12, 25},
      {2026, 1, 1},   {2026, 1, 19}, {2026, 2, 16},  {2026, 4, 3},   {2026, 5, 25},
      {2026, 6, 19},  {2026, 7, 3},  {2026, 9, 7},   {2026, 11, 26}, {2026, 12, 25},
      {2022, 12, 26}, {2023, 1, 2},  {2021, 12, 24}, {2021, 6, 18} /* not yet: see below */};
  for (const auto& h : holidays) {
    if (h[0] == 2021 && h[1] == 6) continue;
    EXPECT_TRUE(TradingCalendar::IsHoliday(h[0], h[1], h[2])) << h[0] << "-" << h[1] << "-" << h[2];
    EXPECT_FALSE(calendar_->SessionOn(h[0], h[1], h[2]).has_value());
  }
  // Juneteenth only from 2022; a Saturday New Year's Day (2022-01-01) is not observed on Friday.
  EXPECT_FALSE(TradingCalendar::IsHoliday(2021, 6, 18));
  EXPECT_TRUE(TradingCalendar::IsTradingDay(2021, 12, 31));
  // Ordinary days and weekends.
  EXPECT_TRUE(TradingCalendar::IsTradingDay(2024, 7, 5));
  EXPECT_FALSE(TradingCalendar::IsTradingDay(2024, 7, 6));
  EXPECT_FALSE(TradingCalendar::IsTradingDay(2024, 7, 7));
  EXPECT_TRUE(TradingCalendar::IsTradingDay(2026, 7, 2));
}

TEST_F(CalendarTest, EarlyClosesAndPhases) {
  EXPECT_TRUE(TradingCalendar::IsEarlyClose(2024, 11, 29));
  EXPECT_TRUE(TradingCalendar::IsEarlyClose(2024, 12, 24));
  EXPECT_TRUE(TradingCalendar::IsEarlyClose(2024, 7, 3));
  EXPECT_FALSE(TradingCalendar::IsEarlyClose(2026, 7, 3));  // the observed holiday itself
  EXPECT_FALSE(TradingCalendar::IsEarlyClose(2024, 11, 27));
  auto s = calendar_->SessionOn(2024, 11, 29);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pre_open, T("2024-11-29T09:00:00Z"));
  EXPECT_EQ(s->regular_open, T("2024-11-29T14:30:00Z"));
  EXPECT_EQ(s->regular_close, T("2024-11-29T18:00:00Z"));
  EXPECT_EQ(s->post_close, T("2024-11-29T22:00:00Z"));

  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-10T07:59:59Z")), SessionPhase::kClosed);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-10T08:00:00Z")), SessionPhase::kPre);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-10T13:30:00Z")), SessionPhase::kRegular);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-10T19:59:59Z")), SessionPhase::kRegular);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-10T20:00:00Z")), SessionPhase::kPost);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-11T00:00:00Z")), SessionPhase::kClosed);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-11-29T18:30:00Z")), SessionPhase::kPost);
  EXPECT_EQ(calendar_->PhaseAt(T("2024-07-04T15:00:00Z")), SessionPhase::kClosed);
  EXPECT_EQ(SessionPhaseName(SessionPhase::kRegular), "regular");
}

TEST(TimeZoneTest, MissingAndCorruptZonesGiveClearErrors) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("torghut-tz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "Bad") << "this is not a tzif file at all, not even close......";
  std::ofstream(dir / "Short") << "TZif2";
  ::setenv("TZDIR", dir.c_str(), 1);
  Result<TimeZone> missing = TimeZone::Load("Nowhere/City");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("Nowhere/City"), std::string::npos);
  Result<TimeZone> bad = TimeZone::Load("Bad");
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("bad magic"), std::string::npos) << bad.status().message();
  Result<TimeZone> short_file = TimeZone::Load("Short");
  EXPECT_NE(short_file.status().message().find("truncated"), std::string::npos);
  EXPECT_FALSE(TimeZone::Load("../etc/passwd").ok());
  ::unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(TimeZone::Load("America/New_York").ok());
}

}  // namespace
}  // namespace torghut
