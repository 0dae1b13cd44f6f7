#include "torghut/core/symbols.h"

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

SymbolId SymbolTable::Intern(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const SymbolId id = static_cast<SymbolId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string_view(names_.back()), id);
  return id;
}

SymbolId SymbolTable::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kNoSymbol : it->second;
}

}  // namespace torghut
