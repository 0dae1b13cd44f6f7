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

  void OnMicrobar(const MicrobarRow& row) override;
  void OnSignal(const SignalRow& row) override;

  // Sorted by (symbol, window_size, event_ts).
  const std::map<Key, MicrobarRow>& microbars() const { return microbars_; }
  const std::map<Key, SignalRow>& signals() const { return signals_; }

  // JSONL (one row per line, sorted) of each table.
  std::string MicrobarsJsonl() const;
  std::string SignalsJsonl() const;

 private:
  std::map<Key, MicrobarRow> microbars_;
  std::map<Key, SignalRow> signals_;
};

}  // namespace torghut::ta
