#include "torghut/processor/checkpoint_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "torghut/object_store/local_object_store.h"

namespace torghut::processor {
namespace {

constexpr std::string_view kPrefix = "checkpoint-";
constexpr std::string_view kSuffix = ".tacp";

std::string SavepointKey(std::string_view name, int32_t partition) {
  return fmt::format("savepoints/{}/partition-{}{}", name, partition, kSuffix);
}

}  // namespace

Status ValidateSavepointName(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 64 &&
                  std::all_of(name.begin(), name.end(),
                              [](char c) {
                                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                              }) &&
                  name != "." && name != "..";
  if (ok) return Status::Ok();
  return InvalidArgument(
      fmt::format("savepoint name '{}' must match [A-Za-z0-9._-]{{1,64}}", name.substr(0, 80)));
}

CheckpointStore::CheckpointStore(const std::filesystem::path& dir, std::string group, int keep)
    : CheckpointStore(std::make_shared<object_store::LocalObjectStore>(dir), std::move(group),
                      keep) {}

std::string CheckpointStore::PartitionKey(int32_t partition) const {
  return fmt::format("{}/partition-{}", group_key_, partition);
}

Result<std::vector<int64_t>> CheckpointStore::Numbers(int32_t partition) const {
  const std::string prefix = fmt::format("{}/{}", PartitionKey(partition), kPrefix);
  TORGHUT_ASSIGN_OR_RETURN(std::vector<object_store::ObjectInfo> objects, objects_->List(prefix));
  std::vector<int64_t> out;
  for (const auto& o : objects) {
    const std::string_view name = std::string_view(o.key).substr(prefix.size());
    if (name.size() <= kSuffix.size() ||
        name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;  // strangers
    }
    int64_t n = 0;
    const char* b = name.data();
    const char* e = name.data() + name.size() - kSuffix.size();
    if (std::from_chars(b, e, n).ptr == e) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckpointStore::Write(int32_t partition, std::string_view bytes) {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<int64_t> numbers, Numbers(partition));
  const int64_t next = numbers.empty() ? 1 : numbers.back() + 1;
  auto key = [&](int64_t n) {
    return fmt::format("{}/{}{:020}{}", PartitionKey(partition), kPrefix, n, kSuffix);
  };
  TORGHUT_RETURN_IF_ERROR(objects_->Put(key(next), bytes));
  numbers.push_back(next);
  for (size_t i = 0; i + static_cast<size_t>(keep_) < numbers.size(); ++i) {
    (void)objects_->Delete(key(numbers[i]));  // pruning is best effort: the next write retries
  }
  return Status::Ok();
}

Result<std::optional<std::string>> CheckpointStore::Latest(int32_t partition) const {
  TORGHUT_ASSIGN_OR_RETURN(const std::vector<int64_t> numbers, Numbers(partition));
  if (numbers.empty()) return std::optional<std::string>();
  return objects_->Get(
      fmt::format("{}/{}{:020}{}", PartitionKey(partition), kPrefix, numbers.back(), kSuffix));
}

Status CheckpointStore::WriteSavepoint(std::string_view name, int32_t partition,
                                       std::string_view bytes) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  return objects_->Put(SavepointKey(name, partition), bytes);
}

Result<std::optional<std::string>> CheckpointStore::ReadSavepoint(std::string_view name,
                                                                  int32_t partition) const {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  return objects_->Get(SavepointKey(name, partition));
}

bool CheckpointStore::SavepointExists(std::string_view name) const {
  if (!ValidateSavepointName(name).ok()) return false;
  auto found = objects_->List(fmt::format("savepoints/{}/", name));
  return found.ok() && !found->empty();
}

bool CheckpointStore::SavepointHasPartition(std::string_view name, int32_t partition) const {
  if (!ValidateSavepointName(name).ok()) return false;
  auto found = objects_->List(SavepointKey(name, partition));
  if (!found.ok()) return false;
  const std::string key = SavepointKey(name, partition);
  return std::any_of(found->begin(), found->end(),
                     [&](const object_store::ObjectInfo& o) { return o.key == key; });
}

Result<bool> CheckpointStore::SavepointApplied(std::string_view name, int32_t partition) const {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  const std::string key = fmt::format("{}/restored-{}", PartitionKey(partition), name);
  TORGHUT_ASSIGN_OR_RETURN(std::vector<object_store::ObjectInfo> found, objects_->List(key));
  return std::any_of(found.begin(), found.end(),
                     [&](const object_store::ObjectInfo& o) { return o.key == key; });
}

Status CheckpointStore::MarkSavepointApplied(std::string_view name, int32_t partition) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  return objects_->Put(fmt::format("{}/restored-{}", PartitionKey(partition), name), "");
}

Status CheckpointStore::RequestSavepoint(std::string_view name) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  if (SavepointExists(name)) {
    return AlreadyExists(fmt::format("savepoint '{}' exists; choose another name", name));
  }
  return objects_->Put(fmt::format("{}/savepoint-requests/{}", group_key_, name), "");
}

std::vector<std::string> CheckpointStore::PendingSavepointRequests() const {
  const std::string prefix = group_key_ + "/savepoint-requests/";
  auto found = objects_->List(prefix);
  if (!found.ok()) return {};
  std::vector<std::pair<int64_t, std::string>> named;
  for (const auto& o : *found) {
    std::string name = o.key.substr(prefix.size());
    // (The object store never lists a write still in progress.)
    if (ValidateSavepointName(name).ok()) named.emplace_back(o.modified_ms, std::move(name));
  }
  std::sort(named.begin(), named.end());
  std::vector<std::string> out;
  for (auto& n : named) out.push_back(std::move(n.second));
  return out;
}

void CheckpointStore::DropSavepointRequest(std::string_view name) {
  if (!ValidateSavepointName(name).ok()) return;
  (void)objects_->Delete(fmt::format("{}/savepoint-requests/{}", group_key_, name));
}

Result<std::vector<std::string>> CheckpointStore::ListSavepoints() const {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<object_store::ObjectInfo> found,
                           objects_->List("savepoints/"));
  std::vector<std::string> out;
  for (const auto& o : found) {
    const std::string rest = o.key.substr(std::string_view("savepoints/").size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) continue;
    std::string name = rest.substr(0, slash);
    if (out.empty() || out.back() != name) out.push_back(std::move(name));  // keys come grouped
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckpointStore::Probe() const {
  return objects_->List(group_key_ + "/savepoint-requests/").status();
}

}  // namespace torghut::processor
