// The identity of a trading intent (SPEC §6 Decisions and idempotency): the SHA-256 (lower-case
// hex) of the canonical JSON of {action, event_ts, strategy, symbol, timeframe} — keys sorted, no
// whitespace, event_ts RFC 3339 UTC with milliseconds and Z, timeframe 1Sec/1Min, action
// buy/sell. It does not depend on indicator values or versions, so no revision of a bar can make
// a second order; the broker's client_order_id is derived from it (ClientOrderIdFor).
//
//   std::string hash = DecisionHash(Side::kBuy, 1704205860000, "macd-rsi-default", "AAPL",
//                                   Timeframe::k1Min);
//   // CanonicalIntentJson(...) ==
//   //   {"action":"buy","event_ts":"2024-01-02T14:31:00.000Z","strategy":"macd-rsi-default",
//   //    "symbol":"AAPL","timeframe":"1Min"}
#pragma once

#include <string>
#include <string_view>

#include "torghut/core/digest.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

std::string CanonicalIntentJson(Side action, EpochMillis event_ts, std::string_view strategy,
                                std::string_view symbol, Timeframe timeframe);
std::string DecisionHash(Side action, EpochMillis event_ts, std::string_view strategy,
                         std::string_view symbol, Timeframe timeframe);

}  // namespace torghut::trading
