#include "torghut/ta/input_merge.h"

namespace torghut::ta {

InputKind InputKindOf(const market::Event& event) {
  if (std::holds_alternative<market::Quote>(event)) return InputKind::kQuotes;
  if (std::holds_alternative<market::Bar>(event)) return InputKind::kBars;
  return InputKind::kTrades;  // trades, corrections, cancels (and anything else)
}

void InputMerge::Push(SymbolId symbol, InputKind kind, MergeInput input) {
  if (symbol >= by_symbol_.size()) by_symbol_.resize(static_cast<size_t>(symbol) + 1);
  SymbolQueues& sq = by_symbol_[symbol];
  sq.q[static_cast<size_t>(kind)].push_back(std::move(input));
  ++queued_[static_cast<size_t>(kind)];
  if (!sq.active) {
    sq.active = true;
    active_.push_back(symbol);
  }
  if (!sq.touched) {
    sq.touched = true;
    touched_.push_back(symbol);
  }
}

int InputMerge::Next(const SymbolQueues& sq, const CaughtUp& caught_up) {
  int best = -1;
  for (int k = 0; k < kInputKinds; ++k) {
    const auto& q = sq.q[static_cast<size_t>(k)];
    if (q.empty()) {
      if (!caught_up[static_cast<InputKind>(k)]) return -1;
      continue;
    }
    // Strictly earlier wins, so ties go to the lower kind (trades, quotes, bars): a fixed rule.
    if (best < 0 || q.front().event_ns < sq.q[static_cast<size_t>(best)].front().event_ns) {
      best = k;
    }
  }
  return best;
}

void InputMerge::Clear() {
  for (SymbolQueues& sq : by_symbol_) {
    for (auto& q : sq.q) q.clear();
    sq.active = sq.touched = false;
  }
  active_.clear();
  touched_.clear();
  queued_ = {};
  last_ = {};
}

}  // namespace torghut::ta
