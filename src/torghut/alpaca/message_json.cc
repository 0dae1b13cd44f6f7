#include "torghut/alpaca/message_json.h"

#include <fmt/format.h>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::alpaca {
namespace {

// Appends `"key":` (keys are plain ASCII, never escaped).
void Key(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void Str(std::string_view key, std::string_view value, std::string* out) {
  Key(key, out);
  AppendJsonString(value, out);
}

void Char(std::string_view key, char c, std::string* out) {
  if (c != '\0') Str(key, std::string_view(&c, 1), out);
}

void Num(std::string_view key, double v, std::string* out) {
  Key(key, out);
  fmt::format_to(std::back_inserter(*out), "{}", v);
}

void Int(std::string_view key, int64_t v, std::string* out) {
  Key(key, out);
  fmt::format_to(std::back_inserter(*out), "{}", v);
}

void Time(Timestamp t, std::string* out) {
  char buf[kRfc3339MaxLen];
  Str("t", FormatRfc3339(t, buf, FracDigits::kAuto), out);
}

void Conditions(const market::Conditions& c, std::string* out) {
  if (c.count == 0) return;
  Key("c", out);
  out->push_back('[');
  for (size_t i = 0; i < c.count; ++i) {
    if (i) out->push_back(',');
    AppendJsonString(c.at(i), out);
  }
  out->push_back(']');
}

void Begin(std::string_view type, std::string_view symbol, std::string* out) {
  out->append("{\"T\":\"");
  out->append(type);
  out->push_back('"');
  Str("S", symbol, out);
}

std::string_view Code(const char* data, size_t cap) {
  size_t n = 0;
  while (n < cap && data[n] != '\0') ++n;
  return std::string_view(data, n);
}

}  // namespace

void AppendTradeJson(const market::Trade& t, std::string_view symbol, std::string* out) {
  Begin("t", symbol, out);
  Int("i", t.id, out);
  Char("x", t.exchange, out);
  Num("p", t.price, out);
  Int("s", t.size, out);
  Conditions(t.conditions, out);
  Time(t.ts, out);
  Char("z", t.tape, out);
  out->push_back('}');
}

void AppendQuoteJson(const market::Quote& q, std::string_view symbol, std::string* out) {
  Begin("q", symbol, out);
  Char("bx", q.bid_exchange, out);
  Num("bp", q.bid_price, out);
  Int("bs", q.bid_size, out);
  Char("ax", q.ask_exchange, out);
  Num("ap", q.ask_price, out);
  Int("as", q.ask_size, out);
  Conditions(q.conditions, out);
  Time(q.ts, out);
  Char("z", q.tape, out);
  out->push_back('}');
}

void AppendBarJson(const market::Bar& b, std::string_view symbol, std::string* out) {
  Begin(b.kind == market::BarKind::kMinute    ? "b"
        : b.kind == market::BarKind::kUpdated ? "u"
                                              : "d",
        symbol, out);
  Num("o", b.open, out);
  Num("h", b.high, out);
  Num("l", b.low, out);
  Num("c", b.close, out);
  Int("v", b.volume, out);
  Time(b.ts, out);
  Int("n", b.trade_count, out);
  Num("vw", b.vwap, out);
  out->push_back('}');
}

bool AppendMessageJson(const DecodedMessage& m, const SymbolTable& symbols, std::string* out) {
  auto name = [&](SymbolId id) { return symbols.Name(id); };
  switch (m.type) {
    case MessageType::kTrade: {
      const auto& t = std::get<market::Trade>(m.event);
      AppendTradeJson(t, name(t.symbol), out);
      return true;
    }
    case MessageType::kQuote: {
      const auto& q = std::get<market::Quote>(m.event);
      AppendQuoteJson(q, name(q.symbol), out);
      return true;
    }
    case MessageType::kBar:
    case MessageType::kUpdatedBar:
    case MessageType::kDailyBar: {
      const auto& b = std::get<market::Bar>(m.event);
      AppendBarJson(b, name(b.symbol), out);
      return true;
    }
    case MessageType::kStatus: {
      const auto& s = std::get<market::TradingStatus>(m.event);
      Begin("s", name(s.symbol), out);
      Str("sc", Code(s.status_code.data(), s.status_code.size()), out);
      Str("rc", Code(s.reason_code.data(), s.reason_code.size()), out);
      Time(s.ts, out);
      Char("z", s.tape, out);
      out->push_back('}');
      return true;
    }
    case MessageType::kLuld: {
      const auto& l = std::get<market::Luld>(m.event);
      Begin("l", name(l.symbol), out);
      Num("u", l.limit_up, out);
      Num("d", l.limit_down, out);
      Char("i", l.indicator, out);
      Time(l.ts, out);
      Char("z", l.tape, out);
      out->push_back('}');
      return true;
    }
    case MessageType::kCorrection: {
      const auto& c = std::get<market::Correction>(m.event);
      Begin("c", name(c.symbol), out);
      Char("x", c.exchange, out);
      Int("oi", c.original_id, out);
      Num("op", c.original_price, out);
      Int("os", c.original_size, out);
      Int("ci", c.corrected_id, out);
      Num("cp", c.corrected_price, out);
      Int("cs", c.corrected_size, out);
      Time(c.ts, out);
      Char("z", c.tape, out);
      out->push_back('}');
      return true;
    }
    case MessageType::kCancel: {
      const auto& x = std::get<market::Cancel>(m.event);
      Begin("x", name(x.symbol), out);
      Int("i", x.id, out);
      Char("x", x.exchange, out);
      Num("p", x.price, out);
      Int("s", x.size, out);
      Char("a", x.action, out);
      Time(x.ts, out);
      Char("z", x.tape, out);
      out->push_back('}');
      return true;
    }
    case MessageType::kControl:
    case MessageType::kCount:
      break;
  }
  return false;
}

}  // namespace torghut::alpaca
