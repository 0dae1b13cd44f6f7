// `torghut trade`'s settings (SPEC §6), read from the environment and validated at start with one
// error line per bad value.
//
//   ConfigReader cfg(EnvSource::Process());
//   TraderConfig c = ReadTraderConfig(cfg);
//   TORGHUT_RETURN_IF_ERROR(cfg.Finish());
#pragma once

#include <cstdint>
#include <string>

#include "torghut/bus/bus.h"
#include "torghut/core/config.h"
#include "torghut/trading/settings.h"

namespace torghut::trader {

struct TraderConfig {
  std::string group_id = "torghut-trading";               // TRADING_GROUP_ID
  bus::OffsetReset reset = bus::OffsetReset::kLatest;     // TRADING_AUTO_OFFSET_RESET
  std::string signals_topic = "torghut.ta.signals.v1";    // TA_SIGNALS_TOPIC
  std::string microbars_topic = "torghut.ta.bars.1s.v1";  // TA_MICROBARS_TOPIC
  int64_t reconcile_ms = 15'000;                          // TRADING_RECONCILE_MS
  int64_t lease_retry_ms = 2'000;                         // TRADING_LEASE_RETRY_MS (standby)
  int64_t strategy_reload_ms = 10'000;                    // TRADING_STRATEGY_RELOAD_SECONDS
  std::string broker = "alpaca";                          // TRADING_BROKER
  std::string account_label = "paper";                    // TRADING_ACCOUNT_LABEL
  // Orders of different symbols are POSTed in parallel over this many broker connections (a
  // symbol always uses the same one, so its orders leave in decision order); 1: one at a time.
  int64_t submit_concurrency = 4;     // TRADING_SUBMIT_CONCURRENCY
  trading::TradingSettings settings;  // TRADING_* gates, universe, risk
  // Test switch TORGHUT_TEST_CRASH=after_claim:N | after_post:N — the process kills itself right
  // after the Nth durable claim, or after the Nth order POST was answered and before its result
  // is recorded: the two windows crash recovery exists for. Unset in production.
  std::string crash_point;
  int64_t crash_after = 0;
};

TraderConfig ReadTraderConfig(ConfigReader& cfg);

extern const char* const kTraderEnvHelp;

}  // namespace torghut::trader
