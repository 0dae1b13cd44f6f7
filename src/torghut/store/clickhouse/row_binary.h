// ClickHouse's RowBinary format for the TA row types: little-endian fixed-width numbers,
// LEB128-length-prefixed strings, Nullable as a 1-byte null flag (1 = NULL) before the value.
// Times travel as Int64 epoch milliseconds, which is also DateTime64(3)'s RowBinary form, so one
// encoding serves both layouts.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "torghut/core/status.h"
#include "torghut/ta/rows.h"

namespace torghut::store::rowbinary {

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void Text(std::string_view, std::string_view v) {
    uint64_t n = v.size();
    do {
      uint8_t byte = n & 0x7f;
      n >>= 7;
      if (n) byte |= 0x80;
      out_->push_back(static_cast<char>(byte));
    } while (n);
    out_->append(v);
  }
  void Ts(std::string_view, Timestamp v) { Put(v.millis()); }
  void Int(std::string_view, int64_t v) { Put(v); }
  void Bool(std::string_view, bool v) { out_->push_back(v ? 1 : 0); }
  void Real(std::string_view, double v) { Put(v); }
  void NullableReal(std::string_view, double v) {
    if (ta::IsNull(v)) {
      out_->push_back(1);
    } else {
      out_->push_back(0);
      Put(v);
    }
  }
  void Source(std::string_view n, market::Source v) { Text(n, market::SourceName(v)); }
  void Window(std::string_view n, ta::WindowSize v) { Text(n, ta::WindowSizeName(v)); }

 private:
  template <typename T>
  void Put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // x86-64 and aarch64 are little-endian, as is RowBinary
    out_->append(b, sizeof(T));
  }
  std::string* out_;
};

// Reads fields in order; after a short or malformed input ok() turns false and stays false.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

  void Text(std::string_view, std::string& v) { v = String(); }
  void Ts(std::string_view, Timestamp& v) { v = Timestamp::FromMillis(Get<int64_t>()); }
  void Int(std::string_view, int64_t& v) { v = Get<int64_t>(); }
  void Bool(std::string_view, bool& v) { v = Get<uint8_t>() != 0; }
  void Real(std::string_view, double& v) { v = Get<double>(); }
  void NullableReal(std::string_view, double& v) { v = Get<uint8_t>() ? ta::kNull : Get<double>(); }
  void Source(std::string_view, market::Source& v) { ok_ &= market::ParseSource(String(), &v); }
  void Window(std::string_view, ta::WindowSize& v) { ok_ &= ta::ParseWindowSize(String(), &v); }

  template <typename T>
  T Get() {
    T v{};
    if (in_.size() < sizeof(T)) {
      ok_ = false;
      in_ = {};
      return v;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return v;
  }
  std::string String() {
    uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = Get<uint8_t>();
      n |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      in_ = {};
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace torghut::store::rowbinary
