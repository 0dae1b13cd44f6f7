#include "torghut/llm/circuit_breaker.h"

namespace torghut::llm {

std::string_view ToString(CircuitState s) {
  switch (s) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitState CircuitBreaker::StateLocked(int64_t now) const {
  if (!opened_) return CircuitState::kClosed;
  return now < open_until_ms_ ? CircuitState::kOpen : CircuitState::kHalfOpen;
}

void CircuitBreaker::OpenLocked(int64_t now) {
  opened_ = true;
  open_until_ms_ = now + config_.cooldown_ms;
  trial_in_flight_ = false;
  failures_.clear();
  ++opened_total_;
}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  switch (StateLocked(clock_->NowMillis())) {
    case CircuitState::kClosed:
      return true;
    case CircuitState::kOpen:
      return false;
    case CircuitState::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  if (opened_) {  // the half-open trial succeeded
    opened_ = false;
    open_until_ms_ = 0;
    trial_in_flight_ = false;
  }
  failures_.clear();
}

void CircuitBreaker::RecordFailure(std::string_view error) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowMillis();
  last_error_ = std::string(error);
  if (opened_) {  // the half-open trial failed (or a call let through before opening ended)
    OpenLocked(now);
    return;
  }
  failures_.push_back(now);
  while (!failures_.empty() && failures_.front() <= now - config_.window_ms) failures_.pop_front();
  if (static_cast<int64_t>(failures_.size()) >= config_.max_errors) OpenLocked(now);
}

CircuitSnapshot CircuitBreaker::Snapshot() const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowMillis();
  CircuitSnapshot s;
  s.state = StateLocked(now);
  s.open = s.state == CircuitState::kOpen;
  s.open_until_ms = opened_ ? open_until_ms_ : 0;
  int64_t recent = 0;
  for (int64_t t : failures_) recent += t > now - config_.window_ms ? 1 : 0;
  s.recent_error_count = opened_ ? config_.max_errors : recent;
  s.last_error = last_error_;
  s.opened_total = opened_total_;
  return s;
}

}  // namespace torghut::llm
