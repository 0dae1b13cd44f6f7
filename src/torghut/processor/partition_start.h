// Where a partition starts when this member is assigned it (docs/adr/006): the rule, as a pure
// function of what the checkpoint directory and the bus say, so each branch is testable alone.
//
//   StartInputs in;
//   in.restore_from = config.restore_from;                 // TA_RESTORE_FROM, "" when unset
//   in.savepoint_applied = checkpoints.SavepointApplied(in.restore_from, p);
//   in.savepoint = ...; in.checkpoint = checkpoints.Latest(p); in.offsets[k] = {low, high,
//   committed}; TORGHUT_ASSIGN_OR_RETURN(StartPlan plan, PlanPartitionStart(p, in)); if
//   (plan.state) processor.Restore(*plan.state); else processor.SetNextOffset(k, plan.offsets[k]);
//
// In order: the savepoint named by TA_RESTORE_FROM, once per partition (afterwards the partition
// continues from checkpoints, whoever owns it); else the group's newest checkpoint; else, per
// topic, the committed offset with a fresh engine; else TA_AUTO_OFFSET_RESET (earliest | latest).
// Offsets are clamped into what the bus still holds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "torghut/bus/bus.h"
#include "torghut/core/status.h"
#include "torghut/ta/input_merge.h"

namespace torghut::processor {

enum class StartFrom : uint8_t {
  kSavepoint,         // TA_RESTORE_FROM, first time for this partition
  kCheckpoint,        // the group's newest checkpoint
  kCommittedOffsets,  // no state: committed offsets (reset for a topic without one)
  kOffsetReset,       // no state, nothing committed: TA_AUTO_OFFSET_RESET
};

// A topic partition's bounds and the group's committed offset (-1: none).
struct TopicStart {
  int64_t low = 0, high = 0;
  int64_t committed = -1;
};

struct StartInputs {
  std::string restore_from;               // TA_RESTORE_FROM; "" when unset
  bool savepoint_applied = false;         // the partition already continued from it once
  std::optional<std::string> savepoint;   // its bytes for this partition (when applicable)
  std::optional<std::string> checkpoint;  // the group's newest checkpoint of this partition
  std::array<TopicStart, ta::kInputKinds> topics{};
  bus::OffsetReset reset = bus::OffsetReset::kLatest;
};

struct StartPlan {
  StartFrom from = StartFrom::kOffsetReset;
  // The state to restore (savepoint or checkpoint); positions come from it.
  std::optional<std::string> state;
  // Without state: where each topic starts.
  std::array<int64_t, ta::kInputKinds> offsets{};
  // kSavepoint: write the state as the partition's checkpoint and mark the savepoint applied.
  bool adopt_savepoint = false;
  // For the log line: "savepoint NAME", "checkpoint", "committed offsets", "auto offset reset
  // (earliest)".
  std::string description;
};

// kNotFound when TA_RESTORE_FROM names a savepoint that has no such partition.
Result<StartPlan> PlanPartitionStart(int32_t partition, const StartInputs& in);

}  // namespace torghut::processor
