// One Alpaca message object → one domain event, in two steps shared by the frame decoder and the
// envelope decoder (whose "payload" is an Alpaca message):
//
//   MessageFields f;                       // reused; Clear() per message
//   simdjson::error_code e = CollectFields(object, &f);   // one pass over the keys, any order
//   if (e) { /* syntax error: the whole document is bad */ }
//   SkipReason why; std::string detail;
//   bool ok = BuildMessage(f, type_or_f.type, symbols, &msg, &control, &why, &detail);
//
// CollectFields never fails on content: a key of the wrong JSON type is remembered in
// `bad_types` and only matters if the message type needs that key. Keys this decoder does not
// know are ignored (Alpaca adds keys over time). Ambiguous keys are told apart by JSON type:
// "c" is the conditions array of trades/quotes and the close of bars; "i" is the trade id of
// trades/cancels and the indicator string of LULD messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "torghut/alpaca/frame_decoder.h"

namespace torghut::alpaca::internal {

// Bit positions in MessageFields::present / bad_types.
enum Field : uint8_t {
  kFType,
  kFSymbol,
  kFTime,
  kFId,          // "i" as an integer
  kFIndicator,   // "i" as a string (LULD)
  kFExchange,    // "x"
  kFPrice,       // "p"
  kFSize,        // "s"
  kFConditions,  // "c" as an array
  kFClose,       // "c" as a number
  kFTape,        // "z"
  kFBidExchange,
  kFBidPrice,
  kFBidSize,
  kFAskExchange,
  kFAskPrice,
  kFAskSize,
  kFOpen,
  kFHigh,
  kFLow,
  kFVolume,
  kFTradeCount,  // "n"
  kFVwap,        // "vw"
  kFStatusCode,  // "sc"
  kFReasonCode,  // "rc"
  kFLimitUp,     // "u"
  kFLimitDown,   // "d"
  kFOrigId,
  kFOrigPrice,
  kFOrigSize,
  kFCorrId,
  kFCorrPrice,
  kFCorrSize,
  kFAction,        // "a"
  kFCode,          // "code"
  kFMsg,           // "msg"
  kFSubscription,  // any of the subscription arrays
  kFieldCount,
};
static_assert(kFieldCount <= 64);

struct MessageFields {
  uint64_t present = 0;
  uint64_t bad_types = 0;
  std::string_view type, symbol, time, indicator, exchange, tape, bid_exchange, ask_exchange,
      status_code, reason_code, action, msg;
  int64_t id = 0, size = 0, bid_size = 0, ask_size = 0, volume = 0, trade_count = 0, orig_id = 0,
          orig_size = 0, corr_id = 0, corr_size = 0, code = 0;
  double price = 0, bid_price = 0, ask_price = 0, open = 0, high = 0, low = 0, close = 0, vwap = 0,
         limit_up = 0, limit_down = 0, orig_price = 0, corr_price = 0;
  market::Conditions conditions;
  Subscription subscription;  // only touched by "subscription" messages
  // A value was left unread (a key that is not ours, or a value of the wrong type). On-Demand
  // skips such a value without checking its syntax (it even takes `"k":"a":"b"` as one field),
  // so a caller that passes the text on must validate it whole when this is set.
  bool has_unread_values = false;

  void Clear() {
    if (has(kFSubscription)) subscription = Subscription{};
    present = 0;
    bad_types = 0;
    has_unread_values = false;
    conditions = {};
  }
  bool has(Field f) const { return (present >> f) & 1; }
};

// Reads every key of `object` into `f` (after f->Clear()). Returns a non-zero error only for a
// syntax error that makes the rest of the document unreadable.
simdjson::error_code CollectFields(simdjson::ondemand::object& object, MessageFields* f);

// Builds the message of type `type` ("t", "q", ..., "success", "error", "subscription") from
// `f`. On success fills *message (and *control for control messages; message->event then holds
// `control_index`). On failure sets *why and writes a one-line reason to *detail.
bool BuildMessage(const MessageFields& f, std::string_view type, SymbolTable* symbols,
                  size_t control_index, DecodedMessage* message, ControlMessage* control,
                  SkipReason* why, std::string* detail);

}  // namespace torghut::alpaca::internal
