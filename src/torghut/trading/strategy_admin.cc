#include "torghut/trading/strategy_admin.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"
#include "torghut/trading/internal/param_json.h"
#include "torghut/trading/strategies/validate.h"

namespace torghut::trading {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// An optional decimal flag: "" = unset; otherwise its exact value, or a problem naming `flag`.
std::optional<Decimal> DecimalFlag(std::string_view flag, const std::string& text,
                                   std::vector<std::string>* problems) {
  if (text.empty()) return std::nullopt;
  Result<Decimal> d = Decimal::Parse(Trim(text));
  if (!d.ok()) {
    problems->push_back(fmt::format("{} '{}' is not a decimal: {}", flag, text.substr(0, 64),
                                    d.status().message()));
    return std::nullopt;
  }
  return *d;
}

void AppendOptionalDecimal(const std::optional<Decimal>& d, std::string* out) {
  if (d) {
    AppendJsonString(d->ToString(), out);
  } else {
    out->append("null");
  }
}

}  // namespace

Result<std::string> ParamsJsonFromPairs(std::span<const std::string> pairs) {
  std::string json = "{";
  std::set<std::string, std::less<>> keys;
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    const std::string key = Trim(std::string_view(pair).substr(0, eq));
    if (eq == std::string::npos || key.empty()) {
      return InvalidArgument(
          fmt::format("--param '{}' must be key=value", std::string_view(pair).substr(0, 64)));
    }
    if (!keys.insert(key).second) {
      return InvalidArgument(fmt::format("--param {} is given twice", key));
    }
    if (json.size() > 1) json.push_back(',');
    AppendJsonString(key, &json);
    json.push_back(':');
    internal::AppendParamScalar(Trim(std::string_view(pair).substr(eq + 1)),
                                internal::ScalarStyle::kPlain, &json);
  }
  json.push_back('}');
  return json;
}

Result<Strategy> StrategyFromSeed(const StrategySeed& seed, const Strategy* existing,
                                  EpochMillis now) {
  std::vector<std::string> problems;
  Strategy s;
  s.name = seed.name;
  s.description = seed.description;
  s.enabled = seed.enabled.value_or(existing != nullptr && existing->enabled);
  if (Result<Timeframe> t = ParseTimeframe(seed.base_timeframe); t.ok()) {
    s.base_timeframe = *t;
  } else {
    problems.push_back("--base-timeframe: " + t.status().message());
  }
  std::string_view rest = seed.symbols;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string symbol = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (!symbol.empty() && std::find(s.symbols.begin(), s.symbols.end(), symbol) == s.symbols.end())
      s.symbols.push_back(std::move(symbol));
  }
  s.max_notional_per_trade = DecimalFlag("--max-notional", seed.max_notional, &problems);
  s.max_position_pct_equity = DecimalFlag("--max-position-pct", seed.max_position_pct, &problems);
  s.type = seed.type;
  if (Result<std::string> params = ParamsJsonFromPairs(seed.params); params.ok()) {
    s.params_json = *params;
  } else {
    problems.push_back(params.status().message());
  }
  s.qty = DecimalFlag("--qty", seed.qty, &problems);
  s.notional = DecimalFlag("--notional", seed.notional, &problems);
  if (Result<OrderType> o = ParseOrderType(seed.order_type); o.ok()) {
    s.order_type = *o;
  } else {
    problems.push_back("--order-type: " + o.status().message());
  }
  s.limit_offset_bps = DecimalFlag("--limit-offset-bps", seed.limit_offset_bps, &problems);
  s.created_at = existing != nullptr ? existing->created_at : now;
  s.updated_at = now;

  StatusCode code = StatusCode::kInvalidArgument;
  if (problems.empty()) {
    // Only a well-formed strategy is worth validating: its messages would repeat the above.
    if (Status v = ValidateStrategy(s); !v.ok()) {
      code = v.code();
      problems.push_back(v.message());
    }
  }
  if (problems.empty()) return s;
  std::string joined;
  for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  return Status(code, joined);
}

std::vector<std::string> StrategyLines(std::span<const Strategy> strategies) {
  struct Row {
    std::string cells[6];
  };
  std::vector<Row> rows;
  size_t widths[5] = {0, 0, 0, 0, 0};
  for (const Strategy& s : strategies) {
    std::string symbols;
    for (const std::string& sym : s.symbols) symbols += (symbols.empty() ? "" : ",") + sym;
    Row r{{s.name, s.enabled ? "enabled" : "disabled", std::string(ToString(s.base_timeframe)),
           s.type, symbols.empty() ? "-" : symbols, s.params_json}};
    for (size_t i = 0; i < 5; ++i) widths[i] = std::max(widths[i], r.cells[i].size());
    rows.push_back(std::move(r));
  }
  std::vector<std::string> lines;
  for (const Row& r : rows) {
    std::string line;
    for (size_t i = 0; i < 5; ++i) line += fmt::format("{:<{}}  ", r.cells[i], widths[i]);
    lines.push_back(line + r.cells[5]);
  }
  return lines;
}

std::string StrategiesJson(std::span<const Strategy> strategies) {
  std::string out = "[";
  for (const Strategy& s : strategies) {
    if (out.size() > 1) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(s.name, &out);
    out += ",\"description\":";
    AppendJsonString(s.description, &out);
    out += s.enabled ? ",\"enabled\":true" : ",\"enabled\":false";
    out += ",\"base_timeframe\":";
    AppendJsonString(ToString(s.base_timeframe), &out);
    out += ",\"universe_type\":";
    AppendJsonString(s.universe_type, &out);
    out += ",\"symbols\":[";
    for (size_t i = 0; i < s.symbols.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(s.symbols[i], &out);
    }
    out += "],\"max_notional_per_trade\":";
    AppendOptionalDecimal(s.max_notional_per_trade, &out);
    out += ",\"max_position_pct_equity\":";
    AppendOptionalDecimal(s.max_position_pct_equity, &out);
    out += ",\"type\":";
    AppendJsonString(s.type, &out);
    // Embedded as stored, so its numbers keep their exact text; a stored value that is not JSON
    // (written by something other than torghut) is shown as a string rather than break the array.
    out += ",\"params\":";
    if (s.params_json.empty()) {
      out += "{}";
    } else if (nlohmann::json::accept(s.params_json)) {
      out += s.params_json;
    } else {
      AppendJsonString(s.params_json, &out);
    }
    out += ",\"qty\":";
    AppendOptionalDecimal(s.qty, &out);
    out += ",\"notional\":";
    AppendOptionalDecimal(s.notional, &out);
    out += ",\"order_type\":";
    AppendJsonString(ToString(s.order_type), &out);
    out += ",\"limit_offset_bps\":";
    AppendOptionalDecimal(s.limit_offset_bps, &out);
    out += ",\"time_in_force\":";
    AppendJsonString(ToString(s.time_in_force), &out);
    out += ",\"created_at\":";
    AppendJsonString(FormatRfc3339(Timestamp::FromMillis(s.created_at), FracDigits::kMillis), &out);
    out += ",\"updated_at\":";
    AppendJsonString(FormatRfc3339(Timestamp::FromMillis(s.updated_at), FracDigits::kMillis), &out);
    out += "}";
  }
  out += "]";
  return out;
}

}  // namespace torghut::trading
