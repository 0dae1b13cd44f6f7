#include "torghut/http/retry.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace torghut::http {

bool RetryableIfIdempotent(const ClientResponse& r) {
  return !r.answered() || r.status == 429 || r.status >= 500;
}

bool RetryableIfNotIdempotent(const ClientResponse& r) {
  if (!r.answered()) return !MayHaveReachedServer(r.failure);
  return r.status == 429;
}

int64_t RetryDelayMs(const RetryPolicy& policy, int attempt, const ClientResponse& r) {
  if (const int64_t after = r.RetryAfterMs(); after >= 0) {
    return std::min(after, policy.max_retry_after_ms);
  }
  int64_t wait = policy.initial_backoff_ms;
  for (int i = 1; i < attempt && wait < policy.max_backoff_ms; ++i) wait *= 2;
  return std::min(wait, policy.max_backoff_ms);
}

ClientResponse SendWithRetry(HttpClient& client, const ClientRequest& request,
                             const RetryPolicy& policy, const RetryPredicate& retryable,
                             const std::function<void(int64_t ms)>& sleep) {
  for (int attempt = 1;; ++attempt) {
    ClientResponse r = client.Send(request);
    if (attempt >= policy.max_attempts || !retryable(r)) return r;
    const int64_t wait_ms = RetryDelayMs(policy, attempt, r);
    if (sleep) {
      sleep(wait_ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));  // the policy's pause
    }
  }
}

}  // namespace torghut::http
