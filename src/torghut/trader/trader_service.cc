#include "torghut/trader/trader_service.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>

#include "torghut/core/log.h"
#include "torghut/trader/bar_feed.h"
#include "torghut/trader/order_sync.h"
#include "torghut/trader/portfolio_tracker.h"
#include "torghut/trader/submitter.h"

namespace torghut::trader {
namespace {

using std::chrono::milliseconds;
using trading::DecisionStatus;

constexpr int64_t kLeaseCheckMs = 1'000;
constexpr int64_t kBackoffStartMs = 200, kBackoffMaxMs = 5'000;
constexpr milliseconds kPollWait{100};
// The bus's committed offsets trail the store's (the store is what a restart reads, bar_feed.h);
// they are committed at most this often, after the orders, and at stop — each commit is a synced
// file write per partition on the embedded bus, too slow to sit between a bar and its order.
constexpr int64_t kBusCommitEveryMs = 1'000;
// Housekeeping (the bus commit, reconciliation) waits for a poll that brought no bar: bars of one
// second arrive together, and the rest of them should not queue behind it. Unless it is overdue
// by this much (a feed that is never idle).
constexpr int64_t kBusCommitOverdueMs = 5'000;

bool SamePositions(const std::vector<store::BusOffset>& a, const std::vector<store::BusOffset>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.topic == y.topic && x.partition == y.partition && x.next_offset == y.next_offset;
  });
}

// Events from the trade_updates thread, for the loop.
class UpdateQueue {
 public:
  void Push(broker::TradeUpdate u) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(u));
  }
  std::deque<broker::TradeUpdate> Take() {
    std::lock_guard lock(mu_);
    std::deque<broker::TradeUpdate> out;
    out.swap(queue_);
    return out;
  }

 private:
  std::mutex mu_;
  std::deque<broker::TradeUpdate> queue_;
};

}  // namespace

class TraderService::Impl {
 public:
  Impl(TraderConfig config, TraderParts parts, TraderService* owner)
      : config_(std::move(config)), parts_(parts), owner_(owner) {
    report_.lease = parts_.lease->Describe();
    owner_->kill_switch_.store(config_.settings.kill_switch);
  }

  Status Run(const std::atomic<bool>& stop);
  void AttachBroker(broker::Broker* broker, TradeUpdatesRunner trade_updates,
                    std::vector<broker::Broker*> submit_lanes) {
    parts_.broker = broker;
    parts_.trade_updates = std::move(trade_updates);
    parts_.submit_lanes = std::move(submit_lanes);
  }
  TraderReport Report() const {
    std::lock_guard lock(mu_);
    TraderReport r = report_;
    if (parts_.catalog != nullptr) r.catalog = parts_.catalog->status();
    // The switch as set (POST /trading/kill-switch answers only after setting it), not as the
    // loop last copied it: every pass reads this same flag before it decides or submits.
    r.kill_switch = owner_->kill_switch_.load();
    return r;
  }

 private:
  // Waits up to `ms`, waking early when `stop` is set (a pause between retries).
  void Pause(const std::atomic<bool>& stop, int64_t ms) {
    const auto end = std::chrono::steady_clock::now() + milliseconds(ms);
    while (!stop.load() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::min(milliseconds(50), milliseconds(ms)));
    }
  }
  void SetState(const std::string& state, const std::string& role) {
    std::lock_guard lock(mu_);
    report_.state = state;
    report_.role = role;
  }
  void SetReady(bool ready, const std::string& reason) {
    std::lock_guard lock(mu_);
    report_.ready = ready;
    report_.not_ready_reason = ready ? "" : reason;
  }
  void NoteError(const std::string& what, const Status& s) {
    log::Warn("trade", what, {{"error", s.ToString()}});
    std::lock_guard lock(mu_);
    report_.last_error = what + ": " + s.ToString();
  }

  // Why a failed step or start is not ready: store and broker errors share status codes, so a
  // broker-looking code is confirmed by asking the store whether it still answers.
  std::string FailureReason(const Status& s) {
    const std::string cls = BrokerErrorClass(s);
    if (cls.empty() || !parts_.store->SchemaVersion().ok()) return "store_unavailable";
    return cls;
  }

  // How old a planned, never-sent decision may be and still be sent (0: any age).
  int64_t MaxPlannedAgeMs() const {
    return config_.settings.check_signal_age ? config_.settings.max_signal_age_seconds * 1000 : 0;
  }
  Status AwaitLease(const std::atomic<bool>& stop);
  Status Act(const std::atomic<bool>& stop);
  // The engine, the feed and the trackers from what the store holds (start, and after a failed
  // store write).
  Status Build();
  Status LoadStrategies(bool force);
  Status Reconcile();
  Status Step(std::vector<trading::TradingBar>& bars);
  // Commits the stored positions on the bus when they moved and `force`, or kBusCommitEveryMs
  // has passed since the last commit and the feed is `idle` (or kBusCommitOverdueMs has).
  void CommitBus(int64_t now, bool force, bool idle = true);
  void Publish();

  TraderConfig config_;
  TraderParts parts_;
  TraderService* owner_;

  std::unique_ptr<trading::TradingEngine> engine_;
  std::unique_ptr<BarFeed> feed_;
  std::unique_ptr<PortfolioTracker> portfolio_;
  std::unique_ptr<OrderSync> sync_;
  std::unique_ptr<Submitter> submitter_;
  UpdateQueue updates_;
  std::atomic<bool> updates_connected_{false};
  std::atomic<bool> reconcile_now_{false};  // set by a trade_updates (re)connect
  int64_t last_reconcile_ms_ = 0, last_strategy_load_ms_ = 0, last_lease_check_ms_ = 0;
  std::vector<store::BusOffset> stored_positions_;  // what the last CommitEvaluation recorded
  bool bus_behind_ = false;                         // stored positions not yet committed on the bus
  int64_t last_bus_commit_ms_ = 0;
  std::string strategies_digest_;
  bool kill_switch_applied_ = false;
  TraderReport counts_;  // the loop's own counters, copied into report_ by Publish

  mutable std::mutex mu_;
  TraderReport report_;
};

Status TraderService::Impl::AwaitLease(const std::atomic<bool>& stop) {
  bool logged = false;
  while (!stop.load()) {
    Result<bool> got = parts_.lease->TryAcquire();
    if (got.ok() && *got) {
      log::Info("trade", "lease acquired: active", {{"lease", parts_.lease->Describe()}});
      return Status::Ok();
    }
    SetState("standby", "standby");
    SetReady(false, got.ok() ? "standby" : "store_unavailable");
    if (!logged) {
      log::Info("trade", "another trader holds the lease: standby",
                {{"lease", parts_.lease->Describe()}});
      logged = true;
    }
    Pause(stop, config_.lease_retry_ms);
  }
  return Status::Ok();
}

Status TraderService::Impl::LoadStrategies(bool force) {
  const int64_t now = parts_.clock->NowMillis();
  if (parts_.catalog != nullptr) {
    const trading::CatalogPoll poll = parts_.catalog->Poll(now);
    if (poll.report) NoteError("strategy catalog", poll.error);
  }
  if (!force && now - last_strategy_load_ms_ < config_.strategy_reload_ms &&
      !owner_->reload_strategies_.load()) {
    return Status::Ok();
  }
  owner_->reload_strategies_.store(false);
  last_strategy_load_ms_ = now;
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Strategy> strategies,
                           parts_.store->ListStrategies());
  std::string digest;
  for (const trading::Strategy& s : strategies) {
    digest += s.name + (s.enabled ? "+" : "-") + s.type + s.params_json + "|";
  }
  if (digest == strategies_digest_ && !force) return Status::Ok();
  if (Status s = engine_->SetStrategies(strategies); !s.ok()) {
    // A stored strategy the engine refuses: keep the previous set, say why.
    NoteError("strategies", s);
    return Status::Ok();
  }
  strategies_digest_ = digest;
  std::lock_guard lock(mu_);
  report_.strategies = static_cast<int64_t>(strategies.size());
  return Status::Ok();
}

Status TraderService::Impl::Build() {
  trading::TradingSettings settings = config_.settings;
  settings.kill_switch = owner_->kill_switch_.load();
  engine_ = std::make_unique<trading::TradingEngine>(settings, parts_.calendar, parts_.reviewer);
  portfolio_ = std::make_unique<PortfolioTracker>();
  sync_ = std::make_unique<OrderSync>(parts_.store, engine_.get(), portfolio_.get(), parts_.clock);
  submitter_ = std::make_unique<Submitter>(parts_.store, parts_.broker, sync_.get(), parts_.clock);
  submitter_->SetLanes(parts_.submit_lanes);
  if (!config_.crash_point.empty()) {
    submitter_->SetCrashPoint(config_.crash_point, config_.crash_after);
  }
  strategies_digest_.clear();
  TORGHUT_RETURN_IF_ERROR(LoadStrategies(true));
  TORGHUT_ASSIGN_OR_RETURN(std::vector<store::TradeCursor> cursors, parts_.store->ListCursors());
  for (const store::TradeCursor& c : cursors) {
    engine_->RestoreCursor({c.strategy_name, c.symbol, c.timeframe, c.event_ts});
  }
  // What each strategy holds: its own fills, in order (average cost).
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Fill> fills,
                           parts_.store->ListFills({0, INT64_MAX, ""}));
  for (const trading::Fill& f : fills) engine_->OnFill(f);
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Execution> open,
                           parts_.store->ListOpenExecutions());
  for (const trading::Execution& e : open) {
    TORGHUT_ASSIGN_OR_RETURN(std::optional<trading::Decision> d,
                             parts_.store->GetDecision(e.decision_hash));
    if (!d) continue;
    sync_->Track(*d);
    engine_->RestoreOpenOrder(e.client_order_id, d->strategy_name, e.symbol, e.side,
                              e.submitted_qty.Sub(e.filled_qty).value_or(Decimal()));
  }
  portfolio_->SetOpenOrders(open);
  if (feed_) (void)feed_->Close();
  stored_positions_.clear();
  bus_behind_ = false;
  TORGHUT_ASSIGN_OR_RETURN(std::vector<store::BusOffset> offsets,
                           parts_.store->ListBusOffsets(config_.group_id));
  feed_ = std::make_unique<BarFeed>(parts_.bus, config_, std::move(offsets));
  return feed_->Start();
}

Status TraderService::Impl::Reconcile() {
  last_reconcile_ms_ = parts_.clock->NowMillis();
  // Every order the store thinks is open, as the broker has it now.
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Execution> open,
                           parts_.store->ListOpenExecutions());
  for (const trading::Execution& e : open) {
    Result<broker::BrokerOrder> o = e.broker_order_id ? parts_.broker->GetOrder(*e.broker_order_id)
                                                      : Result<broker::BrokerOrder>(NotFound(""));
    if (!o.ok()) {
      Result<std::optional<broker::BrokerOrder>> by_id =
          parts_.broker->GetOrderByClientOrderId(e.client_order_id);
      if (!by_id.ok()) return by_id.status();
      if (!*by_id) continue;  // the broker has no such order (yet): the next pass looks again
      o = **by_id;
    }
    const int64_t before = sync_->counters().status_changes + sync_->counters().reconciled_fills;
    TORGHUT_RETURN_IF_ERROR(sync_->ApplyOrder(*o));
    const int64_t changed =
        sync_->counters().status_changes + sync_->counters().reconciled_fills - before;
    counts_.reconcile_updates_total += changed;
    // A change that came by reconciliation rather than the stream: the store had drifted.
    if (changed > 0) ++counts_.reconcile_drift_total;
  }
  // Claims without a recorded order: the broker is asked, and sent to only if it has none. (And
  // planned decisions a failed step left unsent.)
  const int64_t late_before = sync_->counters().recorded_late;
  TORGHUT_RETURN_IF_ERROR(
      submitter_->Recover(true, MaxPlannedAgeMs(), owner_->kill_switch_.load()));
  counts_.reconcile_drift_total += sync_->counters().recorded_late - late_before;
  // The account: the broker is the truth.
  TORGHUT_ASSIGN_OR_RETURN(broker::Account account, parts_.broker->GetAccount());
  TORGHUT_ASSIGN_OR_RETURN(std::vector<broker::BrokerPosition> positions,
                           parts_.broker->ListPositions());
  portfolio_->SetAccount(account, positions);
  TORGHUT_ASSIGN_OR_RETURN(open, parts_.store->ListOpenExecutions());
  portfolio_->SetOpenOrders(open);
  trading::PositionSnapshot snap;
  snap.taken_at = last_reconcile_ms_;
  snap.equity = account.equity;
  snap.cash = account.cash;
  snap.buying_power = account.buying_power;
  for (const broker::BrokerPosition& p : positions) {
    snap.positions.push_back({p.symbol, p.qty, p.avg_entry_price, p.market_value});
  }
  TORGHUT_RETURN_IF_ERROR(parts_.store->InsertPositionSnapshot(snap));
  std::lock_guard lock(mu_);
  report_.last_reconcile_at = last_reconcile_ms_;
  return Status::Ok();
}

Status TraderService::Impl::Step(std::vector<trading::TradingBar>& bars) {
  const int64_t now = parts_.clock->NowMillis();
  engine_->settings().kill_switch = owner_->kill_switch_.load();
  store::EvaluationBatch batch;
  std::vector<trading::LlmReview> reviews;
  for (const trading::TradingBar& bar : bars) {
    if (bar.close) portfolio_->OnClose(bar.symbol, *bar.close);
    trading::EngineStep step = engine_->OnBar(bar, now, portfolio_->view());
    for (trading::Decision& d : step.decisions) batch.decisions.push_back(std::move(d));
    for (const trading::StrategyCursor& c : step.cursors) {
      batch.cursors.push_back({c.strategy, c.symbol, c.timeframe, c.event_ts, now});
    }
    for (trading::LlmReview& r : step.reviews) reviews.push_back(std::move(r));
  }
  counts_.bars += static_cast<int64_t>(bars.size());
  bars.clear();
  batch.offsets = feed_->Positions(now);
  if (batch.decisions.empty() && batch.cursors.empty() &&
      SamePositions(batch.offsets, stored_positions_)) {
    std::lock_guard lock(mu_);  // nothing read since the last step
    report_.last_run_at = now;
    return Status::Ok();
  }
  Result<std::vector<bool>> inserted = parts_.store->CommitEvaluation(batch);
  if (!inserted.ok()) return inserted.status();
  stored_positions_ = batch.offsets;
  bus_behind_ = true;
  for (const trading::LlmReview& r : reviews) {
    if (Status s = parts_.store->InsertLlmReview(r); !s.ok()) NoteError("llm review", s);
  }
  for (size_t i = 0; i < batch.decisions.size(); ++i) {
    const trading::Decision& d = batch.decisions[i];
    if (!(*inserted)[i]) continue;  // decided before (a re-delivered bar after a restart)
    ++counts_.decisions_total;
    if (d.status == DecisionStatus::kPlanned) {
      ++counts_.decisions_planned;
    } else {
      ++counts_.decisions_rejected;
      for (const std::string& r : d.risk_reasons) ++counts_.rejections[r];
    }
  }
  // Then the orders: each planned decision is already durable.
  std::vector<const trading::Decision*> planned;
  for (size_t i = 0; i < batch.decisions.size(); ++i) {
    const trading::Decision& d = batch.decisions[i];
    if ((*inserted)[i] && d.status == DecisionStatus::kPlanned) planned.push_back(&d);
  }
  TORGHUT_RETURN_IF_ERROR(submitter_->SubmitAll(planned));
  if (!batch.decisions.empty()) {
    TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Execution> open,
                             parts_.store->ListOpenExecutions());
    portfolio_->SetOpenOrders(open);
  }
  std::lock_guard lock(mu_);
  report_.last_run_at = now;
  return Status::Ok();
}

void TraderService::Impl::CommitBus(int64_t now, bool force, bool idle) {
  const int64_t since = now - last_bus_commit_ms_;
  if (!bus_behind_ ||
      (!force && (since < kBusCommitEveryMs || (!idle && since < kBusCommitOverdueMs)))) {
    return;
  }
  last_bus_commit_ms_ = now;
  bus_behind_ = false;
  if (Status s = feed_->Commit(); !s.ok()) {
    // The store holds the positions: a restart (or the next owner) starts from there.
    log::Warn("trade", "bus commit refused", {{"error", s.ToString()}});
  }
}

void TraderService::Impl::Publish() {
  const SubmitterCounters& s = submitter_->counters();
  std::lock_guard lock(mu_);
  report_.bars = counts_.bars;
  report_.decisions_total = counts_.decisions_total;
  report_.decisions_planned = counts_.decisions_planned;
  report_.decisions_rejected = counts_.decisions_rejected;
  report_.rejections = counts_.rejections;
  report_.orders_submitted_total = s.submitted;
  report_.orders_rejected_total = s.rejected_by_broker;
  report_.orders_uncertain_total = s.uncertain;
  report_.recovered_total = s.recovered;
  report_.reconcile_updates_total = counts_.reconcile_updates_total;
  report_.reconcile_drift_total = counts_.reconcile_drift_total;
  report_.fills_total = sync_->counters().fills;
  report_.store_failures_total = counts_.store_failures_total;
  report_.broker_latency_ms = submitter_->last_latency_ms();
  report_.trade_updates_connected = updates_connected_.load();
}

Status TraderService::Impl::Act(const std::atomic<bool>& stop) {
  SetState("starting", "active");
  int64_t backoff = kBackoffStartMs;
  // The store and the account first: nothing is decided against an unknown portfolio.
  bool built = false;
  while (!stop.load()) {
    Status s = built ? Status::Ok() : Build();
    if (!s.ok()) {
      SetReady(false, "store_unavailable");
      NoteError("start: trading store", s);
    } else {
      built = true;
      s = Reconcile();
      if (s.ok()) break;
      const std::string reason = FailureReason(s);
      SetReady(false, reason);
      NoteError(reason == "store_unavailable" ? "start: trading store" : "start: broker", s);
    }
    Pause(stop, backoff);
    backoff = std::min(backoff * 2, kBackoffMaxMs);
  }
  if (stop.load()) return Status::Ok();
  // Recovery before anything new (the first reconciliation above has done it already; this is
  // for decisions it could not reach).
  if (Status s = submitter_->Recover(true, MaxPlannedAgeMs(), owner_->kill_switch_.load()); !s.ok())
    NoteError("recovery", s);
  SetState("active", "active");
  SetReady(true, "");
  log::Info("trade", "trading",
            {{"group", config_.group_id},
             {"enabled", config_.settings.enabled},
             {"mode", std::string(trading::ToString(config_.settings.mode))},
             {"strategies", static_cast<int64_t>(engine_->strategies().size())}});

  std::atomic<bool> stop_updates{false};
  std::thread updates_thread;
  if (parts_.trade_updates) {
    updates_thread = std::thread([this, &stop_updates] {
      pthread_setname_np(pthread_self(), "trade-updates");
      (void)parts_.trade_updates(
          stop_updates, [this](const broker::TradeUpdate& u) { updates_.Push(u); },
          [this](bool connected) {
            updates_connected_.store(connected);
            // Alpaca does not replay what was sent while the stream was down: reconcile now.
            if (connected) reconcile_now_.store(true);
          });
    });
  }
  std::vector<trading::TradingBar> bars;
  Status ended;
  backoff = kBackoffStartMs;
  while (!stop.load()) {
    const int64_t now = parts_.clock->NowMillis();
    if (now - last_lease_check_ms_ >= kLeaseCheckMs) {
      last_lease_check_ms_ = now;
      if (Status s = parts_.lease->Check(); s.code() == StatusCode::kAborted) {
        NoteError("lease lost: standby", s);
        ended = s;
        break;
      }
    }
    Status s;
    for (broker::TradeUpdate& u : updates_.Take()) {
      if (s.ok()) s = sync_->ApplyUpdate(u);
    }
    if (s.ok() && owner_->kill_switch_.load() && !kill_switch_applied_) {
      // Nothing new passes risk now; what is open is cancelled.
      Result<std::vector<std::string>> cancelled = parts_.broker->CancelAllOrders();
      if (cancelled.ok()) {
        kill_switch_applied_ = true;
        log::Warn("trade", "kill switch on: open orders cancelled",
                  {{"orders", static_cast<int64_t>(cancelled->size())}});
      }
    }
    if (!owner_->kill_switch_.load()) kill_switch_applied_ = false;
    if (s.ok()) s = LoadStrategies(false);
    if (s.ok()) s = feed_->Poll(&bars, kPollWait);
    const bool idle = bars.empty();
    if (s.ok()) s = Step(bars);
    if (s.ok()) CommitBus(parts_.clock->NowMillis(), false, idle);
    const int64_t since_reconcile = now - last_reconcile_ms_;
    if (s.ok() && (reconcile_now_.exchange(false) ||
                   (since_reconcile >= config_.reconcile_ms &&
                    (idle || since_reconcile >= 2 * config_.reconcile_ms)))) {
      s = Reconcile();
    }
    Publish();
    if (s.ok()) {
      if (backoff != kBackoffStartMs) SetReady(true, "");
      backoff = kBackoffStartMs;
      continue;
    }
    // The store or the broker failed mid-way. Store: nothing of the step was committed on the bus;
    // rebuild from the store so the same bars are evaluated again.
    NoteError("step", s);
    SetReady(false, FailureReason(s));
    ++counts_.store_failures_total;
    Pause(stop, backoff);
    backoff = std::min(backoff * 2, kBackoffMaxMs);
    bars.clear();
    if (Status b = Build(); !b.ok()) NoteError("rebuild", b);
  }
  stop_updates.store(true);
  if (updates_thread.joinable()) updates_thread.join();
  // Updates that came in the meantime are applied before leaving (the in-flight submission has
  // finished: Submit runs on this thread).
  for (broker::TradeUpdate& u : updates_.Take()) (void)sync_->ApplyUpdate(u);
  Publish();
  if (feed_) {
    CommitBus(parts_.clock->NowMillis(), true);
    (void)feed_->Close();
  }
  return ended;
}

Status TraderService::Impl::Run(const std::atomic<bool>& stop) {
  if (parts_.broker == nullptr) return FailedPrecondition("the trader has no broker");
  while (!stop.load()) {
    TORGHUT_RETURN_IF_ERROR(AwaitLease(stop));
    if (stop.load()) break;
    const Status acted = Act(stop);
    if (acted.code() != StatusCode::kAborted) break;  // stopped; a lost lease goes back to wait
    parts_.lease->Release();
  }
  SetState("stopped", "standby");
  SetReady(false, "stopped");
  parts_.lease->Release();
  return Status::Ok();
}

TraderService::TraderService(TraderConfig config, TraderParts parts)
    : impl_(std::make_unique<Impl>(std::move(config), parts, this)) {}
TraderService::~TraderService() = default;
Status TraderService::Run(const std::atomic<bool>& stop) {
  return impl_->Run(stop);
}
void TraderService::AttachBroker(broker::Broker* broker, TradeUpdatesRunner trade_updates,
                                 std::vector<broker::Broker*> submit_lanes) {
  impl_->AttachBroker(broker, std::move(trade_updates), std::move(submit_lanes));
}
TraderReport TraderService::Report() const {
  return impl_->Report();
}

}  // namespace torghut::trader
