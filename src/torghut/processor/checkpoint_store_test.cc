// Checkpoint files: newest wins, old ones pruned, savepoints kept and never mixed between groups.
#include "torghut/processor/checkpoint_store.h"

#include <gtest/gtest.h>

#include "torghut/testing/test_support.h"

namespace torghut::processor {
namespace {

TEST(CheckpointStore, NewestWinsAndOldOnesArePruned) {
  testing::ScratchDir dir("torghut-ckpt");
  CheckpointStore store(dir.path(), "g1", /*keep=*/2);
  EXPECT_FALSE(store.Latest(0).value().has_value());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(store.Write(0, "state-" + std::to_string(i)).ok());
  EXPECT_EQ(store.Latest(0).value().value(), "state-5");
  EXPECT_FALSE(store.Latest(1).value().has_value());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "groups/g1/partition-0")) {
    files += e.path().extension() == ".tacp" ? 1 : 0;
  }
  EXPECT_EQ(files, 2);
  // A temp file left by a crash in the middle of a write is not a checkpoint.
  testing::WriteFile(dir.path() / "groups/g1/partition-0/checkpoint-99.tacp.tmp123", "torn");
  EXPECT_EQ(store.Latest(0).value().value(), "state-5");
  // Another group has its own checkpoints.
  CheckpointStore other(dir.path(), "g2");
  EXPECT_FALSE(other.Latest(0).value().has_value());
}

TEST(CheckpointStore, SavepointsAreKeptSharedAndApplyOnce) {
  testing::ScratchDir dir("torghut-ckpt");
  CheckpointStore g1(dir.path(), "g1");
  ASSERT_TRUE(g1.WriteSavepoint("before-deploy", 2, "sp-state").ok());
  EXPECT_TRUE(g1.SavepointExists("before-deploy"));
  EXPECT_TRUE(g1.SavepointHasPartition("before-deploy", 2));
  EXPECT_FALSE(g1.SavepointHasPartition("before-deploy", 0));
  CheckpointStore g2(dir.path(), "g2");
  EXPECT_EQ(g2.ReadSavepoint("before-deploy", 2).value().value(), "sp-state");
  EXPECT_EQ(g2.ListSavepoints().value(), std::vector<std::string>{"before-deploy"});
  EXPECT_FALSE(g2.SavepointApplied("before-deploy", 2));
  ASSERT_TRUE(g2.MarkSavepointApplied("before-deploy", 2).ok());
  EXPECT_TRUE(g2.SavepointApplied("before-deploy", 2));
  EXPECT_FALSE(g1.SavepointApplied("before-deploy", 2));
  for (const char* bad : {"", "..", "a/b", "x y", "ü"}) {
    EXPECT_EQ(g1.WriteSavepoint(bad, 0, "x").code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(CheckpointStore, SavepointRequestsAreSeenOnceWrittenAndDropped) {
  testing::ScratchDir dir("torghut-ckpt");
  CheckpointStore store(dir.path(), "g1");
  EXPECT_TRUE(store.PendingSavepointRequests().empty());
  ASSERT_TRUE(store.RequestSavepoint("first").ok());
  testing::WriteFile(dir.path() / "groups/g1/savepoint-requests/second.tmp42", "");
  EXPECT_EQ(store.PendingSavepointRequests(), std::vector<std::string>{"first"});
  store.DropSavepointRequest("first");
  EXPECT_TRUE(store.PendingSavepointRequests().empty());
  EXPECT_EQ(store.RequestSavepoint("no/slashes").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace torghut::processor
