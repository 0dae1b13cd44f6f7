#include "torghut/processor/checkpoint_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "torghut/io/atomic_file.h"

namespace torghut::processor {
namespace {

constexpr std::string_view kPrefix = "checkpoint-";
constexpr std::string_view kSuffix = ".tacp";

Result<std::optional<std::string>> ReadIfExists(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<std::string>();
    return Unavailable(fmt::format("cannot read {}", path.string()));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return std::optional<std::string>(s.str());
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

std::filesystem::path CheckpointStore::PartitionDir(int32_t partition) const {
  return group_dir_ / fmt::format("partition-{}", partition);
}

std::vector<int64_t> CheckpointStore::Numbers(int32_t partition) const {
  std::vector<int64_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(PartitionDir(partition), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= kPrefix.size() + kSuffix.size() || name.rfind(kPrefix, 0) != 0 ||
        name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;  // temp files of an interrupted write, strangers
    }
    int64_t n = 0;
    const char* b = name.data() + kPrefix.size();
    const char* e = name.data() + name.size() - kSuffix.size();
    if (std::from_chars(b, e, n).ptr == e) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckpointStore::Write(int32_t partition, std::string_view bytes) {
  const std::filesystem::path dir = PartitionDir(partition);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::vector<int64_t> numbers = Numbers(partition);
  const int64_t next = numbers.empty() ? 1 : numbers.back() + 1;
  TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(
      dir / fmt::format("{}{:020}{}", kPrefix, next, kSuffix), bytes, Durability::kSynced));
  numbers.push_back(next);
  for (size_t i = 0; i + static_cast<size_t>(keep_) < numbers.size(); ++i) {
    std::filesystem::remove(dir / fmt::format("{}{:020}{}", kPrefix, numbers[i], kSuffix), ec);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> CheckpointStore::Latest(int32_t partition) const {
  const std::vector<int64_t> numbers = Numbers(partition);
  if (numbers.empty()) return std::optional<std::string>();
  return ReadIfExists(PartitionDir(partition) /
                      fmt::format("{}{:020}{}", kPrefix, numbers.back(), kSuffix));
}

Status CheckpointStore::WriteSavepoint(std::string_view name, int32_t partition,
                                       std::string_view bytes) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  const std::filesystem::path dir = dir_ / "savepoints" / std::string(name);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  return WriteFileAtomically(dir / fmt::format("partition-{}{}", partition, kSuffix), bytes,
                             Durability::kSynced);
}

Result<std::optional<std::string>> CheckpointStore::ReadSavepoint(std::string_view name,
                                                                  int32_t partition) const {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  return ReadIfExists(dir_ / "savepoints" / std::string(name) /
                      fmt::format("partition-{}{}", partition, kSuffix));
}

bool CheckpointStore::SavepointExists(std::string_view name) const {
  std::error_code ec;
  return ValidateSavepointName(name).ok() &&
         std::filesystem::is_directory(dir_ / "savepoints" / std::string(name), ec);
}

bool CheckpointStore::SavepointHasPartition(std::string_view name, int32_t partition) const {
  std::error_code ec;
  return ValidateSavepointName(name).ok() &&
         std::filesystem::exists(dir_ / "savepoints" / std::string(name) /
                                     fmt::format("partition-{}{}", partition, kSuffix),
                                 ec);
}

bool CheckpointStore::SavepointApplied(std::string_view name, int32_t partition) const {
  std::error_code ec;
  return std::filesystem::exists(PartitionDir(partition) / ("restored-" + std::string(name)), ec);
}

Status CheckpointStore::MarkSavepointApplied(std::string_view name, int32_t partition) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  std::error_code ec;
  std::filesystem::create_directories(PartitionDir(partition), ec);
  return WriteFileAtomically(PartitionDir(partition) / ("restored-" + std::string(name)), "",
                             Durability::kSynced);
}

Status CheckpointStore::RequestSavepoint(std::string_view name) {
  TORGHUT_RETURN_IF_ERROR(ValidateSavepointName(name));
  if (SavepointExists(name)) {
    return AlreadyExists(fmt::format("savepoint '{}' exists; choose another name", name));
  }
  const std::filesystem::path dir = group_dir_ / "savepoint-requests";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  return WriteFileAtomically(dir / std::string(name), "", Durability::kSynced);
}

std::vector<std::string> CheckpointStore::PendingSavepointRequests() const {
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(group_dir_ / "savepoint-requests", ec)) {
    const std::string name = e.path().filename().string();
    const size_t tmp = name.rfind(".tmp");  // a request still being written (atomic_file.h)
    const bool partial = tmp != std::string::npos && tmp + 4 < name.size() &&
                         name.find_first_not_of("0123456789", tmp + 4) == std::string::npos;
    if (!partial && ValidateSavepointName(name).ok()) {
      found.emplace_back(e.last_write_time(ec), name);
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

void CheckpointStore::DropSavepointRequest(std::string_view name) {
  if (!ValidateSavepointName(name).ok()) return;
  std::error_code ec;
  std::filesystem::remove(group_dir_ / "savepoint-requests" / std::string(name), ec);
}

Result<std::vector<std::string>> CheckpointStore::ListSavepoints() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "savepoints", ec)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace torghut::processor
