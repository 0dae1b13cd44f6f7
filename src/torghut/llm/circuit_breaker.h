// The LLM circuit breaker (SPEC §6): `max_errors` failures within `window_ms` open it for
// `cooldown_ms`; then it is half-open, and one trial call closes it on success or re-opens it for
// a full cooldown on failure. Time comes from the injected clock only.
//
//   CircuitBreaker breaker(config.circuit, &clock);
//   if (!breaker.Allow()) { /* skipped: LLM_FAIL_MODE decides */ }
//   else if (ok) breaker.RecordSuccess(); else breaker.RecordFailure("timed_out");
//
// States as reported: `half_open` as soon as the cooldown has passed, with no call needed to
// notice; `open` is true only in state open. In half-open one trial is let through at a time
// (Allow answers false to others until its outcome is recorded). Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "torghut/core/clock.h"
#include "torghut/llm/llm_config.h"

namespace torghut::llm {

enum class CircuitState : uint8_t { kClosed, kOpen, kHalfOpen };
std::string_view ToString(CircuitState s);  // closed | open | half_open

struct CircuitSnapshot {
  CircuitState state = CircuitState::kClosed;
  bool open = false;
  int64_t open_until_ms = 0;       // 0 unless open or half-open
  int64_t recent_error_count = 0;  // failures within the window (closed), or since opening
  std::string last_error;
  int64_t opened_total = 0;  // times it went to open
};

class CircuitBreaker {
 public:
  CircuitBreaker(CircuitConfig config, const Clock* clock) : config_(config), clock_(clock) {}

  bool Allow();
  void RecordSuccess();
  void RecordFailure(std::string_view error);
  CircuitSnapshot Snapshot() const;

 private:
  CircuitState StateLocked(int64_t now) const;
  void OpenLocked(int64_t now);

  const CircuitConfig config_;
  const Clock* clock_;
  mutable std::mutex mu_;
  bool opened_ = false;  // open or half-open (by time)
  bool trial_in_flight_ = false;
  int64_t open_until_ms_ = 0;
  std::deque<int64_t> failures_;  // times of failures while closed, oldest first
  std::string last_error_;
  int64_t opened_total_ = 0;
};

}  // namespace torghut::llm
