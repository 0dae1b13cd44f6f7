#include "torghut/core/decimal.h"

#include <cmath>

namespace torghut {
namespace {

__extension__ typedef __int128 Int128;  // exact products of two 64-bit values

constexpr int64_t kPow10[] = {1,       10,        100,        1'000,       10'000,
                              100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

// n / d rounded with `mode`; d > 0.
Int128 RoundDiv(Int128 n, Int128 d, RoundingMode mode) {
  Int128 q = n / d;
  const Int128 r = n % d;  // same sign as n
  if (r == 0) return q;
  const bool negative = n < 0;
  const Int128 twice = (r < 0 ? -r : r) * 2;
  bool away = false;  // move |q| one further from zero
  switch (mode) {
    case RoundingMode::kDown:
      away = false;
      break;
    case RoundingMode::kFloor:
      away = negative;
      break;
    case RoundingMode::kCeiling:
      away = !negative;
      break;
    case RoundingMode::kHalfUp:
      away = twice >= d;
      break;
    case RoundingMode::kHalfEven:
      away = twice > d || (twice == d && (q % 2 != 0));
      break;
  }
  if (away) q += negative ? -1 : 1;
  return q;
}

Result<Decimal> FromWide(Int128 units, const char* op) {
  if (units > INT64_MAX || units < INT64_MIN) {
    return OutOfRange(std::string("decimal ") + op + " overflows the range of ±9.2e9");
  }
  return Decimal::FromUnits(static_cast<int64_t>(units));
}

}  // namespace

Result<Decimal> Decimal::FromInt(int64_t value) {
  return FromWide(Int128{value} * kOne, "conversion");
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return InvalidArgument("invalid decimal \"" + std::string(text.substr(0, 40)) + "\": " + why);
  };
  if (text.empty()) return bad("empty");
  size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++i;
  }
  Int128 units = 0;
  size_t int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    units = units * 10 + (text[i] - '0');
    if (units > Int128{INT64_MAX} / kOne + 1) return bad("out of range (about ±9.2e9)");
  }
  if (int_digits == 0) return bad("expected a digit before any '.'");
  units *= kOne;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits < kScale) {
        units += Int128{text[i] - '0'} * kPow10[kScale - 1 - frac_digits];
      } else if (text[i] != '0') {
        return bad("more than 9 fractional digits");
      }
    }
    if (frac_digits == 0) return bad("expected a digit after '.'");
  }
  if (i != text.size()) {
    if (text[i] == 'e' || text[i] == 'E') return bad("exponents are not accepted");
    return bad("unexpected character");
  }
  return FromWide(negative ? -units : units, "parse");
}

Result<Decimal> Decimal::FromDouble(double value, int digits) {
  if (!std::isfinite(value)) return InvalidArgument("decimal from a non-finite double");
  if (digits < 0 || digits > kScale) return InvalidArgument("decimal digits must be 0..9");
  const double scaled = std::round(value * static_cast<double>(kPow10[digits]));
  if (std::fabs(scaled) * static_cast<double>(kPow10[kScale - digits]) >= 9.2e18) {
    return OutOfRange("decimal from double: out of range (about ±9.2e9)");
  }
  return Decimal(static_cast<int64_t>(scaled) * kPow10[kScale - digits]);
}

std::string Decimal::ToString(int min_fraction_digits) const {
  if (min_fraction_digits < 0) min_fraction_digits = 0;
  if (min_fraction_digits > kScale) min_fraction_digits = kScale;
  const bool negative = units_ < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
  std::string out = negative ? "-" : "";
  out += std::to_string(abs / kOne);
  uint64_t frac = abs % kOne;
  int digits = kScale;
  while (digits > min_fraction_digits && frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  if (digits > 0) {
    std::string f = std::to_string(frac);
    out += '.';
    out.append(static_cast<size_t>(digits) - f.size(), '0');
    out += f;
  }
  return out;
}

Result<Decimal> Decimal::Add(Decimal o) const {
  return FromWide(Int128{units_} + o.units_, "addition");
}
Result<Decimal> Decimal::Sub(Decimal o) const {
  return FromWide(Int128{units_} - o.units_, "subtraction");
}
Result<Decimal> Decimal::Negate() const {
  return FromWide(-Int128{units_}, "negation");
}

Result<Decimal> Decimal::Mul(Decimal o, RoundingMode mode) const {
  return FromWide(RoundDiv(Int128{units_} * o.units_, kOne, mode), "multiplication");
}

Result<Decimal> Decimal::Div(Decimal o, RoundingMode mode) const {
  if (o.units_ == 0) return InvalidArgument("decimal division by zero");
  Int128 n = Int128{units_} * kOne, d = o.units_;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  return FromWide(RoundDiv(n, d, mode), "division");
}

Decimal Decimal::RoundTo(int digits, RoundingMode mode) const {
  if (digits >= kScale) return *this;
  if (digits < 0) digits = 0;
  const int64_t step = kPow10[kScale - digits];
  const Int128 q = RoundDiv(Int128{units_}, step, mode) * step;
  if (q > INT64_MAX) return Decimal(INT64_MAX / step * step);
  if (q < INT64_MIN) return Decimal(INT64_MIN / step * step);
  return Decimal(static_cast<int64_t>(q));
}

}  // namespace torghut
