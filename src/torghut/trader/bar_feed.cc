#include "torghut/trader/bar_feed.h"

#include <algorithm>

#include "torghut/core/log.h"
#include "torghut/ta/row_json.h"

namespace torghut::trader {

BarFeed::BarFeed(bus::Bus* bus, const TraderConfig& config, std::vector<store::BusOffset> stored)
    : bus_(bus), config_(config) {
  for (const store::BusOffset& o : stored) stored_[{o.topic, o.partition}] = o.next_offset;
}

// The consumer goes first: closing it revokes partitions, which reaches into the members below.
BarFeed::~BarFeed() {
  (void)Close();
}

int BarFeed::TopicIndex(std::string_view topic) const {
  return topic == config_.microbars_topic ? 0 : topic == config_.signals_topic ? 1 : -1;
}

Status BarFeed::Start() {
  bus::ConsumerOptions o;
  o.group_id = config_.group_id;
  o.reset = config_.reset;
  o.on_assigned = [this](const std::vector<bus::TopicPartition>& tps) { OnAssigned(tps); };
  o.on_revoked = [this](const std::vector<bus::TopicPartition>& tps) { OnRevoked(tps); };
  TORGHUT_ASSIGN_OR_RETURN(consumer_, bus_->NewConsumer(o));
  return consumer_->Subscribe({config_.microbars_topic, config_.signals_topic});
}

void BarFeed::OnAssigned(const std::vector<bus::TopicPartition>& tps) {
  for (const bus::TopicPartition& tp : tps) {
    const int k = TopicIndex(tp.topic);
    if (k < 0) continue;
    auto it = stored_.find({tp.topic, tp.partition});
    if (it != stored_.end()) {
      if (Status s = consumer_->Seek({tp.topic, tp.partition, it->second}); !s.ok()) {
        log::Warn("trade", "cannot seek to the stored position",
                  {{"topic", tp.topic}, {"partition", tp.partition}, {"error", s.ToString()}});
      }
      next_[{k, tp.partition}] = it->second;
    } else {
      next_[{k, tp.partition}] = -1;  // known at the first message
    }
    log::Info("trade", "partition assigned",
              {{"topic", tp.topic},
               {"partition", tp.partition},
               {"from", it != stored_.end() ? "store" : "group or reset"}});
  }
}

void BarFeed::OnRevoked(const std::vector<bus::TopicPartition>& tps) {
  // Everything evaluated so far is in the store already (each step commits there first); the
  // next owner starts from the store's positions.
  for (const bus::TopicPartition& tp : tps) {
    const int k = TopicIndex(tp.topic);
    if (k >= 0) next_.erase({k, tp.partition});
  }
}

Status BarFeed::Poll(std::vector<trading::TradingBar>* bars, std::chrono::milliseconds timeout) {
  TORGHUT_RETURN_IF_ERROR(consumer_->Poll(&batch_, 10'000, timeout));
  for (const bus::Message& m : batch_) {
    const int k = TopicIndex(m.topic);
    if (k < 0) continue;
    next_[{k, m.partition}] = m.offset + 1;
    ++counters_.rows;
    const trading::RowPosition at{k, m.partition, m.offset};
    std::vector<trading::TradingBar> made;
    if (k == 0) {
      ta::MicrobarRow row;
      if (!ta::ParseMicrobarJson(m.value, &row).ok()) {
        ++counters_.bad_rows;
        continue;
      }
      made = joiner_.OnMicrobar(row, at);
    } else {
      ta::SignalRow row;
      if (!ta::ParseSignalJson(m.value, &row).ok()) {
        ++counters_.bad_rows;
        continue;
      }
      made = joiner_.OnSignal(row, at);
    }
    counters_.bars += static_cast<int64_t>(made.size());
    for (trading::TradingBar& b : made) bars->push_back(std::move(b));
  }
  return Status::Ok();
}

std::vector<store::BusOffset> BarFeed::Positions(int64_t now_ms) const {
  const auto waiting = joiner_.OldestPending();
  std::vector<store::BusOffset> out;
  for (const auto& [key, next] : next_) {
    if (next < 0) continue;  // nothing read there yet
    int64_t position = next;
    if (auto it = waiting.find(key); it != waiting.end()) position = std::min(position, it->second);
    store::BusOffset o;
    o.consumer_group = config_.group_id;
    o.topic = key.first == 0 ? config_.microbars_topic : config_.signals_topic;
    o.partition = key.second;
    o.next_offset = position;
    o.updated_at = now_ms;
    out.push_back(std::move(o));
  }
  return out;
}

Status BarFeed::Commit() {
  std::vector<bus::TopicPartitionOffset> positions;
  for (const store::BusOffset& o : Positions(0)) {
    positions.push_back({o.topic, o.partition, o.next_offset});
  }
  if (positions.empty()) return Status::Ok();
  return consumer_->Commit(positions);
}

Status BarFeed::Close() {
  return consumer_ ? consumer_->Close() : Status::Ok();
}

}  // namespace torghut::trader
