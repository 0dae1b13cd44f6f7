// Exact decimal numbers for money: prices and quantities sent to brokers, cash and P&L.
//
//   TORGHUT_ASSIGN_OR_RETURN(Decimal price, Decimal::Parse("187.25"));
//   TORGHUT_ASSIGN_OR_RETURN(Decimal qty, Decimal::Parse("3"));
//   TORGHUT_ASSIGN_OR_RETURN(Decimal notional, price.Mul(qty));      // 561.75, exactly
//   notional.ToString();                                             // "561.75"
//   price.RoundTo(2, RoundingMode::kHalfEven).ToString(2);           // "187.25"
//
// A Decimal is a signed 64-bit count of nano-units (value × 10^9): 9 fractional digits, range
// about ±9.2 × 10^9 — enough for share prices, share counts (including fractional shares) and a
// paper account's P&L, and small enough to stay a trivially copyable 8-byte value. Arithmetic is
// exact or rounded with an explicit mode, and every operation that can overflow returns a
// Result instead of wrapping. Binary floating point appears only in FromDouble/ToDouble, for
// display and for analytics that are floating-point by definition.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut {

enum class RoundingMode : uint8_t {
  kHalfEven = 0,  // banker's rounding: ties to the even neighbour (default)
  kHalfUp,        // ties away from zero
  kDown,          // toward zero (truncate)
  kFloor,         // toward −∞
  kCeiling,       // toward +∞
};

class Decimal {
 public:
  static constexpr int kScale = 9;
  static constexpr int64_t kOne = 1'000'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(int64_t nano_units) { return Decimal(nano_units); }
  static Result<Decimal> FromInt(int64_t value);
  // "[+-]digits[.digits]". More than 9 fractional digits are accepted only when the extra ones
  // are zeros; exponents, spaces, a bare "." and empty strings are rejected with a reason.
  static Result<Decimal> Parse(std::string_view text);
  // Rounds `value` to `digits` (0..9) fractional digits, half away from zero; rejects NaN,
  // infinities and out-of-range values.
  static Result<Decimal> FromDouble(double value, int digits);

  constexpr int64_t units() const { return units_; }
  constexpr bool is_zero() const { return units_ == 0; }
  constexpr bool is_negative() const { return units_ < 0; }
  double ToDouble() const { return static_cast<double>(units_) / static_cast<double>(kOne); }
  // Shortest exact form ("0", "-1.5", "187.25"), padded with zeros to at least
  // `min_fraction_digits` (0..9) fractional digits ("187.20" with 2).
  std::string ToString(int min_fraction_digits = 0) const;

  Result<Decimal> Add(Decimal other) const;
  Result<Decimal> Sub(Decimal other) const;
  // Exact product rounded to 9 fractional digits with `mode`.
  Result<Decimal> Mul(Decimal other, RoundingMode mode = RoundingMode::kHalfEven) const;
  // Quotient rounded to 9 fractional digits; InvalidArgument on division by zero.
  Result<Decimal> Div(Decimal other, RoundingMode mode = RoundingMode::kHalfEven) const;
  // Rounded to `digits` (0..9) fractional digits. Cannot overflow except within 1 of the range
  // limit, where it saturates.
  Decimal RoundTo(int digits, RoundingMode mode) const;
  Result<Decimal> Negate() const;
  Decimal Abs() const { return units_ < 0 && units_ != INT64_MIN ? Decimal(-units_) : *this; }

  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr bool operator==(Decimal a, Decimal b) = default;

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

}  // namespace torghut
