// Where the TA service keeps checkpoints and savepoints (TA_CHECKPOINT_DIR: a local directory or
// s3://bucket/prefix, object_store/):
//
//   <dir>/groups/<group>/partition-<p>/checkpoint-<n>.tacp   n grows by one per checkpoint
//   <dir>/groups/<group>/partition-<p>/restored-<name>       savepoint <name> was applied here
//   <dir>/groups/<group>/savepoint-requests/<name>           `torghut ta savepoint` asks for one
//   <dir>/savepoints/<name>/partition-<p>.tacp               kept until deleted by hand
//
//   CheckpointStore local("/var/lib/torghut/checkpoints", "torghut-ta-live");
//   CheckpointStore shared(std::make_shared<object_store::S3ObjectStore>(s3), "torghut-ta-live");
//   TORGHUT_RETURN_IF_ERROR(shared.Write(0, state));
//
// Checkpoints belong to a consumer group (a replay's group never touches the live group's state);
// savepoints belong to nobody and can seed any group (TA_RESTORE_FROM).
//
// Objects are written atomically (object_store.h: a local temp + fsync + rename + directory fsync,
// or one S3 PUT), so a crash leaves the previous checkpoint or the new one, never a torn one.
// Several processes of one consumer group may share the location (one directory, or one bucket
// prefix from different machines): each writes only the partitions it owns, and the newest
// checkpoint of a partition is what the next owner restores — that is how state follows a
// partition on rebalance. Errors keep the store's classes (kUnauthenticated, kUnavailable, …).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/object_store/object_store.h"

namespace torghut::processor {

class CheckpointStore {
 public:
  // `keep`: checkpoints kept per partition (older ones are pruned after each write).
  CheckpointStore(std::shared_ptr<object_store::ObjectStore> objects, std::string group,
                  int keep = 3)
      : objects_(std::move(objects)), group_key_("groups/" + group), keep_(keep) {}
  // A local directory.
  CheckpointStore(const std::filesystem::path& dir, std::string group, int keep = 3);

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
  // An error (store unreachable) is not "not applied": applying a savepoint twice would rewind.
  Result<bool> SavepointApplied(std::string_view name, int32_t partition) const;
  Status MarkSavepointApplied(std::string_view name, int32_t partition);

  // Savepoint requests for every member of the group (`torghut ta savepoint`, POST /savepoint),
  // oldest first. A bad or existing name is refused (kInvalidArgument, kAlreadyExists).
  Status RequestSavepoint(std::string_view name);
  std::vector<std::string> PendingSavepointRequests() const;
  void DropSavepointRequest(std::string_view name);

  // One cheap request that proves the location can be read with the configured credentials.
  Status Probe() const;
  // Where `key` is (a path, an s3:// URL), e.g. Describe("savepoints") for messages.
  std::string Describe(std::string_view key) const { return objects_->Describe(key); }
  bool remote() const { return objects_->remote(); }

 private:
  std::string PartitionKey(int32_t partition) const;
  // Checkpoint numbers present for a partition, ascending.
  Result<std::vector<int64_t>> Numbers(int32_t partition) const;

  std::shared_ptr<object_store::ObjectStore> objects_;
  std::string group_key_;  // "groups/<group>"
  int keep_;
};

Status ValidateSavepointName(std::string_view name);

}  // namespace torghut::processor
