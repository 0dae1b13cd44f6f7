#include "torghut/sim/envelopes.h"

namespace torghut::sim {

Result<EnvelopeStats> GenerateEnvelopes(
    const GeneratorOptions& options,
    const std::function<void(alpaca::InputTopic, std::string_view, std::string_view)>& emit) {
  TORGHUT_RETURN_IF_ERROR(ValidateOptions(options));
  Generator generator(options);
  SymbolTable symbols;
  alpaca::FrameDecoder decoder(&symbols, /*capture_raw_json=*/true);
  alpaca::EnvelopeSequencer sequencer(&symbols, "iex", market::Source::kSim);
  alpaca::MessageBatch batch;
  EnvelopeStats stats;
  std::string line;
  uint64_t jitter = options.seed * 0x9E3779B97F4A7C15ull + 1;
  while (generator.Next(&line)) {
    TORGHUT_RETURN_IF_ERROR(decoder.Decode(line, &batch));
    for (const alpaca::DecodedMessage& m : batch.messages) {
      SymbolId symbol;
      Timestamp event_ts;
      if (!alpaca::SymbolAndTime(m, &symbol, &event_ts)) continue;
      jitter = jitter * 6364136223846793005ull + 1442695040888963407ull;
      const int64_t delay_ms = 1 + static_cast<int64_t>((jitter >> 33) % 20);
      auto wrapped = sequencer.Wrap(m, Timestamp::FromNanos(event_ts.nanos() +
                                                            delay_ms * kNanosPerMilli));
      if (!wrapped) {
        ++stats.skipped;
        continue;
      }
      ++stats.messages;
      stats.trades += wrapped->topic == alpaca::InputTopic::kTrades;
      stats.quotes += wrapped->topic == alpaca::InputTopic::kQuotes;
      stats.bars += wrapped->topic == alpaca::InputTopic::kBars1m;
      emit(wrapped->topic, wrapped->symbol, wrapped->json);
    }
  }
  return stats;
}

}  // namespace torghut::sim
