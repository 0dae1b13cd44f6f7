// The exits any rule can carry (SPEC §6): sell what the strategy holds on a stop loss, a take
// profit, after a maximum hold, or shortly before the session's close.
//
//   if (auto exit = CheckExits(compiled.exits, holding, close, bar_end, calendar)) {
//     // a sell of holding.qty, exit->why
//   }
#pragma once

#include <optional>
#include <string>

#include "torghut/core/calendar.h"
#include "torghut/core/decimal.h"
#include "torghut/trading/model.h"
#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {

// What one strategy holds of one symbol, from its own fills (a long; shorts are not exited).
struct Holding {
  Decimal qty;
  Decimal avg_entry_price;
  EpochMillis opened_at = 0;  // the fill that opened the position
};

struct ExitSignal {
  std::string kind;  // stop_loss | take_profit | max_hold | flatten_before_close
  std::string why;
};

// The first exit that applies, in the order above; nullopt when none (or nothing is held).
std::optional<ExitSignal> CheckExits(const ExitParams& exits, const Holding& holding, Decimal close,
                                     EpochMillis bar_end, const TradingCalendar& calendar);

}  // namespace torghut::trading
