#include "torghut/processor/group_savepoint.h"

#include <thread>

namespace torghut::processor {

Result<GroupSavepoint> TakeGroupSavepoint(CheckpointStore& checkpoints,
                                          const std::vector<int32_t>& partitions,
                                          std::string_view name,
                                          std::chrono::milliseconds timeout) {
  TORGHUT_RETURN_IF_ERROR(checkpoints.RequestSavepoint(name));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  GroupSavepoint out;
  while (true) {
    out.missing.clear();
    for (int32_t p : partitions) {
      if (!checkpoints.SavepointHasPartition(name, p)) out.missing.push_back(p);
    }
    if (out.missing.empty() || std::chrono::steady_clock::now() >= deadline) break;
    // The members write files in their own time; there is nothing to wait on but the directory.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  checkpoints.DropSavepointRequest(name);
  return out;
}

}  // namespace torghut::processor
