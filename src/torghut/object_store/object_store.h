// Where durable blobs live: a local directory or an S3-compatible bucket, behind one small seam.
//
//   std::unique_ptr<ObjectStore> store = std::make_unique<LocalObjectStore>("/var/lib/torghut");
//   TORGHUT_RETURN_IF_ERROR(store->Put("groups/g/partition-0/checkpoint-1.tacp", bytes));
//   TORGHUT_ASSIGN_OR_RETURN(std::optional<std::string> got, store->Get("groups/g/x"));
//   TORGHUT_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, store->List("groups/g/"));
//
// Keys are '/'-separated relative names ([A-Za-z0-9._-] segments, no "." or ".."); List takes a
// plain key prefix (not a directory) and returns every key that starts with it, sorted by key.
//
// Contract shared by every backend:
//   - Put is atomic from any reader's view: a Get or List sees the old object or the new one,
//     never a torn one (local: temp + fsync + rename + directory fsync; S3: a PUT is atomic).
//     Once Put returns OK the object is durable.
//   - Get of a missing key is nullopt, not an error; Delete of a missing key is OK.
//   - Errors are classified by code: kUnauthenticated (credentials refused: a wrong key or
//     secret), kUnavailable (unreachable, no such bucket, or still failing after retries),
//     kResourceExhausted (disk full), anything else for a bad request. Messages name the key and
//     the server's error code, never a credential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::object_store {

struct ObjectInfo {
  std::string key;
  int64_t modified_ms = 0;  // last write, Unix milliseconds (S3: LastModified)
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Status Put(std::string_view key, std::string_view bytes) = 0;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Where `key` is, for messages ("/data/checkpoints/groups/g", "s3://bucket/prefix/groups/g").
  virtual std::string Describe(std::string_view key) const = 0;
  // True for a store across the network (its outages are checkpoint_unavailable, not a local
  // write failure).
  virtual bool remote() const = 0;
};

}  // namespace torghut::object_store
