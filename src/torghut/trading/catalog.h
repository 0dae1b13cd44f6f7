// The strategy catalog (SPEC §6): a YAML or JSON file of strategies, parsed into exact values,
// validated as a whole, and applied to the trading store. Hot reloading is catalog_watcher.h.
//
//   TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Strategy> strategies,
//                            trading::ParseCatalog(text, "/etc/torghut/strategies.yaml"));
//   TORGHUT_ASSIGN_OR_RETURN(trading::CatalogApplyReport report,
//                            trading::ApplyCatalog(strategies, trading::CatalogMode::kSync,
//                                                  clock.NowMillis(), *store));
//   std::string line = trading::DescribeApply(report);  // "1 new, 2 updated, 0 unchanged, ..."
//
// The file is a list of strategies, or a map whose only key is `strategies` holding that list
// (JSON is read as YAML, so both spellings of both shapes work). Each strategy is a map of:
//
//   name                     required, unique in the file ([A-Za-z0-9._-]{1,64})
//   description              text, default ""
//   enabled                  true | false, default false (a strategy trades only when it says so)
//   base_timeframe           1Sec | 1Min, default 1Min
//   universe_type            static | jangar, default static
//   symbols                  a list, or one comma-separated string; default none
//   type                     the rule (strategies/rule.h), default macd-rsi (the original's only
//                            rule, so catalogs written for it load unchanged)
//   params                   a map of the rule's parameters (unknown keys are errors)
//   max_notional_per_trade, max_position_pct_equity, qty, notional, limit_offset_bps
//                            exact decimals
//   order_type               market | limit, default market
//   time_in_force            day (the only one strategies use), default day
//
// Money and quantities may be YAML/JSON numbers or strings; either way the decimal is parsed from
// the value's text, so `0.1` is exactly 0.1. `params` is stored as a JSON object whose numbers are
// the file's text verbatim and whose quoted values are JSON strings. Any other key, a key given
// twice, a value of the wrong kind, or a strategy that ValidateStrategy refuses makes the whole
// file invalid: nothing of it is applied, and the error names the file, the 1-based line, the
// strategy and the reason of every problem found (the first 20; the rest are counted).
//
// Pure functions except ApplyCatalog, which writes through the given store. Thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/config.h"
#include "torghut/core/status.h"
#include "torghut/trading/model.h"
#include "torghut/trading/strategy_store.h"

namespace torghut::trading {

// How a catalog is applied: `merge` upserts every strategy of the file; `sync` also disables
// (never deletes) every enabled strategy of the store that the file does not name.
enum class CatalogMode : uint8_t { kMerge, kSync };
std::string_view ToString(CatalogMode mode);  // "merge" | "sync"
Result<CatalogMode> ParseCatalogMode(std::string_view text);

struct CatalogConfig {
  std::string path;             // TRADING_STRATEGY_CONFIG_PATH; "" = no catalog
  int64_t reload_seconds = 10;  // TRADING_STRATEGY_RELOAD_SECONDS: how often the file is re-read
  CatalogMode mode = CatalogMode::kMerge;  // TRADING_STRATEGY_CONFIG_MODE
};

// Reads TRADING_STRATEGY_CONFIG_PATH, TRADING_STRATEGY_RELOAD_SECONDS (1..86400) and
// TRADING_STRATEGY_CONFIG_MODE (merge|sync); bad values are recorded in `cfg` (one line each).
CatalogConfig ReadCatalogConfig(ConfigReader& cfg);

// The variables above, for a subcommand's --help.
extern const char kCatalogEnvHelp[];

// A catalog file larger than this is refused unread (a catalog is a few kilobytes).
inline constexpr size_t kMaxCatalogBytes = 4u << 20;

// The strategies of a catalog file's text, in file order, each passing ValidateStrategy, with
// created_at/updated_at left 0. `file` names the file in error messages. kInvalidArgument whose
// message lists every problem as "FILE:LINE: strategy 'NAME': REASON" joined by "; " (LINE and
// the strategy are left out where they are unknown, e.g. a YAML syntax error names only the line).
Result<std::vector<Strategy>> ParseCatalog(std::string_view text, std::string_view file);

// What an apply changed in the store.
struct CatalogApplyReport {
  int64_t inserted = 0;   // strategies new to the store
  int64_t updated = 0;    // strategies whose stored definition differed
  int64_t unchanged = 0;  // strategies stored exactly as the file has them (not rewritten)
  int64_t disabled = 0;   // sync only: enabled strategies missing from the file, now disabled
};
// "1 new, 2 updated, 3 unchanged, 0 disabled"
std::string DescribeApply(const CatalogApplyReport& report);

// Applies `catalog` (ParseCatalog's output) to `store` at `now` (epoch ms UTC, the injected
// clock's): upserts each strategy that is new or differs (created_at of a stored one is kept,
// updated_at = now), and in sync mode disables the enabled strategies the catalog does not name.
// Every strategy is validated (and names checked for uniqueness) before anything is written:
// kInvalidArgument and no write for a catalog that ParseCatalog would not have produced. A store
// error part-way leaves earlier upserts in place; applying the same catalog again completes it
// (every step is idempotent), which is what the watcher does on its next poll.
Result<CatalogApplyReport> ApplyCatalog(std::span<const Strategy> catalog, CatalogMode mode,
                                        EpochMillis now, StrategyStore& store);

// True when `a` and `b` define the same strategy: every field but created_at and updated_at.
bool SameDefinition(const Strategy& a, const Strategy& b);

}  // namespace torghut::trading
