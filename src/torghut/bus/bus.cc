#include "torghut/bus/bus.h"

#include <chrono>

namespace torghut::bus {

int32_t PartitionForKey(std::string_view key, int32_t partitions) {
  // Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), bit for bit.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const uint32_t length = static_cast<uint32_t>(key.size());
  uint32_t h = kSeed ^ length;
  const uint32_t length4 = length / 4;
  for (uint32_t i = 0; i < length4; ++i) {
    const uint32_t i4 = i * 4;
    uint32_t k = uint32_t{data[i4]} | (uint32_t{data[i4 + 1]} << 8) |
                 (uint32_t{data[i4 + 2]} << 16) | (uint32_t{data[i4 + 3]} << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= uint32_t{data[tail + 2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{data[tail + 1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{data[tail]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  if (partitions <= 0) return 0;
  return static_cast<int32_t>((h & 0x7fffffffu) % static_cast<uint32_t>(partitions));
}

Status ValidateTopicName(std::string_view topic) {
  if (topic.empty() || topic.size() > 249) {
    return InvalidArgument("topic name must be 1 to 249 characters");
  }
  if (topic == "." || topic == "..") return InvalidArgument("topic name cannot be '.' or '..'");
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument("topic name '" + std::string(topic) +
                             "' has a character outside [A-Za-z0-9._-]");
    }
  }
  return Status::Ok();
}

Status ProduceWait(Producer& producer, std::string_view topic, std::string_view key,
                   std::string_view value, int64_t timestamp_ms, uint64_t token,
                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    Status s = producer.Produce(topic, key, value, timestamp_ms, token);
    if (s.code() != StatusCode::kResourceExhausted) return s;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return s;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    producer.Poll(std::min(left, std::chrono::milliseconds(100)));
  }
}

}  // namespace torghut::bus
