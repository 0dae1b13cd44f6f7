// The embedded bus's storage: one append-only log per topic-partition, as a directory of segments.
//
//   <partition dir>/00000000000000000000.log   records, offsets 0 .. (next base - 1)
//   <partition dir>/00000000000000000000.idx   sparse index: (offset - base, file position) pairs
//   <partition dir>/00000000000000052311.log   the active segment: the only one ever appended to
//   <partition dir>/writer.lock                flock'ed by whichever process is appending
//
// Record (little-endian), one after another in a segment:
//   u32 length      bytes after this field
//   u32 crc32       zlib crc32 of everything after the offset (timestamp .. value)
//   i64 offset      assigned by the writer; consecutive within a partition
//   i64 timestamp   epoch milliseconds
//   u32 key length, key bytes, value bytes
//
// Writers: any number of processes may append to one partition (two `ta` members publishing rows
// of the same output partition, say). Each append holds the flock on writer.lock for its one
// write; a writer that finds the log changed since its own last append (another process appended,
// rolled a segment or crashed mid-write) re-reads the tail first.
//
// Crash safety: a process killed mid-append leaves at most one incomplete or mis-summed record at
// the end of the active segment (appends are sequential). The next writer to take the lock finds
// the last complete record by length + checksum + offset continuity and cuts everything after it.
// Readers in any process treat an incomplete tail as "not written yet" and read it once it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/bus/bus_config.h"
#include "torghut/core/status.h"

namespace torghut::bus::embedded {

inline constexpr size_t kRecordHeaderBytes = 28;
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

// Appends one encoded record (offset left 0, patched by the writer) to `out`.
void EncodeRecord(std::string& out, std::string_view key, std::string_view value,
                  int64_t timestamp_ms);

struct RecordView {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string_view key;
  std::string_view value;
  uint32_t size = 0;  // encoded bytes
};

enum class DecodeOutcome : uint8_t { kOk, kIncomplete, kCorrupt };

// Decodes the record at `p` (up to `available` bytes). kIncomplete: more bytes are needed
// (*needed says how many in all when known). kCorrupt: bad length or checksum.
DecodeOutcome DecodeRecord(const char* p, size_t available, RecordView* out, size_t* needed);

// The appending side of one partition, for one process (several processes may each have one).
// Appends and retention run under an exclusive flock on writer.lock (released by the kernel if the
// process dies mid-append). Not thread-safe.
class PartitionWriter {
 public:
  static Result<std::unique_ptr<PartitionWriter>> Open(const std::filesystem::path& dir,
                                                       const EmbeddedOptions& options);
  ~PartitionWriter();
  PartitionWriter(const PartitionWriter&) = delete;
  PartitionWriter& operator=(const PartitionWriter&) = delete;

  // Appends `count` encoded records held in `batch` (their offsets are patched in place) with one
  // write. Returns the offset of the first. On an I/O error nothing after the last complete record
  // is kept (the partial write is cut) and kUnavailable/kResourceExhausted is returned.
  Result<int64_t> Append(char* batch, size_t bytes, size_t count, int64_t max_timestamp_ms);
  Status Sync();
  // Deletes whole sealed segments older than the retention age or beyond the size limit; never the
  // active segment.
  Status ApplyRetention(int64_t now_ms);

  // As of this writer's last append (another process may have appended since).
  int64_t start_offset() const { return segments_.front().base; }
  int64_t end_offset() const { return end_offset_; }
  size_t segment_count() const { return segments_.size(); }
  // Bytes cut from a torn tail when this writer opened the partition.
  int64_t recovered_cut_bytes() const { return cut_bytes_; }

 private:
  struct Segment {
    int64_t base = 0;
    int64_t bytes = 0;
    int64_t last_timestamp_ms = 0;
  };
  explicit PartitionWriter(std::filesystem::path dir, const EmbeddedOptions& options);
  Status Recover();
  // Under the lock: re-reads the tail when another writer changed the log since our last append.
  Status Refresh();
  class LockGuard;
  Status OpenActive(int64_t base, bool create);
  Status Roll();

  std::filesystem::path dir_;
  EmbeddedOptions options_;
  std::vector<Segment> segments_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  int idx_fd_ = -1;
  int64_t end_offset_ = 0;
  int64_t bytes_since_index_ = 0;
  int64_t cut_bytes_ = 0;
  bool dirty_ = false;
  std::string index_buffer_;
};

// The reading side of one partition; any number per partition, in any process. Not thread-safe.
class PartitionReader {
 public:
  explicit PartitionReader(std::filesystem::path dir);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Positions the reader so the next record read has offset `offset`. kOutOfRange when `offset`
  // is below the earliest stored offset or beyond the end.
  Status Seek(int64_t offset);
  // The first record whose timestamp is >= `timestamp_ms` (the end when there is none).
  Status SeekToTimestamp(int64_t timestamp_ms);

  // Reads complete records from the position (at least one when any is available, else none),
  // about `max_bytes` in all. Views stay valid until the next Read or Seek.
  Status Read(size_t max_bytes, std::vector<RecordView>* out);
  int64_t position() const { return next_offset_; }

  // Earliest and end offsets of the partition in `dir`.
  static Result<PartitionOffsets> Offsets(const std::filesystem::path& dir, int32_t partition);

 private:
  Status OpenSegment(int64_t base);
  Status SeekWithin(int64_t base, int64_t offset);

  std::filesystem::path dir_;
  int fd_ = -1;
  int64_t segment_base_ = -1;
  int64_t file_pos_ = 0;
  int64_t next_offset_ = 0;
  std::vector<char> buffer_;
};

// Sorted base offsets of the segments in a partition directory.
std::vector<int64_t> ListSegments(const std::filesystem::path& dir);
std::filesystem::path SegmentPath(const std::filesystem::path& dir, int64_t base,
                                  const char* extension);

}  // namespace torghut::bus::embedded
