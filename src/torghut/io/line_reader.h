// Reads a text file line by line without copying: the file is memory-mapped and each line is a
// view into the mapping (valid while the reader lives).
//
//   TORGHUT_ASSIGN_OR_RETURN(auto reader, LineReader::Open(path));
//   std::string_view line;
//   while (reader->Next(&line)) { ... reader->line_number() ... }
//
// Lines end at '\n'; a trailing '\r' is removed; the last line may lack its newline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut::io {

class LineReader {
 public:
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool Next(std::string_view* line);
  // 1-based number of the line Next() returned last.
  int64_t line_number() const { return line_number_; }
  uint64_t bytes_read() const { return pos_; }
  uint64_t size() const { return size_; }
  // The whole mapped file (valid while the reader lives).
  std::string_view contents() const { return std::string_view(data_, size_); }
  // Bytes of the mapping that follow `line` (a view returned by Next): lets parsers that read a
  // little past the end of their input (simdjson's padding) skip copying the line.
  uint64_t BytesAfter(std::string_view line) const {
    return static_cast<uint64_t>(data_ + size_ - (line.data() + line.size()));
  }

 private:
  LineReader(const char* data, uint64_t size) : data_(data), size_(size) {}
  const char* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  int64_t line_number_ = 0;
};

}  // namespace torghut::io
