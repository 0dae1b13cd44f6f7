// A rule's parameters: a flat JSON object whose values are numbers, numeric strings or booleans,
// read as their exact text (so 0.1 is the decimal 0.1, never a binary fraction) and checked key by
// key. Used by strategies/ for rule and exit parameters.
//
//   TORGHUT_ASSIGN_OR_RETURN(ParamReader p, ParamReader::Parse(R"({"rsi_buy_below": 30})"));
//   double below = p.Number("rsi_buy_below", 35, 0, 100);
//   std::optional<Decimal> stop = p.OptionalDecimal("stop_loss_pct", Decimal(), ...);
//   TORGHUT_RETURN_IF_ERROR(p.Finish());   // unknown keys, bad types, out of range — all of them
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"

namespace torghut::trading::internal {

class ParamReader {
 public:
  // kInvalidArgument unless `json` is empty or a JSON object of scalars.
  static Result<ParamReader> Parse(std::string_view json);

  // Each getter marks its key as known; a missing key gives the default; a present one must parse
  // and lie in [min, max] (errors are collected for Finish).
  double Number(const std::string& key, double default_value, double min, double max);
  std::optional<double> OptionalNumber(const std::string& key, double min, double max);
  std::optional<Decimal> OptionalDecimal(const std::string& key, Decimal min, Decimal max);
  std::optional<int64_t> OptionalInt(const std::string& key, int64_t min, int64_t max);

  // OK, or every problem found, joined with "; " (unknown keys name the known ones).
  Status Finish() const;

 private:
  std::map<std::string, std::string> values_;  // key → the value's text (strings unquoted)
  std::set<std::string> known_;
  std::vector<std::string> errors_;
};

}  // namespace torghut::trading::internal
