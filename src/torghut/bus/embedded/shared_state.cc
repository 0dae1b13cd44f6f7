#include "torghut/bus/embedded/internal/shared_state.h"

#include <unistd.h>

#include <fstream>
#include <random>

namespace torghut::bus::embedded {

namespace fs = std::filesystem;

void SharedState::NotifyAppended() {
  {
    std::lock_guard<std::mutex> lock(wake_mu);
    ++generation;
  }
  wake_cv.notify_all();
}

Result<int32_t> SharedState::PartitionCount(std::string_view topic) {
  std::lock_guard<std::mutex> lock(counts_mu_);
  if (auto it = partition_counts_.find(topic); it != partition_counts_.end()) return it->second;
  std::ifstream in(topics_dir / std::string(topic) / "partitions");
  int32_t n = 0;
  if (!(in >> n) || n <= 0) return NotFound("topic '" + std::string(topic) + "' does not exist");
  partition_counts_.emplace(std::string(topic), n);
  return n;
}

Status SharedState::EnsureTopic(std::string_view topic, int32_t partitions) {
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

fs::path SharedState::PartitionDir(std::string_view topic, int32_t p) const {
  return topics_dir / std::string(topic) / std::to_string(p);
}

Result<std::shared_ptr<LockedWriter>> SharedState::Writer(const std::string& topic, int32_t p) {
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

}  // namespace torghut::bus::embedded
