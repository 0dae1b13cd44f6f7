// ObjectStore over a local directory: key "a/b/c" is the file <root>/a/b/c.
//
//   LocalObjectStore store("/var/lib/torghut/checkpoints");
//   TORGHUT_RETURN_IF_ERROR(store.Put("savepoints/s1/partition-0.tacp", bytes));
//
// Put writes a temp file beside the target, fdatasyncs, renames it over the target and fsyncs the
// directory (io/atomic_file.h), creating directories as needed. Temp files left by a crash in the
// middle of a Put ("<name>.tmp<pid>") are not objects: List skips them. Several processes may
// share the directory.
#pragma once

#include <filesystem>

#include "torghut/object_store/object_store.h"

namespace torghut::object_store {

class LocalObjectStore final : public ObjectStore {
 public:
  explicit LocalObjectStore(std::filesystem::path root) : root_(std::move(root)) {}

  Status Put(std::string_view key, std::string_view bytes) override;
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe(std::string_view key) const override;
  bool remote() const override { return false; }

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace torghut::object_store
