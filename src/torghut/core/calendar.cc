#include "torghut/core/calendar.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace torghut {
namespace {

constexpr int64_t kDaySeconds = 86400;

uint32_t Be32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
int64_t Be64(const unsigned char* p) {
  return static_cast<int64_t>(uint64_t{Be32(p)} << 32 | Be32(p + 4));
}

struct TzifHeader {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  size_t DataSize(size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
           isstdcnt + isutcnt;
  }
};

Status ReadHeader(std::string_view bytes, size_t at, TzifHeader* h) {
  if (bytes.size() < at + 44) return DataLoss("TZif file is truncated (header)");
  if (bytes.substr(at, 4) != "TZif") return DataLoss("not a TZif file (bad magic)");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  h->version = static_cast<char>(p[4]);
  h->isutcnt = Be32(p + 20);
  h->isstdcnt = Be32(p + 24);
  h->leapcnt = Be32(p + 28);
  h->timecnt = Be32(p + 32);
  h->typecnt = Be32(p + 36);
  h->charcnt = Be32(p + 40);
  if (h->typecnt == 0 || h->typecnt > 256 || h->timecnt > 100000 || h->charcnt > 10000 ||
      h->leapcnt > 10000) {
    return DataLoss("TZif header has implausible counts");
  }
  return Status::Ok();
}

// Parses a POSIX TZ offset "[+-]hh[:mm[:ss]]" at *pos; returns seconds (sign as written).
bool ParseHms(std::string_view s, size_t* pos, int32_t* out) {
  int sign = 1;
  if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) {
    sign = s[*pos] == '-' ? -1 : 1;
    ++*pos;
  }
  int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (*pos >= s.size() || s[*pos] != ':') break;
      ++*pos;
    }
    size_t start = *pos;
    while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9' && *pos - start < 3) {
      parts[i] = parts[i] * 10 + (s[*pos] - '0');
      ++*pos;
    }
    if (*pos == start) return false;
  }
  *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

// Skips a zone abbreviation: alphabetic, or quoted in <...>.
bool SkipName(std::string_view s, size_t* pos) {
  if (*pos < s.size() && s[*pos] == '<') {
    size_t end = s.find('>', *pos);
    if (end == std::string_view::npos) return false;
    *pos = end + 1;
    return true;
  }
  size_t start = *pos;
  while (*pos < s.size() &&
         ((s[*pos] >= 'A' && s[*pos] <= 'Z') || (s[*pos] >= 'a' && s[*pos] <= 'z')))
    ++*pos;
  return *pos - start >= 3;
}

int DayOfMonthForRule(int year, int month, int week, int weekday) {
  const int first_wd = WeekdayFromDays(DaysFromCivil(year, static_cast<unsigned>(month), 1));
  int day = 1 + (weekday - first_wd + 7) % 7 + (week - 1) * 7;
  const int dim = DaysInMonth(year, month);
  while (day > dim) day -= 7;
  return day;
}

// Easter Sunday (Gregorian), anonymous algorithm.
void Easter(int y, int* month, int* day) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25,
            g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4,
            l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  *month = (h + l - 7 * m + 114) / 31;
  *day = (h + l - 7 * m + 114) % 31 + 1;
}

int64_t Days(int y, int m, int d) {
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}
int Weekday(int y, int m, int d) {
  return WeekdayFromDays(Days(y, m, d));
}

// The n-th (1-based; 5 = last) `weekday` of a month.
int NthWeekday(int y, int m, int n, int weekday) {
  return DayOfMonthForRule(y, m, n, weekday);
}

// A fixed-date holiday moved off the weekend (Saturday → Friday, Sunday → Monday), as days.
int64_t Observed(int y, int m, int d) {
  const int wd = Weekday(y, m, d);
  return Days(y, m, d) + (wd == 6 ? -1 : wd == 0 ? 1 : 0);
}

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name.empty() || name.find("..") != std::string_view::npos || name[0] == '/') {
    return InvalidArgument("invalid time zone name '" + std::string(name) + "'");
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return NotFound("time zone '" + std::string(name) + "' not found at " + path +
                    " (is tzdata installed?)");
  std::ostringstream content;
  content << in.rdbuf();
  Result<TimeZone> tz = FromTzif(name, content.str());
  if (!tz.ok()) return tz.status().WithContext(path);
  return tz;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view bytes) {
  TimeZone tz;
  tz.name_ = std::string(name);
  TzifHeader h;
  TORGHUT_RETURN_IF_ERROR(ReadHeader(bytes, 0, &h));
  size_t at = 44;
  size_t time_size = 4;
  if (h.version >= '2') {  // skip the v1 block; use the 64-bit one
    at += h.DataSize(4);
    TORGHUT_RETURN_IF_ERROR(ReadHeader(bytes, at, &h));
    at += 44;
    time_size = 8;
  }
  if (bytes.size() < at + h.DataSize(time_size)) return DataLoss("TZif file is truncated (data)");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  const unsigned char* types = p + h.timecnt * time_size;
  const unsigned char* ttinfo = types + h.timecnt;
  std::vector<int32_t> type_offsets(h.typecnt);
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    type_offsets[i] = static_cast<int32_t>(Be32(ttinfo + 6 * i));
    if (type_offsets[i] < -26 * 3600 || type_offsets[i] > 26 * 3600) {
      return DataLoss("TZif local time type has an implausible UTC offset");
    }
  }
  tz.initial_offset_ = type_offsets[0];
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const int64_t t = time_size == 8 ? Be64(p + 8 * i) : static_cast<int32_t>(Be32(p + 4 * i));
    if (types[i] >= h.typecnt) return DataLoss("TZif transition refers to a missing type");
    if (!tz.transitions_.empty() && t <= tz.transitions_.back()) {
      return DataLoss("TZif transitions are not ascending");
    }
    tz.transitions_.push_back(t);
    tz.offsets_after_.push_back(type_offsets[types[i]]);
  }
  if (h.version >= '2') {
    const size_t footer_at = at + h.DataSize(8);
    std::string_view rest = bytes.substr(footer_at);
    if (rest.size() >= 2 && rest[0] == '\n') {
      const size_t end = rest.find('\n', 1);
      std::string_view tzstr =
          rest.substr(1, end == std::string_view::npos ? rest.size() - 1 : end - 1);
      size_t pos = 0;
      int32_t std_west = 0;
      if (!tzstr.empty() && SkipName(tzstr, &pos) && ParseHms(tzstr, &pos, &std_west)) {
        tz.has_footer_ = true;
        tz.std_offset_ = -std_west;
        if (pos < tzstr.size()) {
          bool ok = SkipName(tzstr, &pos);
          tz.dst_offset_ = tz.std_offset_ + 3600;
          if (ok && pos < tzstr.size() && tzstr[pos] != ',') {
            int32_t dst_west = 0;
            ok = ParseHms(tzstr, &pos, &dst_west);
            tz.dst_offset_ = -dst_west;
          }
          Rule* rules[2] = {&tz.dst_start_, &tz.dst_end_};
          for (Rule* rule : rules) {
            if (!ok || pos >= tzstr.size() || tzstr[pos] != ',' || pos + 1 >= tzstr.size() ||
                tzstr[pos + 1] != 'M') {
              ok = false;
              break;
            }
            pos += 2;
            int values[3] = {0, 0, 0};
            for (int i = 0; i < 3 && ok; ++i) {
              if (i > 0) ok = pos < tzstr.size() && tzstr[pos++] == '.';
              size_t start = pos;
              while (ok && pos < tzstr.size() && tzstr[pos] >= '0' && tzstr[pos] <= '9') {
                values[i] = values[i] * 10 + (tzstr[pos++] - '0');
              }
              ok = ok && pos > start;
            }
            rule->month = values[0];
            rule->week = values[1];
            rule->weekday = values[2];
            ok = ok && rule->month >= 1 && rule->month <= 12 && rule->week >= 1 &&
                 rule->week <= 5 && rule->weekday <= 6;
            if (ok && pos < tzstr.size() && tzstr[pos] == '/') {
              ++pos;
              ok = ParseHms(tzstr, &pos, &rule->seconds);
            }
          }
          // Rules we cannot read (Jn / n forms) leave the transition table in charge.
          tz.has_dst_ = ok;
          if (!ok) tz.has_footer_ = false;
        }
      }
    }
  }
  return tz;
}

int64_t TimeZone::RuleUtc(int year, const Rule& rule, int32_t offset_before) const {
  const int day = DayOfMonthForRule(year, rule.month, rule.week, rule.weekday);
  return Days(year, rule.month, day) * kDaySeconds + rule.seconds - offset_before;
}

int32_t TimeZone::FooterOffset(int64_t s) const {
  if (!has_dst_) return std_offset_;
  const int year = ToCivil(Timestamp::FromSeconds(s + std_offset_)).year;
  const int64_t start = RuleUtc(year, dst_start_, std_offset_);
  const int64_t end = RuleUtc(year, dst_end_, dst_offset_);
  const bool in_dst = start < end ? (s >= start && s < end) : !(s >= end && s < start);
  return in_dst ? dst_offset_ : std_offset_;
}

int32_t TimeZone::UtcOffsetSeconds(Timestamp t) const {
  const int64_t s = t.seconds();
  if (transitions_.empty()) return has_footer_ ? FooterOffset(s) : initial_offset_;
  if (s < transitions_.front()) return initial_offset_;
  const size_t i = static_cast<size_t>(
      std::upper_bound(transitions_.begin(), transitions_.end(), s) - transitions_.begin() - 1);
  if (i + 1 == transitions_.size() && has_footer_) return FooterOffset(s);
  return offsets_after_[i];
}

Timestamp TimeZone::FromLocal(int year, int month, int day, int hour, int minute,
                              int second) const {
  const int64_t local = Days(year, month, day) * kDaySeconds + hour * 3600 + minute * 60 + second;
  const int32_t before = UtcOffsetSeconds(Timestamp::FromSeconds(local - kDaySeconds));
  const int32_t after = UtcOffsetSeconds(Timestamp::FromSeconds(local + kDaySeconds));
  const int64_t utc_before = local - before, utc_after = local - after;
  const bool before_ok = UtcOffsetSeconds(Timestamp::FromSeconds(utc_before)) == before;
  const bool after_ok = UtcOffsetSeconds(Timestamp::FromSeconds(utc_after)) == after;
  if (before_ok && after_ok) return Timestamp::FromSeconds(std::min(utc_before, utc_after));
  if (after_ok) return Timestamp::FromSeconds(utc_after);
  return Timestamp::FromSeconds(utc_before);  // valid, or a gap: read with the earlier offset
}

std::string_view SessionPhaseName(SessionPhase p) {
  switch (p) {
    case SessionPhase::kClosed:
      return "closed";
    case SessionPhase::kPre:
      return "pre";
    case SessionPhase::kRegular:
      return "regular";
    case SessionPhase::kPost:
      return "post";
  }
  return "closed";
}

bool TradingCalendar::IsHoliday(int y, int m, int d) {
  const int64_t day = Days(y, m, d);
  const int wd = WeekdayFromDays(day);
  if (wd == 0 || wd == 6) return false;  // weekends are closed anyway, not holidays
  // New Year's Day: a Sunday one moves to Monday; a Saturday one is not observed.
  const int ny_wd = Weekday(y, 1, 1);
  if (ny_wd != 6 && day == Observed(y, 1, 1)) return true;
  if (m == 1 && day == Days(y, 1, NthWeekday(y, 1, 3, 1))) return true;  // MLK day
  if (m == 2 && day == Days(y, 2, NthWeekday(y, 2, 3, 1))) return true;  // Washington's Birthday
  int em = 0, ed = 0;
  Easter(y, &em, &ed);
  if (day == Days(y, em, ed) - 2) return true;                              // Good Friday
  if (m == 5 && day == Days(y, 5, NthWeekday(y, 5, 5, 1))) return true;     // Memorial Day
  if (y >= 2022 && day == Observed(y, 6, 19)) return true;                  // Juneteenth
  if (day == Observed(y, 7, 4)) return true;                                // Independence Day
  if (m == 9 && day == Days(y, 9, NthWeekday(y, 9, 1, 1))) return true;     // Labor Day
  if (m == 11 && day == Days(y, 11, NthWeekday(y, 11, 4, 4))) return true;  // Thanksgiving
  if (day == Observed(y, 12, 25)) return true;                              // Christmas
  return false;
}

bool TradingCalendar::IsTradingDay(int y, int m, int d) {
  const int wd = Weekday(y, m, d);
  return wd != 0 && wd != 6 && !IsHoliday(y, m, d);
}

bool TradingCalendar::IsEarlyClose(int y, int m, int d) {
  if (!IsTradingDay(y, m, d)) return false;
  if (m == 7 && d == 3) return true;
  if (m == 12 && d == 24) return true;
  return m == 11 && Days(y, m, d) == Days(y, 11, NthWeekday(y, 11, 4, 4)) + 1;
}

std::optional<SessionTimes> TradingCalendar::SessionOn(int y, int m, int d) const {
  if (!IsTradingDay(y, m, d)) return std::nullopt;
  const bool early = IsEarlyClose(y, m, d);
  SessionTimes s;
  s.pre_open = tz_.FromLocal(y, m, d, 4, 0, 0);
  s.regular_open = tz_.FromLocal(y, m, d, 9, 30, 0);
  s.regular_close = tz_.FromLocal(y, m, d, early ? 13 : 16, 0, 0);
  s.post_close = tz_.FromLocal(y, m, d, early ? 17 : 20, 0, 0);
  return s;
}

std::optional<SessionTimes> TradingCalendar::SessionAt(Timestamp t) const {
  const CivilTime local = ToCivil(t + int64_t{tz_.UtcOffsetSeconds(t)} * kNanosPerSecond);
  return SessionOn(local.year, local.month, local.day);
}

SessionPhase TradingCalendar::PhaseAt(Timestamp t) const {
  const std::optional<SessionTimes> s = SessionAt(t);
  if (!s || t < s->pre_open || t >= s->post_close) return SessionPhase::kClosed;
  if (t < s->regular_open) return SessionPhase::kPre;
  if (t < s->regular_close) return SessionPhase::kRegular;
  return SessionPhase::kPost;
}

Timestamp TradingCalendar::SessionStartAtOrBefore(Timestamp t) const {
  const CivilTime local = ToCivil(t + int64_t{tz_.UtcOffsetSeconds(t)} * kNanosPerSecond);
  int64_t day = Days(local.year, local.month, local.day);
  for (int k = 0; k < 15; ++k, --day) {  // the longest run of non-trading days is 4
    const CivilTime c = ToCivil(Timestamp::FromSeconds(day * kDaySeconds));
    if (!IsTradingDay(c.year, c.month, c.day)) continue;
    const Timestamp start = tz_.FromLocal(c.year, c.month, c.day, 4, 0, 0);
    if (start <= t) return start;
  }
  return Timestamp::FromSeconds(day * kDaySeconds);  // unreachable for real calendars
}

Timestamp TradingCalendar::NextSessionStartAfter(Timestamp t) const {
  const CivilTime local = ToCivil(t + int64_t{tz_.UtcOffsetSeconds(t)} * kNanosPerSecond);
  int64_t day = Days(local.year, local.month, local.day);
  for (int k = 0; k < 15; ++k, ++day) {
    const CivilTime c = ToCivil(Timestamp::FromSeconds(day * kDaySeconds));
    if (!IsTradingDay(c.year, c.month, c.day)) continue;
    const Timestamp start = tz_.FromLocal(c.year, c.month, c.day, 4, 0, 0);
    if (start > t) return start;
  }
  return Timestamp::FromSeconds(day * kDaySeconds);
}

}  // namespace torghut
