// File replay: a JSONL file of market data → the TA engine → the final version of every row.
//
//   FileReplayOptions options;
//   options.input_path = "sample.jsonl";
//   TORGHUT_ASSIGN_OR_RETURN(FileReplayResult result, ReplayFile(options, &sessions, &collector,
//                                                                  on_bad_line));
//   // collector.MicrobarsJsonl() / SignalsJsonl() hold the rows; result has the counts.
//
// Each line is one Alpaca message object (as `torghut sim generate` writes), an Alpaca frame
// (a JSON array of such objects), or a bus envelope (SPEC §3; recognised by its "payload" key).
// Blank lines are ignored. A line that does not decode — or any message in it that is skipped —
// is reported through `on_bad_line` with its 1-based line number and skipped; the run goes on.
//
// This is the same engine as the live TA service, fed through the same merge (ta/input_merge.h):
// the file's trades, quotes and minute bars are three inputs, each in file order, released per
// symbol by event time exactly as the TA service releases its three topics. A file of the bus
// envelopes the TA service read (e.g. `torghut bus dump` of its input topics) gives byte-identical
// final rows. The knobs exist to prove determinism: spreading symbols over several engines,
// emitting provisional rows every N events and snapshotting the engines mid-file (save → new
// engine → load) must leave the final rows byte-identical.
//
// Memory: a symbol's input waits in the merge until each of its three kinds has a queued message
// or has no more lines in the file (found by a scan from the end, replay/internal/kind_scan.h). A
// symbol that has no quotes (or no minute bars) while other symbols keep them coming is held until
// the file's last quote (bar) line.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/symbols.h"
#include "torghut/market/events.h"
#include "torghut/ta/engine.h"

namespace torghut::replay {

struct FileReplayOptions {
  std::string input_path;
  ta::EngineConfig engine;
  bool show_progress = true;  // a progress bar on stderr when it is a terminal
  std::string progress_label = "replay";
  std::function<std::string()> progress_detail;  // appended to the bar when drawn (may be empty)
  // Determinism knobs (tests and benchmarks; the defaults are what users get).
  int partitions = 1;                      // engines, symbols routed by hash of the name
  int64_t provisional_every_events = 0;    // 0 = never emit provisional rows
  std::vector<int64_t> snapshot_at_lines;  // after these line numbers: save + restore engines
  // Called with every market event just before the engine gets it, in the merge's order (a
  // backtest's matching engine watches the market through this). May be empty.
  std::function<void(const market::Event& event, const SymbolTable& symbols)> on_event;
};

struct FileReplayResult {
  int64_t lines = 0;
  int64_t events = 0;            // messages fed to the engine (trades, quotes, bars, cancels, ...)
  int64_t ignored = 0;           // well-formed messages TA has no use for (statuses, LULD, control)
  int64_t bad_lines = 0;         // lines with at least one undecodable part
  int64_t skipped_messages = 0;  // messages dropped from otherwise readable lines
  int64_t bytes = 0;
  double seconds = 0;           // wall time of the whole replay (reading, decoding, engine)
  ta::EngineCounters counters;  // summed over partitions
};

// `sessions` and `sink` must outlive the call. `on_bad_line(line_number, reason)` may be empty.
// Fails only when the file cannot be read or the engine configuration is invalid.
Result<FileReplayResult> ReplayFile(
    const FileReplayOptions& options, const ta::SessionCalendar* sessions, ta::RowSink* sink,
    const std::function<void(int64_t line_number, std::string_view reason)>& on_bad_line);

}  // namespace torghut::replay
