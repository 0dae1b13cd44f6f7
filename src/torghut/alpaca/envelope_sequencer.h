// Wraps decoded Alpaca messages into bus envelopes (SPEC §3) with the per-channel, per-symbol
// `seq` the forwarder assigns, and tells which topic each belongs on. The forwarder and the tools
// that put recorded data on the bus share it, so both write identical envelopes.
//
//   FrameDecoder decoder(&symbols, /*capture_raw_json=*/true);
//   EnvelopeSequencer seq(&symbols, "iex", market::Source::kWs);
//   decoder.Decode(frame, &batch);
//   for (const auto& m : batch.messages) {
//     std::optional<WrappedEnvelope> e = seq.Wrap(m, ingest_ts);
//     if (!e) continue;                      // not for the bus (control messages, …)
//     const std::string& topic = e->topic == InputTopic::kTrades ? topics.trades
//                              : e->topic == InputTopic::kQuotes ? topics.quotes
//                                                                 : topics.bars_1m;
//     producer->Produce(topic, e->symbol, e->json);
//   }
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "torghut/alpaca/envelope.h"
#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/symbols.h"

namespace torghut::alpaca {

// The input topics of SPEC §3 a market-data message goes to.
enum class InputTopic : uint8_t { kTrades, kQuotes, kBars1m, kNone };
// Trades, corrections and cancels → kTrades; quotes → kQuotes; minute and updated bars →
// kBars1m; everything else (statuses, LULD, daily bars, control) → kNone.
InputTopic TopicFor(MessageType type);

struct WrappedEnvelope {
  InputTopic topic = InputTopic::kNone;
  std::string_view symbol;  // valid while the symbol table lives
  std::string json;
};

class EnvelopeSequencer {
 public:
  // `symbols` resolves the messages' symbol ids; it must outlive the sequencer.
  EnvelopeSequencer(const SymbolTable* symbols, std::string feed, market::Source source);

  // nullopt for messages without a topic or without raw JSON (decode with capture_raw_json).
  // ingest_ts: when the message was received.
  std::optional<WrappedEnvelope> Wrap(const DecodedMessage& m, Timestamp ingest_ts);
  // The same with another source (the forwarder's REST backfill shares the stream's seq numbers).
  std::optional<WrappedEnvelope> Wrap(const DecodedMessage& m, Timestamp ingest_ts,
                                      market::Source source);

 private:
  const SymbolTable* symbols_;
  std::string feed_;
  market::Source source_;
  // Next seq per (channel, symbol id).
  std::unordered_map<uint64_t, int64_t> next_seq_;
};

}  // namespace torghut::alpaca
