#include "torghut/bus/embedded/internal/consumer.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "torghut/bus/embedded/internal/consumer_group.h"
#include "torghut/core/log.h"

namespace torghut::bus::embedded {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class EmbeddedConsumer final : public Consumer {
 public:
  EmbeddedConsumer(std::shared_ptr<SharedState> state, ConsumerOptions options)
      : state_(std::move(state)),
        options_(std::move(options)),
        member_(state_->groups_dir / options_.group_id) {}
  ~EmbeddedConsumer() override { (void)Close(); }

  Status Subscribe(const std::vector<std::string>& topics) override {
    if (closed_) return FailedPrecondition("consumer is closed");
    if (topics.empty()) return InvalidArgument("subscribe needs at least one topic");
    for (const std::string& t : topics) {
      TORGHUT_RETURN_IF_ERROR(ValidateTopicName(t));
      if (!state_->PartitionCount(t).ok()) {
        TORGHUT_RETURN_IF_ERROR(state_->EnsureTopic(t, state_->options.default_partitions));
      }
    }
    topics_ = topics;
    std::sort(topics_.begin(), topics_.end());
    if (!member_.joined()) TORGHUT_RETURN_IF_ERROR(member_.Join(topics_));
    return Rebalance();
  }

  Status Poll(std::vector<Message>* out, size_t max, milliseconds timeout) override {
    out->clear();
    if (closed_) return FailedPrecondition("consumer is closed");
    if (topics_.empty()) return FailedPrecondition("subscribe before polling");
    const auto deadline = Clock::now() + timeout;
    while (true) {
      if (Clock::now() - last_rebalance_ >= milliseconds(200)) {
        TORGHUT_RETURN_IF_ERROR(Rebalance());
      }
      uint64_t generation;
      {
        std::lock_guard<std::mutex> lock(state_->wake_mu);
        generation = state_->generation;
      }
      TORGHUT_RETURN_IF_ERROR(Fill(out, max));
      if (!out->empty()) return Status::Ok();
      const auto now = Clock::now();
      if (now >= deadline) return Status::Ok();
      // Same-process producers wake us at once; other processes' appends and group changes are
      // noticed at the next 50 ms tick.
      std::unique_lock<std::mutex> lock(state_->wake_mu);
      state_->wake_cv.wait_for(lock, std::min<Clock::duration>(deadline - now, milliseconds(50)),
                               [&] { return state_->generation != generation; });
    }
  }

  Status Commit(const std::vector<TopicPartitionOffset>& positions) override {
    if (closed_) return FailedPrecondition("consumer is closed");
    for (const TopicPartitionOffset& p : positions) {
      const TopicPartition tp{p.topic, p.partition};
      if (Find(tp) == nullptr) {
        return FailedPrecondition("cannot commit " + p.topic + "/" + std::to_string(p.partition) +
                                  ": not assigned to this member");
      }
      if (p.offset < 0) return InvalidArgument("commit offset must be >= 0");
      TORGHUT_RETURN_IF_ERROR(CommitOffset(member_.dir(), tp, p.offset));
    }
    return Status::Ok();
  }

  Status Seek(const TopicPartitionOffset& position) override {
    Owned* o = Find({position.topic, position.partition});
    if (o == nullptr) return FailedPrecondition("seek on a partition not assigned to this member");
    o->pending.clear();
    o->next = 0;
    return o->reader->Seek(position.offset);
  }

  std::vector<TopicPartition> Assignment() const override {
    std::vector<TopicPartition> out;
    for (const auto& o : owned_) out.push_back(o->tp);
    return out;
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    // on_revoked may still commit: the partitions are ours until it returns.
    std::vector<TopicPartition> all = Assignment();
    if (!all.empty() && options_.on_revoked) options_.on_revoked(all);
    closed_ = true;
    owned_.clear();  // releases the partitions' owner locks
    member_.Leave();
    return Status::Ok();
  }

 private:
  struct Owned {
    TopicPartition tp;
    std::unique_ptr<OwnerLock> owner;
    std::unique_ptr<PartitionReader> reader;
    std::vector<RecordView> pending;  // read but not yet returned
    size_t next = 0;
  };

  Status Rebalance() {
    last_rebalance_ = Clock::now();
    const std::vector<std::string> live = member_.LiveMembers();
    const auto me = std::find(live.begin(), live.end(), member_.id());
    const size_t i = static_cast<size_t>(me - live.begin());
    std::vector<TopicPartition> desired;
    for (const std::string& topic : topics_) {
      TORGHUT_ASSIGN_OR_RETURN(int32_t count, state_->PartitionCount(topic));
      for (TopicPartition& tp : RangeAssignment(topic, count, i, live.size())) {
        desired.push_back(std::move(tp));
      }
    }
    std::vector<TopicPartition> revoked;
    for (const auto& o : owned_) {
      if (std::find(desired.begin(), desired.end(), o->tp) == desired.end()) {
        revoked.push_back(o->tp);
      }
    }
    if (!revoked.empty()) {
      if (options_.on_revoked) options_.on_revoked(revoked);
      std::erase_if(owned_, [&](const std::unique_ptr<Owned>& o) {
        return std::find(revoked.begin(), revoked.end(), o->tp) != revoked.end();
      });
    }
    std::vector<TopicPartition> assigned;
    for (const TopicPartition& tp : desired) {
      if (Find(tp) != nullptr) continue;
      // The previous owner may still hold it (until its next rebalance); retry at the next one.
      std::unique_ptr<OwnerLock> owner = OwnerLock::TryTake(member_.dir(), tp);
      if (!owner) continue;
      auto o = std::make_unique<Owned>();
      o->tp = tp;
      o->owner = std::move(owner);
      o->reader = std::make_unique<PartitionReader>(state_->PartitionDir(tp.topic, tp.partition));
      TORGHUT_RETURN_IF_ERROR(Position(*o));
      assigned.push_back(tp);
      owned_.push_back(std::move(o));
    }
    if (!assigned.empty() && options_.on_assigned) options_.on_assigned(assigned);
    return Status::Ok();
  }

  // Where a newly owned partition starts: a timestamp, else the committed position, else reset.
  Status Position(Owned& o) {
    if (options_.start_timestamp_ms) return o.reader->SeekToTimestamp(*options_.start_timestamp_ms);
    const int64_t committed = CommittedOffset(member_.dir(), o.tp);
    if (committed >= 0) {
      Status s = o.reader->Seek(committed);
      if (s.ok()) return s;
      if (s.code() != StatusCode::kOutOfRange) return s;
      log::Warn("bus", "committed offset is no longer stored; resetting",
                {{"group", options_.group_id},
                 {"topic", o.tp.topic},
                 {"partition", o.tp.partition},
                 {"committed", committed}});
    }
    return Reset(o);
  }

  Status Reset(Owned& o) {
    TORGHUT_ASSIGN_OR_RETURN(
        PartitionOffsets offsets,
        PartitionReader::Offsets(state_->PartitionDir(o.tp.topic, o.tp.partition), o.tp.partition));
    return o.reader->Seek(options_.reset == OffsetReset::kEarliest ? offsets.low : offsets.high);
  }

  Status Fill(std::vector<Message>* out, size_t max) {
    if (owned_.empty()) return Status::Ok();
    // Round-robin over partitions so one busy partition cannot starve the others.
    const size_t count = owned_.size();
    const size_t per_partition_bytes = 1 << 20;
    for (size_t k = 0; k < count && out->size() < max; ++k) {
      Owned& o = *owned_[(rr_ + k) % count];
      if (o.next >= o.pending.size()) {
        o.pending.clear();
        o.next = 0;
        Status s = o.reader->Read(per_partition_bytes, &o.pending);
        if (s.code() == StatusCode::kOutOfRange) {
          // Retention removed what we were about to read.
          TORGHUT_RETURN_IF_ERROR(Reset(o));
          s = o.reader->Read(per_partition_bytes, &o.pending);
        }
        TORGHUT_RETURN_IF_ERROR(s);
      }
      while (o.next < o.pending.size() && out->size() < max) {
        const RecordView& r = o.pending[o.next++];
        out->push_back(
            Message{o.tp.topic, o.tp.partition, r.offset, r.timestamp_ms, r.key, r.value});
      }
    }
    rr_ = (rr_ + 1) % count;
    return Status::Ok();
  }

  Owned* Find(const TopicPartition& tp) {
    for (auto& o : owned_) {
      if (o->tp == tp) return o.get();
    }
    return nullptr;
  }

  std::shared_ptr<SharedState> state_;
  ConsumerOptions options_;
  GroupMember member_;
  std::vector<std::string> topics_;
  std::vector<std::unique_ptr<Owned>> owned_;
  Clock::time_point last_rebalance_{};
  size_t rr_ = 0;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<Consumer> NewEmbeddedConsumer(std::shared_ptr<SharedState> state,
                                              ConsumerOptions options) {
  return std::make_unique<EmbeddedConsumer>(std::move(state), std::move(options));
}

}  // namespace torghut::bus::embedded
