// The computations behind the trading page's read API (api/trading_read_api.h): the New York
// trading day as a UTC interval, and the day's summary of one strategy (or all) from the trading
// store. Private to api/.
//
//   TORGHUT_ASSIGN_OR_RETURN(TimeZone ny, TimeZone::Load("America/New_York"));
//   TORGHUT_ASSIGN_OR_RETURN(DayInterval day, NewYorkDayInterval("2026-03-08", ny));
//   day.end - day.start;                                   // 23 h in ms: DST began that day
//   TORGHUT_ASSIGN_OR_RETURN(nlohmann::json s, BuildSummary(store, day, "", ny, {}));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "torghut/core/calendar.h"
#include "torghut/core/status.h"
#include "torghut/store/trading_store.h"

namespace torghut::api::internal {

inline constexpr std::string_view kNewYork = "America/New_York";

// One America/New_York calendar day: [start, end) in epoch ms UTC, from local midnight to the next
// local midnight by the tz database (23 h on the spring-forward day, 25 h on the fall-back one).
struct DayInterval {
  std::string day;  // YYYY-MM-DD
  store::EpochMillis start = 0, end = 0;
};

// kInvalidArgument unless `day` is a real date written YYYY-MM-DD (years 1970..9999).
Result<DayInterval> NewYorkDayInterval(std::string_view day, const TimeZone& new_york);

// {tz, day, startUtc, endUtc}, times RFC 3339 UTC with milliseconds.
nlohmann::json IntervalJson(const DayInterval& day);

struct SummaryOptions {
  std::string account_label = "paper";  // the equity series' alpacaAccountLabel
  bool allow_shorts = false;            // TRADING_ALLOW_SHORTS, as the trader books P&L
  std::string llm_circuit = "unknown";  // the LLM circuit's state where the reviewer runs
};

// The `summary` object of GET /api/torghut/trading/summary for `strategy` ("" = every
// strategy). Store failures are returned as the store reported them; a P&L that cannot be
// computed from the stored fills (a malformed fill, a sum out of range) is kDataLoss.
Result<nlohmann::json> BuildSummary(store::TradingStore& store, const DayInterval& day,
                                    const std::string& strategy, const TimeZone& new_york,
                                    const SummaryOptions& options);

}  // namespace torghut::api::internal
