// Market-data domain events: what the Alpaca stream (or the simulator, or a file) tells us.
//
// These are plain values, decoded once at the edge (alpaca/frame_decoder.h) and consumed by the
// forwarder, the TA engine and the simulator. Prices are doubles here because they feed
// floating-point analytics (TA-Lib semantics); anything sent to a broker uses core/decimal.h.
// Sizes are integer shares. Times are UTC epoch nanoseconds. Symbols are interned ids (a
// SymbolTable owned by whoever decoded the event resolves them back to names).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <variant>

#include "torghut/core/symbols.h"
#include "torghut/core/time.h"

namespace torghut::market {

// Up to four one- or two-character condition codes (Alpaca's "c" arrays), stored inline so that
// events never allocate. Codes beyond the fourth are dropped (they never occur in practice).
struct Conditions {
  std::array<std::array<char, 2>, 4> codes{};
  uint8_t count = 0;

  void Add(std::string_view code) {
    if (count >= codes.size() || code.empty() || code.size() > 2) return;
    codes[count][0] = code[0];
    codes[count][1] = code.size() > 1 ? code[1] : '\0';
    ++count;
  }
  std::string_view at(size_t i) const {
    return std::string_view(codes[i].data(), codes[i][1] == '\0' ? 1 : 2);
  }
  friend bool operator==(const Conditions&, const Conditions&) = default;
};

// "T":"t" — a trade print.
struct Trade {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;           // "t"
  int64_t id = 0;         // "i", unique per symbol and day on Alpaca
  double price = 0;       // "p"
  int64_t size = 0;       // "s"
  char exchange = 0;      // "x"
  char tape = 0;          // "z"
  Conditions conditions;  // "c"
  friend bool operator==(const Trade&, const Trade&) = default;
};

// "T":"q" — top of book.
struct Quote {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;
  double bid_price = 0;   // "bp"
  int64_t bid_size = 0;   // "bs"
  double ask_price = 0;   // "ap"
  int64_t ask_size = 0;   // "as"
  char bid_exchange = 0;  // "bx"
  char ask_exchange = 0;  // "ax"
  char tape = 0;
  Conditions conditions;
  friend bool operator==(const Quote&, const Quote&) = default;
};

enum class BarKind : uint8_t {
  kMinute = 0,   // "T":"b"
  kUpdated = 1,  // "T":"u" — a late correction of an already published minute bar
  kDaily = 2,    // "T":"d"
};

// An OHLCV bar; `ts` is the bar's *start* as Alpaca sends it.
struct Bar {
  SymbolId symbol = kNoSymbol;
  BarKind kind = BarKind::kMinute;
  Timestamp ts;
  double open = 0, high = 0, low = 0, close = 0;
  int64_t volume = 0;       // "v"
  int64_t trade_count = 0;  // "n"
  double vwap = 0;          // "vw"
  friend bool operator==(const Bar&, const Bar&) = default;
};

// "T":"s" — halts and resumptions.
struct TradingStatus {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;
  std::array<char, 4> status_code{};  // "sc", e.g. "H", "T"
  std::array<char, 8> reason_code{};  // "rc", e.g. "T12", "LUDP"
  char tape = 0;
  friend bool operator==(const TradingStatus&, const TradingStatus&) = default;
};

// "T":"l" — limit-up/limit-down price bands.
struct Luld {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;
  double limit_up = 0;    // "u"
  double limit_down = 0;  // "d"
  char indicator = 0;     // "i"
  char tape = 0;
  friend bool operator==(const Luld&, const Luld&) = default;
};

// "T":"c" — a trade was corrected: the original print (oi/op/os) is replaced by (ci/cp/cs).
struct Correction {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;  // time of the original trade
  char exchange = 0;
  char tape = 0;
  int64_t original_id = 0;
  double original_price = 0;
  int64_t original_size = 0;
  int64_t corrected_id = 0;
  double corrected_price = 0;
  int64_t corrected_size = 0;
  friend bool operator==(const Correction&, const Correction&) = default;
};

// "T":"x" — a trade was cancelled ("a":"C") or was an error ("a":"E").
struct Cancel {
  SymbolId symbol = kNoSymbol;
  Timestamp ts;  // time of the cancelled trade
  int64_t id = 0;
  double price = 0;
  int64_t size = 0;
  char exchange = 0;
  char action = 0;  // 'C' cancel, 'E' error
  char tape = 0;
  friend bool operator==(const Cancel&, const Cancel&) = default;
};

// Any market-data event, as every TA driver (the TA service, file replay, backtest) hands it to
// the engine (ta::Engine::Apply).
using Event = std::variant<Trade, Quote, Bar, Correction, Cancel, TradingStatus, Luld>;

// The symbol and event time of any event (each alternative has both).
inline SymbolId SymbolOf(const Event& e) {
  return std::visit([](const auto& x) { return x.symbol; }, e);
}
inline Timestamp TimeOf(const Event& e) {
  return std::visit([](const auto& x) { return x.ts; }, e);
}

}  // namespace torghut::market
