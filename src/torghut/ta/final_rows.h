// A RowSink that keeps, per row identity (symbol, window_size, event_ts), the highest-version
// *final* row — what a store holds after every upsert. Used by file replay and by tests that
// compare runs row for row.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "torghut/ta/engine.h"

namespace torghut::ta {

class FinalRowCollector : public RowSink {
 public:
  using Key = std::tuple<std::string, WindowSize, int64_t>;
  // The order of `ORDER BY symbol, window_size, event_ts` on the stored columns: window sizes
  // compare by their names ("PT1M" < "PT1S").
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const {
      if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
      if (std::get<1>(a) != std::get<1>(b)) {
        return WindowSizeName(std::get<1>(a)) < WindowSizeName(std::get<1>(b));
      }
      return std::get<2>(a) < std::get<2>(b);
    }
  };

  void OnMicrobar(const MicrobarRow& row) override;
  void OnSignal(const SignalRow& row) override;

  // Sorted by (symbol, window_size, event_ts).
  const std::map<Key, MicrobarRow, KeyLess>& microbars() const { return microbars_; }
  const std::map<Key, SignalRow, KeyLess>& signals() const { return signals_; }

  // JSONL (one row per line, sorted) of each table.
  std::string MicrobarsJsonl() const;
  std::string SignalsJsonl() const;

 private:
  std::map<Key, MicrobarRow, KeyLess> microbars_;
  std::map<Key, SignalRow, KeyLess> signals_;
};

}  // namespace torghut::ta
