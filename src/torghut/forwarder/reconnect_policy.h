// Pieces of the forwarder's session loop that are pure logic (header-only, tested on their own):
// the reconnect delay per error class, the de-duplication window and the staleness watchdog.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string_view>
#include <unordered_set>

#include "torghut/core/calendar.h"
#include "torghut/core/time.h"

namespace torghut::forwarder {

// Why a session ended, which decides how long to wait before the next (SPEC §2).
enum class Disconnect : uint8_t {
  kNetwork,          // connect failure, lost connection, 407, 500, protocol slips: backoff
  kConfiguration,    // 402/409/410/411: a configuration fault; retry slowly
  kConnectionLimit,  // 406: another connection holds the key; wait at least the floor
  kStarvation,       // the watchdog found a silent channel: backoff
  kStopping,
};

struct ReconnectSettings {
  int64_t initial_ms = 500;
  int64_t max_ms = 30'000;
  double jitter = 0.2;  // ± share
  int64_t floor_406_ms = 90'000;
  int64_t configuration_retry_ms = 60'000;
};

// Exponential backoff with jitter: initial, doubling to max, each ±jitter; Reset() once a session
// got as far as subscribed.
class ReconnectPolicy {
 public:
  explicit ReconnectPolicy(ReconnectSettings s, uint64_t seed = std::random_device{}())
      : s_(s), rng_(seed) {}

  int64_t NextDelayMs(Disconnect why) {
    const double base = static_cast<double>(std::min(s_.max_ms, current_ms_));
    current_ms_ = std::min(s_.max_ms, current_ms_ * 2);
    std::uniform_real_distribution<double> u(1.0 - s_.jitter, 1.0 + s_.jitter);
    const auto jittered = static_cast<int64_t>(base * u(rng_));
    switch (why) {
      case Disconnect::kConfiguration:
        return s_.configuration_retry_ms;
      case Disconnect::kConnectionLimit:
        return std::max(s_.floor_406_ms, jittered);
      default:
        return jittered;
    }
  }
  void Reset() { current_ms_ = s_.initial_ms; }

 private:
  ReconnectSettings s_;
  std::mt19937_64 rng_;
  int64_t current_ms_ = s_.initial_ms;
};

// Drops a message seen within the last `ttl_ms` (by key: trades by symbol+id, quotes and bars by
// symbol+time). Memory is bounded by what arrives within one TTL.
class DedupWindow {
 public:
  explicit DedupWindow(int64_t ttl_ms) : ttl_ns_(ttl_ms * kNanosPerMilli) {}

  // true if `key` was seen within the TTL before `now`; otherwise remembers it.
  bool Seen(uint64_t key, Timestamp now) {
    while (!order_.empty() && order_.front().first <= now.nanos() - ttl_ns_) {
      keys_.erase(order_.front().second);
      order_.pop_front();
    }
    if (!keys_.insert(key).second) return true;
    order_.emplace_back(now.nanos(), key);
    return false;
  }
  size_t size() const { return keys_.size(); }

  // A well-mixed key of (kind, symbol, value): kind tells trades from quotes from bars.
  static uint64_t Key(uint8_t kind, uint32_t symbol, int64_t value) {
    uint64_t h = (static_cast<uint64_t>(kind) << 56) ^ (static_cast<uint64_t>(symbol) << 24) ^
                 static_cast<uint64_t>(value) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
  }

 private:
  int64_t ttl_ns_;
  std::unordered_set<uint64_t> keys_;
  std::deque<std::pair<int64_t, uint64_t>> order_;
};

// When the watchdog runs: only in the regular session (default), in any session including pre-
// and post-market, or always (tests, 24-hour feeds such as "test").
enum class WatchdogSessions : uint8_t { kRegular, kExtended, kAlways };

// Per-channel staleness: a subscribed channel with no message for `stale_after_ms` while the
// market is open is starving — the socket is connected but silent, and must be reconnected.
class StalenessWatchdog {
 public:
  static constexpr size_t kChannels = 3;  // trades, quotes, bars
  StalenessWatchdog(const TradingCalendar* calendar, WatchdogSessions sessions,
                    std::array<int64_t, kChannels> stale_after_ms)
      : calendar_(calendar), sessions_(sessions), stale_after_ms_(stale_after_ms) {}

  // A (re)subscription starts every channel's clock afresh; `active` says which are subscribed.
  void Reset(Timestamp now, std::array<bool, kChannels> active) {
    active_ = active;
    last_.fill(now.nanos());
  }
  void Saw(size_t channel, Timestamp now) { last_[channel] = now.nanos(); }

  bool MarketOpen(Timestamp now) const {
    if (sessions_ == WatchdogSessions::kAlways) return true;
    const SessionPhase p = calendar_->PhaseAt(now);
    return sessions_ == WatchdogSessions::kRegular ? p == SessionPhase::kRegular
                                                   : p != SessionPhase::kClosed;
  }
  // The first starving channel, or -1.
  int Starving(Timestamp now) const {
    if (!MarketOpen(now)) return -1;
    for (size_t c = 0; c < kChannels; ++c) {
      if (active_[c] && now.nanos() - last_[c] > stale_after_ms_[c] * kNanosPerMilli) {
        return static_cast<int>(c);
      }
    }
    return -1;
  }

 private:
  const TradingCalendar* calendar_;
  WatchdogSessions sessions_;
  std::array<int64_t, kChannels> stale_after_ms_;
  std::array<bool, kChannels> active_{};
  std::array<int64_t, kChannels> last_{};
};

}  // namespace torghut::forwarder
