#include "torghut/trading/settings.h"

#include <fmt/format.h>

#include "torghut/core/symbols.h"

namespace torghut::trading {
namespace {

// A decimal setting: exact text, optionally required to be > 0.
std::optional<Decimal> DecimalSetting(ConfigReader& cfg, std::string_view name) {
  const std::optional<std::string> text = cfg.OptionalString(name);
  if (!text) return std::nullopt;
  Result<Decimal> d = Decimal::Parse(*text);
  if (!d.ok() || *d <= Decimal()) {
    cfg.AddError(fmt::format("{}: must be a decimal number > 0 (got '{}')", name, *text));
    return std::nullopt;
  }
  return *d;
}

}  // namespace

std::string_view ToString(TradingMode m) {
  return m == TradingMode::kLive ? "live" : "paper";
}
std::string_view ToString(SessionRule s) {
  return s == SessionRule::kAlways     ? "always"
         : s == SessionRule::kExtended ? "extended"
                                       : "regular";
}

TradingSettings ReadTradingSettings(ConfigReader& cfg) {
  TradingSettings s;
  s.enabled = cfg.Bool("TRADING_ENABLED", s.enabled);
  s.mode = cfg.Enum("TRADING_MODE", {"paper", "live"}, "paper") == "live" ? TradingMode::kLive
                                                                          : TradingMode::kPaper;
  s.live_enabled = cfg.Bool("TRADING_LIVE_ENABLED", s.live_enabled);
  if (auto q = DecimalSetting(cfg, "TRADING_DEFAULT_QTY")) s.default_qty = *q;
  s.max_notional_per_trade = DecimalSetting(cfg, "TRADING_MAX_NOTIONAL_PER_TRADE");
  s.allow_shorts = cfg.Bool("TRADING_ALLOW_SHORTS", s.allow_shorts);
  s.cooldown_seconds = cfg.Int("TRADING_COOLDOWN_SECONDS", s.cooldown_seconds, 0, 86'400);
  const std::string session =
      cfg.Enum("TRADING_SESSION", {"regular", "extended", "always"}, "regular");
  s.session = session == "always"     ? SessionRule::kAlways
              : session == "extended" ? SessionRule::kExtended
                                      : SessionRule::kRegular;
  s.max_signal_age_seconds =
      cfg.Int("TRADING_MAX_SIGNAL_AGE_SECONDS", s.max_signal_age_seconds, 0, 86'400);
  s.max_orders_per_minute =
      cfg.Int("TRADING_MAX_ORDERS_PER_MINUTE", s.max_orders_per_minute, 1, 100'000);
  s.daily_loss_limit = DecimalSetting(cfg, "TRADING_DAILY_LOSS_LIMIT");
  s.kill_switch = cfg.Bool("TRADING_KILL_SWITCH", s.kill_switch);
  s.universe_source = cfg.Enum("TRADING_UNIVERSE_SOURCE", {"static", "jangar"}, "static");
  if (cfg.OptionalString("TRADING_STATIC_SYMBOLS")) {
    s.static_symbols = cfg.List("TRADING_STATIC_SYMBOLS", {});
    for (const std::string& sym : *s.static_symbols) {
      if (Status v = ValidateSymbol(sym); !v.ok()) {
        cfg.AddError("TRADING_STATIC_SYMBOLS: " + v.message());
      }
    }
  }
  return s;
}

const char* const kTradingSettingsEnvHelp =
    "  TRADING_ENABLED               send orders (default false: decisions are recorded, rejected "
    "trading_disabled)\n"
    "  TRADING_MODE                  paper | live (default paper)\n"
    "  TRADING_LIVE_ENABLED          required (true) for live orders (default false)\n"
    "  TRADING_DEFAULT_QTY           shares per order when a strategy gives no qty/notional (1)\n"
    "  TRADING_MAX_NOTIONAL_PER_TRADE  cap per order when a strategy has none\n"
    "  TRADING_ALLOW_SHORTS          sells larger than the position (default false)\n"
    "  TRADING_COOLDOWN_SECONDS      since the symbol's last accepted decision (default 0)\n"
    "  TRADING_SESSION               regular | extended | always (default regular)\n"
    "  TRADING_MAX_SIGNAL_AGE_SECONDS  refuse bars older than this against the clock (60; 0 off)\n"
    "  TRADING_MAX_ORDERS_PER_MINUTE accepted decisions per minute, all strategies (30)\n"
    "  TRADING_DAILY_LOSS_LIMIT      after this loss in a NY day only reducing orders pass\n"
    "  TRADING_KILL_SWITCH           true: nothing new; open orders are cancelled\n"
    "  TRADING_UNIVERSE_SOURCE       static | jangar (default static)\n"
    "  TRADING_STATIC_SYMBOLS        the universe (comma list); unset: each strategy's symbols\n";

}  // namespace torghut::trading
