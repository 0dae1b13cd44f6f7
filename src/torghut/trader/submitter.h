// Sending the engine's planned decisions to the broker (SPEC §6 Execution), and recovering the
// ones a crash left behind.
//
//   Submitter submitter(store, broker, &sync, &clock);
//   submitter.SetLanes({&second_connection, &third_connection});  // optional: parallel POSTs
//   submitter.SubmitAll(step_decisions);  // claims (durable) → POSTs exactly once → records
//   submitter.Recover(true, max_age, kill_switch);  // at start: planned and submitting
//
// The sequence for one decision: planned → `submitting` in the store first (a durable claim; a
// decision that is not planned any more is left alone — someone else has it); then
// broker::SubmitExactlyOnce (never a blind re-POST: an uncertain outcome is looked up by client
// order id); then the execution and the decision's new status in one transaction. A broker
// rejection (403/422) makes the decision `rejected` with the broker's reason. An outcome that is
// still unknown, or a broker that cannot be reached, leaves the decision `submitting`: the next
// reconciliation (or start) recovers it the same way — look up, send only if the broker has none.
// A crash anywhere in the sequence is recovered by that rule, so one decision makes one order.
//
// A batch (one step's decisions) goes in chunks of twice the lanes, each in three phases: its
// claims, then its POSTs, then its records, the store touched only on the calling thread. The
// POSTs of different symbols run in parallel over the lanes (the broker plus SetLanes'
// connections, one thread each); a symbol always maps to the same lane, so two orders of one
// symbol leave in decision order. The chunk bounds what a crash leaves claimed or unrecorded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/broker/submit.h"
#include "torghut/core/clock.h"
#include "torghut/store/trading_store.h"
#include "torghut/trader/order_sync.h"
#include "torghut/trading/model.h"

namespace torghut::trader {

struct SubmitterCounters {
  int64_t submitted = 0, rejected_by_broker = 0, uncertain = 0, recovered = 0, lookups = 0,
          resends = 0;
};

class Submitter {
 public:
  Submitter(store::TradingStore* store, broker::Broker* broker, OrderSync* sync, const Clock* clock,
            broker::SubmitPolicy policy = {})
      : store_(store), broker_(broker), sync_(sync), clock_(clock), policy_(std::move(policy)) {}

  // TORGHUT_TEST_CRASH (trader_config.h): kill the process at the Nth pass of `point`.
  void SetCrashPoint(std::string point, int64_t n) {
    crash_point_ = std::move(point);
    crash_after_ = n;
  }

  // Extra broker connections for parallel POSTs (each used by one thread at a time; not owned).
  void SetLanes(std::vector<broker::Broker*> lanes) { extra_lanes_ = std::move(lanes); }

  // Planned decisions (status planned, stored), sent as one batch. Errors: the store failed (a
  // decision stays as it was: planned, or submitting if its claim went through — recovered).
  Status SubmitAll(const std::vector<const trading::Decision*>& planned);
  Status Submit(const trading::Decision& d) { return SubmitAll({&d}); }
  // Every decision still `submitting`; with `planned_too`, also the planned ones (start-up).
  // Planned decisions older than `max_age_ms` (0: no limit) are rejected stale_signal instead,
  // and every planned one is rejected kill_switch while `kill_switch` is on (nothing new is sent;
  // a claim, decided before the switch, is still settled with the broker).
  Status Recover(bool planned_too, int64_t max_age_ms, bool kill_switch);

  // The class of the last broker failure that was not the order's fault ("" when none):
  // "alpaca_auth", "broker_unavailable", "broker_rate_limited", "broker_uncertain".
  const std::string& error_class() const { return error_class_; }
  const SubmitterCounters& counters() const { return counters_; }
  // The exception-free answer time of the last submission, in milliseconds.
  int64_t last_latency_ms() const { return last_latency_ms_; }

 private:
  // One decision on its way to the broker (a fresh POST, or the lookup of a `recovery`), and
  // what came back.
  struct Send {
    const trading::Decision* decision;
    broker::OrderRequest request;
    bool recovery = false;
    Result<broker::BrokerOrder> order = Status(StatusCode::kInternal, "not sent");
    broker::SubmitReport report;
    int64_t latency_ms = 0;
  };

  static broker::OrderRequest RequestOf(const trading::Decision& d);
  size_t ChunkSize() const;
  // Claims each planned decision (durably) and adds those it got to `sends`.
  Status Claim(const std::vector<const trading::Decision*>& planned, std::vector<Send>* sends);
  // Sends over the lanes in parallel, then settles each on this thread in order.
  Status SendAndSettle(std::vector<Send>& sends);
  void SendOne(broker::Broker& broker, Send* send) const;
  // Records the outcome of a send (or a recovery) of `d`.
  Status Settle(const trading::Decision& d, const Result<broker::BrokerOrder>& order,
                const broker::SubmitReport& report);

  store::TradingStore* store_;
  broker::Broker* broker_;
  OrderSync* sync_;
  const Clock* clock_;
  broker::SubmitPolicy policy_;
  std::string error_class_;
  SubmitterCounters counters_;
  int64_t last_latency_ms_ = 0;
  std::vector<broker::Broker*> extra_lanes_;
  std::string crash_point_;
  int64_t crash_after_ = 0, crash_passes_ = 0;
  void MaybeCrash(std::string_view point);
};

// The readiness class of a broker error ("alpaca_auth" for 401/403-forbidden, ...); "" when it is
// the order's own fault (a rejection).
std::string BrokerErrorClass(const Status& s);

}  // namespace torghut::trader
