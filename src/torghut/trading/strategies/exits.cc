#include "torghut/trading/strategies/exits.h"

#include <fmt/format.h>

namespace torghut::trading {
namespace {

const Decimal kHundred = Decimal::FromUnits(100 * Decimal::kOne);

// entry × (1 ± pct/100), rounded to a cent's hundredth.
std::optional<Decimal> Level(Decimal entry, Decimal pct, bool up) {
  Result<Decimal> frac = pct.Div(kHundred);
  if (!frac.ok()) return std::nullopt;
  Result<Decimal> factor = up ? Decimal::FromUnits(Decimal::kOne).Add(*frac)
                              : Decimal::FromUnits(Decimal::kOne).Sub(*frac);
  if (!factor.ok()) return std::nullopt;
  Result<Decimal> level = entry.Mul(*factor);
  if (!level.ok()) return std::nullopt;
  return level->RoundTo(4, RoundingMode::kHalfEven);
}

}  // namespace

std::optional<ExitSignal> CheckExits(const ExitParams& exits, const Holding& h, Decimal close,
                                     EpochMillis bar_end, const TradingCalendar& calendar) {
  if (h.qty <= Decimal()) return std::nullopt;
  if (exits.stop_loss_pct) {
    if (auto level = Level(h.avg_entry_price, *exits.stop_loss_pct, false);
        level && close <= *level) {
      return ExitSignal{"stop_loss",
                        fmt::format("stop_loss: close {} <= {} ({}% below entry {})",
                                    close.ToString(), level->ToString(),
                                    exits.stop_loss_pct->ToString(), h.avg_entry_price.ToString())};
    }
  }
  if (exits.take_profit_pct) {
    if (auto level = Level(h.avg_entry_price, *exits.take_profit_pct, true);
        level && close >= *level) {
      return ExitSignal{
          "take_profit",
          fmt::format("take_profit: close {} >= {} ({}% above entry {})", close.ToString(),
                      level->ToString(), exits.take_profit_pct->ToString(),
                      h.avg_entry_price.ToString())};
    }
  }
  if (exits.max_hold_seconds && bar_end - h.opened_at >= *exits.max_hold_seconds * 1000) {
    return ExitSignal{"max_hold",
                      fmt::format("max_hold: held {} s >= {} s", (bar_end - h.opened_at) / 1000,
                                  *exits.max_hold_seconds)};
  }
  if (exits.flatten_before_close_minutes) {
    // The session the bar belongs to (its last millisecond), and its regular close.
    if (auto session = calendar.SessionAt(Timestamp::FromMillis(bar_end - 1))) {
      const EpochMillis close_ms = session->regular_close.millis();
      if (bar_end >= close_ms - *exits.flatten_before_close_minutes * 60'000) {
        return ExitSignal{"flatten_before_close",
                          fmt::format("flatten_before_close: {} min before the {} close",
                                      *exits.flatten_before_close_minutes,
                                      FormatRfc3339(session->regular_close, FracDigits::kNone))};
      }
    }
  }
  return std::nullopt;
}

}  // namespace torghut::trading
