#include "torghut/processor/input_topics.h"

#include <fmt/format.h>

#include <algorithm>

namespace torghut::processor {
namespace {
constexpr int32_t kDefaultPartitions = 3;  // embedded bus: input topics created on first start
}  // namespace

Result<int32_t> PrepareTaTopics(bus::Bus& bus, const TaServiceConfig& config) {
  const std::vector<std::string> inputs = {config.topics.trades, config.topics.quotes,
                                           config.topics.bars_1m};
  TORGHUT_ASSIGN_OR_RETURN(std::vector<std::string> existing, bus.ListTopics());
  int32_t partitions = 0;
  for (const std::string& t : inputs) {
    if (std::find(existing.begin(), existing.end(), t) == existing.end()) continue;
    TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionOffsets> offsets, bus.Offsets(t));
    partitions = static_cast<int32_t>(offsets.size());
    break;
  }
  if (partitions == 0) partitions = kDefaultPartitions;
  std::vector<std::string> needed = inputs;
  if (config.publish_rows) {
    needed.push_back(config.topics.ta_microbars);
    needed.push_back(config.topics.ta_signals);
  }
  needed.push_back(config.topics.ta_status);
  for (const std::string& t : needed) {
    if (Status s = bus.EnsureTopic(t, partitions); !s.ok()) {
      return Status(s.code(), fmt::format("topic {}: {}", t, s.message()));
    }
  }
  for (const std::string& t : inputs) {
    TORGHUT_ASSIGN_OR_RETURN(std::vector<bus::PartitionOffsets> offsets, bus.Offsets(t));
    if (static_cast<int32_t>(offsets.size()) != partitions) {
      return FailedPrecondition(fmt::format(
          "input topics must have equal partition counts (symbols are keys, so one symbol must "
          "share a partition index on every topic): {} has {}, {} has {}",
          inputs[0], partitions, t, offsets.size()));
    }
  }
  return partitions;
}

bool EndOffsets::Reached(ta::InputKind kind, int32_t partition, int64_t next) {
  const auto k = static_cast<size_t>(kind);
  const auto p = static_cast<size_t>(partition);
  const int64_t now = clock_->NowMillis();
  if (p >= high_[k].size() || (next >= high_[k][p] && now - read_at_ms_[k] >= refresh_ms_)) {
    Result<std::vector<bus::PartitionOffsets>> offsets = bus_->Offsets(topics_[k]);
    if (!offsets.ok()) return false;
    high_[k].assign(offsets->size(), 0);
    for (const auto& po : *offsets) {
      if (po.partition >= 0 && static_cast<size_t>(po.partition) < high_[k].size()) {
        high_[k][static_cast<size_t>(po.partition)] = po.high;
      }
    }
    read_at_ms_[k] = now;
    if (p >= high_[k].size()) return false;
  }
  return next >= high_[k][p];
}

int64_t EndOffsets::Lag(ta::InputKind kind, int32_t partition, int64_t next) const {
  const auto k = static_cast<size_t>(kind);
  const auto p = static_cast<size_t>(partition);
  return p < high_[k].size() ? std::max<int64_t>(0, high_[k][p] - next) : 0;
}

}  // namespace torghut::processor
