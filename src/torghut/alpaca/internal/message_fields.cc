#include "torghut/alpaca/internal/message_fields.h"

#include <cmath>
#include <cstring>

#include "torghut/core/time.h"

namespace torghut::alpaca::internal {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Errors that concern one value only: the document stays readable and iteration can go on.
bool IsValueError(error_code e) {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR ||
         e == simdjson::NUMBER_OUT_OF_RANGE || e == simdjson::STRING_ERROR ||
         e == simdjson::UTF8_ERROR;
}

// Exchange, tape and condition codes are printable ASCII; anything else is dropped rather than
// carried into events (and from there into logs and re-encoded JSON).
bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Outcome of reading one value: kOk, kBad (wrong type; recorded) or a fatal error.
struct Reader {
  MessageFields* f;
  error_code fatal = simdjson::SUCCESS;
  bool touched = false;  // the current key is one of ours and its value was looked at

  bool Check(error_code e, Field field) {
    touched = true;
    if (e == simdjson::SUCCESS) {
      f->present |= uint64_t{1} << field;
      return true;
    }
    if (IsValueError(e)) {
      f->bad_types |= uint64_t{1} << field;
      f->has_unread_values = true;
    } else {
      fatal = e;
    }
    return false;
  }
  void String(od::value& v, Field field, std::string_view* out) {
    Check(v.get_string().get(*out), field);
  }
  void Double(od::value& v, Field field, double* out) { Check(v.get_double().get(*out), field); }
  // Integers; a JSON number with an integral value written as a double (100.0) is accepted.
  void Int(od::value& v, Field field, int64_t* out) {
    error_code e = v.get_int64().get(*out);
    if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR) {
      // Not an integer token: accept a double with an integral value (100.0), nothing else.
      double d = 0;
      if (v.get_double().get(d) == simdjson::SUCCESS) {
        if (std::nearbyint(d) == d && std::fabs(d) <= 9.0e15) {
          *out = static_cast<int64_t>(d);
          e = simdjson::SUCCESS;
        } else {
          e = simdjson::INCORRECT_TYPE;
        }
      }
    }
    Check(e, field);
  }
  void Conditions(od::value& v) {
    od::array arr;
    if (!Check(v.get_array().get(arr), kFConditions)) return;
    for (auto element : arr) {
      std::string_view code;
      error_code e = element.get_string().get(code);
      if (e != simdjson::SUCCESS) {
        if (!IsValueError(e)) fatal = e;
        f->bad_types |= uint64_t{1} << kFConditions;
        f->has_unread_values = true;
        if (fatal) return;
        continue;
      }
      if (IsPrintableAscii(code)) f->conditions.Add(code);
    }
  }
  void StringList(od::value& v, std::vector<std::string>* out) {
    f->present |= uint64_t{1} << kFSubscription;
    out->clear();
    od::array arr;
    if (!Check(v.get_array().get(arr), kFSubscription)) return;
    for (auto element : arr) {
      std::string_view s;
      error_code e = element.get_string().get(s);
      if (e != simdjson::SUCCESS) {
        if (!IsValueError(e)) {
          fatal = e;
          return;
        }
        f->bad_types |= uint64_t{1} << kFSubscription;
        f->has_unread_values = true;
        continue;
      }
      out->emplace_back(s);
    }
  }
};

// Length of a raw key (the text after the opening quote up to the closing one); keys longer
// than 15 characters or with escapes are not ours and return 0.
size_t KeyLength(const char* raw) {
  for (size_t n = 0; n < 16; ++n) {
    if (raw[n] == '"') return n;
    if (raw[n] == '\\') return 0;
  }
  return 0;
}

constexpr uint16_t Two(char a, char b) {
  return static_cast<uint16_t>(static_cast<uint8_t>(a) << 8 | static_cast<uint8_t>(b));
}

void ReadField(const char* key, size_t len, od::value& v, Reader& r) {
  MessageFields& f = *r.f;
  if (len == 1) {
    switch (key[0]) {
      case 'T':
        return r.String(v, kFType, &f.type);
      case 'S':
        return r.String(v, kFSymbol, &f.symbol);
      case 't':
        return r.String(v, kFTime, &f.time);
      case 'x':
        return r.String(v, kFExchange, &f.exchange);
      case 'p':
        return r.Double(v, kFPrice, &f.price);
      case 's':
        return r.Int(v, kFSize, &f.size);
      case 'z':
        return r.String(v, kFTape, &f.tape);
      case 'o':
        return r.Double(v, kFOpen, &f.open);
      case 'h':
        return r.Double(v, kFHigh, &f.high);
      case 'l':
        return r.Double(v, kFLow, &f.low);
      case 'v':
        return r.Int(v, kFVolume, &f.volume);
      case 'n':
        return r.Int(v, kFTradeCount, &f.trade_count);
      case 'u':
        return r.Double(v, kFLimitUp, &f.limit_up);
      case 'd':
        return r.Double(v, kFLimitDown, &f.limit_down);
      case 'a':
        return r.String(v, kFAction, &f.action);
      case 'c':
      case 'i': {
        od::json_type type;
        if (error_code e = v.type().get(type); e != simdjson::SUCCESS) {
          r.fatal = e;
          return;
        }
        if (key[0] == 'c') {
          if (type == od::json_type::array) return r.Conditions(v);
          return r.Double(v, kFClose, &f.close);
        }
        if (type == od::json_type::string) return r.String(v, kFIndicator, &f.indicator);
        return r.Int(v, kFId, &f.id);
      }
      default:
        return;
    }
  }
  if (len == 2) {
    switch (Two(key[0], key[1])) {
      case Two('b', 'x'):
        return r.String(v, kFBidExchange, &f.bid_exchange);
      case Two('b', 'p'):
        return r.Double(v, kFBidPrice, &f.bid_price);
      case Two('b', 's'):
        return r.Int(v, kFBidSize, &f.bid_size);
      case Two('a', 'x'):
        return r.String(v, kFAskExchange, &f.ask_exchange);
      case Two('a', 'p'):
        return r.Double(v, kFAskPrice, &f.ask_price);
      case Two('a', 's'):
        return r.Int(v, kFAskSize, &f.ask_size);
      case Two('v', 'w'):
        return r.Double(v, kFVwap, &f.vwap);
      case Two('s', 'c'):
        return r.String(v, kFStatusCode, &f.status_code);
      case Two('r', 'c'):
        return r.String(v, kFReasonCode, &f.reason_code);
      case Two('o', 'i'):
        return r.Int(v, kFOrigId, &f.orig_id);
      case Two('o', 'p'):
        return r.Double(v, kFOrigPrice, &f.orig_price);
      case Two('o', 's'):
        return r.Int(v, kFOrigSize, &f.orig_size);
      case Two('c', 'i'):
        return r.Int(v, kFCorrId, &f.corr_id);
      case Two('c', 'p'):
        return r.Double(v, kFCorrPrice, &f.corr_price);
      case Two('c', 's'):
        return r.Int(v, kFCorrSize, &f.corr_size);
      default:
        return;
    }
  }
  const std::string_view k(key, len);
  Subscription& sub = f.subscription;
  if (k == "msg") return r.String(v, kFMsg, &f.msg);
  if (k == "code") return r.Int(v, kFCode, &f.code);
  if (k == "trades") return r.StringList(v, &sub.trades);
  if (k == "quotes") return r.StringList(v, &sub.quotes);
  if (k == "bars") return r.StringList(v, &sub.bars);
  if (k == "updatedBars") return r.StringList(v, &sub.updated_bars);
  if (k == "dailyBars") return r.StringList(v, &sub.daily_bars);
  if (k == "statuses") return r.StringList(v, &sub.statuses);
  if (k == "lulds") return r.StringList(v, &sub.lulds);
  if (k == "corrections") return r.StringList(v, &sub.corrections);
  if (k == "cancelErrors") return r.StringList(v, &sub.cancel_errors);
}

// ---- building events ----

struct Builder {
  const MessageFields& f;
  SkipReason* why;
  std::string* detail;
  std::string_view what;  // "trade", "quote", ...

  bool Fail(SkipReason reason, std::string_view text) {
    *why = reason;
    detail->assign(what);
    detail->append(": ");
    detail->append(text);
    return false;
  }
  // Every field in `mask` must be present and well-typed.
  bool Require(uint64_t mask, std::initializer_list<std::pair<Field, const char*>> names) {
    for (const auto& [field, name] : names) {
      const uint64_t bit = uint64_t{1} << field;
      if (!(mask & bit)) continue;
      if (f.bad_types & bit)
        return Fail(SkipReason::kBadType, std::string("key \"") + name + "\" has the wrong type");
      if (!(f.present & bit))
        return Fail(SkipReason::kMissingField, std::string("missing key \"") + name + "\"");
    }
    return true;
  }
  // Optional fields may be absent but not of the wrong type.
  bool Optional(std::initializer_list<std::pair<Field, const char*>> names) {
    for (const auto& [field, name] : names) {
      if (f.bad_types & (uint64_t{1} << field)) {
        return Fail(SkipReason::kBadType, std::string("key \"") + name + "\" has the wrong type");
      }
    }
    return true;
  }
  bool Symbol(SymbolTable* symbols, SymbolId* out) {
    if (!IsValidSymbol(f.symbol)) {
      return Fail(SkipReason::kBadSymbol,
                  "invalid symbol \"" + std::string(f.symbol.substr(0, 40)) + "\"");
    }
    *out = symbols->Intern(f.symbol);
    return true;
  }
  bool Time(Timestamp* out) {
    Result<Timestamp> t = ParseRfc3339(f.time);
    if (!t.ok()) return Fail(SkipReason::kBadTimestamp, t.status().message());
    *out = *t;
    return true;
  }
  bool NonNegative(int64_t v, const char* name) {
    if (v < 0) return Fail(SkipReason::kBadValue, std::string("negative \"") + name + "\"");
    return true;
  }
  bool Finite(double v, const char* name) {
    if (!std::isfinite(v) || v < 0)
      return Fail(SkipReason::kBadValue, std::string("invalid \"") + name + "\"");
    return true;
  }
};

char FirstChar(std::string_view s) {
  return s.empty() || s[0] < 0x20 || s[0] > 0x7e ? '\0' : s[0];
}

// Codes are short printable ASCII (Alpaca's "H", "T12", "LUDP"). The code stops at the first other
// byte, so what is stored is always valid text (cutting a multi-byte character at the array's end
// would not be — the fuzzer found that).
template <size_t N>
void CopyCode(std::string_view s, std::array<char, N>* out) {
  *out = {};
  size_t n = 0;
  while (n < std::min(s.size(), N - 1) && s[n] >= 0x20 && s[n] <= 0x7e) ++n;
  if (n > 0) std::memcpy(out->data(), s.data(), n);
}

constexpr uint64_t Bits(std::initializer_list<Field> fields) {
  uint64_t m = 0;
  for (Field x : fields) m |= uint64_t{1} << x;
  return m;
}

#define F(field, name)            \
  std::pair<Field, const char*> { \
    field, name                   \
  }

bool BuildTrade(Builder& b, SymbolTable* symbols, market::Trade* t) {
  const MessageFields& f = b.f;
  if (!b.Require(
          Bits({kFSymbol, kFTime, kFId, kFPrice, kFSize}),
          {F(kFSymbol, "S"), F(kFTime, "t"), F(kFId, "i"), F(kFPrice, "p"), F(kFSize, "s")}) ||
      !b.Optional({F(kFExchange, "x"), F(kFTape, "z"), F(kFConditions, "c")})) {
    return false;
  }
  if (f.has(kFClose)) return b.Fail(SkipReason::kBadType, "key \"c\" has the wrong type");
  if (!b.Symbol(symbols, &t->symbol) || !b.Time(&t->ts) || !b.NonNegative(f.size, "s") ||
      !b.NonNegative(f.id, "i") || !b.Finite(f.price, "p")) {
    return false;
  }
  t->id = f.id;
  t->price = f.price;
  t->size = f.size;
  t->exchange = FirstChar(f.has(kFExchange) ? f.exchange : std::string_view());
  t->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  t->conditions = f.conditions;
  return true;
}

bool BuildQuote(Builder& b, SymbolTable* symbols, market::Quote* q) {
  const MessageFields& f = b.f;
  if (!b.Require(Bits({kFSymbol, kFTime, kFBidPrice, kFBidSize, kFAskPrice, kFAskSize}),
                 {F(kFSymbol, "S"), F(kFTime, "t"), F(kFBidPrice, "bp"), F(kFBidSize, "bs"),
                  F(kFAskPrice, "ap"), F(kFAskSize, "as")}) ||
      !b.Optional(
          {F(kFBidExchange, "bx"), F(kFAskExchange, "ax"), F(kFTape, "z"), F(kFConditions, "c")})) {
    return false;
  }
  if (f.has(kFClose)) return b.Fail(SkipReason::kBadType, "key \"c\" has the wrong type");
  if (!b.Symbol(symbols, &q->symbol) || !b.Time(&q->ts) || !b.NonNegative(f.bid_size, "bs") ||
      !b.NonNegative(f.ask_size, "as") || !b.Finite(f.bid_price, "bp") ||
      !b.Finite(f.ask_price, "ap")) {
    return false;
  }
  q->bid_price = f.bid_price;
  q->bid_size = f.bid_size;
  q->ask_price = f.ask_price;
  q->ask_size = f.ask_size;
  q->bid_exchange = FirstChar(f.has(kFBidExchange) ? f.bid_exchange : std::string_view());
  q->ask_exchange = FirstChar(f.has(kFAskExchange) ? f.ask_exchange : std::string_view());
  q->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  q->conditions = f.conditions;
  return true;
}

bool BuildBar(Builder& b, SymbolTable* symbols, market::BarKind kind, market::Bar* bar) {
  const MessageFields& f = b.f;
  if (f.has(kFConditions)) return b.Fail(SkipReason::kBadType, "key \"c\" has the wrong type");
  if (!b.Require(Bits({kFSymbol, kFTime, kFOpen, kFHigh, kFLow, kFClose, kFVolume}),
                 {F(kFSymbol, "S"), F(kFTime, "t"), F(kFOpen, "o"), F(kFHigh, "h"), F(kFLow, "l"),
                  F(kFClose, "c"), F(kFVolume, "v")}) ||
      !b.Optional({F(kFTradeCount, "n"), F(kFVwap, "vw")})) {
    return false;
  }
  if (!b.Symbol(symbols, &bar->symbol) || !b.Time(&bar->ts) || !b.NonNegative(f.volume, "v") ||
      !b.Finite(f.open, "o") || !b.Finite(f.high, "h") || !b.Finite(f.low, "l") ||
      !b.Finite(f.close, "c")) {
    return false;
  }
  bar->kind = kind;
  bar->open = f.open;
  bar->high = f.high;
  bar->low = f.low;
  bar->close = f.close;
  bar->volume = f.volume;
  bar->trade_count = f.has(kFTradeCount) ? f.trade_count : 0;
  bar->vwap = f.has(kFVwap) ? f.vwap : 0;
  return true;
}

bool BuildStatus(Builder& b, SymbolTable* symbols, market::TradingStatus* s) {
  const MessageFields& f = b.f;
  if (!b.Require(Bits({kFSymbol, kFTime, kFStatusCode}),
                 {F(kFSymbol, "S"), F(kFTime, "t"), F(kFStatusCode, "sc")}) ||
      !b.Optional({F(kFReasonCode, "rc"), F(kFTape, "z")})) {
    return false;
  }
  if (!b.Symbol(symbols, &s->symbol) || !b.Time(&s->ts)) return false;
  CopyCode(f.status_code, &s->status_code);
  CopyCode(f.has(kFReasonCode) ? f.reason_code : std::string_view(), &s->reason_code);
  s->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  return true;
}

bool BuildLuld(Builder& b, SymbolTable* symbols, market::Luld* l) {
  const MessageFields& f = b.f;
  if (f.has(kFId)) return b.Fail(SkipReason::kBadType, "key \"i\" has the wrong type");
  if (!b.Require(Bits({kFSymbol, kFTime, kFLimitUp, kFLimitDown}),
                 {F(kFSymbol, "S"), F(kFTime, "t"), F(kFLimitUp, "u"), F(kFLimitDown, "d")}) ||
      !b.Optional({F(kFIndicator, "i"), F(kFTape, "z")})) {
    return false;
  }
  if (!b.Symbol(symbols, &l->symbol) || !b.Time(&l->ts) || !b.Finite(f.limit_up, "u") ||
      !b.Finite(f.limit_down, "d")) {
    return false;
  }
  l->limit_up = f.limit_up;
  l->limit_down = f.limit_down;
  l->indicator = FirstChar(f.has(kFIndicator) ? f.indicator : std::string_view());
  l->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  return true;
}

bool BuildCorrection(Builder& b, SymbolTable* symbols, market::Correction* c) {
  const MessageFields& f = b.f;
  if (!b.Require(
          Bits({kFSymbol, kFTime, kFOrigId, kFOrigPrice, kFOrigSize, kFCorrId, kFCorrPrice,
                kFCorrSize}),
          {F(kFSymbol, "S"), F(kFTime, "t"), F(kFOrigId, "oi"), F(kFOrigPrice, "op"),
           F(kFOrigSize, "os"), F(kFCorrId, "ci"), F(kFCorrPrice, "cp"), F(kFCorrSize, "cs")}) ||
      !b.Optional({F(kFExchange, "x"), F(kFTape, "z")})) {
    return false;
  }
  if (!b.Symbol(symbols, &c->symbol) || !b.Time(&c->ts) || !b.NonNegative(f.orig_size, "os") ||
      !b.NonNegative(f.corr_size, "cs") || !b.NonNegative(f.orig_id, "oi") ||
      !b.NonNegative(f.corr_id, "ci") || !b.Finite(f.orig_price, "op") ||
      !b.Finite(f.corr_price, "cp")) {
    return false;
  }
  c->exchange = FirstChar(f.has(kFExchange) ? f.exchange : std::string_view());
  c->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  c->original_id = f.orig_id;
  c->original_price = f.orig_price;
  c->original_size = f.orig_size;
  c->corrected_id = f.corr_id;
  c->corrected_price = f.corr_price;
  c->corrected_size = f.corr_size;
  return true;
}

bool BuildCancel(Builder& b, SymbolTable* symbols, market::Cancel* x) {
  const MessageFields& f = b.f;
  if (!b.Require(
          Bits({kFSymbol, kFTime, kFId, kFPrice, kFSize}),
          {F(kFSymbol, "S"), F(kFTime, "t"), F(kFId, "i"), F(kFPrice, "p"), F(kFSize, "s")}) ||
      !b.Optional({F(kFExchange, "x"), F(kFTape, "z"), F(kFAction, "a")})) {
    return false;
  }
  if (!b.Symbol(symbols, &x->symbol) || !b.Time(&x->ts) || !b.NonNegative(f.size, "s") ||
      !b.NonNegative(f.id, "i") || !b.Finite(f.price, "p")) {
    return false;
  }
  const char action = FirstChar(f.has(kFAction) ? f.action : std::string_view("C"));
  if (action != 'C' && action != 'E')
    return b.Fail(SkipReason::kBadValue, "action \"a\" must be C or E");
  x->id = f.id;
  x->price = f.price;
  x->size = f.size;
  x->action = action;
  x->exchange = FirstChar(f.has(kFExchange) ? f.exchange : std::string_view());
  x->tape = FirstChar(f.has(kFTape) ? f.tape : std::string_view());
  return true;
}

#undef F

}  // namespace

error_code CollectFields(od::object& object, MessageFields* f) {
  Reader reader{f};
  for (auto field : object) {
    // Key and value are taken straight from the iterator's result (no copy of the field).
    od::raw_json_string key;
    if (error_code e = field.key().get(key); e != simdjson::SUCCESS) return e;
    od::value value;
    if (error_code e = field.value().get(value); e != simdjson::SUCCESS) return e;
    const char* raw = key.raw();
    const size_t len = KeyLength(raw);
    if (len == 0) {  // not one of ours; the iterator skips the value
      f->has_unread_values = true;
      continue;
    }
    reader.touched = false;
    ReadField(raw, len, value, reader);
    if (reader.fatal != simdjson::SUCCESS) return reader.fatal;
    if (!reader.touched) f->has_unread_values = true;  // a short key that is not ours
  }
  return simdjson::SUCCESS;
}

bool BuildMessage(const MessageFields& f, std::string_view type, SymbolTable* symbols,
                  size_t control_index, DecodedMessage* message, ControlMessage* control,
                  SkipReason* why, std::string* detail) {
  Builder b{f, why, detail, ""};
  if (type.size() == 1) {
    switch (type[0]) {
      case 't': {
        b.what = "trade";
        message->type = MessageType::kTrade;
        return BuildTrade(b, symbols, &message->event.emplace<market::Trade>());
      }
      case 'q': {
        b.what = "quote";
        message->type = MessageType::kQuote;
        return BuildQuote(b, symbols, &message->event.emplace<market::Quote>());
      }
      case 'b':
      case 'u':
      case 'd': {
        const market::BarKind kind = type[0] == 'b'   ? market::BarKind::kMinute
                                     : type[0] == 'u' ? market::BarKind::kUpdated
                                                      : market::BarKind::kDaily;
        b.what = type[0] == 'b' ? "bar" : type[0] == 'u' ? "updated bar" : "daily bar";
        message->type = type[0] == 'b'   ? MessageType::kBar
                        : type[0] == 'u' ? MessageType::kUpdatedBar
                                         : MessageType::kDailyBar;
        return BuildBar(b, symbols, kind, &message->event.emplace<market::Bar>());
      }
      case 's': {
        b.what = "status";
        message->type = MessageType::kStatus;
        return BuildStatus(b, symbols, &message->event.emplace<market::TradingStatus>());
      }
      case 'l': {
        b.what = "luld";
        message->type = MessageType::kLuld;
        return BuildLuld(b, symbols, &message->event.emplace<market::Luld>());
      }
      case 'c': {
        b.what = "correction";
        message->type = MessageType::kCorrection;
        return BuildCorrection(b, symbols, &message->event.emplace<market::Correction>());
      }
      case 'x': {
        b.what = "cancel";
        message->type = MessageType::kCancel;
        return BuildCancel(b, symbols, &message->event.emplace<market::Cancel>());
      }
      default:
        break;
    }
  }
  if (type == "success" || type == "error" || type == "subscription") {
    message->type = MessageType::kControl;
    message->event.emplace<size_t>(control_index);
    *control = ControlMessage{};
    if (type == "success") {
      b.what = "success";
      if (!b.Require(Bits({kFMsg}), {{kFMsg, "msg"}})) return false;
      control->message.assign(f.msg);
      control->kind = f.msg == "connected"       ? ControlMessage::Kind::kConnected
                      : f.msg == "authenticated" ? ControlMessage::Kind::kAuthenticated
                                                 : ControlMessage::Kind::kSuccessOther;
      return true;
    }
    if (type == "error") {
      b.what = "error";
      if (!b.Require(Bits({kFCode}), {{kFCode, "code"}}) || !b.Optional({{kFMsg, "msg"}})) {
        return false;
      }
      control->kind = ControlMessage::Kind::kError;
      control->code = f.code;
      control->message.assign(f.has(kFMsg) ? f.msg : std::string_view());
      control->error_class = ClassifyError(f.code);
      return true;
    }
    b.what = "subscription";
    if (!b.Optional({{kFSubscription, "subscription list"}})) return false;
    control->kind = ControlMessage::Kind::kSubscription;
    control->subscription = f.subscription;
    return true;
  }
  *why = SkipReason::kUnknownType;
  detail->assign("unknown message type \"");
  detail->append(type.substr(0, 32));
  detail->append("\"");
  return false;
}

}  // namespace torghut::alpaca::internal
