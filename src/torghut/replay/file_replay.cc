#include "torghut/replay/file_replay.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "torghut/alpaca/envelope.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/binary_io.h"
#include "torghut/io/line_reader.h"
#include "torghut/io/progress.h"
#include "torghut/replay/internal/kind_scan.h"
#include "torghut/ta/input_merge.h"

namespace torghut::replay {
namespace {

// FNV-1a of the symbol name: stable across runs and machines, so partition assignment is too.
// (The merge is per symbol, so how symbols are spread over engines never changes a row.)
uint64_t HashSymbol(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Envelope lines are told apart from Alpaca messages by their "payload" key; a quick scan is
// enough because Alpaca messages never contain that key.
bool LooksLikeEnvelope(std::string_view line) {
  return line.find("\"payload\"") != std::string_view::npos;
}

bool IsBlank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// One engine and its input merge: what one TA service partition is.
struct Partition {
  ta::InputMerge merge;
  std::unique_ptr<ta::Engine> engine;
};

class Replayer {
 public:
  Replayer(const FileReplayOptions& options, const ta::SessionCalendar* sessions, ta::RowSink* sink,
           std::array<uint64_t, ta::kInputKinds> kind_ends)
      : options_(options),
        sessions_(sessions),
        sink_(sink),
        kind_ends_(kind_ends),
        frames_(&symbols_),
        envelopes_(&symbols_) {
    for (int i = 0; i < options.partitions; ++i) {
      partitions_.push_back(
          {{}, std::make_unique<ta::Engine>(options.engine, &symbols_, sessions, sink)});
    }
  }

  // Queues one decoded message; `seq` is the envelope's, or 0 to use the per-symbol ordinal.
  void Feed(const alpaca::DecodedMessage& m, int64_t line, int64_t envelope_seq,
            market::Source source, Timestamp ingest_ts, bool has_ingest) {
    SymbolId symbol = kNoSymbol;
    Timestamp event_ts;
    ta::MergeInput in;
    if (!alpaca::SymbolAndTime(m, &symbol, &event_ts) || !alpaca::ToMarketEvent(m, &scratch_) ||
        std::holds_alternative<market::TradingStatus>(scratch_) ||
        std::holds_alternative<market::Luld>(scratch_)) {
      ++result_.ignored;  // control messages, statuses, LULD bands: TA has no use for them
      return;
    }
    if (symbol >= ordinals_.size()) {
      ordinals_.resize(symbol + 1, 0);
      partition_of_.resize(symbol + 1, 0);
      partition_of_[symbol] = static_cast<int32_t>(HashSymbol(symbols_.Name(symbol)) %
                                                   static_cast<uint64_t>(partitions_.size()));
    }
    in.position = line;
    in.event_ns = event_ts.nanos();
    in.event = scratch_;
    in.meta.seq = envelope_seq > 0 ? envelope_seq : ordinals_[symbol] + 1;
    in.meta.ingest_ts = has_ingest ? ingest_ts : event_ts;
    in.meta.source = source;
    if (envelope_seq <= 0) ++ordinals_[symbol];
    Partition& p = partitions_[static_cast<size_t>(partition_of_[symbol])];
    p.merge.Push(symbol, ta::InputKindOf(scratch_), std::move(in));
  }

  void Line(std::string_view line, uint64_t bytes_after, int64_t number,
            const std::function<void(int64_t, std::string_view)>& on_bad_line) {
    if (IsBlank(line)) return;
    if (LooksLikeEnvelope(line)) {
      Status s = envelopes_.Decode(line, &envelope_);
      if (!s.ok()) return Bad(number, s.message(), on_bad_line);
      if (envelope_.has_message) {
        Feed(envelope_.message, number, envelope_.header.seq, envelope_.header.source,
             envelope_.header.ingest_ts, envelope_.header.ingest_ts != Timestamp());
      } else {
        ++result_.ignored;
      }
      return;
    }
    // Lines inside the mapped file are decoded in place; only the last few need a padded copy.
    Status s = bytes_after >= alpaca::kFramePadding ? frames_.DecodePadded(line, &batch_)
                                                    : frames_.Decode(line, &batch_);
    if (!s.ok()) return Bad(number, s.message(), on_bad_line);
    for (const alpaca::DecodedMessage& m : batch_.messages) {
      Feed(m, number, 0, market::Source::kFile, Timestamp(), false);
    }
    if (batch_.stats.total_skipped() > 0) {
      result_.skipped_messages += batch_.stats.total_skipped();
      Bad(number, batch_.stats.first_error, on_bad_line);
    }
  }

  // Releases what the merge allows once the reader has consumed `bytes_read` bytes: a kind is
  // caught up when no message of it follows (at the end of the file, every kind is).
  void Release(uint64_t bytes_read) {
    const ta::CaughtUp caught{bytes_read >= kind_ends_[0], bytes_read >= kind_ends_[1],
                              bytes_read >= kind_ends_[2]};
    for (Partition& p : partitions_) {
      p.merge.Drain(caught, [&](SymbolId, ta::InputKind, ta::MergeInput& in) {
        if (options_.on_event) options_.on_event(in.event, symbols_);
        p.engine->Apply(in.event, in.meta);
        ++result_.events;
        if (options_.provisional_every_events > 0 &&
            result_.events % options_.provisional_every_events == 0) {
          for (Partition& q : partitions_) q.engine->EmitProvisional();
        }
      });
    }
  }

  Status Snapshot() {
    for (Partition& p : partitions_) {
      BinaryWriter w;
      p.engine->Save(w);
      auto fresh = std::make_unique<ta::Engine>(options_.engine, &symbols_, sessions_, sink_);
      BinaryReader r(w.data());
      TORGHUT_RETURN_IF_ERROR(fresh->Load(r));
      p.engine = std::move(fresh);
    }
    return Status::Ok();
  }

  void Finish() {
    Release(UINT64_MAX);
    for (Partition& p : partitions_) {
      p.engine->FinalizeAll();
      Add(p.engine->counters());
    }
  }

  FileReplayResult& result() { return result_; }

 private:
  void Bad(int64_t number, std::string_view reason,
           const std::function<void(int64_t, std::string_view)>& on_bad_line) {
    ++result_.bad_lines;
    if (on_bad_line) on_bad_line(number, reason);
  }

  void Add(const ta::EngineCounters& c) {
    ta::EngineCounters& t = result_.counters;
    t.trades += c.trades;
    t.duplicate_trades += c.duplicate_trades;
    t.too_late_trades += c.too_late_trades;
    t.invalid_trades += c.invalid_trades;
    t.quotes += c.quotes;
    t.cancels += c.cancels;
    t.corrections += c.corrections;
    t.unmatched_revisions += c.unmatched_revisions;
    t.minute_bars += c.minute_bars;
    t.updated_bars += c.updated_bars;
    t.stale_minute_bars += c.stale_minute_bars;
    t.ignored_daily_bars += c.ignored_daily_bars;
    t.final_rows += c.final_rows;
    t.revisions += c.revisions;
    t.provisional_rows += c.provisional_rows;
  }

  const FileReplayOptions& options_;
  const ta::SessionCalendar* sessions_;
  ta::RowSink* sink_;
  const std::array<uint64_t, ta::kInputKinds> kind_ends_;
  SymbolTable symbols_;
  alpaca::FrameDecoder frames_;
  alpaca::EnvelopeDecoder envelopes_;
  alpaca::MessageBatch batch_;
  alpaca::Envelope envelope_;
  market::Event scratch_;
  std::vector<Partition> partitions_;
  std::vector<int64_t> ordinals_;
  std::vector<int32_t> partition_of_;
  FileReplayResult result_;
};

}  // namespace

Result<FileReplayResult> ReplayFile(
    const FileReplayOptions& options, const ta::SessionCalendar* sessions, ta::RowSink* sink,
    const std::function<void(int64_t line_number, std::string_view reason)>& on_bad_line) {
  TORGHUT_RETURN_IF_ERROR(options.engine.Validate());
  if (options.partitions < 1 || options.partitions > 1024) {
    return InvalidArgument("partitions must be between 1 and 1024");
  }
  const auto start = std::chrono::steady_clock::now();
  TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<io::LineReader> reader,
                           io::LineReader::Open(options.input_path));
  std::vector<int64_t> snapshots = options.snapshot_at_lines;
  std::sort(snapshots.begin(), snapshots.end());
  size_t next_snapshot = 0;

  Replayer replayer(options, sessions, sink, internal::LastKindEnds(reader->contents()));
  std::optional<io::Progress> progress;
  if (options.show_progress) {
    progress.emplace(options.progress_label, reader->size(), options.progress_detail);
  }
  std::string_view line;
  while (reader->Next(&line)) {
    const int64_t number = reader->line_number();
    replayer.Line(line, reader->BytesAfter(line), number, on_bad_line);
    replayer.Release(reader->bytes_read());
    while (next_snapshot < snapshots.size() && snapshots[next_snapshot] <= number) {
      TORGHUT_RETURN_IF_ERROR(replayer.Snapshot());
      ++next_snapshot;
    }
    // Cheap per line: Progress looks at the clock only every 4096 calls.
    if (progress) progress->Update(reader->bytes_read(), replayer.result().events);
  }
  replayer.Finish();
  if (progress) progress->Finish();

  FileReplayResult result = replayer.result();
  result.lines = reader->line_number();
  result.bytes = static_cast<int64_t>(reader->size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace torghut::replay
