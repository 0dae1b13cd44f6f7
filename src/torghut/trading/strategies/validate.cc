#include "torghut/trading/strategies/validate.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "torghut/core/symbols.h"
#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {
namespace {

bool ValidName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ValidateStrategy(const Strategy& s) {
  std::vector<std::string> problems;
  StatusCode code = StatusCode::kInvalidArgument;
  if (!ValidName(s.name)) problems.push_back("name must match [A-Za-z0-9._-]{1,64}");
  for (const std::string& sym : s.symbols) {
    if (Status v = ValidateSymbol(sym); !v.ok()) problems.push_back("symbols: " + v.message());
  }
  if (Result<CompiledRule> rule = MakeRule(s.type, s.params_json); !rule.ok()) {
    if (rule.status().code() == StatusCode::kNotFound) code = StatusCode::kNotFound;
    problems.push_back(rule.status().message());
  }
  if (s.qty && s.notional) problems.push_back("give qty or notional, not both");
  if (s.qty && *s.qty <= Decimal()) problems.push_back("qty must be > 0");
  if (s.notional && *s.notional <= Decimal()) problems.push_back("notional must be > 0");
  if (s.order_type == OrderType::kLimit && !s.limit_offset_bps) {
    problems.push_back("order_type limit needs limit_offset_bps");
  }
  if (s.limit_offset_bps &&
      s.limit_offset_bps->Abs() >= Decimal::FromUnits(10'000 * Decimal::kOne)) {
    problems.push_back("limit_offset_bps must be greater than -10000 and less than 10000");
  }
  if (s.max_notional_per_trade && *s.max_notional_per_trade <= Decimal()) {
    problems.push_back("max_notional_per_trade must be > 0");
  }
  if (s.max_position_pct_equity &&
      (*s.max_position_pct_equity <= Decimal() ||
       *s.max_position_pct_equity > Decimal::FromUnits(100 * Decimal::kOne))) {
    problems.push_back("max_position_pct_equity must be > 0 and <= 100");
  }
  if (problems.empty()) return Status::Ok();
  std::string joined;
  for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  return Status(code, fmt::format("strategy '{}': {}", s.name, joined));
}

}  // namespace torghut::trading
