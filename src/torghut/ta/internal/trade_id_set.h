// The set of recently seen trade ids of one symbol, for de-duplication.
//
// Open addressing with linear probing over (id, event time) pairs. Entries older than the caller's
// horizon are dropped lazily when the table would otherwise grow, so memory follows the number of
// trades inside the horizon and steady state never allocates.
#pragma once

#include <cstdint>
#include <vector>

#include "torghut/core/binary_io.h"

namespace torghut::ta::internal {

class TradeIdSet {
 public:
  // Inserts `id` (event time `ts_ns`); false if it was already present. `horizon_ns`: entries with
  // an event time below it may be forgotten.
  bool Insert(int64_t id, int64_t ts_ns, int64_t horizon_ns) {
    if ((used_ + 1) * 4 > slots_.size() * 3) Rehash(horizon_ns);
    size_t i = Hash(id) & (slots_.size() - 1);
    while (slots_[i].occupied) {
      if (slots_[i].id == id) return false;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = Slot{id, ts_ns, true};
    ++used_;
    return true;
  }
  bool Contains(int64_t id) const {
    if (slots_.empty()) return false;
    size_t i = Hash(id) & (slots_.size() - 1);
    while (slots_[i].occupied) {
      if (slots_[i].id == id) return true;
      i = (i + 1) & (slots_.size() - 1);
    }
    return false;
  }
  size_t size() const { return used_; }
  size_t capacity() const { return slots_.size(); }

  // Entries are written in slot order, so a restored set is identical, including its capacity.
  void Save(BinaryWriter& w) const {
    w.PutU64(slots_.size());
    w.PutU64(used_);
    for (const Slot& s : slots_) {
      if (!s.occupied) continue;
      w.PutI64(s.id);
      w.PutI64(s.ts_ns);
    }
  }
  bool Load(BinaryReader& r) {
    uint64_t cap = 0, used = 0;
    if (!r.GetU64(&cap) || !r.GetU64(&used)) return false;
    if (cap > (1u << 26) || (cap & (cap - 1)) != 0 || used > cap) return r.Fail("bad id set");
    slots_.assign(cap, Slot{});
    used_ = 0;
    for (uint64_t k = 0; k < used; ++k) {
      Slot s{0, 0, true};
      if (!r.GetI64(&s.id) || !r.GetI64(&s.ts_ns)) return false;
      size_t i = Hash(s.id) & (slots_.size() - 1);
      while (slots_[i].occupied) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
      ++used_;
    }
    return true;
  }

 private:
  struct Slot {
    int64_t id = 0;
    int64_t ts_ns = 0;
    bool occupied = false;
  };
  static size_t Hash(int64_t id) {
    uint64_t x = static_cast<uint64_t>(id);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  }
  void Rehash(int64_t horizon_ns) {
    size_t live = 0;
    for (const Slot& s : slots_) live += (s.occupied && s.ts_ns >= horizon_ns) ? 1 : 0;
    size_t cap = slots_.empty() ? 16 : slots_.size();
    while ((live + 1) * 2 > cap) cap *= 2;  // keep the load at most half after a rehash
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(cap, Slot{});
    used_ = 0;
    for (const Slot& s : old) {
      if (!s.occupied || s.ts_ns < horizon_ns) continue;
      size_t i = Hash(s.id) & (cap - 1);
      while (slots_[i].occupied) i = (i + 1) & (cap - 1);
      slots_[i] = s;
      ++used_;
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace torghut::ta::internal
