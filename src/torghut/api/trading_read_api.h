// The trading page's read API of `torghut serve` and `torghut up` (SPEC §7 "for the trading
// page", §8), over any TradingStore:
//
//   GET /api/torghut/trading/strategies
//     → {"ok":true,"strategies":[{name, description, enabled, type, base_timeframe, symbols}]}
//   GET /api/torghut/trading/summary?day=YYYY-MM-DD&strategy=NAME&tz=America/New_York
//     → {"ok":true,"summary":{interval{tz, day, startUtc, endUtc}, strategy,
//        realizedPnl{value, closedQty, winRate, winCount, lossCount, series[{ts, realizedPnl}],
//        warnings[]}, executions{filledCount}, rejections{rejectedCount, topReasons[{reason,
//        count}]}, equity{available, byAccount[{alpacaAccountLabel, delta, series[{ts, equity}]}]},
//        llm{verdicts{approve, veto, adjust, error}, circuit}}}
//   GET /api/torghut/trading/executions?day=&strategy=&status=&limit=
//   GET /api/torghut/trading/decisions?day=&strategy=&status=&limit=
//     → {"ok":true,"interval":{…},"strategy":…,"items":[…]} newest first, items as
//       /trading/executions and /trading/decisions (trading/record_json.h); an execution item also
//       carries its decision's `strategy_id`.
//   GET /api/torghut/trading/markers?symbol=&from=&to=&strategy=&limit=
//     → {"ok":true,"symbol","strategy","range":{from,to},"decisions":[…],"fills":[…],
//        "truncated"} — the markers of /torghut/visuals: one symbol's decisions (taken in
//       [from, to)) and fills (filled in it), oldest first (api/internal/trading_markers.h).
//       `from`/`to` RFC 3339 or epoch s/ms, to ≥ from, span ≤ 7 days; `limit` 1..5000 (1000).
//
// Parameters: `day` one America/New_York calendar day (default: today by the clock), never after
// today; `strategy` a stored strategy's name (absent or empty: every strategy); `tz` absent or
// America/New_York; `status` a decision status (decisions) or broker order status (executions);
// `limit` 1..500 (default 200). Amounts are exact decimals as JSON strings (winRate too: wins /
// judged round trips, 9 decimals, null when none ended); times RFC 3339 UTC with milliseconds.
// What each figure means (which fills count for the day, what a win is, what filledCount
// counts) is documented beside its computation in api/internal/trading_summary.cc.
//
// Bad input → 400 {"ok":false,"message"} naming the parameter; a store that cannot answer → 503.
// Without a trading store (AddTradingReadApiDisabled) every route is 503
// {"ok":false,"disabled":true,"message"}.
// Thread-safety as the TA read API: each request borrows one store connection.
//
//   api::TradingReadApiOptions options;
//   options.account_label = "paper";
//   TORGHUT_RETURN_IF_ERROR(api::AddTradingReadApi(router, std::move(connections),
//                                                  &SystemClock(), options));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "torghut/core/clock.h"
#include "torghut/core/config.h"
#include "torghut/core/status.h"
#include "torghut/http/router.h"
#include "torghut/store/trading_store.h"

namespace torghut::api {

struct TradingReadApiOptions {
  std::string account_label = "paper";  // TRADING_ACCOUNT_LABEL: the equity's alpacaAccountLabel
  bool allow_shorts = false;            // TRADING_ALLOW_SHORTS: P&L books shorts as the trader
  // The LLM circuit's state (closed | open | half_open) for the summary, where the trader runs in
  // the same process (`up`); unset: "unknown" (`serve` does not run the reviewer).
  std::function<std::string()> llm_circuit;
};

// TRADING_ACCOUNT_LABEL ("paper") and TRADING_ALLOW_SHORTS (false), as `torghut trade` reads them.
TradingReadApiOptions ReadTradingReadApiOptions(ConfigReader& cfg);

// For `serve --help`: when the trading page's API is on, and what it reads.
inline constexpr char kTradingReadApiEnvHelp[] =
    "  TRADING_STORE            when set (even to sqlite), `serve` serves the trading page's API\n"
    "                           (/api/torghut/trading/*) from that store; unset: those routes\n"
    "                           answer 503 {\"ok\":false,\"disabled\":true}\n"
    "  TRADING_ACCOUNT_LABEL    the account's label in the equity series (default paper)\n"
    "  TRADING_ALLOW_SHORTS     book sells beyond the position as shorts in P&L (default false)\n";

// One connection; `store` and `clock` must outlive the router. Fails only when the
// America/New_York zone cannot be read from the tz database.
Status AddTradingReadApi(http::Router& router, store::TradingStore* store, const Clock* clock,
                         const TradingReadApiOptions& options = {});
// A pool of connections to one store, owned by the routes; `clock` must outlive the router.
Status AddTradingReadApi(http::Router& router,
                         std::vector<std::unique_ptr<store::TradingStore>> connections,
                         const Clock* clock, const TradingReadApiOptions& options = {});
// The same routes, each answering 503 {"ok":false,"disabled":true}: no trading store configured.
void AddTradingReadApiDisabled(http::Router& router);

}  // namespace torghut::api
