#include "torghut/broker/submit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <thread>

namespace torghut::broker {
namespace {

// One run of the protocol for one request.
class Submission {
 public:
  Submission(Broker& broker, const OrderRequest& request, const SubmitPolicy& policy,
             SubmitReport* report)
      : broker_(broker), request_(request), policy_(policy), report_(*report) {
    report_ = SubmitReport{};
  }

  Result<BrokerOrder> Run(bool lookup_first) {
    bool lookup = lookup_first;
    while (true) {
      if (lookup) {
        std::optional<Result<BrokerOrder>> settled = LookUp();
        if (settled) return *std::move(settled);
        lookup = false;
        // A 422 to a send that might have collided with an earlier one stands: nothing is there.
        if (pending_invalid_) return *pending_invalid_;
      }
      if (report_.sends >= policy_.max_sends) return SendsExhausted();
      if (report_.sends > 0) Backoff();
      Result<BrokerOrder> sent = broker_.SubmitOrder(request_);
      ++report_.sends;
      if (sent.ok()) {
        Step(fmt::format("send {}: ok (order {}, {})", report_.sends, sent->id,
                         trading::ToString(sent->status)));
        return sent;
      }
      const Status s = sent.status();
      Step(fmt::format("send {}: {}", report_.sends, s.ToString()));
      last_error_ = s;
      switch (s.code()) {
        case StatusCode::kDeadlineExceeded:
        case StatusCode::kDataLoss:  // accepted, but the answer unreadable: look, never re-send
          uncertain_ = true;
          lookup = true;
          break;
        case StatusCode::kUnavailable:        // never reached the broker
        case StatusCode::kResourceExhausted:  // refused unseen (429)
          break;
        case StatusCode::kInvalidArgument:
          if (report_.sends > 1 || IsClientOrderIdInUse(s)) {
            pending_invalid_ = s;
            lookup = true;
            break;
          }
          return s;
        default:
          return s;
      }
    }
  }

 private:
  // The order when the broker has it; nullopt when it has none; the final error when every
  // lookup failed (the outcome stays unknown — sending now could make a second order).
  std::optional<Result<BrokerOrder>> LookUp() {
    for (int failures = 0;;) {
      Result<std::optional<BrokerOrder>> found =
          broker_.GetOrderByClientOrderId(request_.client_order_id);
      ++report_.lookups;
      if (found.ok() && found->has_value()) {
        const BrokerOrder& o = **found;
        Step(fmt::format("lookup {}: found (order {}, {})", report_.lookups, o.id,
                         trading::ToString(o.status)));
        report_.found_by_lookup = true;
        return Result<BrokerOrder>(std::move(**found));
      }
      if (found.ok()) {
        Step(fmt::format("lookup {}: not found", report_.lookups));
        return std::nullopt;
      }
      Step(fmt::format("lookup {}: {}", report_.lookups, found.status().ToString()));
      if (++failures >= policy_.max_lookups) {
        return Result<BrokerOrder>(DeadlineExceeded(fmt::format(
            "order {}: outcome unknown: {} lookups by client_order_id failed after {} send(s); "
            "last: {}",
            request_.client_order_id, failures, report_.sends, found.status().ToString())));
      }
      Backoff();
    }
  }

  Status SendsExhausted() const {
    if (!uncertain_) return last_error_;  // no attempt reached the broker: nothing was placed
    return DeadlineExceeded(fmt::format(
        "order {}: outcome unknown after {} sends (the broker had none at the last lookup); "
        "last: {}",
        request_.client_order_id, report_.sends, last_error_.ToString()));
  }

  void Backoff() {
    int64_t wait = policy_.initial_backoff_ms;
    for (int i = 0; i < waits_ && wait < policy_.max_backoff_ms; ++i) wait *= 2;
    wait = std::min(wait, policy_.max_backoff_ms);
    ++waits_;
    if (wait <= 0) return;
    if (policy_.sleep) {
      policy_.sleep(wait);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));  // the policy's backoff
    }
  }

  void Step(std::string line) { report_.steps.push_back(std::move(line)); }

  Broker& broker_;
  const OrderRequest& request_;
  const SubmitPolicy& policy_;
  SubmitReport& report_;
  int waits_ = 0;
  bool uncertain_ = false;  // some send may have reached the broker unanswered
  Status last_error_;
  std::optional<Status> pending_invalid_;
};

Result<BrokerOrder> Drive(Broker& broker, const OrderRequest& request, const SubmitPolicy& policy,
                          SubmitReport* report, bool lookup_first) {
  SubmitReport local;
  Submission s(broker, request, policy, report != nullptr ? report : &local);
  return s.Run(lookup_first);
}

}  // namespace

Result<BrokerOrder> SubmitExactlyOnce(Broker& broker, const OrderRequest& request,
                                      const SubmitPolicy& policy, SubmitReport* report) {
  return Drive(broker, request, policy, report, /*lookup_first=*/false);
}

Result<BrokerOrder> RecoverSubmission(Broker& broker, const OrderRequest& request,
                                      const SubmitPolicy& policy, SubmitReport* report) {
  return Drive(broker, request, policy, report, /*lookup_first=*/true);
}

bool OutcomeUnknown(const Status& status) {
  return status.code() == StatusCode::kDeadlineExceeded;
}

bool IsClientOrderIdInUse(const Status& status) {
  if (status.code() != StatusCode::kInvalidArgument) return false;
  std::string m = status.message();
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return m.find("client_order_id") != std::string::npos &&
         (m.find("unique") != std::string::npos || m.find("already") != std::string::npos);
}

}  // namespace torghut::broker
