#include "torghut/core/time.h"

#include <cstring>

namespace torghut {
namespace {

constexpr bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at text[pos]; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int32_t* out) {
  if (pos + n > text.size()) return false;
  int32_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status ParseError(std::string_view what, std::string_view text) {
  std::string m(what);
  m += " in '";
  m.append(text.substr(0, 64));
  if (text.size() > 64) m += "...";
  m += "'";
  return InvalidArgument(std::move(m));
}

char* Put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

}  // namespace

bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

int WeekdayFromDays(int64_t z) {
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

CivilTime ToCivil(Timestamp t) {
  const int64_t ns = t.nanos();
  const int64_t days = Timestamp::FloorDiv(ns, kNanosPerDay);
  int64_t rem = ns - days * kNanosPerDay;
  CivilTime c{};
  // civil_from_days (H. Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int32_t>(y + (m <= 2));
  c.month = static_cast<int32_t>(m);
  c.day = static_cast<int32_t>(d);
  c.hour = static_cast<int32_t>(rem / kNanosPerHour);
  rem %= kNanosPerHour;
  c.minute = static_cast<int32_t>(rem / kNanosPerMinute);
  rem %= kNanosPerMinute;
  c.second = static_cast<int32_t>(rem / kNanosPerSecond);
  c.nanos = static_cast<int32_t>(rem % kNanosPerSecond);
  return c;
}

Result<Timestamp> FromCivil(const CivilTime& c) {
  if (c.year < 1678 || c.year > 2261) return OutOfRange("year out of range 1678..2261");
  if (c.month < 1 || c.month > 12) return InvalidArgument("month out of range");
  if (c.day < 1 || c.day > DaysInMonth(c.year, c.month)) return InvalidArgument("day out of range");
  if (c.hour < 0 || c.hour > 23) return InvalidArgument("hour out of range");
  if (c.minute < 0 || c.minute > 59) return InvalidArgument("minute out of range");
  if (c.second < 0 || c.second > 59) return InvalidArgument("second out of range");
  if (c.nanos < 0 || c.nanos >= kNanosPerSecond) return InvalidArgument("nanos out of range");
  const int64_t days =
      DaysFromCivil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day));
  return Timestamp::FromNanos(days * kNanosPerDay + c.hour * kNanosPerHour +
                              c.minute * kNanosPerMinute + c.second * kNanosPerSecond + c.nanos);
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  // Fixed part: YYYY-MM-DDTHH:MM:SS (19 chars).
  if (text.size() < 20) return ParseError("timestamp too short", text);
  int32_t year, month, day, hour, minute, second;
  if (!ReadDigits(text, 0, 4, &year) || text[4] != '-') return ParseError("bad year", text);
  if (!ReadDigits(text, 5, 2, &month) || text[7] != '-') return ParseError("bad month", text);
  if (!ReadDigits(text, 8, 2, &day)) return ParseError("bad day", text);
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return ParseError("expected 'T' between date and time", text);
  }
  if (!ReadDigits(text, 11, 2, &hour) || text[13] != ':') return ParseError("bad hour", text);
  if (!ReadDigits(text, 14, 2, &minute) || text[16] != ':') return ParseError("bad minute", text);
  if (!ReadDigits(text, 17, 2, &second)) return ParseError("bad second", text);
  if (month < 1 || month > 12) return ParseError("month out of range", text);
  if (year < 1678 || year > 2261) return ParseError("year out of range 1678..2261", text);
  if (day < 1 || day > DaysInMonth(year, month)) return ParseError("day out of range", text);
  if (hour > 23) return ParseError("hour out of range", text);
  if (minute > 59) return ParseError("minute out of range", text);
  if (second > 60) return ParseError("second out of range", text);

  size_t pos = 19;
  int64_t frac_ns = 0;
  if (text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000'000;
    while (pos < text.size() && IsDigit(text[pos])) {
      const int digit = text[pos] - '0';
      if (scale > 0) {
        frac_ns += digit * scale;
        scale /= 10;
      } else if (pos - start == 9 && digit >= 5) {
        frac_ns += 1;  // round half-up on the tenth digit; later digits cannot change it
      }
      ++pos;
    }
    if (pos == start) return ParseError("no digits after '.'", text);
  }
  if (pos >= text.size()) return ParseError("missing time zone offset", text);
  int64_t offset_ns = 0;
  const char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    int32_t oh, om;
    if (!ReadDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, &om)) {
      return ParseError("bad time zone offset", text);
    }
    if (oh > 23 || om > 59) return ParseError("time zone offset out of range", text);
    offset_ns = (oh * kNanosPerHour + om * kNanosPerMinute) * (z == '-' ? -1 : 1);
    pos += 6;
  } else {
    return ParseError("bad time zone offset", text);
  }
  if (pos != text.size()) return ParseError("trailing characters", text);

  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t ns = days * kNanosPerDay + hour * kNanosPerHour + minute * kNanosPerMinute +
                     second * kNanosPerSecond + frac_ns - offset_ns;
  return Timestamp::FromNanos(ns);
}

Result<Timestamp> ParseTimeArg(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty time");
  bool all_digits = text.size() <= 14;
  for (char c : text) all_digits = all_digits && IsDigit(c);
  if (all_digits) {
    int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    if (text.size() <= 11) return Timestamp::FromSeconds(v);
    return Timestamp::FromMillis(v);
  }
  return ParseRfc3339(text);
}

std::string_view FormatRfc3339(Timestamp t, char* buf, FracDigits digits) {
  const CivilTime c = ToCivil(t);
  char* p = buf;
  int y = c.year;
  p[0] = static_cast<char>('0' + y / 1000);
  p[1] = static_cast<char>('0' + y / 100 % 10);
  p[2] = static_cast<char>('0' + y / 10 % 10);
  p[3] = static_cast<char>('0' + y % 10);
  p += 4;
  *p++ = '-';
  p = Put2(p, c.month);
  *p++ = '-';
  p = Put2(p, c.day);
  *p++ = 'T';
  p = Put2(p, c.hour);
  *p++ = ':';
  p = Put2(p, c.minute);
  *p++ = ':';
  p = Put2(p, c.second);
  int n = static_cast<int>(digits);
  if (digits == FracDigits::kAuto) {
    n = 9;
    int32_t f = c.nanos;
    if (f == 0) {
      n = 0;
    } else {
      while (f % 10 == 0) {
        f /= 10;
        --n;
      }
    }
  }
  if (n > 0) {
    *p++ = '.';
    char frac[9];
    int32_t f = c.nanos;
    for (int i = 8; i >= 0; --i) {
      frac[i] = static_cast<char>('0' + f % 10);
      f /= 10;
    }
    std::memcpy(p, frac, static_cast<size_t>(n));
    p += n;
  }
  *p++ = 'Z';
  return std::string_view(buf, static_cast<size_t>(p - buf));
}

std::string FormatRfc3339(Timestamp t, FracDigits digits) {
  char buf[kRfc3339MaxLen];
  return std::string(FormatRfc3339(t, buf, digits));
}

}  // namespace torghut
