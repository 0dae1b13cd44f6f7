#include "torghut/sim/envelopes.h"

#include "torghut/io/line_reader.h"

namespace torghut::sim {
namespace {

// Decodes lines and wraps their messages; shared by generated and recorded input.
class Wrapper {
 public:
  Wrapper(market::Source source, uint64_t seed)
      : decoder_(&symbols_, /*capture_raw_json=*/true),
        sequencer_(&symbols_, "iex", source),
        jitter_(seed * 0x9E3779B97F4A7C15ull + 1) {}

  Status Line(std::string_view line, const EnvelopeSink& emit) {
    TORGHUT_RETURN_IF_ERROR(decoder_.Decode(line, &batch_));
    for (const alpaca::DecodedMessage& m : batch_.messages) {
      SymbolId symbol;
      Timestamp event_ts;
      if (!alpaca::SymbolAndTime(m, &symbol, &event_ts)) continue;
      jitter_ = jitter_ * 6364136223846793005ull + 1442695040888963407ull;
      const int64_t delay_ms = 1 + static_cast<int64_t>((jitter_ >> 33) % 20);
      auto wrapped =
          sequencer_.Wrap(m, Timestamp::FromNanos(event_ts.nanos() + delay_ms * kNanosPerMilli));
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
    return Status::Ok();
  }

  EnvelopeStats stats;

 private:
  SymbolTable symbols_;
  alpaca::FrameDecoder decoder_;
  alpaca::EnvelopeSequencer sequencer_;
  alpaca::MessageBatch batch_;
  uint64_t jitter_;
};

}  // namespace

Result<EnvelopeStats> GenerateEnvelopes(const GeneratorOptions& options, const EnvelopeSink& emit) {
  TORGHUT_RETURN_IF_ERROR(ValidateOptions(options));
  Generator generator(options);
  Wrapper wrapper(market::Source::kSim, options.seed);
  std::string line;
  while (generator.Next(&line)) TORGHUT_RETURN_IF_ERROR(wrapper.Line(line, emit));
  return wrapper.stats;
}

Result<EnvelopeStats> RecordedEnvelopes(
    const std::string& path, const EnvelopeSink& emit,
    const std::function<void(int64_t, std::string_view)>& on_bad_line) {
  TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<io::LineReader> reader, io::LineReader::Open(path));
  Wrapper wrapper(market::Source::kFile, 0);
  std::string_view line;
  while (reader->Next(&line)) {
    if (line.empty()) continue;
    if (Status s = wrapper.Line(line, emit); !s.ok()) {
      ++wrapper.stats.bad_lines;
      if (on_bad_line) on_bad_line(reader->line_number(), s.message());
    }
  }
  return wrapper.stats;
}

}  // namespace torghut::sim
