// Decoder for Alpaca market-data stream v2 frames (SPEC §2), built on simdjson On-Demand.
//
//   SymbolTable symbols;
//   FrameDecoder decoder(&symbols);
//   MessageBatch batch;
//   Status s = decoder.Decode(frame_text, &batch);   // frame: [{"T":"t",...},{"T":"q",...}]
//   if (!s.ok()) { /* not JSON at all: s.message() says why; nothing was decoded */ }
//   for (const DecodedMessage& m : batch.messages) {
//     switch (m.type) { case MessageType::kTrade: Use(std::get<market::Trade>(m.event)); ... }
//   }
//   batch.stats  // per-type counts, skipped messages per reason, the first error's text
//
// A frame is a JSON array of message objects (a lone object is a one-message frame; JSONL files
// use that). Every valid message is decoded; a malformed one (a required key missing or of the
// wrong type, a bad timestamp or symbol, a negative size) is skipped and counted with its reason,
// and its neighbours are kept; an unknown "T" is counted and skipped. Only a frame that is not JSON
// at all is rejected as a whole.
//
// Decoding is batched: the caller loops over a reused vector, so there is no allocation per
// message in steady state and no indirect call per message. `raw_json` views and control-message
// strings point into the decoder's buffer and stay valid until the next Decode. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "torghut/alpaca/stream_errors.h"
#include "torghut/core/status.h"
#include "torghut/core/symbols.h"
#include "torghut/market/events.h"

namespace torghut::alpaca {

enum class MessageType : uint8_t {
  kTrade = 0,   // "t"
  kQuote,       // "q"
  kBar,         // "b"
  kUpdatedBar,  // "u"
  kDailyBar,    // "d"
  kStatus,      // "s"
  kLuld,        // "l"
  kCorrection,  // "c"
  kCancel,      // "x"
  kControl,     // "success", "error", "subscription"
  kCount,
};
std::string_view MessageTypeName(MessageType t);

// Why a message was skipped.
enum class SkipReason : uint8_t {
  kNotAnObject = 0,
  kMissingType,   // no "T"
  kUnknownType,   // a "T" this decoder does not know (counted, never fatal)
  kMissingField,  // a required key is absent
  kBadType,       // a key has the wrong JSON type
  kBadTimestamp,  // "t" is not RFC 3339
  kBadSymbol,     // "S" fails ^[A-Z0-9._:-]{1,32}$
  kBadValue,      // e.g. a negative size
  kCount,
};
std::string_view SkipReasonName(SkipReason r);

struct Subscription {
  std::vector<std::string> trades, quotes, bars, updated_bars, daily_bars, statuses, lulds,
      corrections, cancel_errors;
};

struct ControlMessage {
  enum class Kind : uint8_t { kConnected, kAuthenticated, kSuccessOther, kError, kSubscription };
  Kind kind = Kind::kSuccessOther;
  int64_t code = 0;                               // kError
  std::string message;                            // "msg"
  ErrorClass error_class = ErrorClass::kUnknown;  // ClassifyError(code), stream_errors.h
  Subscription subscription;                      // kSubscription: the server's whole current set
};

struct DecodedMessage {
  MessageType type;
  std::string_view raw_json;  // the message object's own text (only when raw capture is on)
  // kControl messages hold the index of their entry in MessageBatch::controls.
  std::variant<market::Trade, market::Quote, market::Bar, market::TradingStatus, market::Luld,
               market::Correction, market::Cancel, size_t>
      event;
};

// The symbol and event time of a market-data message; false for messages without a symbol
// (control messages).
inline bool SymbolAndTime(const DecodedMessage& m, SymbolId* symbol, Timestamp* event_ts) {
  *symbol = kNoSymbol;
  std::visit(
      [&](const auto& e) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(e)>, size_t>) {
          *symbol = e.symbol;
          *event_ts = e.ts;
        }
      },
      m.event);
  return *symbol != kNoSymbol;
}

// The market event a decoded message carries; false for control messages ("success", "error",
// "subscription"), which are not market data.
inline bool ToMarketEvent(const DecodedMessage& m, market::Event* out) {
  return std::visit(
      [&](const auto& e) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, size_t>) {
          return false;
        } else {
          *out = e;
          return true;
        }
      },
      m.event);
}

struct FrameStats {
  int64_t messages = 0;  // objects seen
  int64_t decoded = 0;
  std::array<int64_t, static_cast<size_t>(MessageType::kCount)> by_type{};
  std::array<int64_t, static_cast<size_t>(SkipReason::kCount)> skipped{};
  std::string first_error;  // e.g. "message 3: trade: missing key \"p\""
  int64_t total_skipped() const;
  void Add(const FrameStats& other);
};

struct MessageBatch {
  std::vector<DecodedMessage> messages;
  std::vector<ControlMessage> controls;
  FrameStats stats;
  void Clear();
};

// Bytes that must be readable after a frame passed to FrameDecoder::DecodePadded (simdjson's
// SIMDJSON_PADDING).
inline constexpr size_t kFramePadding = 64;

class FrameDecoder {
 public:
  // `symbols` interns the "S" of every message; it must outlive the decoder.
  explicit FrameDecoder(SymbolTable* symbols, bool capture_raw_json = false);
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Replaces the contents of *out with the messages of `frame`. Returns InvalidArgument (and an
  // empty batch) only when `frame` is not JSON or is neither an array nor an object.
  Status Decode(std::string_view frame, MessageBatch* out);
  // Decode without copying: the caller guarantees that kFramePadding bytes after the frame are
  // readable (their content does not matter), e.g. a line inside a larger mapped file.
  Status DecodePadded(std::string_view frame, MessageBatch* out);

 private:
  Status DecodeInPlace(std::string_view frame, size_t readable, MessageBatch* out);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::alpaca
