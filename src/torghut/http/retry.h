// The caller's retry policy for http::HttpClient (which never retries by itself): how many
// attempts, the backoff between them, and the server's Retry-After honoured (capped).
//
//   http::RetryPolicy policy;                        // 5 attempts, 500 ms doubling to 5 s
//   http::ClientResponse r = http::SendWithRetry(client, request, policy);
//   // a GET: retried on no answer, 429 and 5xx; r is the last attempt's outcome
//   r = http::SendWithRetry(client, order_post, policy, http::RetryableIfNotIdempotent);
//   // an order: retried only when the server provably did not act on it (not sent, 429)
//
// The wait before the next attempt is the answer's Retry-After when it has one (at most
// `max_retry_after_ms`), else initial_backoff_ms × 2^(attempt − 1) up to max_backoff_ms.
#pragma once

#include <cstdint>
#include <functional>

#include "torghut/http/client.h"

namespace torghut::http {

struct RetryPolicy {
  int max_attempts = 5;  // including the first
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 5'000;
  int64_t max_retry_after_ms = 10'000;
};

using RetryPredicate = std::function<bool(const ClientResponse&)>;

// For requests that may run twice (GET, HEAD, a PUT or DELETE of a fixed state): no answer at all,
// 429 and 5xx are worth another attempt.
bool RetryableIfIdempotent(const ClientResponse& r);
// For requests that must not run twice (POST of an order): only a request that never left, and
// 429 (the server refused it unseen). A timeout or a lost connection is for the caller to resolve.
bool RetryableIfNotIdempotent(const ClientResponse& r);

// The wait after attempt `attempt` (1 = the first) answered `r`, in milliseconds.
int64_t RetryDelayMs(const RetryPolicy& policy, int attempt, const ClientResponse& r);

// Sends `request` until `retryable` says no or `policy.max_attempts` are spent, waiting
// RetryDelayMs between attempts with `sleep` (default: this thread sleeps). Returns the last
// attempt's outcome.
ClientResponse SendWithRetry(HttpClient& client, const ClientRequest& request,
                             const RetryPolicy& policy,
                             const RetryPredicate& retryable = RetryableIfIdempotent,
                             const std::function<void(int64_t ms)>& sleep = nullptr);

}  // namespace torghut::http
