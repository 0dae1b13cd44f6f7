// A savepoint of a whole running TA group, asked for from outside it (`torghut ta savepoint`):
// the request goes into the group's checkpoint directory, every member writes the partitions it
// owns (after a checkpoint, so the savepoint's rows are durable), and this waits until all of the
// input topic's partitions are there.
//
//   TORGHUT_ASSIGN_OR_RETURN(GroupSavepoint sp, TakeGroupSavepoint(checkpoints, partitions, "sp1",
//                                                                 std::chrono::seconds(60)));
//   if (!sp.missing.empty()) { /* timed out: is the group running, is its store healthy? */ }
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/processor/checkpoint_store.h"

namespace torghut::processor {

struct GroupSavepoint {
  std::vector<int32_t> missing;  // partitions not written before the deadline (empty: complete)
};

// `partitions`: every partition index of the group's input topics. The request is withdrawn when
// this returns, complete or not. kInvalidArgument for a bad name, kAlreadyExists when a savepoint
// (or a request) of that name exists.
Result<GroupSavepoint> TakeGroupSavepoint(CheckpointStore& checkpoints,
                                          const std::vector<int32_t>& partitions,
                                          std::string_view name, std::chrono::milliseconds timeout);

}  // namespace torghut::processor
