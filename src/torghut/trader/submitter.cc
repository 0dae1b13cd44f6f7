#include "torghut/trader/submitter.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "torghut/core/log.h"

namespace torghut::trader {

using trading::DecisionStatus;

std::string BrokerErrorClass(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return "";
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return "alpaca_auth";
    case StatusCode::kResourceExhausted:
      return "broker_rate_limited";
    case StatusCode::kDeadlineExceeded:
      return "broker_uncertain";
    default:
      return "broker_unavailable";
  }
}

broker::OrderRequest Submitter::RequestOf(const trading::Decision& d) {
  return broker::OrderRequestOf(d);
}

Status Submitter::Submit(const trading::Decision& d) {
  TORGHUT_ASSIGN_OR_RETURN(bool claimed,
                           store_->ClaimForSubmission(d.decision_hash, clock_->NowMillis()));
  if (!claimed) return Status::Ok();  // not planned any more: recovered or sent already
  MaybeCrash("after_claim");
  sync_->Track(d);
  broker::SubmitReport report;
  const auto start = std::chrono::steady_clock::now();
  const Result<broker::BrokerOrder> order =
      broker::SubmitExactlyOnce(*broker_, RequestOf(d), policy_, &report);
  last_latency_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  MaybeCrash("after_post");
  return Settle(d, order, report);
}

Status Submitter::Settle(const trading::Decision& d, const Result<broker::BrokerOrder>& order,
                         const broker::SubmitReport& report) {
  counters_.lookups += report.lookups;
  counters_.resends += std::max(0, report.sends - 1);
  const int64_t now = clock_->NowMillis();
  if (order.ok()) {
    error_class_.clear();
    ++counters_.submitted;
    // The order's state (execution + decision status) through the same path as broker events.
    return sync_->ApplyOrder(*order);
  }
  const Status& s = order.status();
  error_class_ = BrokerErrorClass(s);
  if (error_class_.empty()) {
    // The broker refused the order itself: final.
    ++counters_.rejected_by_broker;
    std::vector<std::string> reasons = d.risk_reasons;
    reasons.push_back("broker_rejected: " + s.message());
    log::Warn("trade", "order rejected by the broker",
              {{"decision", d.decision_hash}, {"error", s.ToString()}});
    return store_->UpdateDecisionStatus(d.decision_hash, DecisionStatus::kRejected, reasons, now);
  }
  ++counters_.uncertain;
  log::Warn("trade", "order outcome unknown; it stays submitting and is recovered",
            {{"decision", d.decision_hash},
             {"error", s.ToString()},
             {"sends", report.sends},
             {"lookups", report.lookups}});
  return Status::Ok();
}

void Submitter::MaybeCrash(std::string_view point) {
  if (crash_point_ != point || ++crash_passes_ < crash_after_) return;
  log::Warn("trade", "TORGHUT_TEST_CRASH: killing the process", {{"at", std::string(point)}});
  ::kill(::getpid(), SIGKILL);
}

Status Submitter::Recover(bool planned_too, int64_t max_age_ms, bool kill_switch) {
  std::vector<DecisionStatus> which = {DecisionStatus::kSubmitting};
  if (planned_too) which.push_back(DecisionStatus::kPlanned);
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Decision> open,
                           store_->ListDecisionsByStatus(which));
  const int64_t now = clock_->NowMillis();
  for (const trading::Decision& d : open) {
    if (d.status == DecisionStatus::kPlanned) {
      const bool stale = max_age_ms > 0 && now - d.signal_event_ts > max_age_ms;
      if (stale || kill_switch) {
        // Decided before an outage and never sent: too old to act on now, or the kill switch
        // went on since.
        std::vector<std::string> reasons = d.risk_reasons;
        reasons.emplace_back(kill_switch ? "kill_switch" : "stale_signal");
        TORGHUT_RETURN_IF_ERROR(
            store_->UpdateDecisionStatus(d.decision_hash, DecisionStatus::kRejected, reasons, now));
        continue;
      }
      TORGHUT_RETURN_IF_ERROR(Submit(d));
      continue;
    }
    sync_->Track(d);
    broker::SubmitReport report;
    const Result<broker::BrokerOrder> order =
        broker::RecoverSubmission(*broker_, RequestOf(d), policy_, &report);
    if (order.ok()) ++counters_.recovered;
    TORGHUT_RETURN_IF_ERROR(Settle(d, order, report));
  }
  return Status::Ok();
}

}  // namespace torghut::trader
