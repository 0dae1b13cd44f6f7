#include "torghut/core/symbols.h"

#include <cstring>

namespace torghut {

bool IsValidSymbol(std::string_view s) {
  if (s.empty() || s.size() > kMaxSymbolLength) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateSymbol(std::string_view s) {
  if (IsValidSymbol(s)) return Status::Ok();
  std::string shown(s.substr(0, 40));
  return InvalidArgument("symbol '" + shown + "' must match ^[A-Z0-9._:-]{1,32}$");
}

uint64_t SymbolTable::Pack(std::string_view name) {
  uint64_t packed = 0;
  std::memcpy(&packed, name.data(), name.size());  // caller guarantees size <= 8
  return packed;
}

size_t SymbolTable::Slot(uint64_t packed, size_t length) {
  return static_cast<size_t>(((packed ^ length) * 0x9E3779B97F4A7C15ull) >> 54);  // 10 bits
}

SymbolId SymbolTable::Intern(std::string_view name) {
  const bool cacheable = !name.empty() && name.size() <= 8;
  uint64_t packed = 0;
  CacheSlot* slot = nullptr;
  if (cacheable) {
    packed = Pack(name);
    slot = &cache_[Slot(packed, name.size())];
    if (slot->length == name.size() && slot->packed == packed) return slot->id;
  }
  SymbolId id;
  if (auto it = ids_.find(name); it != ids_.end()) {
    id = it->second;
  } else {
    id = static_cast<SymbolId>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(std::string_view(names_.back()), id);
  }
  if (slot != nullptr) *slot = CacheSlot{packed, static_cast<uint32_t>(name.size()), id};
  return id;
}

SymbolId SymbolTable::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kNoSymbol : it->second;
}

}  // namespace torghut
