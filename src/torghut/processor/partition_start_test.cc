// Each branch of where a partition starts, without a bus or a checkpoint directory.
#include "torghut/processor/partition_start.h"

#include <gtest/gtest.h>

namespace torghut::processor {
namespace {

StartInputs Topics(int64_t committed_trades, int64_t committed_quotes, int64_t committed_bars) {
  StartInputs in;
  in.topics = {TopicStart{10, 100, committed_trades}, TopicStart{20, 200, committed_quotes},
               TopicStart{0, 5, committed_bars}};
  return in;
}

TEST(PartitionStart, ASavepointNamedByRestoreFromComesFirstAndOnlyOnce) {
  StartInputs in = Topics(50, 60, 3);
  in.restore_from = "sp1";
  in.savepoint = "SAVEPOINT";
  in.checkpoint = "CHECKPOINT";
  StartPlan plan = PlanPartitionStart(2, in).value();
  EXPECT_EQ(plan.from, StartFrom::kSavepoint);
  EXPECT_EQ(plan.state, "SAVEPOINT");
  EXPECT_TRUE(plan.adopt_savepoint);
  EXPECT_EQ(plan.description, "savepoint sp1");
  // Once applied, the partition continues from its checkpoints.
  in.savepoint_applied = true;
  plan = PlanPartitionStart(2, in).value();
  EXPECT_EQ(plan.from, StartFrom::kCheckpoint);
  EXPECT_EQ(plan.state, "CHECKPOINT");
  EXPECT_FALSE(plan.adopt_savepoint);
}

TEST(PartitionStart, ASavepointWithoutThisPartitionIsAnError) {
  StartInputs in = Topics(-1, -1, -1);
  in.restore_from = "sp1";
  in.checkpoint = "CHECKPOINT";  // not used in its place: the operator asked for the savepoint
  Result<StartPlan> plan = PlanPartitionStart(4, in);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_NE(plan.status().message().find("'sp1' has no partition 4"), std::string::npos);
}

TEST(PartitionStart, TheNewestCheckpointBeatsCommittedOffsets) {
  StartInputs in = Topics(50, 60, 3);
  in.checkpoint = "CHECKPOINT";
  const StartPlan plan = PlanPartitionStart(0, in).value();
  EXPECT_EQ(plan.from, StartFrom::kCheckpoint);
  EXPECT_EQ(plan.state, "CHECKPOINT");
  EXPECT_EQ(plan.description, "checkpoint");
}

TEST(PartitionStart, CommittedOffsetsWithAFreshEngineAndResetForATopicWithout) {
  StartInputs in = Topics(50, -1, 3);
  in.reset = bus::OffsetReset::kEarliest;
  StartPlan plan = PlanPartitionStart(0, in).value();
  EXPECT_EQ(plan.from, StartFrom::kCommittedOffsets);
  EXPECT_FALSE(plan.state.has_value());
  EXPECT_EQ(plan.offsets, (std::array<int64_t, 3>{50, 20, 3}));
  EXPECT_EQ(plan.description, "committed offsets");
  // A committed offset the bus no longer holds (retention) is clamped into what it has.
  in = Topics(2, 500, 3);
  plan = PlanPartitionStart(0, in).value();
  EXPECT_EQ(plan.offsets, (std::array<int64_t, 3>{10, 200, 3}));
}

TEST(PartitionStart, AutoOffsetResetWhenNothingIsStored) {
  StartInputs in = Topics(-1, -1, -1);
  in.reset = bus::OffsetReset::kLatest;
  StartPlan plan = PlanPartitionStart(1, in).value();
  EXPECT_EQ(plan.from, StartFrom::kOffsetReset);
  EXPECT_EQ(plan.offsets, (std::array<int64_t, 3>{100, 200, 5}));
  EXPECT_EQ(plan.description, "auto offset reset (latest)");
  in.reset = bus::OffsetReset::kEarliest;
  plan = PlanPartitionStart(1, in).value();
  EXPECT_EQ(plan.offsets, (std::array<int64_t, 3>{10, 20, 0}));
  EXPECT_EQ(plan.description, "auto offset reset (earliest)");
}

}  // namespace
}  // namespace torghut::processor
