#include "torghut/processor/partition_processor.h"

#include <algorithm>

#include "torghut/core/binary_io.h"
#include "torghut/replay/engine_feed.h"

namespace torghut::processor {
namespace {
constexpr uint32_t kCheckpointMagic = 0x54414350;  // "TACP"
constexpr uint32_t kCheckpointVersion = 1;
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
  next_offset_[static_cast<int>(kind)] = offset;
  next_add_[static_cast<int>(kind)] = offset;
}

void PartitionProcessor::Add(InputKind kind, int64_t offset, std::string_view value) {
  const int k = static_cast<int>(kind);
  if (offset < next_add_[k]) {
    ++counters_.duplicates;
    return;
  }
  next_add_[k] = offset + 1;
  Pending p;
  p.offset = offset;
  // Decoded now (the merge needs the event time); the message's string views point into the
  // decoder's symbol table, never into `value`.
  SymbolId symbol = kNoSymbol;
  Timestamp event_ts;
  if (!decoder_->Decode(value, &envelope_).ok()) {
    ++counters_.bad;
  } else if (!envelope_.has_message ||
             !alpaca::SymbolAndTime(envelope_.message, &symbol, &event_ts)) {
    ++counters_.ignored;  // forwarder heartbeats, control messages
  } else if (!IsValidSymbol(symbols_.Name(symbol))) {
    ++counters_.bad;  // no store would accept its rows
  } else if ((filter_.since && event_ts < *filter_.since) ||
             (filter_.until && event_ts > *filter_.until) ||
             (!filter_.symbols.empty() &&
              std::find(filter_.symbols.begin(), filter_.symbols.end(), symbols_.Name(symbol)) ==
                  filter_.symbols.end())) {
    ++counters_.filtered;
  } else {
    p.usable = true;
    p.event_ns = event_ts.nanos();
    p.message = envelope_.message;
    p.message.raw_json = {};
    p.meta.seq = envelope_.header.seq;
    p.meta.ingest_ts =
        envelope_.header.ingest_ts != Timestamp() ? envelope_.header.ingest_ts : event_ts;
    p.meta.source = envelope_.header.source;
  }
  queues_[k].push_back(std::move(p));
}

size_t PartitionProcessor::Queued() const {
  size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

int64_t PartitionProcessor::Drain(const CaughtUp& caught_up) {
  int64_t released = 0;
  while (true) {
    int best = -1;
    bool blocked = false;
    for (int k = 0; k < kInputKinds; ++k) {
      if (queues_[k].empty()) {
        if (!caught_up[static_cast<InputKind>(k)]) blocked = true;
        continue;
      }
      // Ties go to the lower kind (trades, quotes, bars): a fixed rule, hence deterministic.
      if (best < 0 || queues_[k].front().event_ns < queues_[best].front().event_ns) best = k;
    }
    if (best < 0 || blocked) return released;
    Pending p = std::move(queues_[best].front());
    queues_[best].pop_front();
    Process(static_cast<InputKind>(best), p);
    ++released;
  }
}

void PartitionProcessor::Process(InputKind kind, Pending& p) {
  next_offset_[static_cast<int>(kind)] = p.offset + 1;
  ++counters_.processed;
  if (!p.usable) return;  // counted as bad or ignored when it was queued
  if (!replay::FeedEngine(*engine_, p.message, p.meta)) {
    ++counters_.ignored;
    return;
  }
  counters_.last_event_ts = Timestamp::FromNanos(p.event_ns);
}

std::string PartitionProcessor::Checkpoint() const {
  BinaryWriter w;
  w.PutU32(kCheckpointMagic);
  w.PutU32(kCheckpointVersion);
  w.PutI64(partition_);
  for (int64_t o : next_offset_) w.PutI64(o);
  BinaryWriter engine;
  engine_->Save(engine);
  w.PutString(engine.data());
  return std::string(w.data());
}

Status PartitionProcessor::Restore(std::string_view checkpoint) {
  BinaryReader r(checkpoint);
  uint32_t magic = 0, version = 0;
  int64_t partition = -1;
  if (!r.GetU32(&magic) || magic != kCheckpointMagic) return DataLoss("not a TA checkpoint");
  if (!r.GetU32(&version) || version != kCheckpointVersion) {
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
  auto fresh = std::make_unique<ta::Engine>(config_, &symbols_, sessions_, sink_);
  BinaryReader er(engine_bytes);
  TORGHUT_RETURN_IF_ERROR(fresh->Load(er));
  engine_ = std::move(fresh);
  for (int k = 0; k < kInputKinds; ++k) {
    queues_[k].clear();
    SetNextOffset(static_cast<InputKind>(k), offsets[k]);
  }
  return Status::Ok();
}

}  // namespace torghut::processor
