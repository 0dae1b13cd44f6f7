// Symbols: validated tickers interned to dense ids so that hot paths index arrays, not hash maps.
//
//   SymbolTable table;
//   SymbolId id = table.Intern("AAPL");   // 0, then 1 for the next new symbol, ...
//   std::string_view name = table.Name(id);
//
// Ids are dense, start at 0 and are stable for the life of the table (never reused). Not
// thread-safe: each engine/decoder owns its table or guards it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "torghut/core/status.h"

namespace torghut {

using SymbolId = uint32_t;
inline constexpr SymbolId kNoSymbol = UINT32_MAX;
inline constexpr size_t kMaxSymbolLength = 32;

// True when `s` matches ^[A-Z0-9._:-]{1,32}$ (the contract of SPEC §7 for every stored symbol).
bool IsValidSymbol(std::string_view s);
// OK, or InvalidArgument naming the symbol and the rule.
Status ValidateSymbol(std::string_view s);

class SymbolTable {
 public:
  // Returns the id of `name`, adding it when new. Does not validate; callers validate at edges.
  SymbolId Intern(std::string_view name);
  // kNoSymbol when unknown.
  SymbolId Find(std::string_view name) const;
  // Precondition: id < size().
  std::string_view Name(SymbolId id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Names of up to 8 bytes (almost every ticker) are looked up first in a small direct-mapped
  // cache keyed by the name's bytes packed into an integer: one multiply and one compare instead
  // of hashing and comparing strings. Misses fall back to the map.
  struct CacheSlot {
    uint64_t packed = 0;
    uint32_t length = 0;  // 0 = empty slot
    SymbolId id = kNoSymbol;
  };
  static constexpr size_t kCacheSlots = 1024;
  static uint64_t Pack(std::string_view name);
  static size_t Slot(uint64_t packed, size_t length);
  std::array<CacheSlot, kCacheSlots> cache_{};
  // std::deque keeps element addresses stable, so the map's string_view keys stay valid.
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, SymbolId, Hash, std::equal_to<>> ids_;
};

}  // namespace torghut
