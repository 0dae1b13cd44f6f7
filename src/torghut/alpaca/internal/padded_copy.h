// A reusable buffer that holds a copy of a JSON text followed by simdjson's required padding.
//
//   PaddedCopy copy;
//   std::string_view json = copy.Assign(text);   // valid until the next Assign
//   parser.iterate(json.data(), json.size(), copy.capacity());
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

#include <simdjson.h>

namespace torghut::alpaca::internal {

class PaddedCopy {
 public:
  std::string_view Assign(std::string_view text) {
    const size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity_) {  // grows geometrically, never shrinks
      capacity_ = std::max(needed, capacity_ * 2);
      buffer_ = std::make_unique<char[]>(capacity_);
    }
    if (!text.empty()) std::memcpy(buffer_.get(), text.data(), text.size());
    std::memset(buffer_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return std::string_view(buffer_.get(), text.size());
  }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
};

}  // namespace torghut::alpaca::internal
