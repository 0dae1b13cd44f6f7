#include "torghut/trader/submitter.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string_view>
#include <thread>

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

void Submitter::SendOne(broker::Broker& broker, Send* send) const {
  const auto start = std::chrono::steady_clock::now();
  send->order = send->recovery
                    ? broker::RecoverSubmission(broker, send->request, policy_, &send->report)
                    : broker::SubmitExactlyOnce(broker, send->request, policy_, &send->report);
  send->latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
}

size_t Submitter::ChunkSize() const {
  return 2 * (extra_lanes_.size() + 1);
}

Status Submitter::SubmitAll(const std::vector<const trading::Decision*>& planned) {
  for (size_t from = 0; from < planned.size(); from += ChunkSize()) {
    const size_t to = std::min(planned.size(), from + ChunkSize());
    std::vector<Send> sends;
    TORGHUT_RETURN_IF_ERROR(Claim({planned.begin() + from, planned.begin() + to}, &sends));
    TORGHUT_RETURN_IF_ERROR(SendAndSettle(sends));
  }
  return Status::Ok();
}

Status Submitter::Claim(const std::vector<const trading::Decision*>& planned,
                        std::vector<Send>* sends) {
  for (const trading::Decision* d : planned) {
    TORGHUT_ASSIGN_OR_RETURN(bool claimed,
                             store_->ClaimForSubmission(d->decision_hash, clock_->NowMillis()));
    if (!claimed) continue;  // not planned any more: recovered or sent already
    MaybeCrash("after_claim");
    sync_->Track(*d);
    sends->push_back({d, RequestOf(*d), false});
  }
  return Status::Ok();
}

Status Submitter::SendAndSettle(std::vector<Send>& sends) {
  // The POSTs (or lookups): lane 0 (the broker) on this thread, the others on a thread each; a
  // symbol's orders stay in one lane, in order.
  const size_t lanes = std::min(sends.size(), extra_lanes_.size() + 1);
  if (lanes <= 1) {
    for (Send& send : sends) SendOne(*broker_, &send);
  } else {
    std::vector<std::vector<Send*>> by_lane(lanes);
    for (Send& send : sends) {
      by_lane[std::hash<std::string_view>{}(send.request.symbol) % lanes].push_back(&send);
    }
    std::vector<std::thread> threads;
    for (size_t lane = 1; lane < lanes; ++lane) {
      if (by_lane[lane].empty()) continue;
      threads.emplace_back([this, lane, work = by_lane[lane]] {
        for (Send* send : work) SendOne(*extra_lanes_[lane - 1], send);
      });
    }
    for (Send* send : by_lane[0]) SendOne(*broker_, send);
    for (std::thread& t : threads) t.join();
  }
  // The records, in decision order, on this thread.
  for (Send& send : sends) {
    if (send.recovery) {
      if (send.order.ok()) ++counters_.recovered;
    } else {
      last_latency_ms_ = send.latency_ms;
      MaybeCrash("after_post");
    }
    TORGHUT_RETURN_IF_ERROR(Settle(*send.decision, send.order, send.report));
  }
  return Status::Ok();
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
  std::vector<Send> sends;
  std::vector<const trading::Decision*> to_claim;
  for (const trading::Decision& d : open) {
    if (d.status != DecisionStatus::kPlanned) {
      // Claimed before: looked up, and sent only if the broker has none.
      sync_->Track(d);
      sends.push_back({&d, RequestOf(d), true});
      if (sends.size() == ChunkSize()) {
        TORGHUT_RETURN_IF_ERROR(SendAndSettle(sends));
        sends.clear();
      }
      continue;
    }
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
    to_claim.push_back(&d);
  }
  TORGHUT_RETURN_IF_ERROR(SendAndSettle(sends));
  return SubmitAll(to_claim);
}

}  // namespace torghut::trader
