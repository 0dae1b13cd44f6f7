// Where the TA service keeps checkpoints and savepoints (TA_CHECKPOINT_DIR):
//
//   <dir>/groups/<group>/partition-<p>/checkpoint-<n>.tacp   n grows by one per checkpoint
//   <dir>/groups/<group>/partition-<p>/restored-<name>       savepoint <name> was applied here
//   <dir>/groups/<group>/savepoint-requests/<name>           `torghut ta savepoint` asks for one
//   <dir>/savepoints/<name>/partition-<p>.tacp               kept until deleted by hand
//
// Checkpoints belong to a consumer group (a replay's group never touches the live group's state);
// savepoints belong to nobody and can seed any group (TA_RESTORE_FROM).
//
// Files are written atomically (temp + fsync + rename + directory fsync), so a crash leaves the
// previous checkpoint or the new one, never a torn file. Several processes of one consumer group
// may share the directory: each writes only the partitions it owns, and the newest checkpoint of a
// partition is what the next owner restores — that is how state follows a partition on rebalance.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::processor {

class CheckpointStore {
 public:
  // `keep`: checkpoints kept per partition (older ones are pruned after each write).
  CheckpointStore(std::filesystem::path dir, std::string group, int keep = 3)
      : dir_(std::move(dir)), group_dir_(dir_ / "groups" / group), keep_(keep) {}

  Status Write(int32_t partition, std::string_view bytes);
  // The newest checkpoint of `partition`, if any.
  Result<std::optional<std::string>> Latest(int32_t partition) const;

  // Savepoint names are [A-Za-z0-9._-]{1,64}.
  Status WriteSavepoint(std::string_view name, int32_t partition, std::string_view bytes);
  Result<std::optional<std::string>> ReadSavepoint(std::string_view name, int32_t partition) const;
  bool SavepointExists(std::string_view name) const;
  bool SavepointHasPartition(std::string_view name, int32_t partition) const;
  Result<std::vector<std::string>> ListSavepoints() const;

  // TA_RESTORE_FROM is applied to a partition once: the first owner that restores it leaves a
  // marker, and every later owner (after restarts and rebalances) continues from checkpoints.
  bool SavepointApplied(std::string_view name, int32_t partition) const;
  Status MarkSavepointApplied(std::string_view name, int32_t partition);

  // Savepoint requests for every member of the group (`torghut ta savepoint`, POST /savepoint),
  // oldest first. A bad or existing name is refused (kInvalidArgument, kAlreadyExists).
  Status RequestSavepoint(std::string_view name);
  std::vector<std::string> PendingSavepointRequests() const;
  void DropSavepointRequest(std::string_view name);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path PartitionDir(int32_t partition) const;
  // Checkpoint numbers present for a partition, ascending.
  std::vector<int64_t> Numbers(int32_t partition) const;

  std::filesystem::path dir_;
  std::filesystem::path group_dir_;
  int keep_;
};

Status ValidateSavepointName(std::string_view name);

}  // namespace torghut::processor
