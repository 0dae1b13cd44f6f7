// Where the TA service's rows go: buffered per partition, then written to the TA store (idempotent
// upserts by row identity) and produced to the TA topics (SPEC §4 Sinks).
//
//   RowBuffer out(&clock);                       // the partition engine's RowSink
//   RowWriter writer(store, producer, topics.ta_microbars, topics.ta_signals, publish_rows);
//   RowWriteResult r = writer.Write(out);        // store first; then the topics
//   if (!r.store.ok()) { /* rows stay in `out`; back off, retry */ }
//
// The store comes first: a row reaches the topics only once it is durable. A produce failure does
// not undo the store write; the caller counts it and recomputes from the last checkpoint before
// committing anything (docs/adr/006).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/store/ta_store.h"
#include "torghut/ta/engine.h"

namespace torghut::processor {

// Rows one partition emitted that are not yet in the store. Single-threaded.
class RowBuffer final : public ta::RowSink {
 public:
  explicit RowBuffer(const Clock* clock) : clock_(clock) {}
  void OnMicrobar(const ta::MicrobarRow& row) override {
    Touch();
    microbars.push_back(row);
  }
  void OnSignal(const ta::SignalRow& row) override {
    Touch();
    signals.push_back(row);
  }
  size_t size() const { return microbars.size() + signals.size(); }
  void clear() {
    microbars.clear();
    signals.clear();
    oldest_ms = -1;
  }

  std::vector<ta::MicrobarRow> microbars;
  std::vector<ta::SignalRow> signals;
  int64_t oldest_ms = -1;  // clock time of the oldest buffered row

 private:
  void Touch() {
    if (oldest_ms < 0) oldest_ms = clock_->NowMillis();
  }
  const Clock* clock_;
};

struct RowWriteResult {
  Status store;                  // not OK: nothing was written, the buffer is as it was
  int64_t rows = 0;              // written (the buffer is then empty)
  int64_t newest_event_ms = -1;  // newest microbar event time written
  int64_t produce_failures = 0;  // rows the topics refused
  std::string last_produce_error;
};

class RowWriter {
 public:
  // `producer` may be null when `publish` is false. All must outlive the writer.
  RowWriter(store::TaStore* store, bus::Producer* producer, std::string microbars_topic,
            std::string signals_topic, bool publish)
      : store_(store),
        producer_(producer),
        microbars_topic_(std::move(microbars_topic)),
        signals_topic_(std::move(signals_topic)),
        publish_(publish) {}

  // Writes `out` to the store, then (when publishing) to the topics, and empties it on success.
  RowWriteResult Write(RowBuffer& out);

 private:
  store::TaStore* store_;
  bus::Producer* producer_;
  std::string microbars_topic_, signals_topic_;
  bool publish_;
  std::string json_;
};

}  // namespace torghut::processor
