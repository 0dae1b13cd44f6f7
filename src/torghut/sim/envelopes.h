// Synthetic market data as the forwarder would put it on the bus: each generated message wrapped
// in an envelope (SPEC §3) with its topic, in generation order.
//
//   GenerateEnvelopes(options, [&](alpaca::InputTopic topic, std::string_view symbol,
//                                  std::string_view json) { producer->Produce(...); });
//
// ingestTs = the message's event time + a deterministic 1..20 ms "network" delay, source "sim",
// so the same options always give the same bytes.
#pragma once

#include <functional>
#include <string_view>

#include "torghut/alpaca/envelope_sequencer.h"
#include "torghut/sim/generator.h"

namespace torghut::sim {

struct EnvelopeStats {
  int64_t messages = 0, trades = 0, quotes = 0, bars = 0, skipped = 0;
};

Result<EnvelopeStats> GenerateEnvelopes(
    const GeneratorOptions& options,
    const std::function<void(alpaca::InputTopic topic, std::string_view symbol,
                             std::string_view json)>& emit);

}  // namespace torghut::sim
