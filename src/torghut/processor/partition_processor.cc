#include "torghut/processor/partition_processor.h"

#include <algorithm>

#include "torghut/core/binary_io.h"

namespace torghut::processor {
namespace {
constexpr uint32_t kCheckpointMagic = 0x54414350;  // "TACP"
// v1: positions + engine. v2 adds the per-symbol processed offsets beyond the positions (a v1
// checkpoint was taken when every processed message lay below the positions, so it reads as v2
// with none).
constexpr uint32_t kCheckpointVersion = 2;
}  // namespace

PartitionProcessor::PartitionProcessor(int32_t partition, const ta::EngineConfig& config,
                                       const ta::SessionCalendar* sessions, ta::RowSink* sink)
    : partition_(partition),
      config_(config),
      sessions_(sessions),
      sink_(sink),
      decoder_(std::make_unique<alpaca::EnvelopeDecoder>(&symbols_)),
      engine_(std::make_unique<ta::Engine>(config, &symbols_, sessions, sink)) {}

PartitionProcessor::~PartitionProcessor() = default;

void PartitionProcessor::SetNextOffset(InputKind kind, int64_t offset) {
  next_add_[static_cast<int>(kind)] = offset;
}

int64_t PartitionProcessor::NextOffset(InputKind kind) const {
  const auto& pending = pending_[static_cast<int>(kind)];
  return pending.empty() ? next_add_[static_cast<int>(kind)] : pending.front().first;
}

void PartitionProcessor::Add(InputKind kind, int64_t offset, std::string_view value) {
  const int k = static_cast<int>(kind);
  if (offset < next_add_[k]) {
    ++counters_.duplicates;
    return;
  }
  next_add_[k] = offset + 1;
  // Decoded now (the merge needs the symbol and event time); the event's symbol id points into
  // this processor's symbol table, never into `value`.
  SymbolId symbol = kNoSymbol;
  Timestamp event_ts;
  ta::MergeInput in;
  if (!decoder_->Decode(value, &envelope_).ok()) {
    ++counters_.bad;
  } else if (!envelope_.has_message ||
             !alpaca::SymbolAndTime(envelope_.message, &symbol, &event_ts) ||
             !alpaca::ToMarketEvent(envelope_.message, &in.event)) {
    ++counters_.ignored;  // forwarder heartbeats, control messages
  } else if (!IsValidSymbol(symbols_.Name(symbol))) {
    ++counters_.bad;  // no store would accept its rows
  } else if ((filter_.since && event_ts < *filter_.since) ||
             (filter_.until && event_ts > *filter_.until) ||
             (!filter_.symbols.empty() &&
              std::find(filter_.symbols.begin(), filter_.symbols.end(), symbols_.Name(symbol)) ==
                  filter_.symbols.end())) {
    ++counters_.filtered;
  } else if (symbol < processed_.size() && offset <= processed_[symbol][k]) {
    ++counters_.duplicates;  // processed before the checkpoint this processor restored
  } else {
    in.position = offset;
    in.event_ns = event_ts.nanos();
    in.meta.seq = envelope_.header.seq;
    in.meta.ingest_ts =
        envelope_.header.ingest_ts != Timestamp() ? envelope_.header.ingest_ts : event_ts;
    in.meta.source = envelope_.header.source;
    pending_[k].emplace_back(offset, false);
    merge_.Push(symbol, kind, std::move(in));
    return;
  }
  // Skipped messages are processed at once; they only hold the position back while earlier
  // messages are still queued.
  ++counters_.processed;
  if (!pending_[k].empty()) pending_[k].emplace_back(offset, true);
}

int64_t PartitionProcessor::Drain(const CaughtUp& caught_up) {
  return merge_.Drain(caught_up, [this](SymbolId symbol, InputKind kind, ta::MergeInput& in) {
    Process(symbol, kind, in);
  });
}

void PartitionProcessor::Done(InputKind kind, int64_t offset) {
  auto& pending = pending_[static_cast<int>(kind)];
  auto it =
      std::lower_bound(pending.begin(), pending.end(), std::pair<int64_t, bool>(offset, false));
  if (it != pending.end() && it->first == offset) it->second = true;
  while (!pending.empty() && pending.front().second) pending.pop_front();
}

void PartitionProcessor::Process(SymbolId symbol, InputKind kind, ta::MergeInput& in) {
  Done(kind, in.position);
  if (symbol >= processed_.size()) {
    processed_.resize(static_cast<size_t>(symbol) + 1, {-1, -1, -1});
  }
  processed_[symbol][static_cast<int>(kind)] = in.position;
  ++counters_.processed;
  if (!engine_->Apply(in.event, in.meta)) {
    ++counters_.ignored;
    return;
  }
  counters_.last_event_ts = Timestamp::FromNanos(in.event_ns);
}

std::string PartitionProcessor::Checkpoint() const {
  BinaryWriter w;
  w.PutU32(kCheckpointMagic);
  w.PutU32(kCheckpointVersion);
  w.PutI64(partition_);
  std::array<int64_t, kInputKinds> next{};
  for (int k = 0; k < kInputKinds; ++k) {
    next[k] = NextOffset(static_cast<InputKind>(k));
    w.PutI64(next[k]);
  }
  BinaryWriter engine;
  engine_->Save(engine);
  w.PutString(engine.data());
  // Only what a reader from `next` would see again matters: offsets at or beyond it.
  std::vector<std::pair<SymbolId, int>> beyond;
  for (SymbolId s = 0; s < processed_.size(); ++s) {
    for (int k = 0; k < kInputKinds; ++k) {
      if (processed_[s][k] >= next[k]) beyond.emplace_back(s, k);
    }
  }
  w.PutU64(beyond.size());
  for (const auto& [s, k] : beyond) {
    w.PutString(symbols_.Name(s));
    w.PutU32(static_cast<uint32_t>(k));
    w.PutI64(processed_[s][k]);
  }
  return std::string(w.data());
}

Status PartitionProcessor::Restore(std::string_view checkpoint) {
  BinaryReader r(checkpoint);
  uint32_t magic = 0, version = 0;
  int64_t partition = -1;
  if (!r.GetU32(&magic) || magic != kCheckpointMagic) return DataLoss("not a TA checkpoint");
  if (!r.GetU32(&version) || version < 1 || version > kCheckpointVersion) {
    return DataLoss("TA checkpoint of an unknown version");
  }
  if (!r.GetI64(&partition) || partition != partition_) {
    return DataLoss("TA checkpoint of another partition");
  }
  std::array<int64_t, kInputKinds> offsets{};
  for (int64_t& o : offsets) {
    if (!r.GetI64(&o)) return r.Error();
  }
  std::string engine_bytes;
  if (!r.GetString(&engine_bytes, checkpoint.size())) return r.Error();
  std::vector<std::array<int64_t, kInputKinds>> processed;
  if (version >= 2) {
    uint64_t n = 0;
    if (!r.GetU64(&n) || n > checkpoint.size()) {
      return r.ok() ? DataLoss("TA checkpoint: bad processed-offset count") : r.Error();
    }
    for (uint64_t i = 0; i < n; ++i) {
      std::string name;
      uint32_t kind = 0;
      int64_t offset = 0;
      if (!r.GetString(&name, checkpoint.size()) || !r.GetU32(&kind) || !r.GetI64(&offset)) {
        return r.Error();
      }
      if (kind >= static_cast<uint32_t>(kInputKinds)) {
        return DataLoss("TA checkpoint: bad input kind");
      }
      const SymbolId s = symbols_.Intern(name);
      if (s >= processed.size()) processed.resize(static_cast<size_t>(s) + 1, {-1, -1, -1});
      processed[s][kind] = offset;
    }
  }
  if (!r.ok()) return r.Error();
  auto fresh = std::make_unique<ta::Engine>(config_, &symbols_, sessions_, sink_);
  BinaryReader er(engine_bytes);
  TORGHUT_RETURN_IF_ERROR(fresh->Load(er));
  engine_ = std::move(fresh);
  merge_.Clear();
  processed_ = std::move(processed);
  for (int k = 0; k < kInputKinds; ++k) {
    pending_[k].clear();
    SetNextOffset(static_cast<InputKind>(k), offsets[k]);
  }
  return Status::Ok();
}

}  // namespace torghut::processor
