// The TA engine: trades → 1-second microbars → indicator signals, on event time.
//
//   Engine engine(config, &symbols, &sessions, &sink);
//   engine.Apply(event, meta);          // a market::Event, in the order ta::InputMerge releases
//   engine.EmitProvisional();           // optional, after a batch: live, not-yet-final rows
//   engine.FinalizeAll();               // end of input (file replay)
//
// One engine serves one input partition and is single-threaded; live, replay and backtest all
// drive this same class, in the order of the one input merge (ta/input_merge.h). Everything it
// emits is a pure function of each symbol's own input sequence (see
// docs/adr/002-ta-event-time.md for why the watermark is per symbol):
//  - Watermark per symbol = max trade event time − max_out_of_order. A bar [s, s+1s) is final once
//    the watermark reaches s+1s. Until then EmitProvisional() may publish it with is_final = 0.
//  - A trade that arrives after its bar is final revises it (same identity, higher version), as do
//    cancels ("x") and corrections ("c"). Final bars stay revisable for `revision_horizon_ms` past
//    the watermark; inputs older than that are counted (`too_late_*`) and dropped.
//  - Trades are de-duplicated by id within the same horizon.
//  - `version` = 2 × (number of inputs folded into the row) + is_final, so versions grow with every
//    change, a final row outranks the provisional row of the same content, and a row's final
//    version does not depend on when it was finalized.
//  - Signals are computed when a bar becomes final, in bar order. A revision of the newest final
//    bar recomputes its signal row exactly (the engine keeps the indicator state from before that
//    bar); revising an older bar does not rewrite the indicator history that followed it.
//  - One PT1M signal row per upstream minute bar ("T":"b"); an updated bar ("T":"u") revises it.
//
// Hot path: no exceptions, no allocation per trade once per-symbol buffers have grown, no virtual
// call per trade (the sink is called per row).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "torghut/core/binary_io.h"
#include "torghut/core/calendar.h"
#include "torghut/core/status.h"
#include "torghut/core/symbols.h"
#include "torghut/core/time.h"
#include "torghut/market/events.h"
#include "torghut/ta/rows.h"

namespace torghut::ta {

class IndicatorSet;

struct EngineConfig {
  int64_t max_out_of_order_ms = 2000;    // TA_MAX_OUT_OF_ORDER_MS
  int64_t idle_timeout_ms = 30000;       // TA_WATERMARK_IDLE_TIMEOUT_MS (processing time)
  int64_t vwap_window_seconds = 300;     // TA_VWAP_WINDOW_SECONDS
  int32_t realized_vol_window = 60;      // TA_REALIZED_VOL_WINDOW (bars)
  int64_t quote_stale_after_ms = 15000;  // TA_QUOTE_STALE_AFTER_MS
  int64_t revision_horizon_ms = 10000;   // TA_REVISION_HORIZON_MS: final bars stay revisable

  // One message per bad field, joined with "; ".
  Status Validate() const;
};

// Per-input metadata from the envelope (or the file reader).
struct InputMeta {
  Timestamp ingest_ts;  // when the forwarder received it (file replay: the event time)
  int64_t seq = 0;      // envelope seq, or the per-symbol input ordinal for files
  Source source = Source::kWs;
};

// Receives rows as they are produced. Called synchronously from the engine's thread.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void OnMicrobar(const MicrobarRow& row) = 0;
  virtual void OnSignal(const SignalRow& row) = 0;
};

// Where US trading sessions start (04:00 America/New_York); session VWAP resets there.
class SessionCalendar {
 public:
  virtual ~SessionCalendar() = default;
  // The latest session start at or before `t`.
  virtual Timestamp SessionStartAtOrBefore(Timestamp t) const = 0;
  // The first session start after `t`.
  virtual Timestamp NextSessionStartAfter(Timestamp t) const = 0;
};

// The US-equities calendar of core/calendar.h as the engine's SessionCalendar.
class TradingSessions : public SessionCalendar {
 public:
  explicit TradingSessions(const TradingCalendar* calendar) : calendar_(calendar) {}
  Timestamp SessionStartAtOrBefore(Timestamp t) const override {
    return calendar_->SessionStartAtOrBefore(t);
  }
  Timestamp NextSessionStartAfter(Timestamp t) const override {
    return calendar_->NextSessionStartAfter(t);
  }

 private:
  const TradingCalendar* calendar_;
};

struct EngineCounters {
  int64_t trades = 0;            // trades folded into a bar
  int64_t duplicate_trades = 0;  // same id seen before
  int64_t too_late_trades = 0;   // older than the revision horizon
  int64_t invalid_trades = 0;    // negative id, non-positive price or size
  int64_t quotes = 0;
  int64_t cancels = 0;              // cancels applied to a bar
  int64_t corrections = 0;          // corrections applied to a bar
  int64_t unmatched_revisions = 0;  // cancel/correction whose bar is gone or never existed
  int64_t minute_bars = 0;
  int64_t updated_bars = 0;
  int64_t stale_minute_bars = 0;  // minute bars too old to place in the PT1M chain
  int64_t ignored_daily_bars = 0;
  int64_t final_rows = 0;  // first final emission of a microbar
  int64_t revisions = 0;   // re-emissions of an already final microbar
  int64_t provisional_rows = 0;
};

class Engine {
 public:
  // `symbols` resolves the ids carried by events (it must outlive the engine and may grow);
  // `sessions` and `sink` must outlive the engine. Precondition: config.Validate().ok().
  Engine(const EngineConfig& config, SymbolTable* symbols, const SessionCalendar* sessions,
         RowSink* sink);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The one entry point of every driver: dispatches to the On* handler of the event's kind.
  // false for kinds TA does not use (trading statuses, LULD bands), left for the caller to count.
  bool Apply(const market::Event& event, const InputMeta& meta);

  void OnTrade(const market::Trade& trade, const InputMeta& meta);
  void OnQuote(const market::Quote& quote, const InputMeta& meta);
  void OnBar(const market::Bar& bar, const InputMeta& meta);
  void OnCancel(const market::Cancel& cancel, const InputMeta& meta);
  void OnCorrection(const market::Correction& correction, const InputMeta& meta);

  // Emits a provisional (is_final = 0) microbar and signal row for every open bar that changed
  // since the previous call.
  void EmitProvisional();
  // Processing time, used only by the idle rule. Live drivers call it per batch.
  void SetProcessingTime(Timestamp now) { processing_now_ = now; }
  // Finalizes the open bars of every symbol that received no input for idle_timeout_ms of
  // processing time (see SetProcessingTime). Live only; replays never call it. A symbol restored
  // by Load() starts its idle clock at the first call after the restore.
  void FinalizeIdle(Timestamp processing_now);
  // Finalizes every open bar (end of input).
  void FinalizeAll();

  // The whole state, versioned; Load restores it bit-exactly (same config required).
  void Save(BinaryWriter& w) const;
  Status Load(BinaryReader& r);

  const EngineCounters& counters() const { return counters_; }
  // Approximate heap bytes held by per-symbol state (for the memory benchmark).
  size_t StateBytes() const;

 private:
  struct SymbolState;
  SymbolState& State(SymbolId id);
  int64_t SessionStart(int64_t t_ns);
  // Finalizes open bars whose end is at or before `watermark_ns`, oldest first.
  void FinalizeUpTo(SymbolId id, SymbolState& st, int64_t watermark_ns);
  // Drops final bars (and their de-dup ids) that fell out of the revision horizon.
  void Prune(SymbolState& st);
  void FinalizeBar(SymbolId id, SymbolState& st, size_t index);
  // Re-emits a final bar that changed (and its signals when it is the newest final bar).
  void EmitRevision(SymbolId id, SymbolState& st, size_t index);
  void OnBarChanged(SymbolId id, SymbolState& st, size_t index);
  // Finds the bar starting at `start`; size() if none.
  static size_t FindBar(const SymbolState& st, int64_t start);
  int64_t Horizon(const SymbolState& st) const;
  int64_t Watermark(int64_t max_trade_ts) const;

  EngineConfig config_;
  SymbolTable* symbols_;
  const SessionCalendar* sessions_;
  RowSink* sink_;
  std::vector<std::unique_ptr<SymbolState>> states_;  // indexed by SymbolId
  std::vector<SymbolId> dirty_;                       // symbols with unpublished open-bar changes
  EngineCounters counters_;
  Timestamp processing_now_;
  int64_t cached_session_start_ = INT64_MIN, cached_session_next_ = INT64_MIN;
  std::unique_ptr<IndicatorSet> provisional_scratch_;
};

}  // namespace torghut::ta
