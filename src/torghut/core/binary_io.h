// Little-endian binary encoding for snapshots and checkpoints.
//
//   BinaryWriter w;                 // appends to an internal std::string
//   w.PutU32(7); w.PutF64(1.5); w.PutString("AAPL");
//   BinaryReader r(w.data());
//   uint32_t n; double x; std::string s;
//   if (!r.GetU32(&n) || !r.GetF64(&x) || !r.GetString(&s)) return r.Error();
//
// Doubles are stored as their exact IEEE-754 bit patterns (restores are bit-identical, NaN
// payloads included). The reader is bounds-checked and never reads past its input; after the first
// failed Get every further Get fails too, so a caller may check once at the end.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut {

class BinaryWriter {
 public:
  void PutU8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void PutBool(bool v) { PutU8(v ? 1 : 0); }
  void PutU32(uint32_t v) { PutRaw(&v, sizeof v); }
  void PutU64(uint64_t v) { PutRaw(&v, sizeof v); }
  void PutI64(int64_t v) { PutRaw(&v, sizeof v); }
  void PutF64(double v) { PutU64(std::bit_cast<uint64_t>(v)); }
  void PutString(std::string_view s) {
    PutU32(static_cast<uint32_t>(s.size()));
    buf_.append(s.data(), s.size());
  }
  void PutBytes(std::string_view s) { buf_.append(s.data(), s.size()); }

  const std::string& data() const { return buf_; }
  std::string Release() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  static_assert(std::endian::native == std::endian::little, "snapshots assume little-endian");
  void PutRaw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  std::string buf_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view data) : data_(data) {}

  bool GetU8(uint8_t* v) { return GetRaw(v, sizeof *v); }
  bool GetBool(bool* v) {
    uint8_t b = 0;
    if (!GetU8(&b)) return false;
    if (b > 1) return Fail("bool out of range");
    *v = b == 1;
    return true;
  }
  bool GetU32(uint32_t* v) { return GetRaw(v, sizeof *v); }
  bool GetU64(uint64_t* v) { return GetRaw(v, sizeof *v); }
  bool GetI64(int64_t* v) { return GetRaw(v, sizeof *v); }
  bool GetF64(double* v) {
    uint64_t bits = 0;
    if (!GetU64(&bits)) return false;
    *v = std::bit_cast<double>(bits);
    return true;
  }
  bool GetString(std::string* s, size_t max_len = 1 << 20) {
    uint32_t n = 0;
    if (!GetU32(&n)) return false;
    if (n > max_len) return Fail("string length out of range");
    if (!Need(n)) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }

  bool ok() const { return error_ == nullptr; }
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t position() const { return pos_; }
  // DataLoss naming the first failure, or OK.
  Status Error() const {
    if (ok()) return Status::Ok();
    return DataLoss(std::string("snapshot: ") + error_ + " at byte " + std::to_string(pos_));
  }
  // Marks the reader failed with a reason (e.g. a value out of its domain); returns false.
  bool Fail(const char* why) {
    if (error_ == nullptr) error_ = why;
    return false;
  }

 private:
  bool Need(size_t n) {
    if (error_ != nullptr) return false;
    if (data_.size() - pos_ < n) return Fail("truncated");
    return true;
  }
  bool GetRaw(void* out, size_t n) {
    if (!Need(n)) return false;
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
};

}  // namespace torghut
