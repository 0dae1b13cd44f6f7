// The set of recently seen trade ids of one symbol, for de-duplication.
//
// Open addressing with linear probing over (id, event time) pairs, kept at most half full. Entries
// older than the caller's horizon are dropped when the table fills up, so memory follows the number
// of trades inside the horizon, and steady state never allocates (the spare table is reused).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "torghut/core/binary_io.h"

namespace torghut::ta::internal {

class TradeIdSet {
 public:
  // Inserts `id` (event time `ts_ns`); false if it was already present. Entries with an event time
  // below `horizon_ns` may be forgotten.
  bool Insert(int64_t id, int64_t ts_ns, int64_t horizon_ns) {
    if (id == kEmpty) {  // the one value the table cannot hold in a slot
      const bool fresh = !has_empty_key_;
      has_empty_key_ = true;
      return fresh;
    }
    if ((used_ + 1) * 2 > slots_.size()) Rehash(horizon_ns);
    size_t i = Hash(id) & mask_;
    while (slots_[i].id != kEmpty) {
      if (slots_[i].id == id) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = Slot{id, ts_ns};
    ++used_;
    return true;
  }
  bool Contains(int64_t id) const {
    if (id == kEmpty) return has_empty_key_;
    if (slots_.empty()) return false;
    size_t i = Hash(id) & mask_;
    while (slots_[i].id != kEmpty) {
      if (slots_[i].id == id) return true;
      i = (i + 1) & mask_;
    }
    return false;
  }
  size_t size() const { return used_ + (has_empty_key_ ? 1 : 0); }
  size_t capacity() const { return slots_.size(); }
  size_t HeapBytes() const { return (slots_.capacity() + spare_.capacity()) * sizeof(Slot); }

  // Entries are written in slot order; a restored set answers identically.
  void Save(BinaryWriter& w) const {
    w.PutU64(slots_.size());
    w.PutU64(used_);
    w.PutBool(has_empty_key_);
    for (const Slot& s : slots_) {
      if (s.id == kEmpty) continue;
      w.PutI64(s.id);
      w.PutI64(s.ts_ns);
    }
  }
  bool Load(BinaryReader& r) {
    uint64_t cap = 0, used = 0;
    if (!r.GetU64(&cap) || !r.GetU64(&used) || !r.GetBool(&has_empty_key_)) return false;
    if (cap > (1u << 26) || (cap & (cap - 1)) != 0 || used > cap / 2 + 1) {
      return r.Fail("bad trade id set");
    }
    slots_.assign(cap, Slot{});
    mask_ = cap == 0 ? 0 : cap - 1;
    used_ = 0;
    for (uint64_t k = 0; k < used; ++k) {
      Slot s;
      if (!r.GetI64(&s.id) || !r.GetI64(&s.ts_ns)) return false;
      if (s.id == kEmpty) return r.Fail("bad trade id");
      Place(s);
    }
    return true;
  }

 private:
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  struct Slot {
    int64_t id = kEmpty;
    int64_t ts_ns = 0;
  };
  // Trade ids of one symbol are mostly increasing, so keeping the low bits as they are puts
  // consecutive trades in neighbouring slots (cache-friendly, no clustering); the high bits are
  // folded in so ids that differ only there still spread.
  static size_t Hash(int64_t id) {
    const uint64_t x = static_cast<uint64_t>(id);
    return static_cast<size_t>(x ^ (x >> 29) ^ (x >> 47));
  }
  void Place(const Slot& s) {
    size_t i = Hash(s.id) & mask_;
    while (slots_[i].id != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
    ++used_;
  }
  void Rehash(int64_t horizon_ns) {
    size_t live = 0;
    for (const Slot& s : slots_) live += (s.id != kEmpty && s.ts_ns >= horizon_ns) ? 1 : 0;
    size_t cap = slots_.empty() ? 16 : slots_.size();
    while ((live + 1) * 4 > cap) cap *= 2;  // at most a quarter full after a rehash
    spare_.swap(slots_);
    slots_.assign(cap, Slot{});  // reuses the spare's buffer when it is large enough
    mask_ = cap - 1;
    used_ = 0;
    for (const Slot& s : spare_) {
      if (s.id != kEmpty && s.ts_ns >= horizon_ns) Place(s);
    }
  }
  std::vector<Slot> slots_, spare_;
  size_t used_ = 0, mask_ = 0;
  bool has_empty_key_ = false;
};

}  // namespace torghut::ta::internal
