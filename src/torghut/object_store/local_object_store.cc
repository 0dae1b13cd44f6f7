#include "torghut/object_store/local_object_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "torghut/io/atomic_file.h"

namespace torghut::object_store {
namespace {

// "<name>.tmp<digits>": a Put still in progress, or one a crash interrupted (atomic_file.cc).
bool IsTempFile(const std::string& name) {
  const size_t tmp = name.rfind(".tmp");
  return tmp != std::string::npos && tmp + 4 < name.size() &&
         name.find_first_not_of("0123456789", tmp + 4) == std::string::npos;
}

int64_t MillisOf(std::filesystem::file_time_type t) {
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

}  // namespace

std::string LocalObjectStore::Describe(std::string_view key) const {
  return (root_ / std::string(key)).string();
}

Status LocalObjectStore::Put(std::string_view key, std::string_view bytes) {
  const std::filesystem::path path = root_ / std::string(key);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Unavailable(
        fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
  }
  return WriteFileAtomically(path, bytes, Durability::kSynced);
}

Result<std::optional<std::string>> LocalObjectStore::Get(std::string_view key) {
  const std::filesystem::path path = root_ / std::string(key);
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

Result<std::vector<ObjectInfo>> LocalObjectStore::List(std::string_view prefix) {
  // Only the directory the prefix ends in (and below) can hold matching keys.
  const size_t slash = prefix.rfind('/');
  const std::string dir_part(slash == std::string_view::npos ? "" : prefix.substr(0, slash));
  const std::filesystem::path dir = root_ / dir_part;
  std::vector<ObjectInfo> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Unavailable(fmt::format("cannot list {}: {}", dir.string(), ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) return Unavailable(fmt::format("cannot list {}: {}", dir.string(), ec.message()));
    if (!it->is_regular_file(ec) || IsTempFile(it->path().filename().string())) continue;
    std::string key = it->path().lexically_relative(root_).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    out.push_back({std::move(key), MillisOf(it->last_write_time(ec))});
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status LocalObjectStore::Delete(std::string_view key) {
  const std::filesystem::path path = root_ / std::string(key);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Unavailable(fmt::format("cannot remove {}: {}", path.string(), ec.message()));
  return Status::Ok();
}

}  // namespace torghut::object_store
