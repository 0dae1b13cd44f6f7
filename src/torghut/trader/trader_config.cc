#include "torghut/trader/trader_config.h"

#include <cstdlib>

namespace torghut::trader {

TraderConfig ReadTraderConfig(ConfigReader& cfg) {
  TraderConfig c;
  c.group_id = cfg.String("TRADING_GROUP_ID", c.group_id);
  c.reset = cfg.Enum("TRADING_AUTO_OFFSET_RESET", {"latest", "earliest"}, "latest") == "earliest"
                ? bus::OffsetReset::kEarliest
                : bus::OffsetReset::kLatest;
  c.signals_topic = cfg.String("TA_SIGNALS_TOPIC", c.signals_topic);
  c.microbars_topic = cfg.String("TA_MICROBARS_TOPIC", c.microbars_topic);
  c.reconcile_ms = cfg.Int("TRADING_RECONCILE_MS", c.reconcile_ms, 100, 3'600'000);
  c.lease_retry_ms = cfg.Int("TRADING_LEASE_RETRY_MS", c.lease_retry_ms, 50, 600'000);
  c.strategy_reload_ms =
      cfg.Int("TRADING_STRATEGY_RELOAD_SECONDS", c.strategy_reload_ms / 1000, 1, 86'400) * 1000;
  c.broker = cfg.Enum("TRADING_BROKER", {"alpaca"}, "alpaca");
  c.account_label = cfg.String("TRADING_ACCOUNT_LABEL", c.account_label);
  c.submit_concurrency = cfg.Int("TRADING_SUBMIT_CONCURRENCY", c.submit_concurrency, 1, 64);
  c.settings = trading::ReadTradingSettings(cfg);
  if (auto crash = cfg.OptionalString("TORGHUT_TEST_CRASH")) {
    const size_t colon = crash->find(':');
    c.crash_point = crash->substr(0, colon);
    if (colon != std::string::npos) c.crash_after = std::atoll(crash->c_str() + colon + 1);
    if ((c.crash_point != "after_claim" && c.crash_point != "after_post") || c.crash_after < 1) {
      cfg.AddError("TORGHUT_TEST_CRASH: must be after_claim:N or after_post:N with N >= 1");
    }
  }
  return c;
}

const char* const kTraderEnvHelp =
    "  TRADING_GROUP_ID              consumer group over the TA topics (torghut-trading)\n"
    "  TRADING_AUTO_OFFSET_RESET     latest | earliest, without a stored position (latest)\n"
    "  TA_SIGNALS_TOPIC, TA_MICROBARS_TOPIC  the TA output topics\n"
    "  TRADING_RECONCILE_MS          reconciliation with the broker every (15000)\n"
    "  TRADING_LEASE_RETRY_MS        a standby tries for the lease every (2000)\n"
    "  TRADING_STRATEGY_RELOAD_SECONDS  re-read the strategies every (10)\n"
    "  TRADING_BROKER                alpaca (Alpaca's API, or `torghut sim serve`)\n"
    "  TRADING_ACCOUNT_LABEL         the account's name in the API (paper)\n"
    "  TRADING_SUBMIT_CONCURRENCY    broker connections orders of different symbols are sent\n"
    "                                over in parallel; a symbol keeps its order (4)\n";

}  // namespace torghut::trader
