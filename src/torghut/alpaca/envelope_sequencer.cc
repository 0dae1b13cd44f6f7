#include "torghut/alpaca/envelope_sequencer.h"

namespace torghut::alpaca {

InputTopic TopicFor(MessageType type) {
  switch (type) {
    case MessageType::kTrade:
    case MessageType::kCorrection:
    case MessageType::kCancel:
      return InputTopic::kTrades;
    case MessageType::kQuote:
      return InputTopic::kQuotes;
    case MessageType::kBar:
    case MessageType::kUpdatedBar:
      return InputTopic::kBars1m;
    default:
      return InputTopic::kNone;
  }
}

EnvelopeSequencer::EnvelopeSequencer(const SymbolTable* symbols, std::string feed,
                                     market::Source source)
    : symbols_(symbols), feed_(std::move(feed)), source_(source) {}

std::optional<WrappedEnvelope> EnvelopeSequencer::Wrap(const DecodedMessage& m,
                                                       Timestamp ingest_ts) {
  return Wrap(m, ingest_ts, source_);
}

std::optional<WrappedEnvelope> EnvelopeSequencer::Wrap(const DecodedMessage& m, Timestamp ingest_ts,
                                                       market::Source source) {
  WrappedEnvelope out;
  out.topic = TopicFor(m.type);
  if (out.topic == InputTopic::kNone || m.raw_json.empty()) return std::nullopt;
  SymbolId symbol = kNoSymbol;
  Timestamp event_ts;
  if (!SymbolAndTime(m, &symbol, &event_ts)) return std::nullopt;
  EnvelopeHeader h;
  h.channel = ChannelFor(m.type);
  h.ingest_ts = ingest_ts;
  h.event_ts = event_ts;
  h.feed = feed_;
  h.symbol = symbols_->Name(symbol);
  h.seq = ++next_seq_[(static_cast<uint64_t>(h.channel) << 32) | symbol];
  h.source = source;
  out.symbol = h.symbol;
  AppendEnvelopeJson(h, m.raw_json, &out.json);
  return out;
}

}  // namespace torghut::alpaca
