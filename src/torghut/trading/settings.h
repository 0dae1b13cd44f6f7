// The trading loop's settings (SPEC §6 Gates, Universe, Risk), read from the environment and
// validated at start with one error line per bad value.
//
//   ConfigReader cfg(EnvSource::Process());
//   TradingSettings s = ReadTradingSettings(cfg);
//   TORGHUT_RETURN_IF_ERROR(cfg.Finish());
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torghut/core/config.h"
#include "torghut/core/decimal.h"

namespace torghut::trading {

enum class TradingMode : uint8_t { kPaper, kLive };
enum class SessionRule : uint8_t { kRegular, kExtended, kAlways };

struct TradingSettings {
  bool enabled = false;                                     // TRADING_ENABLED
  TradingMode mode = TradingMode::kPaper;                   // TRADING_MODE
  bool live_enabled = false;                                // TRADING_LIVE_ENABLED
  Decimal default_qty = Decimal::FromUnits(Decimal::kOne);  // TRADING_DEFAULT_QTY
  std::optional<Decimal> max_notional_per_trade;            // TRADING_MAX_NOTIONAL_PER_TRADE
  bool allow_shorts = false;                                // TRADING_ALLOW_SHORTS
  int64_t cooldown_seconds = 0;                             // TRADING_COOLDOWN_SECONDS
  SessionRule session = SessionRule::kRegular;              // TRADING_SESSION
  int64_t max_signal_age_seconds = 60;                      // TRADING_MAX_SIGNAL_AGE_SECONDS
  int64_t max_orders_per_minute = 30;                       // TRADING_MAX_ORDERS_PER_MINUTE
  std::optional<Decimal> daily_loss_limit;                  // TRADING_DAILY_LOSS_LIMIT (> 0)
  bool kill_switch = false;                                 // TRADING_KILL_SWITCH
  // TRADING_UNIVERSE_SOURCE=static with TRADING_STATIC_SYMBOLS; nullopt = no list given, every
  // strategy's own symbols are allowed.
  std::string universe_source = "static";
  std::optional<std::vector<std::string>> static_symbols;
  // Live and paper trading refuse bars that ended too long before the wall clock; a backtest's
  // clock is the data's own time and turns this off.
  bool check_signal_age = true;
};

TradingSettings ReadTradingSettings(ConfigReader& cfg);

std::string_view ToString(TradingMode m);  // "paper" | "live"
std::string_view ToString(SessionRule s);  // "regular" | "extended" | "always"

extern const char* const kTradingSettingsEnvHelp;

}  // namespace torghut::trading
