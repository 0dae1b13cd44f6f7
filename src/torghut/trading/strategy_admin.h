// Strategies as an operator writes and reads them on the command line (`torghut strategy seed |
// list`, SPEC §1, §6): one strategy from flag values, and the listing in text and JSON.
//
//   trading::StrategySeed seed;
//   seed.name = "macd-rsi-default";
//   seed.base_timeframe = "1Min";
//   seed.symbols = "AAPL,MSFT";
//   seed.enabled = true;
//   seed.params = {"rsi_buy_below=30"};
//   TORGHUT_ASSIGN_OR_RETURN(trading::Strategy s,
//                            trading::StrategyFromSeed(seed, /*existing=*/nullptr, now_ms));
//   for (const std::string& line : trading::StrategyLines(strategies)) std::puts(line.c_str());
//   std::string json = trading::StrategiesJson(strategies);
//
// Values are parsed exactly as the catalog parses them (catalog.h): decimals from their text,
// `--param` values that are JSON numbers or true/false as written and anything else as a string,
// and the result must pass ValidateStrategy. Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

// The flags of `torghut strategy seed`, as text. "" = not given (the default applies).
struct StrategySeed {
  std::string name;
  std::string description;
  std::string base_timeframe = "1Min";  // 1Sec | 1Min
  std::string symbols;                  // comma-separated
  std::optional<bool> enabled;          // --enabled / --disabled; nullopt: see StrategyFromSeed
  std::string max_notional;             // max_notional_per_trade
  std::string max_position_pct;         // max_position_pct_equity
  std::string type = "macd-rsi";
  std::vector<std::string> params;  // "key=value", each key once
  std::string qty;
  std::string notional;
  std::string order_type = "market";  // market | limit
  std::string limit_offset_bps;
};

// The strategy `seed` describes, at `now` (epoch ms UTC), validated. `existing` is the stored
// strategy of the same name, if any: when the seed says neither --enabled nor --disabled, its
// enabled flag is kept (a new strategy starts disabled); its created_at is kept too. Every other
// field is the seed's. kInvalidArgument (kNotFound for an unknown rule type) listing every
// problem.
Result<Strategy> StrategyFromSeed(const StrategySeed& seed, const Strategy* existing,
                                  EpochMillis now);

// `--param` pairs ("k=v") as a params JSON object: {"k":v,...} in the given order. A pair with no
// '=' or an empty key, or a key given twice, is kInvalidArgument.
Result<std::string> ParamsJsonFromPairs(std::span<const std::string> pairs);

// One line per strategy, columns aligned: name, enabled|disabled, timeframe, type, symbols
// (comma-separated, "-" for none), params JSON.
std::vector<std::string> StrategyLines(std::span<const Strategy> strategies);

// A JSON array with every field of each strategy; money and quantities as decimal strings (null
// when unset), params as the stored JSON object, created_at/updated_at as RFC 3339 (ms, Z).
std::string StrategiesJson(std::span<const Strategy> strategies);

}  // namespace torghut::trading
