// What the producers, consumers and bus object of one process share for one embedded bus
// directory: the topics' partition counts, the partitions' writers (one per partition per
// process) and the wake-up of same-process consumers. Private to bus/embedded/.
//
//   auto state = std::make_shared<SharedState>();   // options, topics_dir, groups_dir set
//   TORGHUT_RETURN_IF_ERROR(state->EnsureTopic("trades", 4));
//   TORGHUT_ASSIGN_OR_RETURN(std::shared_ptr<LockedWriter> w, state->Writer("trades", 0));
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "torghut/bus/bus_config.h"
#include "torghut/bus/embedded/partition_log.h"
#include "torghut/core/status.h"

namespace torghut::bus::embedded {

// One partition's writer, shared by every producer of this process.
struct LockedWriter {
  std::string name;  // "topic/p", for logs
  std::mutex mu;     // held around every use of `writer`
  std::unique_ptr<PartitionWriter> writer;
};

struct SharedState {
  EmbeddedOptions options;
  std::filesystem::path topics_dir;
  std::filesystem::path groups_dir;

  std::mutex writers_mu;
  std::map<std::string, std::shared_ptr<LockedWriter>> writers;  // "topic/p"

  // Wake-up of same-process consumers: `generation` is bumped after every appended batch.
  std::mutex wake_mu;
  std::condition_variable wake_cv;
  uint64_t generation = 0;
  void NotifyAppended();

  // A topic's partition count (read from disk once: it never changes); NotFound for no topic.
  Result<int32_t> PartitionCount(std::string_view topic);
  // Creates the topic unless it exists (with whatever count it has then).
  Status EnsureTopic(std::string_view topic, int32_t partitions);
  std::filesystem::path PartitionDir(std::string_view topic, int32_t p) const;
  // This process's writer of the partition, opened on first use; FailedPrecondition while another
  // process holds the partition's writer lock.
  Result<std::shared_ptr<LockedWriter>> Writer(const std::string& topic, int32_t p);

 private:
  std::mutex counts_mu_;
  std::map<std::string, int32_t, std::less<>> partition_counts_;
};

}  // namespace torghut::bus::embedded
