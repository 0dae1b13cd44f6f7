// The embedded bus's consumer-group protocol on its own: range assignment, membership with dead
// members cleaned up, exclusive partition ownership, and committed offsets.
#include "torghut/bus/embedded/internal/consumer_group.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "torghut/testing/test_support.h"

namespace torghut::bus::embedded {
namespace {

std::vector<int32_t> Partitions(const std::vector<TopicPartition>& tps) {
  std::vector<int32_t> out;
  for (const TopicPartition& tp : tps) {
    EXPECT_EQ(tp.topic, "t");
    out.push_back(tp.partition);
  }
  return out;
}

TEST(RangeAssignmentTest, ContiguousSharesTheFirstMembersTakingOneMore) {
  EXPECT_EQ(Partitions(RangeAssignment("t", 5, 0, 2)), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Partitions(RangeAssignment("t", 5, 1, 2)), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(Partitions(RangeAssignment("t", 4, 0, 1)), (std::vector<int32_t>{0, 1, 2, 3}));
  // More members than partitions: the last ones get nothing.
  EXPECT_EQ(Partitions(RangeAssignment("t", 2, 1, 3)), (std::vector<int32_t>{1}));
  EXPECT_TRUE(RangeAssignment("t", 2, 2, 3).empty());
  // Every partition exactly once over all members.
  for (size_t members = 1; members <= 7; ++members) {
    std::vector<int32_t> all;
    for (size_t i = 0; i < members; ++i) {
      for (int32_t p : Partitions(RangeAssignment("t", 12, i, members))) all.push_back(p);
    }
    std::vector<int32_t> want(12);
    for (int32_t p = 0; p < 12; ++p) want[static_cast<size_t>(p)] = p;
    EXPECT_EQ(all, want) << members;
  }
  EXPECT_TRUE(RangeAssignment("t", 4, 0, 0).empty());
}

TEST(GroupMemberTest, LiveMembersAreSortedAndADeadMembersFileIsRemoved) {
  testing::ScratchDir dir("torghut-group");
  GroupMember a(dir.path() / "g"), b(dir.path() / "g");
  ASSERT_TRUE(a.Join({"trades"}).ok());
  ASSERT_TRUE(b.Join({"trades"}).ok());
  EXPECT_LT(a.id(), b.id());  // ids sort by join time
  EXPECT_EQ(a.LiveMembers(), (std::vector<std::string>{a.id(), b.id()}));
  std::ifstream listed(dir.path() / "g" / "members" / a.id());
  std::string topic;
  listed >> topic;
  EXPECT_EQ(topic, "trades");
  // A member file that nobody holds belongs to a process that died.
  const auto dead = dir.path() / "g" / "members" / "00000000000000000001-1-0";
  std::ofstream(dead) << "trades\n";
  EXPECT_EQ(b.LiveMembers(), (std::vector<std::string>{a.id(), b.id()}));
  EXPECT_FALSE(std::filesystem::exists(dead));
  a.Leave();
  EXPECT_FALSE(a.joined());
  EXPECT_EQ(b.LiveMembers(), (std::vector<std::string>{b.id()}));
  a.Leave();  // idempotent
}

TEST(OwnerLockTest, OnePartitionHasOneOwnerAtATime) {
  testing::ScratchDir dir("torghut-owner");
  const TopicPartition tp{"trades", 3};
  std::unique_ptr<OwnerLock> first = OwnerLock::TryTake(dir.path(), tp);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(OwnerLock::TryTake(dir.path(), tp), nullptr);
  EXPECT_NE(OwnerLock::TryTake(dir.path(), {"trades", 4}), nullptr);
  first.reset();
  EXPECT_NE(OwnerLock::TryTake(dir.path(), tp), nullptr);
}

TEST(CommittedOffsetTest, RoundTripsAndAnUnreadableFileMeansNone) {
  testing::ScratchDir dir("torghut-offsets");
  const TopicPartition tp{"trades", 0};
  EXPECT_EQ(CommittedOffset(dir.path(), tp), -1);
  ASSERT_TRUE(CommitOffset(dir.path(), tp, 42).ok());
  EXPECT_EQ(CommittedOffset(dir.path(), tp), 42);
  ASSERT_TRUE(CommitOffset(dir.path(), tp, 7).ok());
  EXPECT_EQ(CommittedOffset(dir.path(), tp), 7);
  EXPECT_EQ(CommittedOffset(dir.path(), {"trades", 1}), -1);
  std::ofstream(dir.path() / "trades.1.offset") << "garbage";
  EXPECT_EQ(CommittedOffset(dir.path(), {"trades", 1}), -1);
}

}  // namespace
}  // namespace torghut::bus::embedded
