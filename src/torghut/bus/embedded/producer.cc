#include "torghut/bus/embedded/internal/producer.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "torghut/core/log.h"

namespace torghut::bus::embedded {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

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

}  // namespace

std::unique_ptr<Producer> NewEmbeddedProducer(std::shared_ptr<SharedState> state,
                                              ProducerOptions options) {
  return std::make_unique<EmbeddedProducer>(std::move(state), std::move(options));
}

}  // namespace torghut::bus::embedded
