#include "torghut/bus/embedded/embedded_bus.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "torghut/bus/embedded/partition_log.h"
#include "torghut/core/log.h"
#include "torghut/io/atomic_file.h"

namespace torghut::bus::embedded {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One partition's writer, shared by every producer of this process.
struct LockedWriter {
  std::string name;  // "topic/p", for logs
  std::mutex mu;
  std::unique_ptr<PartitionWriter> writer;
};

// What producers, consumers and the bus object of one process share.
struct SharedState {
  EmbeddedOptions options;
  fs::path topics_dir;
  fs::path groups_dir;

  std::mutex writers_mu;
  std::map<std::string, std::shared_ptr<LockedWriter>> writers;  // "topic/p"

  // Wake-up of same-process consumers: bumped after every appended batch.
  std::mutex wake_mu;
  std::condition_variable wake_cv;
  uint64_t generation = 0;

  void NotifyAppended() {
    {
      std::lock_guard<std::mutex> lock(wake_mu);
      ++generation;
    }
    wake_cv.notify_all();
  }

  // A topic's partition count never changes once created, so it is read from disk once.
  Result<int32_t> PartitionCount(std::string_view topic) {
    std::lock_guard<std::mutex> lock(counts_mu);
    if (auto it = partition_counts.find(topic); it != partition_counts.end()) return it->second;
    std::ifstream in(topics_dir / std::string(topic) / "partitions");
    int32_t n = 0;
    if (!(in >> n) || n <= 0) return NotFound("topic '" + std::string(topic) + "' does not exist");
    partition_counts.emplace(std::string(topic), n);
    return n;
  }
  std::mutex counts_mu;
  std::map<std::string, int32_t, std::less<>> partition_counts;

  Status EnsureTopic(std::string_view topic, int32_t partitions) {
    TORGHUT_RETURN_IF_ERROR(ValidateTopicName(topic));
    if (partitions <= 0 || partitions > 10'000) {
      return InvalidArgument("partition count must be 1..10000");
    }
    if (PartitionCount(topic).ok()) return Status::Ok();
    // Built under a temporary name and renamed into place, so no process ever sees a topic
    // without its partition count; when two create it at once, the first rename wins.
    std::error_code ec;
    fs::create_directories(topics_dir, ec);
    const fs::path tmp =
        topics_dir / (".tmp-" + std::string(topic) + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(std::random_device{}()));
    fs::create_directories(tmp, ec);
    if (ec) return Unavailable("cannot create " + tmp.string() + ": " + ec.message());
    {
      std::ofstream out(tmp / "partitions");
      out << partitions << "\n";
      if (!out.flush()) return Unavailable("cannot write " + (tmp / "partitions").string());
    }
    for (int32_t p = 0; p < partitions; ++p) fs::create_directories(tmp / std::to_string(p), ec);
    fs::rename(tmp, topics_dir / std::string(topic), ec);
    if (ec) fs::remove_all(tmp, ec);
    return PartitionCount(topic).status();
  }

  fs::path PartitionDir(std::string_view topic, int32_t p) const {
    return topics_dir / std::string(topic) / std::to_string(p);
  }

  Result<std::shared_ptr<LockedWriter>> Writer(const std::string& topic, int32_t p) {
    const std::string key = topic + "/" + std::to_string(p);
    std::lock_guard<std::mutex> lock(writers_mu);
    auto it = writers.find(key);
    if (it != writers.end()) return it->second;
    TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<PartitionWriter> w,
                             PartitionWriter::Open(PartitionDir(topic, p), options));
    auto locked = std::make_shared<LockedWriter>();
    locked->name = key;
    locked->writer = std::move(w);
    writers.emplace(key, locked);
    return locked;
  }
};

namespace {

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

// groups/<group>/<topic>.<p>.<kind>: "offset" (committed position) or "owner" (read lock).
fs::path GroupFile(const fs::path& group_dir, const TopicPartition& tp, const char* kind) {
  return group_dir / (tp.topic + "." + std::to_string(tp.partition) + "." + kind);
}

fs::path OffsetPath(const fs::path& group_dir, const TopicPartition& tp) {
  return GroupFile(group_dir, tp, "offset");
}

int64_t ReadCommitted(const fs::path& group_dir, const TopicPartition& tp) {
  const std::string s = ReadSmallFile(OffsetPath(group_dir, tp));
  if (s.empty()) return -1;
  try {
    return std::stoll(s);
  } catch (...) {
    return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Producer

class EmbeddedProducer final : public Producer {
 public:
  EmbeddedProducer(std::shared_ptr<SharedState> state, ProducerOptions options)
      : state_(std::move(state)), options_(std::move(options)) {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  ~EmbeddedProducer() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_one();
    writer_.join();  // writes whatever is queued before it stops
  }

  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 int64_t timestamp_ms, uint64_t token) override {
    if (timestamp_ms == 0) timestamp_ms = state_->options.clock->NowMillis();
    std::unique_lock<std::mutex> lock(mu_);
    if (in_flight_ >= options_.queue_max_messages) {
      return ResourceExhausted("producer queue is full (" + std::to_string(in_flight_) +
                               " messages awaiting delivery)");
    }
    TopicSlot* slot = last_slot_;
    if (slot == nullptr || slot->name != topic) {
      auto it = topics_.find(std::string(topic));
      if (it == topics_.end()) {
        TORGHUT_RETURN_IF_ERROR(state_->EnsureTopic(topic, state_->options.default_partitions));
        TORGHUT_ASSIGN_OR_RETURN(int32_t n, state_->PartitionCount(topic));
        auto fresh = std::make_unique<TopicSlot>();
        fresh->name = std::string(topic);
        fresh->pending.resize(static_cast<size_t>(n));
        fresh->writers.resize(static_cast<size_t>(n));
        it = topics_.emplace(fresh->name, std::move(fresh)).first;
      }
      slot = last_slot_ = it->second.get();
    }
    const int32_t p = PartitionForKey(key, static_cast<int32_t>(slot->pending.size()));
    Batch& batch = slot->pending[static_cast<size_t>(p)];
    EncodeRecord(batch.bytes, key, value, timestamp_ms);
    batch.tokens.push_back(token);
    batch.max_timestamp_ms = std::max(batch.max_timestamp_ms, timestamp_ms);
    ++in_flight_;
    const bool wake = !has_work_;
    has_work_ = true;
    lock.unlock();
    if (wake) work_cv_.notify_one();
    return Status::Ok();
  }

  int Poll(milliseconds timeout) override {
    std::deque<Done> done;
    {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait_for(lock, timeout, [&] { return !done_.empty(); });
      done.swap(done_);
    }
    int served = 0;
    for (const Done& d : done) {
      for (size_t i = 0; i < d.tokens.size(); ++i) {
        if (options_.on_delivery) {
          DeliveryReport r;
          r.topic = d.topic->name;
          r.partition = d.partition;
          r.offset = d.status.ok() ? d.first_offset + static_cast<int64_t>(i) : -1;
          r.token = d.tokens[i];
          r.status = d.status;
          options_.on_delivery(r);
        }
        ++served;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ -= served;
    return served;
  }

  Status Flush(milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    while (InFlight() > 0) {
      const auto now = Clock::now();
      if (now >= deadline) {
        return DeadlineExceeded(std::to_string(InFlight()) + " messages still undelivered");
      }
      Poll(std::chrono::duration_cast<milliseconds>(deadline - now));
    }
    return Status::Ok();
  }

  int64_t InFlight() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_;
  }

  std::string ErrorClass() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return error_class_;
  }

 private:
  struct Batch {
    std::string bytes;
    std::vector<uint64_t> tokens;
    int64_t max_timestamp_ms = 0;
  };
  struct TopicSlot {
    std::string name;
    std::vector<Batch> pending;  // one per partition
    // The partitions' writers, opened on first append; touched by the writer thread only.
    std::vector<std::shared_ptr<LockedWriter>> writers;
  };
  struct Done {
    const TopicSlot* topic;
    int32_t partition;
    int64_t first_offset;
    std::vector<uint64_t> tokens;
    Status status;
  };

  void WriterLoop() {
    pthread_setname_np(pthread_self(), "bus-writer");
    std::vector<std::pair<TopicSlot*, std::vector<Batch>>> work;
    auto last_sync = Clock::now();
    auto last_retention = Clock::now();
    std::unordered_set<LockedWriter*> dirty;  // appended to since the last fsync
    while (true) {
      bool stopping;
      {
        std::unique_lock<std::mutex> lock(mu_);
        const auto wait = state_->options.fsync == FsyncPolicy::kInterval && !dirty.empty()
                              ? milliseconds(state_->options.fsync_interval_ms)
                              : milliseconds(60'000);
        work_cv_.wait_for(lock, wait, [&] { return has_work_ || stop_; });
        stopping = stop_;
        // Swap the pending batches out; their byte buffers come back empty with their capacity.
        work.resize(topics_.size());
        size_t i = 0;
        for (auto& [name, slot] : topics_) {
          work[i].first = slot.get();
          work[i].second.resize(slot->pending.size());
          for (size_t p = 0; p < slot->pending.size(); ++p) {
            std::swap(work[i].second[p], slot->pending[p]);
          }
          ++i;
        }
        has_work_ = false;
      }
      std::deque<Done> done;
      for (auto& [slot, batches] : work) {
        for (size_t p = 0; p < batches.size(); ++p) {
          Batch& b = batches[p];
          if (b.tokens.empty()) continue;
          int64_t first_offset = -1;
          Status status = Append(*slot, static_cast<int32_t>(p), b, &first_offset, &dirty);
          done.push_back(Done{slot, static_cast<int32_t>(p), first_offset, std::move(b.tokens),
                              std::move(status)});
          b.bytes.clear();
          b.tokens.clear();
          b.max_timestamp_ms = 0;
        }
      }
      if (!dirty.empty() &&
          (state_->options.fsync == FsyncPolicy::kBatch || stopping ||
           Clock::now() - last_sync >= milliseconds(state_->options.fsync_interval_ms))) {
        for (LockedWriter* w : dirty) {
          std::lock_guard<std::mutex> lock(w->mu);
          if (Status s = w->writer->Sync(); !s.ok()) {
            log::Error("bus", "fsync failed", {{"partition", w->name}, {"error", s.ToString()}});
          }
        }
        dirty.clear();
        last_sync = Clock::now();
      }
      if (Clock::now() - last_retention >= std::chrono::minutes(1)) {
        last_retention = Clock::now();
        std::lock_guard<std::mutex> wl(state_->writers_mu);
        for (auto& [key, w] : state_->writers) {
          std::lock_guard<std::mutex> lock(w->mu);
          (void)w->writer->ApplyRetention(state_->options.clock->NowMillis());
        }
      }
      if (!done.empty()) {
        state_->NotifyAppended();
        {
          std::lock_guard<std::mutex> lock(mu_);
          for (Done& d : done) {
            if (!d.status.ok())
              error_class_ = "bus_io";
            else
              error_class_.clear();
            done_.push_back(std::move(d));
          }
        }
        done_cv_.notify_all();
      }
      if (stopping) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!has_work_) return;
      }
    }
  }

  // Appends one partition's batch; with FsyncPolicy::kBatch it is on disk before it is reported.
  Status Append(TopicSlot& slot, int32_t p, Batch& b, int64_t* first_offset,
                std::unordered_set<LockedWriter*>* dirty) {
    std::shared_ptr<LockedWriter>& w = slot.writers[static_cast<size_t>(p)];
    if (!w) {
      Result<std::shared_ptr<LockedWriter>> opened = state_->Writer(slot.name, p);
      if (!opened.ok()) return opened.status();
      w = *opened;
    }
    std::lock_guard<std::mutex> lock(w->mu);
    Result<int64_t> first =
        w->writer->Append(b.bytes.data(), b.bytes.size(), b.tokens.size(), b.max_timestamp_ms);
    if (!first.ok()) return first.status();
    *first_offset = *first;
    if (state_->options.fsync == FsyncPolicy::kBatch) return w->writer->Sync();
    dirty->insert(w.get());
    return Status::Ok();
  }

  std::shared_ptr<SharedState> state_;
  ProducerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::unordered_map<std::string, std::unique_ptr<TopicSlot>> topics_;
  TopicSlot* last_slot_ = nullptr;
  std::deque<Done> done_;
  int64_t in_flight_ = 0;
  bool has_work_ = false;
  bool stop_ = false;
  std::string error_class_;
  std::thread writer_;
};

// ---------------------------------------------------------------------------------------------
// Consumer

class EmbeddedConsumer final : public Consumer {
 public:
  EmbeddedConsumer(std::shared_ptr<SharedState> state, ConsumerOptions options)
      : state_(std::move(state)), options_(std::move(options)) {
    group_dir_ = state_->groups_dir / options_.group_id;
  }
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
    if (member_fd_ < 0) TORGHUT_RETURN_IF_ERROR(Join());
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
      TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(
          OffsetPath(group_dir_, tp), std::to_string(p.offset) + "\n", Durability::kSynced));
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
    owned_.clear();  // closes owner fds: releases the partitions
    if (member_fd_ >= 0) {
      ::unlink((group_dir_ / "members" / member_id_).c_str());
      ::close(member_fd_);
      member_fd_ = -1;
    }
    return Status::Ok();
  }

 private:
  struct Owned {
    TopicPartition tp;
    int owner_fd = -1;
    std::unique_ptr<PartitionReader> reader;
    std::vector<RecordView> pending;  // read but not yet returned
    size_t next = 0;
    ~Owned() {
      if (owner_fd >= 0) ::close(owner_fd);
    }
  };

  Status Join() {
    std::error_code ec;
    fs::create_directories(group_dir_ / "members", ec);
    if (ec) return Unavailable("cannot create " + group_dir_.string() + ": " + ec.message());
    static std::atomic<uint64_t> counter{0};
    char id[64];
    std::snprintf(id, sizeof id, "%020lld-%d-%llu",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()),
                  static_cast<int>(::getpid()),
                  static_cast<unsigned long long>(counter.fetch_add(1)));
    member_id_ = id;
    // Locked under a temporary name first, so no other member can mistake it for a dead one.
    const fs::path tmp = group_dir_ / "members" / (".tmp-" + member_id_);
    member_fd_ = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (member_fd_ < 0)
      return Unavailable("cannot create member file: " + std::string(std::strerror(errno)));
    if (::flock(member_fd_, LOCK_EX) != 0) return Unavailable("cannot lock member file");
    std::string subscription;
    for (const auto& t : topics_) subscription += t + "\n";
    (void)!::write(member_fd_, subscription.data(), subscription.size());
    if (::rename(tmp.c_str(), (group_dir_ / "members" / member_id_).c_str()) != 0) {
      return Unavailable("cannot register member: " + std::string(std::strerror(errno)));
    }
    return Status::Ok();
  }

  // Live member ids, sorted; removes the files of dead members.
  std::vector<std::string> LiveMembers() {
    std::vector<std::string> live;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(group_dir_ / "members", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".tmp-")) continue;
      if (name == member_id_) {
        live.push_back(name);
        continue;
      }
      const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        ::unlink(entry.path().c_str());  // its process is gone
      } else {
        live.push_back(name);
      }
      ::close(fd);
    }
    std::sort(live.begin(), live.end());
    return live;
  }

  Status Rebalance() {
    last_rebalance_ = Clock::now();
    const std::vector<std::string> live = LiveMembers();
    const auto me = std::find(live.begin(), live.end(), member_id_);
    const size_t n = live.size();
    const size_t i = static_cast<size_t>(me - live.begin());
    std::vector<TopicPartition> desired;
    for (const std::string& topic : topics_) {
      TORGHUT_ASSIGN_OR_RETURN(int32_t count, state_->PartitionCount(topic));
      // Range assignment: member i of n takes a contiguous share, the first ones one extra.
      const size_t per = static_cast<size_t>(count) / n, extra = static_cast<size_t>(count) % n;
      const size_t start = i * per + std::min(i, extra);
      const size_t take = per + (i < extra ? 1 : 0);
      for (size_t p = start; p < start + take; ++p) {
        desired.push_back({topic, static_cast<int32_t>(p)});
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
      const fs::path owner = GroupFile(group_dir_, tp, "owner");
      const int fd = ::open(owner.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        continue;
      }
      auto o = std::make_unique<Owned>();
      o->tp = tp;
      o->owner_fd = fd;
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
    const int64_t committed = ReadCommitted(group_dir_, o.tp);
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
  fs::path group_dir_;
  std::vector<std::string> topics_;
  std::string member_id_;
  int member_fd_ = -1;
  std::vector<std::unique_ptr<Owned>> owned_;
  Clock::time_point last_rebalance_{};
  size_t rr_ = 0;
  bool closed_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// EmbeddedBus

EmbeddedBus::EmbeddedBus(std::shared_ptr<SharedState> state) : state_(std::move(state)) {}
EmbeddedBus::~EmbeddedBus() = default;

Result<std::unique_ptr<EmbeddedBus>> EmbeddedBus::Open(const EmbeddedOptions& options) {
  if (options.dir.empty()) return InvalidArgument("embedded bus needs a directory");
  if (options.segment_bytes < 4096 || options.segment_bytes > (1ll << 30)) {
    return InvalidArgument("segment size must be 4 KiB .. 1 GiB");
  }
  auto state = std::make_shared<SharedState>();
  state->options = options;
  state->topics_dir = fs::path(options.dir) / "topics";
  state->groups_dir = fs::path(options.dir) / "groups";
  std::error_code ec;
  fs::create_directories(state->topics_dir, ec);
  fs::create_directories(state->groups_dir, ec);
  if (ec) return Unavailable("cannot create bus directory " + options.dir + ": " + ec.message());
  return std::unique_ptr<EmbeddedBus>(new EmbeddedBus(std::move(state)));
}

Result<std::unique_ptr<Producer>> EmbeddedBus::NewProducer(ProducerOptions options) {
  if (options.queue_max_messages <= 0) return InvalidArgument("queue_max_messages must be > 0");
  return std::unique_ptr<Producer>(new EmbeddedProducer(state_, std::move(options)));
}

Result<std::unique_ptr<Consumer>> EmbeddedBus::NewConsumer(ConsumerOptions options) {
  if (Status s = ValidateTopicName(options.group_id); !s.ok()) {
    return InvalidArgument("group id '" + options.group_id +
                           "' must be 1..249 characters of [A-Za-z0-9._-]");
  }
  return std::unique_ptr<Consumer>(new EmbeddedConsumer(state_, std::move(options)));
}

Status EmbeddedBus::EnsureTopic(std::string_view topic, int32_t partitions) {
  return state_->EnsureTopic(topic, partitions);
}

Result<std::vector<std::string>> EmbeddedBus::ListTopics() {
  std::vector<std::string> topics;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_->topics_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(".") && state_->PartitionCount(name).ok()) topics.push_back(name);
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

Result<std::vector<PartitionOffsets>> EmbeddedBus::Offsets(std::string_view topic) {
  TORGHUT_RETURN_IF_ERROR(ValidateTopicName(topic));
  TORGHUT_ASSIGN_OR_RETURN(int32_t n, state_->PartitionCount(topic));
  std::vector<PartitionOffsets> out;
  for (int32_t p = 0; p < n; ++p) {
    TORGHUT_ASSIGN_OR_RETURN(PartitionOffsets o,
                             PartitionReader::Offsets(state_->PartitionDir(topic, p), p));
    out.push_back(o);
  }
  return out;
}

Result<std::vector<std::string>> EmbeddedBus::ListGroups() {
  std::vector<std::string> groups;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_->groups_dir, ec)) {
    if (entry.is_directory()) groups.push_back(entry.path().filename().string());
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

Result<std::vector<PartitionLag>> EmbeddedBus::GroupLag(std::string_view group,
                                                        std::string_view topic) {
  TORGHUT_RETURN_IF_ERROR(ValidateTopicName(group));
  TORGHUT_ASSIGN_OR_RETURN(std::vector<PartitionOffsets> offsets, Offsets(topic));
  std::vector<PartitionLag> out;
  for (const PartitionOffsets& o : offsets) {
    PartitionLag lag;
    lag.topic = std::string(topic);
    lag.partition = o.partition;
    lag.committed = ReadCommitted(state_->groups_dir / std::string(group),
                                  TopicPartition{std::string(topic), o.partition});
    lag.high = o.high;
    lag.lag = o.high - std::max(lag.committed, o.low);
    out.push_back(lag);
  }
  return out;
}

Status EmbeddedBus::ApplyRetention() {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<std::string> topics, ListTopics());
  for (const std::string& topic : topics) {
    TORGHUT_ASSIGN_OR_RETURN(int32_t n, state_->PartitionCount(topic));
    for (int32_t p = 0; p < n; ++p) {
      Result<std::shared_ptr<LockedWriter>> w = state_->Writer(topic, p);
      if (w.status().code() == StatusCode::kFailedPrecondition) continue;  // another writer's
      if (!w.ok()) return w.status();
      std::lock_guard<std::mutex> lock((*w)->mu);
      TORGHUT_RETURN_IF_ERROR((*w)->writer->ApplyRetention(state_->options.clock->NowMillis()));
    }
  }
  return Status::Ok();
}

}  // namespace torghut::bus::embedded
