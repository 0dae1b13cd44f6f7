// The risk engine (SPEC §6 Risk): deterministic and final — the LLM cannot override it. Every
// check runs and every reason is recorded, always in this order:
//
//   trading_disabled, live_trading_disabled, strategy_disabled, symbol_not_allowed,
//   missing_price, max_notional_exceeded, insufficient_buying_power, max_position_pct_exceeded,
//   shorts_not_allowed, cooldown_active, market_closed, stale_signal, order_rate_exceeded,
//   daily_loss_limit, kill_switch
//
//   RiskState state;                                     // cooldowns and the order rate window
//   std::vector<std::string> reasons = CheckRisk(order, context, state);
//   if (reasons.empty()) state.Accept(order.symbol, order.event_ts);
//
// Notional, buying power and position checks count the symbol's open orders. A sell that reduces
// a long (and a buy that reduces a short) is exempt from the notional and buying-power checks,
// and is what still passes after the daily loss limit. Cooldown and the order rate are measured
// on the bars' event time, so live trading and a backtest of the same bars agree; only
// stale_signal looks at the wall clock (`now`), and only where settings.check_signal_age.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/binary_io.h"
#include "torghut/core/calendar.h"
#include "torghut/core/decimal.h"
#include "torghut/trading/model.h"
#include "torghut/trading/portfolio.h"
#include "torghut/trading/settings.h"

namespace torghut::trading::reason {
inline constexpr std::string_view kTradingDisabled = "trading_disabled";
inline constexpr std::string_view kLiveTradingDisabled = "live_trading_disabled";
inline constexpr std::string_view kStrategyDisabled = "strategy_disabled";
inline constexpr std::string_view kSymbolNotAllowed = "symbol_not_allowed";
inline constexpr std::string_view kMissingPrice = "missing_price";
inline constexpr std::string_view kMaxNotionalExceeded = "max_notional_exceeded";
inline constexpr std::string_view kInsufficientBuyingPower = "insufficient_buying_power";
inline constexpr std::string_view kMaxPositionPctExceeded = "max_position_pct_exceeded";
inline constexpr std::string_view kShortsNotAllowed = "shorts_not_allowed";
inline constexpr std::string_view kCooldownActive = "cooldown_active";
inline constexpr std::string_view kMarketClosed = "market_closed";
inline constexpr std::string_view kStaleSignal = "stale_signal";
inline constexpr std::string_view kOrderRateExceeded = "order_rate_exceeded";
inline constexpr std::string_view kDailyLossLimit = "daily_loss_limit";
inline constexpr std::string_view kKillSwitch = "kill_switch";
}  // namespace torghut::trading::reason

namespace torghut::trading {

// The order being checked.
struct RiskOrder {
  std::string_view symbol;
  Side side = Side::kBuy;
  Decimal qty;
  std::optional<Decimal> price;  // the limit price, else the reference price; none: missing_price
  EpochMillis event_ts = 0;      // the bar's end
  Timeframe timeframe = Timeframe::k1Sec;
};

struct RiskContext {
  const TradingSettings* settings;
  const Strategy* strategy;
  bool symbol_allowed = true;  // strategy symbols ∩ universe holds the symbol
  const PortfolioView* portfolio;
  EpochMillis now = 0;  // the wall clock (stale_signal only)
  const TradingCalendar* calendar;
};

// What risk remembers between decisions: each symbol's last accepted decision (cooldown) and the
// accepted decisions of the last minute (order rate), in event time. Snapshot-able.
class RiskState {
 public:
  bool CooldownActive(std::string_view symbol, EpochMillis event_ts, int64_t cooldown_s) const;
  bool RateExceeded(EpochMillis event_ts, int64_t max_per_minute) const;
  // A decision that passed (it counts for cooldown and rate from now on).
  void Accept(std::string_view symbol, EpochMillis event_ts);

  void Save(BinaryWriter& w) const;
  Status Load(BinaryReader& r);

 private:
  std::map<std::string, EpochMillis, std::less<>> last_accepted_;
  std::deque<EpochMillis> accepted_;  // ascending; older than a minute before the newest pruned
};

// Every reason the order fails, in the fixed order above; empty when it passes.
std::vector<std::string> CheckRisk(const RiskOrder& order, const RiskContext& context,
                                   const RiskState& state);

// True when the order only reduces the account's position in its symbol.
bool ReducesPosition(Side side, Decimal qty, Decimal position);

}  // namespace torghut::trading
