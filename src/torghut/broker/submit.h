// Sending one order exactly once over a Broker whose answers can be lost (SPEC §6 "Never blindly
// retry an order POST"). Works on the Broker interface alone — no I/O, no clock of its own — so
// the Alpaca client, the simulator and test doubles all go through the same protocol.
//
//   store.MarkSubmitting(decision);                          // durably, before anything is sent
//   broker::SubmitReport report;
//   Result<broker::BrokerOrder> order = broker::SubmitExactlyOnce(alpaca, request, {}, &report);
//   log::Info("trade", "submitted", {{"sends", report.sends}, {"lookups", report.lookups}});
//   if (order.ok()) store.MarkSubmitted(decision, *order);
//   else if (broker::OutcomeUnknown(order.status())) { /* stay `submitting`: recover later */ }
//   else store.MarkRejected(decision, order.status());
//   // At start-up, for every decision still `submitting`:
//   order = broker::RecoverSubmission(alpaca, request_of(decision));
//
// The protocol. A POST that may have reached the broker without an answer (kDeadlineExceeded; or
// kDataLoss: accepted but the body unreadable) is followed by a lookup by client_order_id: found →
// that is the order; not found → the same request (same client_order_id) is sent again, after a
// backoff, at most `max_sends` POSTs in all. A POST that provably never reached the broker or was
// refused unseen (kUnavailable, kResourceExhausted) is sent again the same way. A kInvalidArgument
// answer to a re-send, or one saying the client_order_id is already used, means the order may be
// there from an earlier attempt: it is looked up, and only a lookup that finds nothing lets the
// error stand. A lookup that fails is retried (`max_lookups` in a row) and never followed by a
// POST; when the lookups run out the outcome is unknown. Any other error is final.
//
// Because the broker refuses a second order with the same client_order_id, and nothing is sent
// again without a lookup saying the broker has none, one request makes at most one order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "torghut/broker/broker.h"

namespace torghut::broker {

struct SubmitPolicy {
  int max_sends = 3;    // POSTs in all, the first included
  int max_lookups = 4;  // failing lookups in a row before giving up
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 5'000;
  // Waits between steps (nullptr: the calling thread sleeps).
  std::function<void(int64_t ms)> sleep;
};

// What happened, for logs: counts and one line per step ("send 1: deadline_exceeded: …",
// "lookup 1: not found", "send 2: ok").
struct SubmitReport {
  int sends = 0;
  int lookups = 0;
  bool found_by_lookup = false;  // the order came from a lookup, not from a POST's answer
  std::vector<std::string> steps;
};

// Sends `request` once (see above). The order, or the final error: kDeadlineExceeded when the
// outcome is still unknown (OutcomeUnknown), otherwise the broker's answer (kInvalidArgument,
// kFailedPrecondition, kUnauthenticated, …). `report` may be nullptr.
Result<BrokerOrder> SubmitExactlyOnce(Broker& broker, const OrderRequest& request,
                                      const SubmitPolicy& policy = {},
                                      SubmitReport* report = nullptr);

// For a decision found `submitting` at start-up (a crash between the durable mark and the
// recorded result): looks the order up first, and sends it only when the broker has none — then
// exactly as SubmitExactlyOnce.
Result<BrokerOrder> RecoverSubmission(Broker& broker, const OrderRequest& request,
                                      const SubmitPolicy& policy = {},
                                      SubmitReport* report = nullptr);

// True for the final error that leaves the outcome unknown (the decision stays `submitting`).
bool OutcomeUnknown(const Status& status);

// A kInvalidArgument saying the client_order_id is already used (Alpaca's 422 "client_order_id
// must be unique"; the simulator and the matching engine answer with the same text).
bool IsClientOrderIdInUse(const Status& status);

}  // namespace torghut::broker
