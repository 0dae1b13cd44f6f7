// Market data as the forwarder would put it on the bus: each message wrapped in an envelope
// (SPEC §3) with its topic, in input order — from the synthetic generator or from a recorded JSONL
// file (one Alpaca message, or one frame, per line).
//
//   GenerateEnvelopes(options, [&](alpaca::InputTopic topic, std::string_view symbol,
//                                  std::string_view json) { producer->Produce(...); });
//
// ingestTs = the message's event time + a deterministic 1..20 ms "network" delay, so the same
// input always gives the same bytes. Source "sim" for generated data, "file" for recordings.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "torghut/alpaca/envelope_sequencer.h"
#include "torghut/sim/generator.h"

namespace torghut::sim {

struct EnvelopeStats {
  int64_t messages = 0, trades = 0, quotes = 0, bars = 0, skipped = 0, bad_lines = 0;
};

using EnvelopeSink =
    std::function<void(alpaca::InputTopic topic, std::string_view symbol, std::string_view json)>;

Result<EnvelopeStats> GenerateEnvelopes(const GeneratorOptions& options, const EnvelopeSink& emit);

// Lines that do not decode are counted (bad_lines) and reported through `on_bad_line` with their
// 1-based number; the rest go on.
Result<EnvelopeStats> RecordedEnvelopes(
    const std::string& path, const EnvelopeSink& emit,
    const std::function<void(int64_t line, std::string_view reason)>& on_bad_line = {});

}  // namespace torghut::sim
