// Time in Torghut: integer nanoseconds since the Unix epoch, UTC. Never double seconds.
//
//   TORGHUT_ASSIGN_OR_RETURN(Timestamp t, ParseRfc3339("2024-03-10T07:00:00.123456789Z"));
//   char buf[kRfc3339MaxLen];
//   std::string_view s = FormatRfc3339(t, buf, FracDigits::kMillis);  // "...T07:00:00.123Z"
//
// Parsing and formatting never allocate on success. Wall-clock time enters the program only
// through a Clock (see clock.h) so that tests and replays can inject their own.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut {

inline constexpr int64_t kNanosPerMicro = 1'000;
inline constexpr int64_t kNanosPerMilli = 1'000'000;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;
inline constexpr int64_t kMillisPerSecond = 1'000;
inline constexpr int64_t kMillisPerMinute = 60 * kMillisPerSecond;
inline constexpr int64_t kMillisPerHour = 60 * kMillisPerMinute;
inline constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

// A point in time: nanoseconds since 1970-01-01T00:00:00Z. Covers years 1678..2261.
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromNanos(int64_t ns) { return Timestamp(ns); }
  static constexpr Timestamp FromMicros(int64_t us) { return Timestamp(us * kNanosPerMicro); }
  static constexpr Timestamp FromMillis(int64_t ms) { return Timestamp(ms * kNanosPerMilli); }
  static constexpr Timestamp FromSeconds(int64_t s) { return Timestamp(s * kNanosPerSecond); }

  constexpr int64_t nanos() const { return ns_; }
  // Floor division, so that times before the epoch round towards the past.
  constexpr int64_t millis() const { return FloorDiv(ns_, kNanosPerMilli); }
  constexpr int64_t seconds() const { return FloorDiv(ns_, kNanosPerSecond); }

  // Start of the window of `width_ns` that contains this instant (floor), epoch-aligned.
  constexpr Timestamp FloorTo(int64_t width_ns) const {
    return Timestamp(FloorDiv(ns_, width_ns) * width_ns);
  }

  constexpr Timestamp operator+(int64_t ns) const { return Timestamp(ns_ + ns); }
  constexpr Timestamp operator-(int64_t ns) const { return Timestamp(ns_ - ns); }
  constexpr int64_t operator-(Timestamp o) const { return ns_ - o.ns_; }
  constexpr auto operator<=>(const Timestamp&) const = default;

  static constexpr int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }

 private:
  constexpr explicit Timestamp(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// Calendar fields of a UTC instant (proleptic Gregorian).
struct CivilTime {
  int32_t year;
  int32_t month;   // 1..12
  int32_t day;     // 1..31
  int32_t hour;    // 0..23
  int32_t minute;  // 0..59
  int32_t second;  // 0..59
  int32_t nanos;   // 0..999'999'999
};

// Days since 1970-01-01 of a proleptic Gregorian date (no validation).
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);  // month 1..12
// 0 = Sunday .. 6 = Saturday.
int WeekdayFromDays(int64_t days_since_epoch);

CivilTime ToCivil(Timestamp t);
// Validates fields; seconds may not be 60 here.
Result<Timestamp> FromCivil(const CivilTime& c);

// Parses an RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.f{1,}](Z|±HH:MM)". 'T' may also be 't' or a
// space and 'Z' may be 'z'. Fractions longer than 9 digits are rounded half-up to the nanosecond.
// A leap second (:60) is accepted and folded into the next second, as most systems do.
// Errors name the offending part, e.g. "invalid_argument: month 13 out of range in '...'".
Result<Timestamp> ParseRfc3339(std::string_view text);

// Parses a user-supplied time: RFC 3339, or integer epoch seconds (<= 11 digits) or epoch
// milliseconds (12..14 digits). Used by the read API and CLI flags.
Result<Timestamp> ParseTimeArg(std::string_view text);

enum class FracDigits : uint8_t {
  kNone = 0,    // "2024-01-02T03:04:05Z"
  kMillis = 3,  // "2024-01-02T03:04:05.123Z"
  kMicros = 6,
  kNanos = 9,   // "2024-01-02T03:04:05.123456789Z"
  kAuto = 255,  // as few digits as needed (trailing zeros trimmed), like Go's RFC3339Nano
};

inline constexpr size_t kRfc3339MaxLen = 40;

// Writes the UTC form of `t` into `buf` (at least kRfc3339MaxLen bytes) and returns a view of it.
std::string_view FormatRfc3339(Timestamp t, char* buf, FracDigits digits = FracDigits::kAuto);
std::string FormatRfc3339(Timestamp t, FracDigits digits = FracDigits::kAuto);

}  // namespace torghut
