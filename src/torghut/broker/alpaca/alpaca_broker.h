// The Broker (broker.h) over Alpaca's trading API v2 — the real service or `torghut sim serve`.
//
//   ConfigReader cfg(EnvSource::Process());
//   broker::AlpacaConfig config = broker::ReadAlpacaConfig(cfg, /*require_keys=*/true);
//   broker::AlpacaBrokerOptions options;
//   options.on_call = [&](const broker::BrokerCall& c) { latency.Observe(c.latency_ms); };
//   broker::AlpacaBroker alpaca(config, options);
//   Result<broker::Account> account = alpaca.GetAccount();
//   if (!account.ok()) readiness.Fail(broker::AlpacaErrorClass(account.status()));  // alpaca_auth
//   // Orders go through SubmitExactlyOnce (submit.h), never a bare retry of SubmitOrder.
//
// Requests carry the keys as APCA-API-KEY-ID / APCA-API-SECRET-KEY headers; no message, log line
// or BrokerCall names a key. Errors follow broker.h, read from the HTTP status:
//   no answer      kDeadlineExceeded when the request may have arrived (timed out, connection
//                  lost), else kUnavailable (refused, DNS, TLS) — for every method
//   5xx            POST: kDeadlineExceeded (the order may exist); reads: kUnavailable
//   401            kUnauthenticated;  403 with an Alpaca error code (40310000: buying power,
//                  shares, wash trade) kFailedPrecondition; any other 403 ("forbidden.": a key
//                  for another environment or without permission) kPermissionDenied
//   404            kNotFound (GetOrderByClientOrderId: nullopt when the body is an Alpaca
//                  error, kNotFound for any other 404 page)
//   422            kInvalidArgument (a reused client_order_id too); CancelOrder:
//                  kFailedPrecondition (no longer cancelable)
//   429            waited out and sent again — X-Ratelimit-Reset, else Retry-After, else
//                  `default_rate_limit_wait_ms`; at least `min_rate_limit_wait_ms` each time, at
//                  most `max_rate_limit_wait_ms` in all for one call, then kResourceExhausted.
//                  Safe for a POST too: a 429 means Alpaca did not accept the request.
//   other 4xx      kInvalidArgument
//   2xx            a body that does not parse is kDataLoss (for a POST the order exists:
//                  SubmitExactlyOnce looks it up)
// GETs are retried on no answer and on 5xx (`read_retry`); POST and DELETE are sent once (apart
// from 429s). Not thread-safe: one AlpacaBroker per thread (it owns one keep-alive connection).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "torghut/broker/alpaca/config.h"
#include "torghut/broker/broker.h"
#include "torghut/core/clock.h"
#include "torghut/http/client.h"
#include "torghut/http/retry.h"

namespace torghut::broker {

// The readiness class of a broker error: "alpaca_auth" (kUnauthenticated, kPermissionDenied: a
// wrong or rotated key), "alpaca_rate_limited" (kResourceExhausted), "alpaca_unreachable"
// (kUnavailable, kDeadlineExceeded), "alpaca_protocol" (kDataLoss); "" for OK and for answers
// about one order (invalid, not found, rejected), which say nothing about the connection.
std::string_view AlpacaErrorClass(const Status& status);

// One call as it went, for the `broker latency` metric and logs. Views are valid during the
// callback only.
struct BrokerCall {
  std::string_view call;    // "submit_order", "get_order_by_client_order_id", "list_orders", …
  std::string_view method;  // "GET", "POST", "DELETE"
  int64_t latency_ms = 0;   // the whole call: every attempt and every wait
  int64_t rate_limit_wait_ms = 0;  // of which waited out after 429s
  int attempts = 0;                // HTTP requests sent
  int http_status = 0;             // of the last attempt (0: no answer)
  StatusCode code = StatusCode::kOk;
  std::string_view error_class;  // AlpacaErrorClass of the outcome
};

struct AlpacaBrokerOptions {
  // GETs: attempts on no answer or 5xx, and the backoff between them.
  http::RetryPolicy read_retry{.max_attempts = 3,
                               .initial_backoff_ms = 250,
                               .max_backoff_ms = 2'000,
                               .max_retry_after_ms = 5'000};
  int64_t max_rate_limit_wait_ms = 60'000;     // in all, for one call
  int64_t min_rate_limit_wait_ms = 500;        // never spin on a reset already passed
  int64_t default_rate_limit_wait_ms = 1'000;  // a 429 without X-Ratelimit-Reset or Retry-After
  // X-Ratelimit-Reset (Unix seconds) is measured against this clock (nullptr: SystemClock()).
  const Clock* clock = nullptr;
  // Every wait (429s, GET backoff) goes through this (nullptr: the calling thread sleeps).
  std::function<void(int64_t ms)> sleep;
  // Called after every call, on the calling thread.
  std::function<void(const BrokerCall&)> on_call;
};

class AlpacaBroker final : public Broker {
 public:
  explicit AlpacaBroker(AlpacaConfig config, AlpacaBrokerOptions options = {});

  std::string_view name() const override { return "alpaca"; }
  // POST /v2/orders. A request ValidateOrderRequest refuses is kInvalidArgument, never sent.
  Result<BrokerOrder> SubmitOrder(const OrderRequest& request) override;
  Result<std::optional<BrokerOrder>> GetOrderByClientOrderId(
      std::string_view client_order_id) override;
  Result<BrokerOrder> GetOrder(std::string_view order_id) override;
  // kInvalidArgument for a query outside OrderQuery's ranges (never sent).
  Result<std::vector<BrokerOrder>> ListOrders(const OrderQuery& query) override;
  Status CancelOrder(std::string_view order_id) override;
  Result<std::vector<std::string>> CancelAllOrders() override;
  Result<Account> GetAccount() override;
  Result<std::vector<BrokerPosition>> ListPositions() override;
  Result<MarketClock> GetClock() override;

  // AlpacaErrorClass of the last call's outcome ("" after a success or an order-level answer).
  const std::string& last_error_class() const { return last_error_class_; }

 private:
  struct Exchange;  // one call's request, its answer and what it cost
  // Sends `method path` (`path` includes any query) with the call's retry rules; fills `ex`.
  void Send(std::string_view call, std::string_view method, const std::string& path,
            std::string body, Exchange* ex);
  // The Status for a non-2xx or missing answer (see the table above).
  Status ErrorOf(const Exchange& ex) const;
  // Records the outcome: last_error_class and on_call.
  void Record(const Exchange& ex, const Status& status);
  // The error of a failed exchange, or `parse` of its body (kDataLoss when it does not parse);
  // recorded either way.
  template <typename T, typename Parse>
  Result<T> Parsed(const Exchange& ex, Parse parse);
  std::string Scrub(std::string text) const;
  void Sleep(int64_t ms);

  AlpacaConfig config_;
  AlpacaBrokerOptions options_;
  http::HttpClient client_;
  std::string last_error_class_;
};

}  // namespace torghut::broker
