// InputMerge: the one order in which every driver feeds a TA engine — the TA service (per bus
// partition), `replay --from-file` and `backtest`.
//
//   InputMerge merge;
//   merge.Push(symbol, InputKind::kTrades, {.position = offset, .event_ns = t, .event = e});
//   merge.Drain(caught_up, [&](SymbolId, InputKind, MergeInput& in) {
//     engine.Apply(in.event, in.meta);
//   });
//
// A TA engine's rows for a symbol depend on that symbol's trades *and* on where its quotes and
// minute bars fall between them (a quote is the as-of quote of the bars that close after it; a
// minute bar joins the PT1M chain in order). The three inputs travel separately — three bus
// topics, or three kinds of line in a file — so they are merged here, per symbol, by a fixed rule:
//  - each symbol's inputs of one kind are queued in their own order (a topic partition's
//    offsets, a file's lines);
//  - of a symbol's three queue heads, the one with the earliest event time is released first
//    (ties: trades, quotes, bars);
//  - nothing of a symbol is released while one of its queues is empty and that input is not
//    `caught_up` (the symbol may still have an earlier event there).
// Each symbol's released sequence is therefore a pure function of its own three input
// sequences — whatever the batch sizes, the timing of reads, the other symbols sharing the input
// or how symbols are spread over partitions. A driver that holds all of its input (a file, or a
// bus whose topics are caught up) gets exactly the sequence of one that reads it piece by piece.
// Different symbols may be released in any relative order; the engine keeps their state apart.
//
// Single-threaded. Inputs are owned by the merge until released.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "torghut/core/symbols.h"
#include "torghut/market/events.h"
#include "torghut/ta/engine.h"
#include "torghut/ta/internal/ring.h"

namespace torghut::ta {

// The three inputs of a TA engine, as the bus carries them (SPEC §3): trades with their
// corrections and cancels, quotes, and minute bars (updated and daily bars too).
enum class InputKind : uint8_t { kTrades = 0, kQuotes = 1, kBars = 2 };
inline constexpr int kInputKinds = 3;

// Which input an event travels on (the forwarder's topic routing).
InputKind InputKindOf(const market::Event& event);

// For each input: true when the driver holds everything that input has (so an empty queue means
// "no more data", not "not read yet").
struct CaughtUp {
  bool trades = false, quotes = false, bars = false;
  bool operator[](InputKind k) const {
    return k == InputKind::kTrades ? trades : k == InputKind::kQuotes ? quotes : bars;
  }
};

struct MergeInput {
  int64_t position = 0;  // the input's own position (bus offset, file line)
  int64_t event_ns = 0;  // event time: the merge key
  market::Event event;
  InputMeta meta;
};

class InputMerge {
 public:
  // Queues `input` behind the earlier inputs of `kind` for `symbol`.
  void Push(SymbolId symbol, InputKind kind, MergeInput input);

  // Releases queued inputs in merge order while the rule allows, calling
  // `release(SymbolId, InputKind, MergeInput&)` for each. Returns how many were released.
  template <typename Release>
  int64_t Drain(const CaughtUp& caught_up, Release&& release) {
    // Only symbols that received input can move — unless an input has just caught up, which
    // may unblock any symbol that holds something.
    const bool widened = (caught_up.trades && !last_.trades) ||
                         (caught_up.quotes && !last_.quotes) || (caught_up.bars && !last_.bars);
    last_ = caught_up;
    std::vector<SymbolId>& candidates = widened ? active_ : touched_;
    int64_t released = 0;
    for (SymbolId s : candidates) {
      SymbolQueues& sq = by_symbol_[s];
      int k;
      while ((k = Next(sq, caught_up)) >= 0) {
        auto& q = sq.q[static_cast<size_t>(k)];
        release(s, static_cast<InputKind>(k), q.front());
        q.pop_front();
        --queued_[static_cast<size_t>(k)];
        ++released;
      }
    }
    for (SymbolId s : touched_) by_symbol_[s].touched = false;
    touched_.clear();
    // Symbols whose queues ran empty leave the active list.
    size_t kept = 0;
    for (SymbolId s : active_) {
      SymbolQueues& sq = by_symbol_[s];
      if (sq.q[0].empty() && sq.q[1].empty() && sq.q[2].empty()) {
        sq.active = false;
      } else {
        active_[kept++] = s;
      }
    }
    active_.resize(kept);
    return released;
  }

  size_t Queued() const { return queued_[0] + queued_[1] + queued_[2]; }
  size_t Queued(InputKind kind) const { return queued_[static_cast<size_t>(kind)]; }
  void Clear();

 private:
  struct SymbolQueues {
    std::array<internal::Ring<MergeInput>, kInputKinds> q;
    bool active = false;   // listed in active_
    bool touched = false;  // listed in touched_
  };
  // The kind whose head goes next for this symbol, or -1 when it must wait or holds nothing.
  static int Next(const SymbolQueues& sq, const CaughtUp& caught_up);

  std::vector<SymbolQueues> by_symbol_;  // indexed by SymbolId
  std::vector<SymbolId> active_;         // symbols holding queued inputs
  std::vector<SymbolId> touched_;        // symbols pushed to since the last Drain
  std::array<size_t, kInputKinds> queued_{};
  CaughtUp last_;
};

}  // namespace torghut::ta
