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
#include "torghut/replay/engine_feed.h"

namespace torghut::replay {
namespace {

// FNV-1a of the symbol name: stable across runs and machines, so partition assignment is too.
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

class Replayer {
 public:
  Replayer(const FileReplayOptions& options, const ta::SessionCalendar* sessions, ta::RowSink* sink)
      : options_(options),
        sessions_(sessions),
        sink_(sink),
        frames_(&symbols_),
        envelopes_(&symbols_) {
    for (int i = 0; i < options.partitions; ++i) {
      engines_.push_back(std::make_unique<ta::Engine>(options.engine, &symbols_, sessions, sink));
    }
  }

  // Feeds one decoded message; `seq` is the envelope's, or 0 to use the per-symbol ordinal.
  void Feed(const alpaca::DecodedMessage& m, int64_t envelope_seq, market::Source source,
            Timestamp ingest_ts, bool has_ingest) {
    SymbolId symbol = kNoSymbol;
    Timestamp event_ts;
    if (!alpaca::SymbolAndTime(m, &symbol, &event_ts)) {
      ++result_.ignored;
      return;
    }
    if (symbol >= ordinals_.size()) {
      ordinals_.resize(symbol + 1, 0);
      partition_of_.resize(symbol + 1, 0);
      partition_of_[symbol] = static_cast<int>(HashSymbol(symbols_.Name(symbol)) %
                                               static_cast<uint64_t>(engines_.size()));
    }
    ta::InputMeta meta;
    meta.seq = envelope_seq > 0 ? envelope_seq : ordinals_[symbol] + 1;
    meta.ingest_ts = has_ingest ? ingest_ts : event_ts;
    meta.source = source;
    if (!FeedEngine(*engines_[partition_of_[symbol]], m, meta)) {
      ++result_.ignored;
      return;
    }
    if (envelope_seq <= 0) ++ordinals_[symbol];
    ++result_.events;
    if (options_.provisional_every_events > 0 &&
        result_.events % options_.provisional_every_events == 0) {
      for (auto& e : engines_) e->EmitProvisional();
    }
  }

  void Line(std::string_view line, uint64_t bytes_after, int64_t number,
            const std::function<void(int64_t, std::string_view)>& on_bad_line) {
    if (IsBlank(line)) return;
    if (LooksLikeEnvelope(line)) {
      Status s = envelopes_.Decode(line, &envelope_);
      if (!s.ok()) return Bad(number, s.message(), on_bad_line);
      if (envelope_.has_message) {
        Feed(envelope_.message, envelope_.header.seq, envelope_.header.source,
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
      Feed(m, 0, market::Source::kFile, Timestamp(), false);
    }
    if (batch_.stats.total_skipped() > 0) {
      result_.skipped_messages += batch_.stats.total_skipped();
      Bad(number, batch_.stats.first_error, on_bad_line);
    }
  }

  Status Snapshot() {
    for (auto& engine : engines_) {
      BinaryWriter w;
      engine->Save(w);
      auto fresh = std::make_unique<ta::Engine>(options_.engine, &symbols_, sessions_, sink_);
      BinaryReader r(w.data());
      TORGHUT_RETURN_IF_ERROR(fresh->Load(r));
      engine = std::move(fresh);
    }
    return Status::Ok();
  }

  void Finish() {
    for (auto& engine : engines_) {
      engine->FinalizeAll();
      Add(engine->counters());
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
  SymbolTable symbols_;
  alpaca::FrameDecoder frames_;
  alpaca::EnvelopeDecoder envelopes_;
  alpaca::MessageBatch batch_;
  alpaca::Envelope envelope_;
  std::vector<std::unique_ptr<ta::Engine>> engines_;
  std::vector<int64_t> ordinals_;
  std::vector<int> partition_of_;
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

  Replayer replayer(options, sessions, sink);
  std::optional<io::Progress> progress;
  if (options.show_progress) progress.emplace("replay", reader->size());
  std::string_view line;
  while (reader->Next(&line)) {
    const int64_t number = reader->line_number();
    replayer.Line(line, reader->BytesAfter(line), number, on_bad_line);
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
