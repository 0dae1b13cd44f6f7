#include "torghut/bus/embedded/internal/consumer_group.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "torghut/io/atomic_file.h"

namespace torghut::bus::embedded {

namespace fs = std::filesystem;

namespace {

// groups/<group>/<topic>.<p>.<kind>: "offset" (committed position) or "owner" (read lock).
fs::path GroupFile(const fs::path& group_dir, const TopicPartition& tp, const char* kind) {
  return group_dir / (tp.topic + "." + std::to_string(tp.partition) + "." + kind);
}

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

}  // namespace

GroupMember::GroupMember(fs::path group_dir) : dir_(std::move(group_dir)) {}

GroupMember::~GroupMember() {
  Leave();
}

Status GroupMember::Join(const std::vector<std::string>& topics) {
  std::error_code ec;
  fs::create_directories(dir_ / "members", ec);
  if (ec) return Unavailable("cannot create " + dir_.string() + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  char id[64];
  std::snprintf(id, sizeof id, "%020lld-%d-%llu",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count()),
                static_cast<int>(::getpid()),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  id_ = id;
  // Locked under a temporary name first, so no other member can mistake it for a dead one.
  const fs::path tmp = dir_ / "members" / (".tmp-" + id_);
  fd_ = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return Unavailable("cannot create member file: " + std::string(std::strerror(errno)));
  if (::flock(fd_, LOCK_EX) != 0) return Unavailable("cannot lock member file");
  std::string subscription;
  for (const auto& t : topics) subscription += t + "\n";
  (void)!::write(fd_, subscription.data(), subscription.size());
  if (::rename(tmp.c_str(), (dir_ / "members" / id_).c_str()) != 0) {
    return Unavailable("cannot register member: " + std::string(std::strerror(errno)));
  }
  return Status::Ok();
}

void GroupMember::Leave() {
  if (fd_ < 0) return;
  ::unlink((dir_ / "members" / id_).c_str());
  ::close(fd_);
  fd_ = -1;
}

std::vector<std::string> GroupMember::LiveMembers() const {
  std::vector<std::string> live;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ / "members", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".tmp-")) continue;
    if (name == id_) {
      live.push_back(name);
      continue;
    }
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      ::unlink(entry.path().c_str());  // its process is gone
    } else {
      live.push_back(name);
    }
    ::close(fd);
  }
  std::sort(live.begin(), live.end());
  return live;
}

std::vector<TopicPartition> RangeAssignment(const std::string& topic, int32_t partitions,
                                            size_t index, size_t members) {
  if (members == 0 || index >= members) return {};
  const size_t count = static_cast<size_t>(partitions);
  const size_t per = count / members, extra = count % members;
  const size_t start = index * per + std::min(index, extra);
  const size_t take = per + (index < extra ? 1 : 0);
  std::vector<TopicPartition> out;
  for (size_t p = start; p < start + take; ++p) out.push_back({topic, static_cast<int32_t>(p)});
  return out;
}

std::unique_ptr<OwnerLock> OwnerLock::TryTake(const fs::path& group_dir, const TopicPartition& tp) {
  const fs::path owner = GroupFile(group_dir, tp, "owner");
  const int fd = ::open(owner.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return nullptr;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<OwnerLock>(new OwnerLock(fd));
}

OwnerLock::~OwnerLock() {
  ::close(fd_);
}

int64_t CommittedOffset(const fs::path& group_dir, const TopicPartition& tp) {
  const std::string s = ReadSmallFile(GroupFile(group_dir, tp, "offset"));
  if (s.empty()) return -1;
  try {
    return std::stoll(s);
  } catch (...) {
    return -1;
  }
}

Status CommitOffset(const fs::path& group_dir, const TopicPartition& tp, int64_t offset) {
  return WriteFileAtomically(GroupFile(group_dir, tp, "offset"), std::to_string(offset) + "\n",
                             Durability::kSynced);
}

}  // namespace torghut::bus::embedded
