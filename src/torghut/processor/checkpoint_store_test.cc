// Checkpoints: newest wins, old ones pruned, savepoints kept and never mixed between groups — the
// same on a local directory and on an S3 bucket (s3rver, SigV4 verified).
#include "torghut/processor/checkpoint_store.h"

#include <gtest/gtest.h>

#include "torghut/object_store/local_object_store.h"
#include "torghut/object_store/s3_object_store.h"
#include "torghut/testing/s3_test_server.h"
#include "torghut/testing/test_support.h"

namespace torghut::processor {
namespace {

// One s3rver for the whole program (each test uses its own prefix); stopped at exit.
testing::S3TestServer& Server() {
  static testing::ScratchDir dir("torghut-ckpt-s3");
  static testing::S3TestServer server(dir.path() / "s3");
  static const bool started = [] {
    const bool ok = server.Start();
    EXPECT_TRUE(ok) << server.log();
    return ok;
  }();
  (void)started;
  return server;
}

class CheckpointStoreOn : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      objects_ = std::make_shared<object_store::LocalObjectStore>(dir_.path());
    } else {
      static int n = 0;
      objects_ = std::make_shared<object_store::S3ObjectStore>(
          Server().Config("ckpt/" + std::to_string(::getpid()) + "-" + std::to_string(++n)));
    }
  }
  CheckpointStore Store(const std::string& group, int keep = 3) {
    return CheckpointStore(objects_, group, keep);
  }
  testing::ScratchDir dir_{"torghut-ckpt"};
  std::shared_ptr<object_store::ObjectStore> objects_;
};

TEST_P(CheckpointStoreOn, NewestWinsAndOldOnesArePruned) {
  CheckpointStore store = Store("g1", /*keep=*/2);
  EXPECT_FALSE(store.Latest(0).value().has_value());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(store.Write(0, "state-" + std::to_string(i)).ok());
  EXPECT_EQ(store.Latest(0).value().value(), "state-5");
  EXPECT_FALSE(store.Latest(1).value().has_value());
  const auto kept = objects_->List("groups/g1/partition-0/").value();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].key, "groups/g1/partition-0/checkpoint-00000000000000000004.tacp");
  EXPECT_EQ(kept[1].key, "groups/g1/partition-0/checkpoint-00000000000000000005.tacp");
  // Another group has its own checkpoints.
  CheckpointStore other = Store("g2");
  EXPECT_FALSE(other.Latest(0).value().has_value());
  ASSERT_TRUE(other.Write(0, "g2-state").ok());
  EXPECT_EQ(store.Latest(0).value().value(), "state-5");
}

TEST_P(CheckpointStoreOn, SavepointsAreKeptSharedAndApplyOnce) {
  CheckpointStore g1 = Store("g1");
  ASSERT_TRUE(g1.WriteSavepoint("before-deploy", 2, "sp-state").ok());
  EXPECT_TRUE(g1.SavepointExists("before-deploy"));
  EXPECT_FALSE(g1.SavepointExists("before"));
  EXPECT_TRUE(g1.SavepointHasPartition("before-deploy", 2));
  EXPECT_FALSE(g1.SavepointHasPartition("before-deploy", 0));
  EXPECT_FALSE(g1.SavepointHasPartition("before-deploy", 20));
  CheckpointStore g2 = Store("g2");
  EXPECT_EQ(g2.ReadSavepoint("before-deploy", 2).value().value(), "sp-state");
  EXPECT_FALSE(g2.ReadSavepoint("before-deploy", 0).value().has_value());
  ASSERT_TRUE(g1.WriteSavepoint("a-first", 0, "x").ok());
  EXPECT_EQ(g2.ListSavepoints().value(), (std::vector<std::string>{"a-first", "before-deploy"}));
  EXPECT_FALSE(g2.SavepointApplied("before-deploy", 2).value());
  ASSERT_TRUE(g2.MarkSavepointApplied("before-deploy", 2).ok());
  EXPECT_TRUE(g2.SavepointApplied("before-deploy", 2).value());
  EXPECT_FALSE(g2.SavepointApplied("before", 2).value());
  EXPECT_FALSE(g1.SavepointApplied("before-deploy", 2).value());
  for (const char* bad : {"", "..", "a/b", "x y", "ü"}) {
    EXPECT_EQ(g1.WriteSavepoint(bad, 0, "x").code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_P(CheckpointStoreOn, SavepointRequestsAreSeenOnceWrittenAndDropped) {
  CheckpointStore store = Store("g1");
  EXPECT_TRUE(store.PendingSavepointRequests().empty());
  ASSERT_TRUE(store.RequestSavepoint("first").ok());
  EXPECT_EQ(store.PendingSavepointRequests(), std::vector<std::string>{"first"});
  // Every member of the group sees it (another store object on the same location).
  EXPECT_EQ(Store("g1").PendingSavepointRequests(), std::vector<std::string>{"first"});
  EXPECT_TRUE(Store("g2").PendingSavepointRequests().empty());
  store.DropSavepointRequest("first");
  EXPECT_TRUE(store.PendingSavepointRequests().empty());
  EXPECT_EQ(store.RequestSavepoint("no/slashes").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store.WriteSavepoint("taken", 0, "x").ok());
  EXPECT_EQ(store.RequestSavepoint("taken").code(), StatusCode::kAlreadyExists);
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckpointStoreOn, ::testing::Values("local", "s3"),
                         [](const auto& p) { return p.param; });

TEST(CheckpointStoreLocal, FilesOfAnInterruptedWriteAreIgnored) {
  testing::ScratchDir dir("torghut-ckpt");
  CheckpointStore store(dir.path(), "g1");
  ASSERT_TRUE(store.Write(0, "state-1").ok());
  // Temp files left by a crash in the middle of a write are neither checkpoints nor requests.
  testing::WriteFile(dir.path() / "groups/g1/partition-0/checkpoint-99.tacp.tmp123", "torn");
  EXPECT_EQ(store.Latest(0).value().value(), "state-1");
  ASSERT_TRUE(store.Write(0, "state-2").ok());
  EXPECT_EQ(store.Latest(0).value().value(), "state-2");
  testing::WriteFile(dir.path() / "groups/g1/savepoint-requests/second.tmp42", "");
  EXPECT_TRUE(store.PendingSavepointRequests().empty());
}

TEST(CheckpointStoreS3, AWrongSecretIsAnAuthErrorAndWritesNothing) {
  object_store::S3Config c = Server().Config("ckpt-auth-" + std::to_string(::getpid()));
  object_store::S3Config wrong = c;
  wrong.secret_access_key = "wrong";
  CheckpointStore refused(std::make_shared<object_store::S3ObjectStore>(wrong), "g1");
  EXPECT_EQ(refused.Probe().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.Write(0, "x").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.Latest(0).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.SavepointApplied("sp", 0).status().code(), StatusCode::kUnauthenticated);
  CheckpointStore right(std::make_shared<object_store::S3ObjectStore>(c), "g1");
  EXPECT_TRUE(right.Probe().ok());
  EXPECT_FALSE(right.Latest(0).value().has_value());
}

}  // namespace
}  // namespace torghut::processor
