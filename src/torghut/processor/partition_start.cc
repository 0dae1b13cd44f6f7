#include "torghut/processor/partition_start.h"

#include <fmt/format.h>

#include <algorithm>

namespace torghut::processor {

Result<StartPlan> PlanPartitionStart(int32_t partition, const StartInputs& in) {
  StartPlan plan;
  if (!in.restore_from.empty() && !in.savepoint_applied) {
    if (!in.savepoint) {
      return NotFound(fmt::format("savepoint '{}' has no partition {} (TA_RESTORE_FROM)",
                                  in.restore_from, partition));
    }
    plan.from = StartFrom::kSavepoint;
    plan.state = in.savepoint;
    plan.adopt_savepoint = true;
    plan.description = "savepoint " + in.restore_from;
    return plan;
  }
  if (in.checkpoint) {
    plan.from = StartFrom::kCheckpoint;
    plan.state = in.checkpoint;
    plan.description = "checkpoint";
    return plan;
  }
  bool any_committed = false;
  for (int k = 0; k < ta::kInputKinds; ++k) {
    const TopicStart& t = in.topics[k];
    const bool committed = t.committed >= 0;
    any_committed = any_committed || committed;
    const int64_t start =
        committed ? t.committed : (in.reset == bus::OffsetReset::kEarliest ? t.low : t.high);
    plan.offsets[k] = std::clamp(start, t.low, std::max(t.low, t.high));
  }
  plan.from = any_committed ? StartFrom::kCommittedOffsets : StartFrom::kOffsetReset;
  plan.description =
      any_committed ? "committed offsets"
                    : fmt::format("auto offset reset ({})",
                                  in.reset == bus::OffsetReset::kEarliest ? "earliest" : "latest");
  return plan;
}

}  // namespace torghut::processor
