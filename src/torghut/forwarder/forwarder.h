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
// ended. A message whose delivery fails is produced again (at least once); three failures in a row
// turn the bus gate false until one succeeds.
//
// The parts, each in its own file and testable on its own: forwarder_config.h (the environment),
// alpaca_session.h (connect, greeting, auth, chunked subscriptions, what each stream error means),
// universe.h (SYMBOLS and the polled list), backfill.h (the gap and its REST fetch, over
// alpaca_rest.h), retrying_producer.h (at-least-once producing, the bus gate), reconnect_policy.h
// (the backoff per error class, the de-dup window, the staleness watchdog).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "torghut/bus/bus.h"
#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/forwarder/forwarder_config.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"

namespace torghut::forwarder {

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
