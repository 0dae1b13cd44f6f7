#include "torghut/alpaca/envelope.h"

#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

#include "torghut/alpaca/internal/message_fields.h"
#include "torghut/alpaca/internal/padded_copy.h"
#include "torghut/core/json_text.h"

namespace torghut::alpaca {

namespace od = simdjson::ondemand;

namespace {

constexpr std::string_view kChannelNames[] = {"trades",      "quotes",      "bars",
                                              "updatedBars", "dailyBars",   "status",
                                              "lulds",       "corrections", "cancelErrors"};

// The Alpaca "T" implied by a channel, for payloads that omit it ("" = none).
std::string_view DefaultType(Channel c) {
  switch (c) {
    case Channel::kTrades:
      return "t";
    case Channel::kQuotes:
      return "q";
    case Channel::kBars:
      return "b";
    case Channel::kUpdatedBars:
      return "u";
    case Channel::kDailyBars:
      return "d";
    case Channel::kLulds:
      return "l";
    case Channel::kCorrections:
      return "c";
    case Channel::kCancelErrors:
      return "x";
    case Channel::kStatus:
      return "";
  }
  return "";
}

void AppendTime(std::string_view key, Timestamp t, std::string* out) {
  char buf[kRfc3339MaxLen];
  out->append(",\"");
  out->append(key);
  out->append("\":\"");
  out->append(FormatRfc3339(t, buf, FracDigits::kAuto));
  out->push_back('"');
}

void AppendString(std::string_view key, std::string_view value, std::string* out) {
  out->append(",\"");
  out->append(key);
  out->append("\":");
  AppendJsonString(value, out);
}

}  // namespace

std::string_view ChannelName(Channel c) {
  return kChannelNames[static_cast<size_t>(c)];
}

bool ParseChannel(std::string_view name, Channel* out) {
  for (size_t i = 0; i < std::size(kChannelNames); ++i) {
    if (kChannelNames[i] == name) {
      *out = static_cast<Channel>(i);
      return true;
    }
  }
  return false;
}

Channel ChannelFor(MessageType t) {
  switch (t) {
    case MessageType::kTrade:
      return Channel::kTrades;
    case MessageType::kQuote:
      return Channel::kQuotes;
    case MessageType::kBar:
      return Channel::kBars;
    case MessageType::kUpdatedBar:
      return Channel::kUpdatedBars;
    case MessageType::kDailyBar:
      return Channel::kDailyBars;
    case MessageType::kLuld:
      return Channel::kLulds;
    case MessageType::kCorrection:
      return Channel::kCorrections;
    case MessageType::kCancel:
      return Channel::kCancelErrors;
    case MessageType::kStatus:
    case MessageType::kControl:
    case MessageType::kCount:
      break;
  }
  return Channel::kStatus;
}

void AppendEnvelopeJson(const EnvelopeHeader& h, std::string_view payload_json, std::string* out) {
  char buf[kRfc3339MaxLen];
  out->append("{\"ingestTs\":\"");
  out->append(FormatRfc3339(h.ingest_ts, buf, FracDigits::kAuto));
  out->push_back('"');
  AppendTime("eventTs", h.event_ts, out);
  AppendString("feed", h.feed, out);
  AppendString("channel", ChannelName(h.channel), out);
  AppendString("symbol", h.symbol, out);
  fmt::format_to(std::back_inserter(*out), ",\"seq\":{},\"payload\":", h.seq);
  out->append(payload_json);
  out->append(h.is_final ? ",\"isFinal\":true" : ",\"isFinal\":false");
  AppendString("source", market::SourceName(h.source), out);
  fmt::format_to(std::back_inserter(*out), ",\"version\":{}", h.version);
  AppendString("provider", h.provider, out);
  out->push_back('}');
}

struct EnvelopeDecoder::Impl {
  SymbolTable* symbols;
  od::parser parser;
  simdjson::dom::parser dom;  // checks envelopes with values left unread (On-Demand did not)
  internal::PaddedCopy copy;
  internal::MessageFields fields;
  std::string detail;
  // Header strings are copied here: the parser's string buffer is reused for every value.
  std::string feed, symbol, provider;
};

EnvelopeDecoder::EnvelopeDecoder(SymbolTable* symbols) : impl_(std::make_unique<Impl>()) {
  impl_->symbols = symbols;
}
EnvelopeDecoder::~EnvelopeDecoder() = default;

namespace {

Status Bad(std::string_view what) {
  return InvalidArgument("envelope: " + std::string(what));
}

// A timestamp as an RFC 3339 string or integer epoch milliseconds.
Status ReadTime(od::value& v, std::string_view key, Timestamp* out) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return Bad(std::string(key) + " is unreadable");
  if (type == od::json_type::number) {
    int64_t ms = 0;
    if (v.get_int64().get(ms) != simdjson::SUCCESS)
      return Bad(std::string(key) + " is not an integer");
    if (ms < -9'000'000'000'000 || ms > 9'000'000'000'000) {  // the Timestamp range
      return Bad(std::string(key) + " is out of range");
    }
    *out = Timestamp::FromMillis(ms);
    return Status::Ok();
  }
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) {
    return Bad(std::string(key) + " must be an RFC 3339 string or epoch milliseconds");
  }
  Result<Timestamp> t = ParseRfc3339(text);
  if (!t.ok()) return Bad(std::string(key) + ": " + t.status().message());
  *out = *t;
  return Status::Ok();
}

}  // namespace

Status EnvelopeDecoder::Decode(std::string_view json, Envelope* out) {
  Impl& im = *impl_;
  *out = Envelope{};
  const std::string_view text = im.copy.Assign(json);
  auto syntax = [](simdjson::error_code e) {
    return Bad(std::string("not valid JSON (") + simdjson::error_message(e) + ")");
  };
  od::document doc;
  simdjson::error_code e = im.parser.iterate(text.data(), text.size(), im.copy.capacity()).get(doc);
  if (e != simdjson::SUCCESS) return syntax(e);
  od::object object;
  if ((e = doc.get_object().get(object)) != simdjson::SUCCESS) {
    return e == simdjson::INCORRECT_TYPE ? Bad("not a JSON object") : syntax(e);
  }

  bool has_channel = false, has_symbol = false, has_payload = false;
  bool skipped_key = false;  // a key that is not ours: its value was skipped unread
  im.fields.Clear();
  EnvelopeHeader& h = out->header;
  for (auto field_result : object) {
    od::field field;
    if ((e = std::move(field_result).get(field)) != simdjson::SUCCESS) return syntax(e);
    std::string_view key;
    if ((e = field.unescaped_key().get(key)) != simdjson::SUCCESS) return syntax(e);
    od::value v = field.value();
    if (key == "payload") {
      od::object payload;
      if ((e = v.get_object().get(payload)) != simdjson::SUCCESS) {
        return e == simdjson::INCORRECT_TYPE ? Bad("payload is not an object") : syntax(e);
      }
      if ((e = payload.raw_json().get(out->payload_json)) != simdjson::SUCCESS) return syntax(e);
      if ((e = payload.reset().error()) != simdjson::SUCCESS) return syntax(e);
      im.fields.Clear();  // a repeated "payload" key: the last one wins, whole
      if ((e = internal::CollectFields(payload, &im.fields)) != simdjson::SUCCESS) return syntax(e);
      has_payload = true;
    } else if (key == "channel") {
      std::string_view name;
      if (v.get_string().get(name) != simdjson::SUCCESS) return Bad("channel is not a string");
      if (!ParseChannel(name, &h.channel)) {
        return Bad("unknown channel \"" + std::string(name.substr(0, 32)) + "\"");
      }
      has_channel = true;
    } else if (key == "symbol") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return Bad("symbol is not a string");
      im.symbol.assign(s);
      has_symbol = true;
    } else if (key == "ingestTs") {
      TORGHUT_RETURN_IF_ERROR(ReadTime(v, key, &h.ingest_ts));
    } else if (key == "eventTs") {
      TORGHUT_RETURN_IF_ERROR(ReadTime(v, key, &h.event_ts));
    } else if (key == "feed") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return Bad("feed is not a string");
      im.feed.assign(s);
      h.feed = im.feed;
    } else if (key == "provider") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return Bad("provider is not a string");
      im.provider.assign(s);
      h.provider = im.provider;
    } else if (key == "source") {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS || !market::ParseSource(s, &h.source)) {
        return Bad("source must be one of ws, rest, sim, file");
      }
    } else if (key == "seq") {
      if (v.get_int64().get(h.seq) != simdjson::SUCCESS) return Bad("seq is not an integer");
    } else if (key == "version") {
      if (v.get_int64().get(h.version) != simdjson::SUCCESS)
        return Bad("version is not an integer");
    } else if (key == "isFinal") {
      if (v.get_bool().get(h.is_final) != simdjson::SUCCESS) return Bad("isFinal is not a boolean");
    } else {
      skipped_key = true;
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return syntax(simdjson::TRAILING_CONTENT);
  }
  // On-Demand checks the syntax of what it reads only; a value skipped unread is not checked (it
  // even takes `"k":"a":"b"` as one field — found by the fuzzer: such an envelope was accepted,
  // and its payload, passed on verbatim, no longer parsed). Envelopes of our own encoder and
  // Alpaca's messages have no such keys, so the whole-text check costs nothing on their path.
  if (skipped_key || im.fields.has_unread_values) {
    simdjson::dom::element whole;
    if (im.dom.parse(text.data(), text.size()).get(whole) != simdjson::SUCCESS) {
      return Bad("not valid JSON");
    }
  }
  if (!has_channel) return Bad("missing key \"channel\"");
  if (!has_payload) return Bad("missing key \"payload\"");
  if (!has_symbol) {
    if (!im.fields.has(internal::kFSymbol)) return Bad("missing key \"symbol\"");
    im.symbol.assign(im.fields.symbol);
  }
  h.symbol = im.symbol;

  std::string_view type = im.fields.has(internal::kFType) ? im.fields.type : DefaultType(h.channel);
  // A status payload that is not an Alpaca message (a forwarder heartbeat) is passed on as it is;
  // its text was checked above if any of it went unread.
  if (type.empty()) return Status::Ok();
  // Alpaca payloads always carry their symbol; envelopes that keep it only outside get it back.
  if (!im.fields.has(internal::kFSymbol)) {
    im.fields.symbol = im.symbol;
    im.fields.present |= uint64_t{1} << internal::kFSymbol;
  }
  ControlMessage control;
  SkipReason why{};
  if (!internal::BuildMessage(im.fields, type, im.symbols, 0, &out->message, &control, &why,
                              &im.detail)) {
    return Bad("payload: " + std::string(SkipReasonName(why)) + ": " + im.detail);
  }
  out->has_message = out->message.type != MessageType::kControl;
  return Status::Ok();
}

}  // namespace torghut::alpaca
