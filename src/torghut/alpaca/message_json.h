// Encoder for Alpaca market-data message objects (SPEC §2): the inverse of FrameDecoder.
//
//   std::string out;
//   AppendMessageJson(message, symbols, &out);   // {"T":"t","S":"AAPL","i":1,...}
//
// Used where Torghut speaks Alpaca itself (the simulator's stream, envelopes built from decoded
// events, tests). Prices use the shortest text that reads back to the same double; timestamps are
// RFC 3339 UTC with as many fraction digits as needed. Appends; never clears `out`.
#pragma once

#include <string>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/core/symbols.h"

namespace torghut::alpaca {

// Data messages only (control messages have no encoder here): a kControl message appends nothing
// and returns false.
bool AppendMessageJson(const DecodedMessage& message, const SymbolTable& symbols, std::string* out);

void AppendTradeJson(const market::Trade& t, std::string_view symbol, std::string* out);
void AppendQuoteJson(const market::Quote& q, std::string_view symbol, std::string* out);
void AppendBarJson(const market::Bar& b, std::string_view symbol, std::string* out);

}  // namespace torghut::alpaca
