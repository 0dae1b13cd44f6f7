// The embedded bus's consumer-group protocol on disk, with no coordinator (the layout is in
// embedded_bus.h): membership by flock'ed member files, range assignment over the sorted live
// members, a flock'ed owner file per partition so two members never read one partition at once,
// and committed offsets replaced atomically. Private to bus/embedded/.
//
//   GroupMember me(groups_dir / "ta");
//   TORGHUT_RETURN_IF_ERROR(me.Join({"trades"}));
//   std::vector<std::string> live = me.LiveMembers();            // sorted, this member included
//   size_t i = std::find(live.begin(), live.end(), me.id()) - live.begin();
//   for (const TopicPartition& tp : RangeAssignment("trades", 4, i, live.size())) {
//     std::unique_ptr<OwnerLock> lock = OwnerLock::TryTake(me.dir(), tp);   // null: still held
//   }
//   TORGHUT_RETURN_IF_ERROR(CommitOffset(me.dir(), {"trades", 0}, 42));
//   int64_t next = CommittedOffset(me.dir(), {"trades", 0});      // 42; -1 when none
//
// A member whose process died leaves a member file nobody holds: the next LiveMembers() of any
// member takes its lock and removes it. Not thread-safe (one consumer's thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/status.h"

namespace torghut::bus::embedded {

class GroupMember {
 public:
  explicit GroupMember(std::filesystem::path group_dir);
  ~GroupMember();  // Leave()
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;

  // Registers this member: a member file named by a fresh id (time, pid, counter) listing
  // `topics`, flock'ed for as long as the member lives.
  Status Join(const std::vector<std::string>& topics);
  // Removes the member file and lets go of its lock. Idempotent.
  void Leave();
  bool joined() const { return fd_ >= 0; }

  // The live members' ids, sorted; removes the files of dead members.
  std::vector<std::string> LiveMembers() const;

  const std::string& id() const { return id_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string id_;
  int fd_ = -1;
};

// Member `index` of `members` takes a contiguous share of a topic's `partitions`, the first
// (partitions % members) members one more.
std::vector<TopicPartition> RangeAssignment(const std::string& topic, int32_t partitions,
                                            size_t index, size_t members);

// The exclusive right to read one partition for a group, held while this object lives.
class OwnerLock {
 public:
  // nullptr while another member (of any process) holds it.
  static std::unique_ptr<OwnerLock> TryTake(const std::filesystem::path& group_dir,
                                            const TopicPartition& tp);
  ~OwnerLock();
  OwnerLock(const OwnerLock&) = delete;
  OwnerLock& operator=(const OwnerLock&) = delete;

 private:
  explicit OwnerLock(int fd) : fd_(fd) {}
  int fd_;
};

// The group's committed position of a partition (the next offset to read); -1 when none.
int64_t CommittedOffset(const std::filesystem::path& group_dir, const TopicPartition& tp);
// Replaces it, durably (fsync'ed before it counts).
Status CommitOffset(const std::filesystem::path& group_dir, const TopicPartition& tp,
                    int64_t offset);

}  // namespace torghut::bus::embedded
