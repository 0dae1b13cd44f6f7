#include "torghut/io/line_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace torghut::io {

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument("'" + path + "' is not a regular file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const char* data = "";
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return Unavailable("cannot map '" + path + "': " + std::strerror(errno));
    }
    ::madvise(p, size, MADV_SEQUENTIAL);
    data = static_cast<const char*>(p);
  }
  ::close(fd);
  return std::unique_ptr<LineReader>(new LineReader(data, size));
}

LineReader::~LineReader() {
  if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
}

bool LineReader::Next(std::string_view* line) {
  if (pos_ >= size_) return false;
  const char* start = data_ + pos_;
  const void* nl = std::memchr(start, '\n', size_ - pos_);
  uint64_t len =
      nl != nullptr ? static_cast<uint64_t>(static_cast<const char*>(nl) - start) : size_ - pos_;
  pos_ += len + (nl != nullptr ? 1 : 0);
  if (len > 0 && start[len - 1] == '\r') --len;
  *line = std::string_view(start, len);
  ++line_number_;
  return true;
}

}  // namespace torghut::io
