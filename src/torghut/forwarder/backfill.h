// The REST backfill of the gap a reconnect left in the stream (SPEC §2): GapTracker knows the
// gap — from the last event seen before the drop to the first one after the reconnect — and
// Backfill fetches it from the REST data API for the forwarder to forward with source "rest".
//
//   forwarder::GapTracker gaps(config.backfill_end_wait_ms);
//   gaps.OnConnecting();                         // before each connection attempt
//   gaps.Saw(event_ns);                          // each stream event forwarded
//   gaps.OnSubscribed(now_ns, config.backfill);  // the session is up
//   if (auto gap = gaps.TakeDue(now_ns)) {
//     forwarder::Backfill backfill(config, &metrics);
//     int64_t forwarded = backfill.Run(*gap, symbols, [&](std::string_view message) {
//       return Forward(message);                 // how many messages it forwarded
//     });
//   }
//
// Times are nanoseconds since the epoch (event time). Counts what was forwarded in
// torghut_ws_backfill_messages_total. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/forwarder/alpaca_rest.h"
#include "torghut/forwarder/forwarder_config.h"
#include "torghut/http/metrics.h"

namespace torghut::forwarder {

struct Gap {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

class GapTracker {
 public:
  // Waits up to `end_wait_ms` after subscribing for the first event that closes the gap.
  explicit GapTracker(int64_t end_wait_ms) : end_wait_ms_(end_wait_ms) {}

  // A new connection attempt: the first event after it is not known yet.
  void OnConnecting() { first_after_connect_ns_ = 0; }
  // A stream event was forwarded.
  void Saw(int64_t event_ns);
  // The session is subscribed at `now_ns`. A gap is due when an earlier session saw events (the
  // first session has nothing to fill) and `enabled`.
  void OnSubscribed(int64_t now_ns, bool enabled);
  // The due gap once its end is known — the first event after the reconnect, or `now_ns` once
  // end_wait_ms passed without one — returned once; nullopt otherwise.
  std::optional<Gap> TakeDue(int64_t now_ns);

  int64_t last_event_ns() const { return last_event_ns_; }

 private:
  int64_t end_wait_ms_;
  int64_t last_event_ns_ = 0, first_after_connect_ns_ = 0;
  int64_t gap_start_ns_ = 0, subscribed_at_ns_ = 0;
  bool had_session_ = false, due_ = false;
};

class Backfill {
 public:
  // Returns how many messages were forwarded for one REST message.
  using Emit = std::function<int64_t(std::string_view message)>;
  static constexpr size_t kSymbolsPerRequest = 100;

  // `config` and `metrics` must outlive this.
  Backfill(const ForwarderConfig& config, http::Registry* metrics);

  // Fetches the trades and minute bars (those of the subscribed channels) of `symbols` in `gap`,
  // kSymbolsPerRequest symbols per request; a gap longer than config.backfill_max_gap_ms keeps
  // only its end (the rest is for a replay). Failures are logged, not fatal. Returns the sum of
  // what `emit` returned.
  int64_t Run(Gap gap, const std::vector<std::string>& symbols, const Emit& emit);

  AlpacaRestClient& rest() { return rest_; }

 private:
  const ForwarderConfig& config_;
  AlpacaRestClient rest_;
  http::Counter* backfilled_;
};

}  // namespace torghut::forwarder
