// The forwarder's configuration (`torghut ws`, SPEC §2): the environment read and validated once
// at start, one error line per bad value.
//
//   ConfigReader cfg(EnvSource::Process());
//   forwarder::ForwarderConfig config = forwarder::ReadForwarderConfig(cfg);
//   if (Status s = cfg.Finish(); !s.ok()) { /* exit 2 with s.message() */ }
//   // --help lists forwarder::kForwarderEnvHelp
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "torghut/alpaca/envelope.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/config.h"
#include "torghut/core/time.h"
#include "torghut/forwarder/reconnect_policy.h"

namespace torghut::forwarder {

struct ForwarderConfig {
  std::string stream_url = "wss://stream.data.alpaca.markets";
  std::string feed = "iex";
  std::string key_id, secret_key;
  std::string data_url = "https://data.alpaca.markets";
  std::string ca_file;  // trusted CAs for wss:// and https:// ("" = the system's)
  std::vector<std::string> symbols;
  std::string symbols_url;  // JANGAR_SYMBOLS_URL: polled universe
  int64_t symbols_poll_ms = 60'000;
  std::vector<alpaca::Channel> channels = {alpaca::Channel::kTrades, alpaca::Channel::kQuotes,
                                           alpaca::Channel::kBars, alpaca::Channel::kUpdatedBars};
  size_t subscribe_chunk = 200;
  int64_t dedup_ttl_ms = 5'000;
  int64_t auth_timeout_ms = 10'000;
  ReconnectSettings reconnect;
  WatchdogSessions watchdog_sessions = WatchdogSessions::kRegular;
  int64_t stale_after_ms = 120'000;       // trades and quotes
  int64_t bars_stale_after_ms = 180'000;  // minute bars arrive once a minute
  int64_t heartbeat_ms = 10'000;
  bool backfill = true;
  int64_t backfill_max_gap_ms = 6 * kMillisPerHour;  // longer gaps are left to a replay
  int64_t backfill_end_wait_ms = 2'000;              // for the first event after a reconnect
  std::string status_key = "torghut-ws";             // the heartbeat's key on the status topic
  bus::Topics topics;
  int32_t topic_partitions = 1;  // when the forwarder creates a missing topic
};

// The env of SPEC §2 (ALPACA_*, APCA_* fallbacks, SYMBOLS, JANGAR_SYMBOLS_URL, DEDUP_TTL_SEC, …)
// and the WS_* tuning knobs; errors go to `cfg`.
ForwarderConfig ReadForwarderConfig(ConfigReader& cfg);
extern const char kForwarderEnvHelp[];

}  // namespace torghut::forwarder
