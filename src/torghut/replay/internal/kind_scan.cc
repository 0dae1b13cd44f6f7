#include "torghut/replay/internal/kind_scan.h"

#include <cstring>

namespace torghut::replay::internal {
namespace {

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

unsigned KindBit(char type) {
  switch (type) {
    case 't':
    case 'c':
    case 'x':
      return 1u << static_cast<int>(ta::InputKind::kTrades);
    case 'q':
      return 1u << static_cast<int>(ta::InputKind::kQuotes);
    case 'b':
    case 'u':
    case 'd':
      return 1u << static_cast<int>(ta::InputKind::kBars);
    default:
      return 0;
  }
}

}  // namespace

unsigned KindsInLine(std::string_view line) {
  unsigned kinds = 0;
  size_t at = 0;
  while ((at = line.find("\"T\"", at)) != std::string_view::npos) {
    size_t i = at + 3;
    at = i;
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i >= line.size() || line[i] != ':') continue;
    ++i;
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i + 2 >= line.size() || line[i] != '"' || line[i + 2] != '"') continue;
    kinds |= KindBit(line[i + 1]);
  }
  return kinds;
}

std::array<uint64_t, ta::kInputKinds> LastKindEnds(std::string_view contents) {
  std::array<uint64_t, ta::kInputKinds> ends{};
  constexpr unsigned kAll = (1u << ta::kInputKinds) - 1;
  unsigned found = 0;
  size_t end = contents.size();  // one past the current line's last byte (its newline included)
  while (end > 0 && found != kAll) {
    // The line is [begin, end): everything after the previous newline.
    const void* nl =
        end >= 2 ? ::memrchr(contents.data(), '\n', end - 1) : nullptr;  // skip our own newline
    const size_t begin =
        nl == nullptr ? 0 : static_cast<size_t>(static_cast<const char*>(nl) - contents.data()) + 1;
    const unsigned kinds = KindsInLine(contents.substr(begin, end - begin)) & ~found;
    for (int k = 0; k < ta::kInputKinds; ++k) {
      if ((kinds & (1u << k)) != 0) ends[k] = end;
    }
    found |= kinds;
    end = begin;
  }
  return ends;
}

}  // namespace torghut::replay::internal
