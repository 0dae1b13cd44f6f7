// The bus envelope (SPEC §3): one JSON object per market-data message, camelCase, compatible with
// the existing forwarder:
//
//   {"ingestTs":"2024-01-02T14:30:00.012Z","eventTs":"2024-01-02T14:30:00.002522449Z",
//    "feed":"iex","channel":"trades","symbol":"MSFT","seq":42,
//    "payload":{"T":"t","S":"MSFT","i":788438001,...},"isFinal":true,"source":"ws",
//    "version":1,"provider":"alpaca"}
//
//   std::string json;
//   AppendEnvelopeJson(header, payload_json, &json);        // encode
//
//   EnvelopeDecoder decoder(&symbols);
//   Envelope env;
//   Status s = decoder.Decode(json, &env);                  // decode (one pass, simdjson)
//   if (env.has_message) Use(env.message);                  // the payload as a domain event
//
// The codec lives beside the Alpaca message codec because the payload *is* an Alpaca message: the
// decoder reads both in one pass. Readers ignore unknown keys. A payload without "T" takes its
// type from the channel (trades → "t", quotes → "q", bars → "b", updatedBars → "u",
// corrections → "c", cancelErrors → "x"), so envelopes from writers that drop "T" still decode.
// Timestamps may be RFC 3339 strings or integer epoch milliseconds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/status.h"
#include "torghut/core/time.h"
#include "torghut/market/source.h"

namespace torghut::alpaca {

enum class Channel : uint8_t {
  kTrades = 0,
  kQuotes,
  kBars,
  kUpdatedBars,
  kDailyBars,
  kStatus,
  kLulds,
  kCorrections,
  kCancelErrors,
};
// "trades", "quotes", "bars", "updatedBars", "dailyBars", "status", "lulds", "corrections",
// "cancelErrors"
std::string_view ChannelName(Channel c);
bool ParseChannel(std::string_view name, Channel* out);
// The channel a decoded data message travels on (kControl → kStatus).
Channel ChannelFor(MessageType t);

struct EnvelopeHeader {
  Timestamp ingest_ts;
  Timestamp event_ts;
  std::string_view feed = "iex";
  Channel channel = Channel::kTrades;
  std::string_view symbol;
  int64_t seq = 0;  // per channel+symbol, assigned by the writer
  bool is_final = true;
  market::Source source = market::Source::kWs;
  int64_t version = 1;
  std::string_view provider = "alpaca";
};

// Appends the envelope JSON (no trailing newline). `payload_json` must be one JSON object (an
// Alpaca message as received or as written by message_json.h); it is embedded verbatim.
void AppendEnvelopeJson(const EnvelopeHeader& header, std::string_view payload_json,
                        std::string* out);

struct Envelope {
  EnvelopeHeader header;     // string views point into the decoder; valid until the next Decode
  bool has_message = false;  // false for payloads that are not market data (forwarder heartbeats)
  DecodedMessage message;    // the payload, when has_message
  std::string_view payload_json;  // the payload object's text
};

class EnvelopeDecoder {
 public:
  explicit EnvelopeDecoder(SymbolTable* symbols);
  ~EnvelopeDecoder();
  EnvelopeDecoder(const EnvelopeDecoder&) = delete;
  EnvelopeDecoder& operator=(const EnvelopeDecoder&) = delete;

  // InvalidArgument with a one-line reason when `json` is not an envelope object (not JSON, a
  // required key — channel, symbol, payload — missing or mistyped, a bad timestamp) or when its
  // payload is a market-data message that does not decode (the reason names the skip reason).
  Status Decode(std::string_view json, Envelope* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::alpaca
