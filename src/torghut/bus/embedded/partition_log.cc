#include "torghut/bus/embedded/partition_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "torghut/core/log.h"
#include "torghut/io/atomic_file.h"

namespace torghut::bus::embedded {
namespace {

namespace fs = std::filesystem;

constexpr size_t kScanChunk = 1 << 20;

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
int64_t Load64(const char* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
void Store32(char* p, uint32_t v) {
  std::memcpy(p, &v, 4);
}
void Store64(char* p, int64_t v) {
  std::memcpy(p, &v, 8);
}

uint32_t Checksum(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

Status ErrnoStatus(const std::string& what) {
  const int e = errno;
  std::string msg = what + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhausted(msg);
  return Unavailable(msg);
}

// Reads exactly what is there, up to n bytes, at `pos`.
ssize_t PreadAll(int fd, char* buf, size_t n, int64_t pos) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, pos + static_cast<int64_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(done);
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Decodes the consecutive records at buf[0, n) whose offsets continue from *next_offset, calling
// visit(record) for each, and returns the bytes they take. *stop says why it stopped (a record
// whose offset is out of sequence counts as corrupt); *needed is the size of an incomplete one.
template <typename Visit>
size_t WalkRecords(const char* buf, size_t n, int64_t* next_offset, DecodeOutcome* stop,
                   size_t* needed, Visit&& visit) {
  size_t at = 0;
  while (true) {
    RecordView r;
    *stop = DecodeRecord(buf + at, n - at, &r, needed);
    if (*stop == DecodeOutcome::kOk && r.offset != *next_offset) *stop = DecodeOutcome::kCorrupt;
    if (*stop != DecodeOutcome::kOk) return at;
    visit(r);
    at += r.size;
    ++*next_offset;
  }
}

// Where a forward scan of a segment stopped: after its last good record.
struct ScanEnd {
  int64_t position = 0;     // file position after the last good record
  int64_t next_offset = 0;  // offset the next record must have
  int64_t last_timestamp_ms = 0;
};

// Walks records from `position` (which must hold offset `offset`) to the last good one.
Result<ScanEnd> ScanSegment(int fd, int64_t position, int64_t offset) {
  ScanEnd end{position, offset, 0};
  std::vector<char> buf(kScanChunk);
  while (true) {
    const ssize_t got = PreadAll(fd, buf.data(), buf.size(), end.position);
    if (got < 0) return ErrnoStatus("read segment");
    DecodeOutcome stop;
    size_t needed = 0;
    const size_t used = WalkRecords(buf.data(), static_cast<size_t>(got), &end.next_offset, &stop,
                                    &needed, [&](const RecordView& r) {
                                      end.last_timestamp_ms =
                                          std::max(end.last_timestamp_ms, r.timestamp_ms);
                                    });
    end.position += static_cast<int64_t>(used);
    // A record cut by the chunk boundary: read on from it (growing the buffer for a big one).
    if (stop == DecodeOutcome::kIncomplete && static_cast<size_t>(got) == buf.size()) {
      if (used == 0) buf.resize(std::max(buf.size() * 2, needed));
      continue;
    }
    return end;  // the end of the file, or a torn or corrupt record
  }
}

struct IndexEntry {
  uint32_t relative_offset;
  uint32_t position;
};

std::vector<IndexEntry> ReadIndex(const fs::path& path) {
  std::vector<IndexEntry> entries;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return entries;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size >= 8) {
    entries.resize(static_cast<size_t>(st.st_size) / 8);
    const ssize_t got =
        PreadAll(fd, reinterpret_cast<char*>(entries.data()), entries.size() * 8, 0);
    entries.resize(got < 0 ? 0 : static_cast<size_t>(got) / 8);
  }
  ::close(fd);
  return entries;
}

// The last index entry at or before `offset` whose record really is there (the index is a hint:
// a torn or stale entry falls back to an earlier one, ultimately the segment start).
std::pair<int64_t, int64_t> IndexedStart(int fd, const std::vector<IndexEntry>& entries,
                                         int64_t base, int64_t offset) {
  auto it =
      std::upper_bound(entries.begin(), entries.end(), offset - base,
                       [](int64_t rel, const IndexEntry& e) { return rel < e.relative_offset; });
  char header[kRecordHeaderBytes];
  while (it != entries.begin()) {
    --it;
    if (PreadAll(fd, header, sizeof header, it->position) == sizeof header &&
        Load64(header + 8) == base + it->relative_offset) {
      return {it->position, base + it->relative_offset};
    }
  }
  return {0, base};
}

}  // namespace

void EncodeRecord(std::string& out, std::string_view key, std::string_view value,
                  int64_t timestamp_ms) {
  const size_t start = out.size();
  const size_t total = kRecordHeaderBytes + key.size() + value.size();
  out.resize(start + total);
  char* p = out.data() + start;
  Store32(p, static_cast<uint32_t>(total - 4));
  Store64(p + 8, 0);
  Store64(p + 16, timestamp_ms);
  Store32(p + 24, static_cast<uint32_t>(key.size()));
  if (!key.empty()) std::memcpy(p + kRecordHeaderBytes, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + kRecordHeaderBytes + key.size(), value.data(), value.size());
  Store32(p + 4, Checksum(p + 16, total - 16));
}

DecodeOutcome DecodeRecord(const char* p, size_t available, RecordView* out, size_t* needed) {
  *needed = kRecordHeaderBytes;
  if (available < 4) return DecodeOutcome::kIncomplete;
  const uint32_t length = Load32(p);
  if (length < kRecordHeaderBytes - 4 || length > kMaxRecordBytes) return DecodeOutcome::kCorrupt;
  const size_t total = size_t{length} + 4;
  *needed = total;
  if (available < total) return DecodeOutcome::kIncomplete;
  if (Checksum(p + 16, total - 16) != Load32(p + 4)) return DecodeOutcome::kCorrupt;
  const uint32_t key_len = Load32(p + 24);
  if (key_len > total - kRecordHeaderBytes) return DecodeOutcome::kCorrupt;
  out->offset = Load64(p + 8);
  out->timestamp_ms = Load64(p + 16);
  out->key = std::string_view(p + kRecordHeaderBytes, key_len);
  out->value =
      std::string_view(p + kRecordHeaderBytes + key_len, total - kRecordHeaderBytes - key_len);
  out->size = static_cast<uint32_t>(total);
  return DecodeOutcome::kOk;
}

fs::path SegmentPath(const fs::path& dir, int64_t base, const char* extension) {
  char name[40];
  std::snprintf(name, sizeof name, "%020lld.%s", static_cast<long long>(base), extension);
  return dir / name;
}

std::vector<int64_t> ListSegments(const fs::path& dir) {
  std::vector<int64_t> bases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 24 || !name.ends_with(".log")) continue;
    bases.push_back(std::stoll(name.substr(0, 20)));
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

// ---------------------------------------------------------------------------------------------
// PartitionWriter

PartitionWriter::PartitionWriter(fs::path dir, const EmbeddedOptions& options)
    : dir_(std::move(dir)), options_(options) {}

PartitionWriter::~PartitionWriter() {
  if (dirty_) (void)Sync();
  if (log_fd_ >= 0) ::close(log_fd_);
  if (idx_fd_ >= 0) ::close(idx_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

// Holds the partition's writer lock for one append (or retention pass). Other writers wait: each
// holds it only for one write.
class PartitionWriter::LockGuard {
 public:
  explicit LockGuard(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        status_ = ErrnoStatus("cannot lock writer.lock");
        return;
      }
    }
    locked_ = true;
  }
  ~LockGuard() {
    if (locked_) ::flock(fd_, LOCK_UN);
  }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  const Status& status() const { return status_; }

 private:
  int fd_;
  bool locked_ = false;
  Status status_;
};

Result<std::unique_ptr<PartitionWriter>> PartitionWriter::Open(const fs::path& dir,
                                                               const EmbeddedOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir.string() + ": " + ec.message());
  std::unique_ptr<PartitionWriter> w(new PartitionWriter(dir, options));
  w->lock_fd_ = ::open((dir / "writer.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (w->lock_fd_ < 0) return ErrnoStatus("cannot open " + (dir / "writer.lock").string());
  LockGuard lock(w->lock_fd_);
  TORGHUT_RETURN_IF_ERROR(lock.status());
  TORGHUT_RETURN_IF_ERROR(w->Recover());
  return w;
}

Status PartitionWriter::Refresh() {
  // Unchanged when the active segment is still as long as our last append left it and nobody
  // rolled to a segment after it (a roll leaves the old one's size as it was).
  struct stat st {};
  if (::fstat(log_fd_, &st) != 0) return ErrnoStatus("cannot stat the active segment");
  std::error_code ec;
  if (st.st_size == segments_.back().bytes &&
      !fs::exists(SegmentPath(dir_, end_offset_, "log"), ec)) {
    return Status::Ok();
  }
  if (dirty_) (void)Sync();
  segments_.clear();
  return Recover();
}

Status PartitionWriter::Recover() {
  const std::vector<int64_t> bases = ListSegments(dir_);
  if (bases.empty()) {
    segments_.push_back(Segment{0, 0, 0});
    end_offset_ = 0;
    return OpenActive(0, /*create=*/true);
  }
  std::vector<IndexEntry> entries;  // after the loop: the active segment's
  for (size_t i = 0; i < bases.size(); ++i) {
    const bool active = i + 1 == bases.size();
    const fs::path log_path = SegmentPath(dir_, bases[i], "log");
    const int fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open " + log_path.string());
    // Sealed segments were complete before the next one was created: only their tail is read
    // (for the newest timestamp). The active one is checked from its last good index entry on.
    const int64_t probe = active ? std::numeric_limits<int64_t>::max() : bases[i + 1] - 1;
    entries = ReadIndex(SegmentPath(dir_, bases[i], "idx"));
    const auto [pos, off] = IndexedStart(fd, entries, bases[i], probe);
    Result<ScanEnd> scan = ScanSegment(fd, pos, off);
    struct stat st {};
    ::fstat(fd, &st);
    ::close(fd);
    if (!scan.ok()) return scan.status();
    Segment seg{bases[i], scan->position, scan->last_timestamp_ms};
    if (!active && scan->next_offset != bases[i + 1]) {
      log::Warn("bus", "sealed segment ends before the next segment's base",
                {{"segment", log_path.string()},
                 {"end", scan->next_offset},
                 {"next_base", bases[i + 1]}});
    }
    if (active) {
      end_offset_ = scan->next_offset;
      if (st.st_size > scan->position) {
        cut_bytes_ = st.st_size - scan->position;
        log::Warn("bus", "cut a torn tail after a crash",
                  {{"segment", log_path.string()},
                   {"kept_bytes", scan->position},
                   {"cut_bytes", cut_bytes_},
                   {"end_offset", end_offset_}});
        if (::truncate(log_path.c_str(), scan->position) != 0) {
          return ErrnoStatus("cannot cut torn tail of " + log_path.string());
        }
      }
    }
    segments_.push_back(seg);
  }
  TORGHUT_RETURN_IF_ERROR(OpenActive(bases.back(), /*create=*/false));
  // Drop index entries that point at or past the cut (and a torn entry at the end).
  size_t keep = 0;
  while (keep < entries.size() && entries[keep].position < segments_.back().bytes) ++keep;
  if (::ftruncate(idx_fd_, static_cast<off_t>(keep * sizeof(IndexEntry))) != 0) {
    return ErrnoStatus("cannot trim index");
  }
  bytes_since_index_ =
      keep == 0 ? segments_.back().bytes : segments_.back().bytes - entries[keep - 1].position;
  return Status::Ok();
}

Status PartitionWriter::OpenActive(int64_t base, bool create) {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (idx_fd_ >= 0) ::close(idx_fd_);
  const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);
  const fs::path log_path = SegmentPath(dir_, base, "log");
  log_fd_ = ::open(log_path.c_str(), flags, 0644);
  if (log_fd_ < 0) return ErrnoStatus("cannot open " + log_path.string());
  const fs::path idx_path = SegmentPath(dir_, base, "idx");
  idx_fd_ = ::open(idx_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (idx_fd_ < 0) return ErrnoStatus("cannot open " + idx_path.string());
  // Make the new file's name durable before anything is acknowledged in it.
  if (create) SyncDirectory(dir_);
  return Status::Ok();
}

Status PartitionWriter::Roll() {
  TORGHUT_RETURN_IF_ERROR(Sync());
  segments_.push_back(Segment{end_offset_, 0, 0});
  bytes_since_index_ = 0;
  return OpenActive(end_offset_, /*create=*/true);
}

Result<int64_t> PartitionWriter::Append(char* batch, size_t bytes, size_t count,
                                        int64_t max_timestamp_ms) {
  if (count == 0) return end_offset_;
  LockGuard lock(lock_fd_);
  TORGHUT_RETURN_IF_ERROR(lock.status());
  TORGHUT_RETURN_IF_ERROR(Refresh());
  if (segments_.back().bytes > 0 &&
      segments_.back().bytes + static_cast<int64_t>(bytes) > options_.segment_bytes) {
    TORGHUT_RETURN_IF_ERROR(Roll());
  }
  Segment& seg = segments_.back();
  const int64_t first = end_offset_;
  index_buffer_.clear();
  size_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    char* rec = batch + at;
    Store64(rec + 8, first + static_cast<int64_t>(i));
    if (bytes_since_index_ >= options_.index_interval_bytes) {
      IndexEntry e{static_cast<uint32_t>(first + static_cast<int64_t>(i) - seg.base),
                   static_cast<uint32_t>(seg.bytes + static_cast<int64_t>(at))};
      index_buffer_.append(reinterpret_cast<const char*>(&e), sizeof e);
      bytes_since_index_ = 0;
    }
    const size_t size = size_t{Load32(rec)} + 4;
    at += size;
    bytes_since_index_ += static_cast<int64_t>(size);
  }
  if (!WriteAll(log_fd_, batch, bytes)) {
    Status s = ErrnoStatus("append to " + SegmentPath(dir_, seg.base, "log").string());
    // Keep the log a sequence of complete records: cut whatever part of the batch got written.
    if (::ftruncate(log_fd_, seg.bytes) != 0) {
      log::Error("bus", "cannot cut a failed append", {{"error", std::strerror(errno)}});
    }
    return s;
  }
  if (!index_buffer_.empty()) (void)WriteAll(idx_fd_, index_buffer_.data(), index_buffer_.size());
  seg.bytes += static_cast<int64_t>(bytes);
  seg.last_timestamp_ms = std::max(seg.last_timestamp_ms, max_timestamp_ms);
  end_offset_ += static_cast<int64_t>(count);
  dirty_ = true;
  return first;
}

Status PartitionWriter::Sync() {
  if (!dirty_) return Status::Ok();
  if (::fdatasync(log_fd_) != 0) return ErrnoStatus("fsync log");
  (void)::fdatasync(idx_fd_);
  dirty_ = false;
  return Status::Ok();
}

Status PartitionWriter::ApplyRetention(int64_t now_ms) {
  LockGuard lock(lock_fd_);
  TORGHUT_RETURN_IF_ERROR(lock.status());
  TORGHUT_RETURN_IF_ERROR(Refresh());
  int64_t total = 0;
  for (const Segment& s : segments_) total += s.bytes;
  size_t drop = 0;
  // Oldest first; the active (last) segment always stays.
  while (drop + 1 < segments_.size()) {
    const Segment& s = segments_[drop];
    const bool too_old =
        options_.retention_ms > 0 && s.last_timestamp_ms < now_ms - options_.retention_ms;
    const bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
    if (!too_old && !too_big) break;
    total -= s.bytes;
    ++drop;
  }
  for (size_t i = 0; i < drop; ++i) {
    std::error_code ec;
    fs::remove(SegmentPath(dir_, segments_[i].base, "log"), ec);
    if (ec) return Unavailable("cannot delete segment: " + ec.message());
    fs::remove(SegmentPath(dir_, segments_[i].base, "idx"), ec);
    log::Info("bus", "retention deleted a segment",
              {{"partition_dir", dir_.string()}, {"base", segments_[i].base}});
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(drop));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// PartitionReader

PartitionReader::PartitionReader(fs::path dir) : dir_(std::move(dir)) {}

PartitionReader::~PartitionReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status PartitionReader::OpenSegment(int64_t base) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const fs::path path = SegmentPath(dir_, base, "log");
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno == ENOENT) return OutOfRange("segment " + path.string() + " was deleted");
    return ErrnoStatus("cannot open " + path.string());
  }
  segment_base_ = base;
  return Status::Ok();
}

Status PartitionReader::SeekWithin(int64_t base, int64_t offset) {
  TORGHUT_RETURN_IF_ERROR(OpenSegment(base));
  auto [pos, at] = IndexedStart(fd_, ReadIndex(SegmentPath(dir_, base, "idx")), base, offset);
  file_pos_ = pos;
  next_offset_ = at;
  // Walk forward to `offset`.
  std::vector<RecordView> skipped;
  while (next_offset_ < offset) {
    TORGHUT_RETURN_IF_ERROR(Read(1 << 20, &skipped));
    if (skipped.empty()) return OutOfRange("offset " + std::to_string(offset) + " is past the end");
    // Read may have passed `offset`: step back to it.
    if (next_offset_ > offset) {
      int64_t back_pos = file_pos_;
      for (auto it = skipped.rbegin(); it != skipped.rend() && it->offset >= offset; ++it) {
        back_pos -= it->size;
      }
      file_pos_ = back_pos;
      next_offset_ = offset;
    }
  }
  return Status::Ok();
}

Status PartitionReader::Seek(int64_t offset) {
  const std::vector<int64_t> bases = ListSegments(dir_);
  if (bases.empty() && offset == 0) {
    // Nothing written yet: position at the start; Read picks up segment 0 once it appears.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    segment_base_ = -1;
    next_offset_ = 0;
    return Status::Ok();
  }
  if (bases.empty() || offset < bases.front()) {
    return OutOfRange("offset " + std::to_string(offset) + " is before the earliest stored (" +
                      std::to_string(bases.empty() ? 0 : bases.front()) + ")");
  }
  return SeekWithin(*(std::upper_bound(bases.begin(), bases.end(), offset) - 1), offset);
}

Status PartitionReader::SeekToTimestamp(int64_t timestamp_ms) {
  const std::vector<int64_t> bases = ListSegments(dir_);
  if (bases.empty()) return Seek(0);
  TORGHUT_RETURN_IF_ERROR(SeekWithin(bases.front(), bases.front()));
  std::vector<RecordView> batch;
  while (true) {
    TORGHUT_RETURN_IF_ERROR(Read(1 << 20, &batch));
    if (batch.empty()) return Status::Ok();  // the end: nothing that late yet
    // A Read returns records of one segment, ending at file_pos_.
    int64_t pos = file_pos_;
    for (const RecordView& r : batch) pos -= r.size;
    for (const RecordView& r : batch) {
      if (r.timestamp_ms >= timestamp_ms) {
        file_pos_ = pos;
        next_offset_ = r.offset;
        return Status::Ok();
      }
      pos += r.size;
    }
  }
}

Status PartitionReader::Read(size_t max_bytes, std::vector<RecordView>* out) {
  out->clear();
  if (fd_ < 0) {
    TORGHUT_RETURN_IF_ERROR(Seek(next_offset_));
    if (fd_ < 0) return Status::Ok();  // no segment yet
  }
  if (buffer_.size() < max_bytes) buffer_.resize(max_bytes);
  while (true) {
    const ssize_t got = PreadAll(fd_, buffer_.data(), buffer_.size(), file_pos_);
    if (got < 0) return ErrnoStatus("read segment");
    DecodeOutcome stop;
    size_t needed = 0;
    file_pos_ += static_cast<int64_t>(WalkRecords(buffer_.data(), static_cast<size_t>(got),
                                                  &next_offset_, &stop, &needed,
                                                  [&](const RecordView& r) { out->push_back(r); }));
    if (!out->empty()) return Status::Ok();
    if (stop == DecodeOutcome::kIncomplete && needed > buffer_.size()) {
      buffer_.resize(needed);  // one record larger than the buffer
      continue;
    }
    // Nothing complete here: either the writer has not finished this record yet, or this segment
    // is sealed and the next one — whose base is exactly our next offset — holds what follows.
    if (next_offset_ == segment_base_) return Status::Ok();
    const int next = ::open(SegmentPath(dir_, next_offset_, "log").c_str(), O_RDONLY | O_CLOEXEC);
    if (next < 0) return Status::Ok();
    ::close(fd_);
    fd_ = next;
    segment_base_ = next_offset_;
    file_pos_ = 0;
  }
}

Result<PartitionOffsets> PartitionReader::Offsets(const fs::path& dir, int32_t partition) {
  PartitionOffsets o;
  o.partition = partition;
  const std::vector<int64_t> bases = ListSegments(dir);
  if (bases.empty()) return o;
  o.low = bases.front();
  const fs::path log_path = SegmentPath(dir, bases.back(), "log");
  const int fd = ::open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open " + log_path.string());
  const auto [pos, off] = IndexedStart(fd, ReadIndex(SegmentPath(dir, bases.back(), "idx")),
                                       bases.back(), std::numeric_limits<int64_t>::max());
  Result<ScanEnd> scan = ScanSegment(fd, pos, off);
  ::close(fd);
  if (!scan.ok()) return scan.status();
  o.high = scan->next_offset;
  return o;
}

}  // namespace torghut::bus::embedded
