#include "torghut/processor/ta_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "torghut/core/log.h"
#include "torghut/processor/checkpoint_store.h"
#include "torghut/processor/input_topics.h"
#include "torghut/processor/partition_processor.h"
#include "torghut/processor/partition_start.h"
#include "torghut/processor/row_writer.h"

namespace torghut::processor {
namespace {

using std::chrono::milliseconds;

constexpr size_t kPollMax = 10'000;
// How long the loop waits for input when nothing it holds is due (heartbeats, checkpoints and
// savepoint requests are looked at this often).
constexpr int64_t kIdlePollMs = 50;
constexpr int64_t kHighRefreshMs = 100;  // how stale a cached end offset may be
constexpr int64_t kRequestScanMs = 500;  // savepoint requests in the checkpoint directory
constexpr int64_t kRetentionEveryMs = 3'600'000;
constexpr int64_t kBackoffStartMs = 200, kBackoffMaxMs = 5'000;
constexpr milliseconds kProduceTimeout{30'000};

// Partition p of the three input topics, as this member owns it.
struct OwnedPartition {
  explicit OwnedPartition(const Clock* clock) : out(clock) {}
  int32_t partition = 0;
  RowBuffer out;
  std::unique_ptr<PartitionProcessor> proc;
  std::array<int64_t, kInputKinds> fetched{};  // the next offset the consumer will deliver
  std::array<bool, kInputKinds> assigned{};
  // Restored and seeked. A partition whose start failed is never checkpointed: its empty state
  // would replace the newest real checkpoint.
  bool started = false;
};

bool Retriable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted ||
         s.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

class TaService::Impl {
 public:
  Impl(TaServiceConfig config, bus::Bus* bus, store::TaStore* store,
       const ta::SessionCalendar* sessions, const Clock* clock)
      : config_(std::move(config)),
        bus_(bus),
        store_(store),
        sessions_(sessions),
        clock_(clock),
        checkpoints_(OpenCheckpoints(config_)),
        topics_{config_.topics.trades, config_.topics.quotes, config_.topics.bars_1m},
        ends_(bus, topics_, clock, kHighRefreshMs) {
    report_.group_id = config_.group_id;
    report_.restart_nonce = config_.restart_nonce;
  }

  Status Run(const std::atomic<bool>& stop);

  TaServiceReport Report() const {
    std::lock_guard lock(mu_);
    return report_;
  }

 private:
  Status WaitForStore(const std::atomic<bool>& stop);
  // Until the checkpoint store answers with the configured credentials (degraded meanwhile).
  void WaitForCheckpoints(const std::atomic<bool>& stop);
  Status RunSuspended(const std::atomic<bool>& stop);
  void OnAssigned(const std::vector<bus::TopicPartition>& tps);
  void OnRevoked(const std::vector<bus::TopicPartition>& tps);
  Status StartPartition(OwnedPartition& o);
  void Route(const std::vector<bus::Message>& batch);
  bool IsCaughtUp(OwnedPartition& o, int kind);
  // How long the next poll may wait for input.
  int64_t PollWaitMs(int64_t now) const;
  struct Buffered {
    size_t rows = 0;
    int64_t oldest_ms = -1;  // clock time of the oldest row waiting for its store write
  };
  // Releases what each partition's merge allows, finalizes idle symbols of caught-up partitions,
  // emits provisional rows when due; returns what now waits to be written.
  Buffered DrainPartitions(bool provisional);
  // Checkpoints, savepoint requests and retention, each when due.
  void Periodic(int64_t now);
  // Writes every buffer to the store (and topics). Sets the degraded state on failure.
  Status Flush();
  // ResourceExhausted while free disk is below TA_MIN_FREE_DISK_PCT and rows wait to be written
  // (measured at most every disk_check_interval_ms); OK otherwise, also when it cannot be measured.
  Status CheckFreeDisk();
  // Flush, wait for deliveries, checkpoint `which` (all owned if empty), commit.
  Status Checkpoint(const std::vector<int32_t>& which);
  void TakeSavepoint(const std::string& name);
  void Rewind();
  // Keeps the counters of a processor that goes away (revoked, rewound).
  void Retire(const OwnedPartition& o) {
    const ProcessorCounters& c = o.proc->counters();
    retired_.processed += c.processed;
    retired_.bad += c.bad;
    retired_.ignored += c.ignored;
    retired_.filtered += c.filtered;
  }
  bool AtEnd();
  void Heartbeat(bool force);
  void SetHealth(Degradation kind, std::string_view message);
  void BackoffWait(const std::atomic<bool>& stop, int64_t ms);
  OwnedPartition* Find(int32_t p) {
    auto it = owned_.find(p);
    return it == owned_.end() ? nullptr : it->second.get();
  }
  int KindOf(std::string_view topic) const {
    for (int k = 0; k < kInputKinds; ++k) {
      if (topics_[k] == topic) return k;
    }
    return -1;
  }

  TaServiceConfig config_;
  bus::Bus* bus_;
  store::TaStore* store_;
  const ta::SessionCalendar* sessions_;
  const Clock* clock_;
  CheckpointStore checkpoints_;
  std::array<std::string, kInputKinds> topics_;
  int32_t partition_count_ = 0;

  std::unique_ptr<bus::Producer> producer_;
  std::unique_ptr<RowWriter> writer_;  // store, then the TA topics
  std::unique_ptr<bus::Consumer> consumer_;
  std::map<int32_t, std::unique_ptr<OwnedPartition>> owned_;
  EndOffsets ends_;
  std::map<std::pair<int, int32_t>, int64_t> end_at_start_;  // stop_at_end targets
  const std::atomic<bool>* stop_ = nullptr;                  // Run's, for waits in callbacks
  Status fatal_;
  int64_t delivery_failures_ = 0;  // since the last checkpoint
  std::string last_delivery_error_;
  Degradation degradation_ = Degradation::kNone;
  int64_t backoff_ms_ = kBackoffStartMs;
  int64_t last_checkpoint_ms_ = -1, last_provisional_ms_ = 0, last_status_ms_ = 0;
  // Input read since the last provisional emission; the oldest row waiting for its store write
  // (-1: none). Both bound how long the loop waits for more input.
  bool unemitted_input_ = false;
  int64_t oldest_buffered_ms_ = -1;
  int64_t last_request_scan_ms_ = 0, last_retention_ms_ = 0;
  int64_t status_messages_ = 0, status_rows_ = 0;
  int64_t rows_written_ = 0, checkpoints_taken_ = 0, commits_ = 0, store_failures_ = 0;
  int64_t last_output_event_ms_ = -1;
  int64_t last_disk_check_ms_ = -1;
  std::string disk_low_;  // why free disk is too low at the last measurement; "" when it is not
  std::string degraded_reason_;  // DescribeDegradation(degradation_, ...)
  std::vector<std::string> savepoints_taken_;
  ProcessorCounters retired_;

  mutable std::mutex mu_;
  TaServiceReport report_;
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
};

// ---------------------------------------------------------------------------------------------
// Start-up.

Status TaService::Impl::WaitForStore(const std::atomic<bool>& stop) {
  // The schema is created here too (idempotent), so a fresh machine needs no separate migrate.
  while (!stop.load()) {
    Result<store::MigrationReport> m = store_->Migrate();
    if (m.ok()) {
      if (IsStoreProblem(degradation_)) SetHealth(Degradation::kNone, "");
      return Status::Ok();
    }
    if (!Retriable(m.status())) return m.status();
    SetHealth(Degradation::kStoreUnavailable, m.status().message());
    Heartbeat(false);
    BackoffWait(stop, backoff_ms_);
    backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
  }
  return Status::Ok();
}

void TaService::Impl::WaitForCheckpoints(const std::atomic<bool>& stop) {
  // Nothing is consumed before state can be read and written: a partition started without its
  // checkpoint would recompute from an older position, one that cannot checkpoint would never
  // commit. A wrong key stays here (reported) until the process is restarted with the right one.
  while (!stop.load()) {
    const Status s = checkpoints_.Probe();
    if (s.ok()) {
      if (IsCheckpointProblem(degradation_)) SetHealth(Degradation::kNone, "");
      return;
    }
    SetHealth(CheckpointDegradation(s, checkpoints_.remote()), s.message());
    Heartbeat(false);
    BackoffWait(stop, backoff_ms_);
    backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
  }
}

Status TaService::Impl::RunSuspended(const std::atomic<bool>& stop) {
  // Connected and healthy, consuming nothing: the bus and store are only checked.
  {
    std::lock_guard lock(mu_);
    report_.state = "suspended";
  }
  log::Info("ta", "suspended (TA_JOB_STATE=suspended): consuming and writing nothing",
            {{"group", config_.group_id}, {"restart_nonce", config_.restart_nonce}});
  while (!stop.load()) {
    if (auto o = bus_->Offsets(topics_[0]); !o.ok()) {
      SetHealth(Degradation::kBusUnavailable, o.status().message());
    } else if (auto v = store_->SchemaVersion(); !v.ok()) {
      SetHealth(StoreDegradation(v.status()), v.status().message());
    } else {
      SetHealth(Degradation::kNone, "");
    }
    Heartbeat(true);
    BackoffWait(stop, config_.status_interval_ms);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Assignment.

void TaService::Impl::OnAssigned(const std::vector<bus::TopicPartition>& tps) {
  // A rebalance while the checkpoint store is away waits for it (degraded) rather than failing
  // the start of every partition it brings; when stopping it returns at once. (Before any new
  // slot exists: the heartbeats sent while waiting report the partitions already running.)
  std::set<int32_t> incoming;
  for (const auto& tp : tps) {
    if (KindOf(tp.topic) >= 0 && owned_.count(tp.partition) == 0) incoming.insert(tp.partition);
  }
  if (!incoming.empty() && stop_ != nullptr && !checkpoints_.Probe().ok()) {
    log::Warn("ta", "partitions assigned; waiting for the checkpoint store to start them",
              {{"partitions", static_cast<int64_t>(incoming.size())}});
    WaitForCheckpoints(*stop_);
  }
  std::set<int32_t> fresh;
  for (const auto& tp : tps) {
    const int k = KindOf(tp.topic);
    if (k < 0) continue;
    auto& slot = owned_[tp.partition];
    if (!slot) {
      slot = std::make_unique<OwnedPartition>(clock_);
      slot->partition = tp.partition;
      fresh.insert(tp.partition);
    }
    slot->assigned[k] = true;
  }
  for (int32_t p : fresh) {
    OwnedPartition& o = *owned_[p];
    if (Status s = StartPartition(o); !s.ok()) {
      log::Error("ta", "cannot start partition", {{"partition", p}, {"error", s.ToString()}});
      fatal_ = s;
    }
  }
}

Status TaService::Impl::StartPartition(OwnedPartition& o) {
  const int32_t p = o.partition;
  o.started = false;
  o.proc = std::make_unique<PartitionProcessor>(p, config_.engine, sessions_, &o.out);
  o.proc->set_filter({config_.symbols, config_.since, config_.until});
  o.out.clear();
  // What the rule (partition_start.h) needs, read only as far as it will look.
  StartInputs in;
  in.restore_from = config_.restore_from;
  in.reset = config_.reset;
  if (!in.restore_from.empty()) {
    TORGHUT_ASSIGN_OR_RETURN(in.savepoint_applied,
                             checkpoints_.SavepointApplied(in.restore_from, p));
  }
  if (!in.restore_from.empty() && !in.savepoint_applied) {
    TORGHUT_ASSIGN_OR_RETURN(in.savepoint, checkpoints_.ReadSavepoint(in.restore_from, p));
  } else {
    TORGHUT_ASSIGN_OR_RETURN(in.checkpoint, checkpoints_.Latest(p));
  }
  if (!in.savepoint && !in.checkpoint) {
    for (int k = 0; k < kInputKinds; ++k) {
      TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionOffsets> offsets,
                               bus_->Offsets(topics_[k]));
      TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionLag> lag,
                               bus_->GroupLag(config_.group_id, topics_[k]));
      const bus::PartitionOffsets& po = offsets.at(static_cast<size_t>(p));
      in.topics[k].low = po.low;
      in.topics[k].high = po.high;
      for (const auto& l : lag) {
        if (l.partition == p) in.topics[k].committed = l.committed;
      }
    }
  }
  Result<StartPlan> planned = PlanPartitionStart(p, in);
  if (!planned.ok()) {
    return Status(planned.status().code(), fmt::format("{} in {}", planned.status().message(),
                                                       checkpoints_.Describe("savepoints")));
  }
  const StartPlan& plan = *planned;
  std::array<int64_t, kInputKinds> start = plan.offsets;
  if (plan.state) {
    if (Status s = o.proc->Restore(*plan.state); !s.ok()) {
      return Status(s.code(),
                    fmt::format("{} of partition {}: {}", plan.description, p, s.message()));
    }
    for (int k = 0; k < kInputKinds; ++k) start[k] = o.proc->NextOffset(static_cast<InputKind>(k));
    if (plan.adopt_savepoint) {
      // From now on this partition continues from checkpoints, whoever owns it.
      TORGHUT_RETURN_IF_ERROR(checkpoints_.Write(p, *plan.state));
      TORGHUT_RETURN_IF_ERROR(checkpoints_.MarkSavepointApplied(config_.restore_from, p));
    }
  } else {
    for (int k = 0; k < kInputKinds; ++k)
      o.proc->SetNextOffset(static_cast<InputKind>(k), start[k]);
  }
  for (int k = 0; k < kInputKinds; ++k) {
    o.fetched[k] = start[k];
    if (!o.assigned[k]) continue;
    TORGHUT_RETURN_IF_ERROR(consumer_->Seek({topics_[k], p, start[k]}));
  }
  o.started = true;
  log::Info("ta", "partition assigned",
            {{"partition", p},
             {"from", plan.description},
             {"trades", start[0]},
             {"quotes", start[1]},
             {"bars", start[2]}});
  return Status::Ok();
}

void TaService::Impl::OnRevoked(const std::vector<bus::TopicPartition>& tps) {
  std::set<int32_t> gone;
  for (const auto& tp : tps) {
    if (KindOf(tp.topic) >= 0 && owned_.count(tp.partition) != 0) gone.insert(tp.partition);
  }
  if (gone.empty()) return;
  const std::vector<int32_t> which(gone.begin(), gone.end());
  // The next owner restores from this checkpoint; if it cannot be taken (store down) it restores
  // from an older one and recomputes the same rows.
  if (Status s = Checkpoint(which); !s.ok()) {
    log::Warn("ta", "partitions revoked without a fresh checkpoint",
              {{"error", s.ToString()}, {"partitions", static_cast<int64_t>(which.size())}});
  }
  for (int32_t p : which) {
    Retire(*owned_[p]);
    owned_.erase(p);
  }
  log::Info("ta", "partitions revoked", {{"count", static_cast<int64_t>(which.size())}});
}

// ---------------------------------------------------------------------------------------------
// The loop.

void TaService::Impl::Route(const std::vector<bus::Message>& batch) {
  for (const bus::Message& m : batch) {
    const int k = KindOf(m.topic);
    OwnedPartition* o = k < 0 ? nullptr : Find(m.partition);
    if (o == nullptr) continue;
    o->fetched[k] = std::max(o->fetched[k], m.offset + 1);
    o->proc->Add(static_cast<InputKind>(k), m.offset, m.value);
  }
}

bool TaService::Impl::IsCaughtUp(OwnedPartition& o, int k) {
  // Without partition k of this topic the merge cannot know what it holds: wait.
  return o.assigned[k] && ends_.Reached(static_cast<InputKind>(k), o.partition, o.fetched[k]);
}

Status TaService::Impl::CheckFreeDisk() {
  if (!config_.measure_free_disk || config_.min_free_disk_pct <= 0) return Status::Ok();
  const bool rows_waiting = std::any_of(owned_.begin(), owned_.end(),
                                        [](const auto& po) { return po.second->out.size() > 0; });
  if (!rows_waiting) return Status::Ok();
  const int64_t now = clock_->NowMillis();
  if (last_disk_check_ms_ < 0 || now - last_disk_check_ms_ >= config_.disk_check_interval_ms) {
    last_disk_check_ms_ = now;
    const store::FreeDisk disk = config_.measure_free_disk();
    disk_low_ = store::BelowMinFreeDisk(disk, config_.min_free_disk_pct)
                    ? fmt::format("{} < TA_MIN_FREE_DISK_PCT {:g}%", disk.Describe(),
                                  config_.min_free_disk_pct)
                    : "";
  }
  return disk_low_.empty() ? Status::Ok() : ResourceExhausted(disk_low_);
}

Status TaService::Impl::Flush() {
  // Low disk pauses writes like a full one, before an insert can fail half-way.
  if (Status s = CheckFreeDisk(); !s.ok()) {
    SetHealth(Degradation::kStoreFull, s.message());
    return s;
  }
  for (auto& [p, o] : owned_) {
    const RowWriteResult r = writer_->Write(o->out);
    if (!r.store.ok()) {
      ++store_failures_;
      SetHealth(StoreDegradation(r.store), r.store.message());
      return r.store;
    }
    delivery_failures_ += r.produce_failures;
    if (r.produce_failures > 0) last_delivery_error_ = r.last_produce_error;
    last_output_event_ms_ = std::max(last_output_event_ms_, r.newest_event_ms);
    rows_written_ += r.rows;
    status_rows_ += r.rows;
  }
  if (IsStoreProblem(degradation_)) SetHealth(Degradation::kNone, "");
  return Status::Ok();
}

Status TaService::Impl::Checkpoint(const std::vector<int32_t>& which_in) {
  TORGHUT_RETURN_IF_ERROR(Flush());
  if (Status s = producer_->Flush(kProduceTimeout); !s.ok()) {
    ++delivery_failures_;
    last_delivery_error_ = s.message();
  }
  if (delivery_failures_ > 0) {
    // Rows that never reached the TA topics: recompute them from the last checkpoint.
    SetHealth(Degradation::kBusProduce, last_delivery_error_);
    Rewind();
    return Unavailable("TA rows not delivered to the bus: " + last_delivery_error_);
  }
  std::vector<int32_t> which = which_in;
  if (which.empty()) {
    for (const auto& [p, o] : owned_) which.push_back(p);
  }
  std::vector<bus::TopicPartitionOffset> positions;
  for (int32_t p : which) {
    OwnedPartition* o = Find(p);
    if (o == nullptr || !o->started) continue;
    if (Status s = checkpoints_.Write(p, o->proc->Checkpoint()); !s.ok()) {
      // Nothing is committed: the offsets stay at the last checkpoint that was written.
      SetHealth(CheckpointDegradation(s, checkpoints_.remote()), s.message());
      return s;
    }
    for (int k = 0; k < kInputKinds; ++k) {
      if (o->assigned[k]) {
        positions.push_back({topics_[k], p, o->proc->NextOffset(static_cast<InputKind>(k))});
      }
    }
  }
  ++checkpoints_taken_;
  last_checkpoint_ms_ = clock_->NowMillis();
  if (IsCheckpointProblem(degradation_)) SetHealth(Degradation::kNone, "");
  if (Status s = consumer_->Commit(positions); !s.ok()) {
    // The checkpoint holds the positions; the next owner starts there either way.
    log::Warn("ta", "commit refused", {{"error", s.ToString()}});
    return Status::Ok();
  }
  ++commits_;
  return Status::Ok();
}

void TaService::Impl::Rewind() {
  delivery_failures_ = 0;
  for (auto& [p, o] : owned_) {
    Retire(*o);
    if (Status s = StartPartition(*o); !s.ok()) fatal_ = s;
  }
}

void TaService::Impl::TakeSavepoint(const std::string& name) {
  if (Status s = ValidateSavepointName(name); !s.ok()) {
    log::Warn("ta", "savepoint refused", {{"error", s.message()}});
    checkpoints_.DropSavepointRequest(name);
    return;
  }
  // Every member answers the same request; whoever sees it complete removes it.
  auto drop_when_complete = [&] {
    for (int32_t p = 0; p < partition_count_; ++p) {
      if (!checkpoints_.SavepointHasPartition(name, p)) return;
    }
    checkpoints_.DropSavepointRequest(name);
  };
  std::vector<int32_t> todo;
  for (const auto& [p, o] : owned_) {
    if (o->started && !checkpoints_.SavepointHasPartition(name, p)) todo.push_back(p);
  }
  if (todo.empty()) return drop_when_complete();
  // A savepoint is a checkpoint that is kept: its rows must be durable first.
  if (Status s = Checkpoint(todo); !s.ok()) {
    log::Warn("ta", "savepoint postponed", {{"name", name}, {"error", s.ToString()}});
    return;
  }
  for (int32_t p : todo) {
    if (Status s = checkpoints_.WriteSavepoint(name, p, Find(p)->proc->Checkpoint()); !s.ok()) {
      log::Error("ta", "savepoint write failed", {{"name", name}, {"error", s.ToString()}});
      return;
    }
  }
  savepoints_taken_.push_back(name);
  log::Info("ta", "savepoint taken",
            {{"name", name}, {"partitions", static_cast<int64_t>(todo.size())}});
  drop_when_complete();
}

bool TaService::Impl::AtEnd() {
  if (owned_.empty()) return false;
  for (const auto& [p, o] : owned_) {
    if (o->proc->Queued() != 0) return false;
    for (int k = 0; k < kInputKinds; ++k) {
      auto it = end_at_start_.find({k, p});
      if (it != end_at_start_.end() &&
          o->proc->NextOffset(static_cast<InputKind>(k)) < it->second) {
        return false;
      }
    }
  }
  return true;
}

void TaService::Impl::SetHealth(Degradation kind, std::string_view message) {
  const Degradation was = degradation_;
  const std::string reason = DescribeDegradation(kind, message);
  degradation_ = kind;
  if (kind != Degradation::kNone && (was == Degradation::kNone || reason != degraded_reason_)) {
    log::Warn("ta", "degraded", {{"reason", reason}});
  } else if (kind == Degradation::kNone && was != Degradation::kNone) {
    log::Info("ta", "recovered", {{"was", degraded_reason_}});
    backoff_ms_ = kBackoffStartMs;
  }
  degraded_reason_ = reason;
  std::lock_guard lock(mu_);
  report_.health = kind == Degradation::kNone ? "ok" : "degraded";
  report_.reason = reason;
  report_.sink_health = IsStoreProblem(kind) ? reason : "ok";
}

void TaService::Impl::BackoffWait(const std::atomic<bool>& stop, int64_t ms) {
  // A pause between retries (not synchronisation): wakes early when stop is set and checked.
  const auto end = std::chrono::steady_clock::now() + milliseconds(ms);
  std::unique_lock lock(wait_mu_);
  while (!stop.load() && std::chrono::steady_clock::now() < end) {
    wait_cv_.wait_until(lock, std::min(end, std::chrono::steady_clock::now() + milliseconds(50)));
  }
}

void TaService::Impl::Heartbeat(bool force) {
  const int64_t now = clock_->NowMillis();
  if (!force && now - last_status_ms_ < config_.status_interval_ms) return;
  const double seconds =
      last_status_ms_ > 0 ? static_cast<double>(now - last_status_ms_) / 1000.0 : 0.0;
  TaServiceReport r;
  {
    std::lock_guard lock(mu_);
    r = report_;
  }
  r.time_ms = now;
  r.partitions.clear();
  r.source_lag_messages = 0;
  r.messages = retired_.processed;
  r.bad_messages = retired_.bad;
  r.ignored_messages = retired_.ignored;
  r.filtered_messages = retired_.filtered;
  int64_t newest_input = -1;
  for (const auto& [p, o] : owned_) {
    r.partitions.push_back(p);
    const ProcessorCounters& c = o->proc->counters();
    r.messages += c.processed;
    r.bad_messages += c.bad;
    r.ignored_messages += c.ignored;
    r.filtered_messages += c.filtered;
    if (c.last_event_ts != Timestamp())
      newest_input = std::max(newest_input, c.last_event_ts.millis());
    for (int k = 0; k < kInputKinds; ++k) {
      const auto kind = static_cast<InputKind>(k);
      r.source_lag_messages += ends_.Lag(kind, p, o->proc->NextOffset(kind));
    }
  }
  r.last_input_event_ms = newest_input;
  r.watermark_lag_ms = newest_input >= 0 ? now - newest_input : -1;
  r.last_output_event_ms = last_output_event_ms_;
  r.checkpoint_age_ms = last_checkpoint_ms_ >= 0 ? now - last_checkpoint_ms_ : -1;
  r.input_rate = seconds > 0 ? static_cast<double>(r.messages - status_messages_) / seconds : 0;
  r.output_rate = seconds > 0 ? static_cast<double>(status_rows_) / seconds : 0;
  status_messages_ = r.messages;
  status_rows_ = 0;
  r.rows_written = rows_written_;
  r.checkpoints = checkpoints_taken_;
  r.commits = commits_;
  r.store_failures = store_failures_;
  r.savepoints_taken = savepoints_taken_;
  last_status_ms_ = now;
  {
    std::lock_guard lock(mu_);
    report_ = r;
  }
  if (producer_) {
    const std::string json = r.ToJson();
    if (Status s = producer_->Produce(config_.topics.ta_status, config_.group_id, json); !s.ok()) {
      log::Warn("ta", "status heartbeat not produced", {{"error", s.ToString()}});
    }
    producer_->Poll(milliseconds(0));
  }
}

int64_t TaService::Impl::PollWaitMs(int64_t now) const {
  // Wait for input, but no longer than until input already read is due out: as a provisional
  // row (the interval has passed since the last emission) or as a store write (flush_ms).
  int64_t wait_ms = kIdlePollMs;
  if (config_.provisional_interval_ms > 0 && unemitted_input_) {
    wait_ms = std::min(wait_ms, last_provisional_ms_ + config_.provisional_interval_ms - now);
  }
  if (oldest_buffered_ms_ >= 0) {
    wait_ms = std::min(wait_ms, oldest_buffered_ms_ + config_.flush_ms - now);
  }
  return std::max<int64_t>(wait_ms, 0);
}

TaService::Impl::Buffered TaService::Impl::DrainPartitions(bool provisional) {
  const Timestamp processing_now = Timestamp::FromNanos(clock_->NowNanos());
  Buffered out;
  for (auto& [p, o] : owned_) {
    OwnedPartition& op = *o;
    CaughtUp caught{IsCaughtUp(op, 0), IsCaughtUp(op, 1), IsCaughtUp(op, 2)};
    op.proc->SetProcessingTime(processing_now);
    op.proc->Drain(caught);
    if (!config_.stop_at_end && caught.trades && caught.quotes && caught.bars &&
        op.proc->Queued() == 0) {
      // Only with nothing left to read: idleness during a backlog would depend on read speed.
      op.proc->FinalizeIdle(processing_now);
    }
    if (provisional) op.proc->EmitProvisional();
    out.rows += op.out.size();
    if (op.out.oldest_ms >= 0 && (out.oldest_ms < 0 || op.out.oldest_ms < out.oldest_ms)) {
      out.oldest_ms = op.out.oldest_ms;
    }
  }
  return out;
}

void TaService::Impl::Periodic(int64_t now) {
  if (now - last_checkpoint_ms_ >= config_.checkpoint_interval_ms) (void)Checkpoint({});
  if (now - last_request_scan_ms_ >= kRequestScanMs) {
    last_request_scan_ms_ = now;
    for (const std::string& name : checkpoints_.PendingSavepointRequests()) TakeSavepoint(name);
  }
  if (config_.retention_days > 0 && now - last_retention_ms_ >= kRetentionEveryMs) {
    last_retention_ms_ = now;
    const Timestamp cutoff =
        Timestamp::FromNanos(clock_->NowNanos() - int64_t{config_.retention_days} * kNanosPerDay);
    if (auto dropped = store_->DropDaysBefore(cutoff); !dropped.ok()) {
      log::Warn("ta", "retention failed", {{"error", dropped.status().ToString()}});
    }
  }
}

Status TaService::Impl::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  log::Info("ta", "starting",
            {{"group", config_.group_id},
             {"restart_nonce", config_.restart_nonce},
             {"bus", std::string(bus_->Backend())},
             {"store", std::string(store_->backend())},
             {"suspended", config_.suspended}});
  TORGHUT_ASSIGN_OR_RETURN(partition_count_, PrepareTaTopics(*bus_, config_));
  bus::ProducerOptions popts;
  popts.on_delivery = [this](const bus::DeliveryReport& r) {
    if (!r.status.ok() && r.topic != config_.topics.ta_status) {
      ++delivery_failures_;
      last_delivery_error_ = r.status.message();
    }
  };
  TORGHUT_ASSIGN_OR_RETURN(producer_, bus_->NewProducer(popts));
  writer_ = std::make_unique<RowWriter>(store_, producer_.get(), config_.topics.ta_microbars,
                                        config_.topics.ta_signals, config_.publish_rows);
  if (config_.suspended) {
    Status s = RunSuspended(stop);
    (void)producer_->Flush(milliseconds(5'000));
    return s;
  }
  TORGHUT_RETURN_IF_ERROR(WaitForStore(stop));
  WaitForCheckpoints(stop);
  if (stop.load()) return Status::Ok();

  if (config_.stop_at_end) {
    for (int k = 0; k < kInputKinds; ++k) {
      TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionOffsets> offsets,
                               bus_->Offsets(topics_[k]));
      for (const auto& po : offsets) end_at_start_[{k, po.partition}] = po.high;
    }
  }

  bus::ConsumerOptions copts;
  copts.group_id = config_.group_id;
  copts.reset = config_.reset;
  copts.on_assigned = [this](const std::vector<bus::TopicPartition>& tps) { OnAssigned(tps); };
  copts.on_revoked = [this](const std::vector<bus::TopicPartition>& tps) { OnRevoked(tps); };
  TORGHUT_ASSIGN_OR_RETURN(consumer_, bus_->NewConsumer(copts));
  TORGHUT_RETURN_IF_ERROR(
      consumer_->Subscribe(std::vector<std::string>(topics_.begin(), topics_.end())));
  {
    std::lock_guard lock(mu_);
    report_.state = "running";
  }
  last_checkpoint_ms_ = clock_->NowMillis();
  std::vector<bus::Message> batch;
  bool reached_end = false;
  while (!stop.load() && fatal_.ok()) {
    const int64_t now = clock_->NowMillis();
    Heartbeat(false);
    if (IsStoreProblem(degradation_)) {
      // Nothing more is read while rows cannot be written; offsets stay uncommitted.
      BackoffWait(stop, backoff_ms_);
      backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
      (void)Flush();
      continue;
    }
    TORGHUT_RETURN_IF_ERROR(consumer_->Poll(&batch, kPollMax, milliseconds(PollWaitMs(now))));
    if (!batch.empty()) unemitted_input_ = true;
    Route(batch);
    if (!fatal_.ok()) break;
    // Read again after the poll: the wait above may have been the interval itself.
    const int64_t after_poll = clock_->NowMillis();
    const bool provisional = config_.provisional_interval_ms > 0 &&
                             after_poll - last_provisional_ms_ >= config_.provisional_interval_ms;
    if (provisional) {
      last_provisional_ms_ = after_poll;
      unemitted_input_ = false;
    }
    const Buffered buffered = DrainPartitions(provisional);
    if (config_.stop_at_end && AtEnd()) reached_end = true;
    oldest_buffered_ms_ = buffered.oldest_ms;
    // (`oldest_ms` may be later than `after_poll`, read before draining: flush_ms 0 must not wait.)
    if (buffered.rows >= static_cast<size_t>(config_.batch_size) ||
        (buffered.oldest_ms >= 0 &&
         (config_.flush_ms == 0 || after_poll - buffered.oldest_ms >= config_.flush_ms))) {
      if (!Flush().ok()) continue;
      oldest_buffered_ms_ = -1;
    }
    Periodic(now);
    if (reached_end) break;
  }
  {
    std::lock_guard lock(mu_);
    report_.state = "stopping";
  }
  if (reached_end) {
    // A replay window ends here: its open bars are final.
    for (auto& [p, o] : owned_) o->proc->FinalizeAll();
  }
  // Leaving the group revokes every partition: OnRevoked flushes, checkpoints and commits.
  Status closed = consumer_->Close();
  for (const auto& [p, o] : owned_) Retire(*o);
  owned_.clear();
  (void)producer_->Flush(milliseconds(10'000));
  Heartbeat(true);
  {
    std::lock_guard lock(mu_);
    report_.state = "stopped";
  }
  if (!fatal_.ok()) return fatal_;
  if (!closed.ok()) log::Warn("ta", "leaving the group failed", {{"error", closed.ToString()}});
  log::Info("ta", "stopped",
            {{"rows", rows_written_}, {"checkpoints", checkpoints_taken_}, {"commits", commits_}});
  return Status::Ok();
}

TaService::TaService(TaServiceConfig config, bus::Bus* bus, store::TaStore* store,
                     const ta::SessionCalendar* sessions, const Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(config), bus, store, sessions, clock)) {}
TaService::~TaService() = default;
Status TaService::Run(const std::atomic<bool>& stop) {
  return impl_->Run(stop);
}
TaServiceReport TaService::Report() const {
  return impl_->Report();
}

}  // namespace torghut::processor
