#include "torghut/bus/embedded/embedded_bus.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "torghut/bus/embedded/internal/consumer.h"
#include "torghut/bus/embedded/internal/consumer_group.h"
#include "torghut/bus/embedded/internal/producer.h"
#include "torghut/bus/embedded/internal/shared_state.h"

namespace torghut::bus::embedded {

namespace fs = std::filesystem;

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
  return NewEmbeddedProducer(state_, std::move(options));
}

Result<std::unique_ptr<Consumer>> EmbeddedBus::NewConsumer(ConsumerOptions options) {
  if (Status s = ValidateTopicName(options.group_id); !s.ok()) {
    return InvalidArgument("group id '" + options.group_id +
                           "' must be 1..249 characters of [A-Za-z0-9._-]");
  }
  return NewEmbeddedConsumer(state_, std::move(options));
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
    lag.committed = CommittedOffset(state_->groups_dir / std::string(group),
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
