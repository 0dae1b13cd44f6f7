// PartitionProcessor: one input partition of the TA service — its trades, quotes and minute-bar
// topics' partition p — merged into one deterministic event sequence and run through one engine.
//
//   PartitionProcessor p(0, engine_config, &sessions, &sink);
//   p.Add(ta::InputKind::kTrades, offset, envelope_json);   // as the consumer delivers them
//   p.Drain({.trades = false, .quotes = true, .bars = true});
//   std::string ckpt = p.Checkpoint();                       // engine state + next offsets
//
// Determinism (SPEC §4): messages are decoded here and released through ta::InputMerge, the one
// merge every TA driver uses (file replay and backtest too), with `caught_up` saying which topics
// have nothing more on the bus. Each symbol's released sequence is a pure function of its own
// messages in the three partition logs, whatever the poll sizes, restarts, crashes or partition
// counts — which is what makes the final rows identical.
//
// Positions: the merge releases symbols independently, so what has been processed is not a prefix
// of each log. NextOffset(kind) is the offset of the first message not yet processed (where a
// restored processor reads from); the checkpoint also records, per symbol and kind, the last
// offset already processed beyond that point, and a restored processor skips those messages when
// they are delivered again. Messages below the position (redeliveries) are ignored. Undecodable
// messages and payloads that are not market data are counted and skipped in order.
//
// Single-threaded; the sink is called synchronously from Drain/EmitProvisional/FinalizeIdle.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/alpaca/envelope.h"
#include "torghut/core/status.h"
#include "torghut/core/symbols.h"
#include "torghut/ta/engine.h"
#include "torghut/ta/input_merge.h"

namespace torghut::processor {

using ta::CaughtUp;
using ta::InputKind;
using ta::kInputKinds;

// Messages a processor leaves out (replays of a window or of some symbols). Left-out messages
// still advance the positions.
struct InputFilter {
  std::vector<std::string> symbols;  // empty: every symbol
  std::optional<Timestamp> since;    // event time before this: left out
  std::optional<Timestamp> until;    // event time after this: left out
};

struct ProcessorCounters {
  int64_t processed = 0;    // messages released to the engine (or skipped in order)
  int64_t bad = 0;          // undecodable messages, or symbols no store accepts
  int64_t ignored = 0;      // well-formed messages TA does not use (statuses, heartbeats)
  int64_t duplicates = 0;   // redelivered messages below the position
  int64_t filtered = 0;     // left out by the InputFilter
  Timestamp last_event_ts;  // event time of the newest message processed
};

class PartitionProcessor {
 public:
  // `sessions` and `sink` must outlive the processor. Precondition: config.Validate().ok().
  PartitionProcessor(int32_t partition, const ta::EngineConfig& config,
                     const ta::SessionCalendar* sessions, ta::RowSink* sink);
  ~PartitionProcessor();

  int32_t partition() const { return partition_; }
  void set_filter(InputFilter filter) { filter_ = std::move(filter); }

  // Queues one consumed message (copied). Offsets of one kind must arrive in increasing order.
  void Add(InputKind kind, int64_t offset, std::string_view value);
  // Releases queued messages in merge order while the rule above allows. Returns how many.
  int64_t Drain(const CaughtUp& caught_up);
  // Queued, not yet processed.
  size_t Queued() const { return merge_.Queued(); }
  size_t Queued(InputKind kind) const { return merge_.Queued(kind); }

  void EmitProvisional() { engine_->EmitProvisional(); }
  void SetProcessingTime(Timestamp now) { engine_->SetProcessingTime(now); }
  // Only when the partition is caught up on every topic: finalizing for idleness during a backlog
  // would depend on how fast the backlog is read.
  void FinalizeIdle(Timestamp now) { engine_->FinalizeIdle(now); }
  // End of a finite input (a replay window): every open bar becomes final.
  void FinalizeAll() { engine_->FinalizeAll(); }

  // The first offset of `kind` not yet processed (all before it are).
  int64_t NextOffset(InputKind kind) const;
  // Where a restored (or new) processor starts; only before the first Add.
  void SetNextOffset(InputKind kind, int64_t offset);

  // Engine state and positions; Restore() on a fresh processor of the same partition and config
  // continues exactly where this one was.
  std::string Checkpoint() const;
  Status Restore(std::string_view checkpoint);

  const ProcessorCounters& counters() const { return counters_; }
  const ta::EngineCounters& engine_counters() const { return engine_->counters(); }

 private:
  void Process(SymbolId symbol, InputKind kind, ta::MergeInput& input);
  // Marks `offset` of `kind` processed (it was queued; offsets of one kind queue in order).
  void Done(InputKind kind, int64_t offset);

  int32_t partition_;
  ta::EngineConfig config_;
  const ta::SessionCalendar* sessions_;
  ta::RowSink* sink_;
  SymbolTable symbols_;
  std::unique_ptr<alpaca::EnvelopeDecoder> decoder_;
  alpaca::Envelope envelope_;
  std::unique_ptr<ta::Engine> engine_;
  ta::InputMerge merge_;
  // Per kind: offsets queued in the merge, ascending, with whether each is processed yet.
  std::array<std::deque<std::pair<int64_t, bool>>, kInputKinds> pending_;
  std::array<int64_t, kInputKinds> next_add_{};  // first not yet queued
  // Per symbol and kind: the last offset processed (-1: none) — the redelivery filter.
  std::vector<std::array<int64_t, kInputKinds>> processed_;
  ProcessorCounters counters_;
  InputFilter filter_;
};

}  // namespace torghut::processor
