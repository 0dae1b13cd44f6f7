// Time zones from the system tz database and the US-equities trading calendar.
//
//   TORGHUT_ASSIGN_OR_RETURN(TradingCalendar cal, TradingCalendar::NewYork());
//   cal.PhaseAt(t);                    // kClosed / kPre / kRegular / kPost
//   cal.SessionStartAtOrBefore(t);     // 04:00 America/New_York of the latest trading day <= t
//   cal.SessionOn(2024, 11, 29)        // {04:00, 09:30, 13:00 (early close), 17:00} in UTC
//
// TimeZone reads a TZif file (RFC 8536, versions 1–3) from /usr/share/zoneinfo (or $TZDIR) and
// uses its POSIX TZ footer (e.g. "EST5EDT,M3.2.0,M11.1.0") for instants after the last listed
// transition, so DST is right for any year without hard-coded rules. TradingCalendar adds the
// NYSE's full-day holidays and 13:00 early closes, computed by rule for any year. Both are
// immutable after construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/time.h"

namespace torghut {

class TimeZone {
 public:
  // Loads `name` (e.g. "America/New_York") from $TZDIR or /usr/share/zoneinfo.
  static Result<TimeZone> Load(std::string_view name);
  // Parses TZif bytes (exposed for tests).
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view bytes);

  const std::string& name() const { return name_; }
  // Seconds to add to UTC to get local time at instant `t`.
  int32_t UtcOffsetSeconds(Timestamp t) const;
  // The instant of a local wall-clock time. In a DST gap (a local time that does not exist) the
  // time is read with the offset before the gap (so 02:30 on a spring-forward day is 03:30 DST);
  // in an overlap (a local time that happens twice) the earlier instant is returned.
  Timestamp FromLocal(int year, int month, int day, int hour, int minute, int second) const;

 private:
  struct Rule {  // one POSIX "Mm.w.d/time" transition rule
    int month = 0, week = 0, weekday = 0;
    int32_t seconds = 7200;  // local time of the transition, in the offset before it
  };
  // Offset by the POSIX footer for an instant past the transition table.
  int32_t FooterOffset(int64_t unix_seconds) const;
  int64_t RuleUtc(int year, const Rule& rule, int32_t offset_before) const;

  std::string name_;
  std::vector<int64_t> transitions_;    // UTC seconds, ascending
  std::vector<int32_t> offsets_after_;  // offset in force from transitions_[i]
  int32_t initial_offset_ = 0;
  // POSIX footer: standard offset, and optionally DST offset + rules.
  bool has_footer_ = false;
  int32_t std_offset_ = 0, dst_offset_ = 0;
  bool has_dst_ = false;
  Rule dst_start_, dst_end_;
};

enum class SessionPhase : uint8_t { kClosed = 0, kPre, kRegular, kPost };
std::string_view SessionPhaseName(SessionPhase p);  // "closed", "pre", "regular", "post"

// One trading day's session boundaries, in UTC.
struct SessionTimes {
  Timestamp pre_open;       // 04:00 New York
  Timestamp regular_open;   // 09:30
  Timestamp regular_close;  // 16:00, or 13:00 on an early-close day
  Timestamp post_close;     // 20:00, or 17:00 on an early-close day
};

class TradingCalendar {
 public:
  explicit TradingCalendar(TimeZone new_york) : tz_(std::move(new_york)) {}
  static Result<TradingCalendar> NewYork() {
    TORGHUT_ASSIGN_OR_RETURN(TimeZone tz, TimeZone::Load("America/New_York"));
    return TradingCalendar(std::move(tz));
  }

  // NYSE full-day holidays: New Year's Day, Martin Luther King Jr. Day, Washington's Birthday,
  // Good Friday, Memorial Day, Juneteenth (from 2022), Independence Day, Labor Day,
  // Thanksgiving, Christmas. Saturday holidays are observed on Friday, Sunday ones on Monday —
  // except New Year's Day on a Saturday, which the NYSE does not observe on Dec 31.
  static bool IsHoliday(int year, int month, int day);
  // Early close (13:00): the day after Thanksgiving, Christmas Eve and July 3, on weekdays that
  // are not holidays.
  static bool IsEarlyClose(int year, int month, int day);
  static bool IsTradingDay(int year, int month, int day);

  std::optional<SessionTimes> SessionOn(int year, int month, int day) const;
  SessionPhase PhaseAt(Timestamp t) const;
  // The session of the New York calendar day that contains `t` (nullopt on a non-trading day).
  std::optional<SessionTimes> SessionAt(Timestamp t) const;
  // 04:00 New York of the latest trading day whose pre-market opened at or before `t`.
  Timestamp SessionStartAtOrBefore(Timestamp t) const;
  // 04:00 New York of the first trading day whose pre-market opens after `t`.
  Timestamp NextSessionStartAfter(Timestamp t) const;

  const TimeZone& zone() const { return tz_; }

 private:
  TimeZone tz_;
};

}  // namespace torghut
