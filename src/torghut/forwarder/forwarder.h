// The market-data forwarder (`torghut ws`, SPEC §2): one Alpaca stream connection → envelopes on
// the bus (SPEC §3).
//
//   forwarder::Forwarder fwd(config, bus, &metrics, &calendar, &SystemClock());
//   http::Router router;  forwarder::AddForwarderEndpoints(router, metrics, fwd, http_config);
//   Status s = fwd.Run(stop);     // until `stop`; then flushes the producer
//
// Session loop (one thread): connect (TLS verified for wss://) → greeting → auth (10 s) →
// subscribe in chunks → forward frames. Each message is decoded once, de-duplicated within
// DEDUP_TTL_SEC, wrapped with a per-channel+symbol seq and produced keyed by symbol. After every
// reconnect the gap (last event before the drop → first event after) is backfilled from the REST
// data API with source "rest". How long to wait before reconnecting depends on why the session
// ended (forwarder/reconnect_policy.h). A message whose delivery fails is produced again (at least
// once); three failures in a row turn the bus gate false until one succeeds.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torghut/alpaca/envelope.h"
#include "torghut/bus/bus.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/core/config.h"
#include "torghut/forwarder/reconnect_policy.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"

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
  int64_t backfill_max_gap_ms = 6 * 3600 * 1000;  // longer gaps are left to a replay
  int64_t backfill_end_wait_ms = 2'000;           // for the first event after a reconnect
  std::string status_key = "torghut-ws";          // the heartbeat's key on the status topic
  bus::Topics topics;
  int32_t topic_partitions = 1;  // when the forwarder creates a missing topic
};

// The env of SPEC §2 (ALPACA_*, APCA_* fallbacks, SYMBOLS, JANGAR_SYMBOLS_URL, DEDUP_TTL_SEC, …)
// and the WS_* tuning knobs; errors go to `cfg`.
ForwarderConfig ReadForwarderConfig(ConfigReader& cfg);
extern const char kForwarderEnvHelp[];

// What /readyz reports.
struct ForwarderHealth {
  bool ready = false;
  std::string status = "starting";  // healthy | degraded | reconnecting | error | starting
  std::string error_class;          // "" when none
  std::string reason;
  int64_t attempt = 0;  // connection attempts since the last subscribed session
  bool gate_ws = false, gate_bus = true, gate_channels = true;
  std::string Json() const;
};

class Forwarder {
 public:
  // `bus`, `metrics`, `calendar` and `clock` must outlive the forwarder.
  Forwarder(ForwarderConfig config, bus::Bus* bus, http::Registry* metrics,
            const TradingCalendar* calendar, const Clock* clock = &SystemClock());
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Runs sessions until `stop`; then closes the stream and flushes the producer (up to 10 s).
  // An error only for what retrying cannot fix (the bus cannot be opened for producing).
  Status Run(const std::atomic<bool>& stop);
  // Thread-safe.
  ForwarderHealth Health() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// GET /healthz, /readyz (the JSON of SPEC §2), /metrics, and GET /status (the same JSON).
void AddForwarderEndpoints(http::Router& router, http::Registry& metrics, const Forwarder& fwd,
                           const http::ServerConfig& config);

}  // namespace torghut::forwarder
