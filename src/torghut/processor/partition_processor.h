// PartitionProcessor: one input partition of the TA service — its trades, quotes and minute-bar
// topics' partition p — merged into one deterministic event sequence and run through one engine.
//
//   PartitionProcessor p(0, engine_config, &sessions, &sink);
//   p.Add(InputKind::kTrades, offset, envelope_json);      // as the consumer delivers them
//   p.Drain({.trades = false, .quotes = true, .bars = true});  // quotes/bars: nothing more on the
//   bus std::string ckpt = p.Checkpoint();                     // engine state + next offsets
//
// Determinism (SPEC §4): the engine's final rows depend on each symbol's inputs *and* on where
// quotes fall between trades. Messages are therefore released in order of their heads' event
// time across the three topics (ties: trades, quotes, bars; then offset), and a message is only
// released while every other topic either has a queued message or has nothing more on the bus
// (`caught_up`). When the input is already on the bus, the released sequence is a pure function of
// the three partition logs, whatever the poll sizes, restarts or crashes — which is what makes
// the final rows identical.
//
// Positions: NextOffset(kind) is the offset of the first message not yet *processed* (queued
// messages do not count); a checkpoint records them and the consumer seeks there on restore.
// Messages below the position (redeliveries) are ignored. Undecodable messages and payloads that
// are not market data are counted and skipped in order.
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

namespace torghut::processor {

enum class InputKind : uint8_t { kTrades = 0, kQuotes = 1, kBars = 2 };
inline constexpr int kInputKinds = 3;

// For each input topic: true when the consumer has fetched everything the bus holds for this
// partition (so an empty queue means "no more data", not "not fetched yet").
struct CaughtUp {
  bool trades = false, quotes = false, bars = false;
  bool operator[](InputKind k) const {
    return k == InputKind::kTrades ? trades : k == InputKind::kQuotes ? quotes : bars;
  }
};

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
  size_t Queued() const;
  size_t Queued(InputKind kind) const { return queues_[static_cast<int>(kind)].size(); }

  void EmitProvisional() { engine_->EmitProvisional(); }
  void SetProcessingTime(Timestamp now) { engine_->SetProcessingTime(now); }
  // Only when the partition is caught up on every topic: finalizing for idleness during a backlog
  // would depend on how fast the backlog is read.
  void FinalizeIdle(Timestamp now) { engine_->FinalizeIdle(now); }
  // End of a finite input (a replay window): every open bar becomes final.
  void FinalizeAll() { engine_->FinalizeAll(); }

  int64_t NextOffset(InputKind kind) const { return next_offset_[static_cast<int>(kind)]; }
  // Where a restored (or new) processor starts; only before the first Add.
  void SetNextOffset(InputKind kind, int64_t offset);

  // Engine state and positions; Restore() on a fresh processor of the same partition and config
  // continues exactly where this one was.
  std::string Checkpoint() const;
  Status Restore(std::string_view checkpoint);

  const ProcessorCounters& counters() const { return counters_; }
  const ta::EngineCounters& engine_counters() const { return engine_->counters(); }

 private:
  struct Pending {
    int64_t offset = 0;
    int64_t event_ns = INT64_MIN;  // INT64_MIN for messages to skip: released first
    bool usable = false;
    alpaca::DecodedMessage message;
    ta::InputMeta meta;
  };
  void Process(InputKind kind, Pending& p);

  int32_t partition_;
  ta::EngineConfig config_;
  const ta::SessionCalendar* sessions_;
  ta::RowSink* sink_;
  SymbolTable symbols_;
  std::unique_ptr<alpaca::EnvelopeDecoder> decoder_;
  alpaca::Envelope envelope_;
  std::unique_ptr<ta::Engine> engine_;
  std::array<std::deque<Pending>, kInputKinds> queues_;
  std::array<int64_t, kInputKinds> next_offset_{};  // first unprocessed
  std::array<int64_t, kInputKinds> next_add_{};     // first not yet queued
  ProcessorCounters counters_;
  InputFilter filter_;
};

}  // namespace torghut::processor
