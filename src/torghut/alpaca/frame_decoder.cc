#include "torghut/alpaca/frame_decoder.h"

#include <cstring>

#include <simdjson.h>

#include "torghut/alpaca/internal/message_fields.h"
#include "torghut/alpaca/internal/padded_copy.h"

namespace torghut::alpaca {

namespace od = simdjson::ondemand;

std::string_view MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kTrade:
      return "trade";
    case MessageType::kQuote:
      return "quote";
    case MessageType::kBar:
      return "bar";
    case MessageType::kUpdatedBar:
      return "updated_bar";
    case MessageType::kDailyBar:
      return "daily_bar";
    case MessageType::kStatus:
      return "status";
    case MessageType::kLuld:
      return "luld";
    case MessageType::kCorrection:
      return "correction";
    case MessageType::kCancel:
      return "cancel";
    case MessageType::kControl:
      return "control";
    case MessageType::kCount:
      break;
  }
  return "?";
}

std::string_view SkipReasonName(SkipReason r) {
  switch (r) {
    case SkipReason::kNotAnObject:
      return "not_an_object";
    case SkipReason::kMissingType:
      return "missing_type";
    case SkipReason::kUnknownType:
      return "unknown_type";
    case SkipReason::kMissingField:
      return "missing_field";
    case SkipReason::kBadType:
      return "bad_type";
    case SkipReason::kBadTimestamp:
      return "bad_timestamp";
    case SkipReason::kBadSymbol:
      return "bad_symbol";
    case SkipReason::kBadValue:
      return "bad_value";
    case SkipReason::kCount:
      break;
  }
  return "?";
}

int64_t FrameStats::total_skipped() const {
  int64_t n = 0;
  for (int64_t s : skipped) n += s;
  return n;
}

void FrameStats::Add(const FrameStats& other) {
  messages += other.messages;
  decoded += other.decoded;
  for (size_t i = 0; i < by_type.size(); ++i) by_type[i] += other.by_type[i];
  for (size_t i = 0; i < skipped.size(); ++i) skipped[i] += other.skipped[i];
  if (first_error.empty()) first_error = other.first_error;
}

void MessageBatch::Clear() {
  messages.clear();
  controls.clear();
  stats = FrameStats{};
}

struct FrameDecoder::Impl {
  SymbolTable* symbols;
  bool capture_raw;
  od::parser parser;
  // The frame is copied here with simdjson's padding; grows to the largest frame seen.
  internal::PaddedCopy copy;
  internal::MessageFields fields;
  std::string detail;

  void Skip(MessageBatch* out, SkipReason reason, std::string_view text) {
    ++out->stats.skipped[static_cast<size_t>(reason)];
    if (out->stats.first_error.empty()) {
      out->stats.first_error = "message " + std::to_string(out->stats.messages) + ": ";
      out->stats.first_error.append(text);
    }
  }

  // Decodes one message object; returns a fatal (syntax) error or SUCCESS.
  simdjson::error_code DecodeObject(od::object& object, MessageBatch* out) {
    std::string_view raw;
    if (capture_raw) {
      if (auto e = object.raw_json().get(raw); e != simdjson::SUCCESS) return e;
      if (auto e = object.reset().error(); e != simdjson::SUCCESS) return e;
    }
    fields.Clear();
    if (auto e = internal::CollectFields(object, &fields); e != simdjson::SUCCESS) return e;
    if (!fields.has(internal::kFType)) {
      Skip(out,
           fields.bad_types & (1u << internal::kFType) ? SkipReason::kBadType
                                                       : SkipReason::kMissingType,
           "missing or non-string \"T\"");
      return simdjson::SUCCESS;
    }
    if (out->messages.size() == out->messages.capacity()) {
      out->messages.reserve(out->messages.size() * 2 + 16);
    }
    DecodedMessage& m = out->messages.emplace_back();
    m.raw_json = raw;
    SkipReason why{};
    // Control messages are rare: only they pay for a ControlMessage.
    const bool is_control = fields.type.size() > 1;
    if (is_control) out->controls.emplace_back();
    if (!internal::BuildMessage(fields, fields.type, symbols, out->controls.size() - is_control, &m,
                                is_control ? &out->controls.back() : nullptr, &why, &detail)) {
      if (is_control) out->controls.pop_back();
      out->messages.pop_back();
      Skip(out, why, detail);
      return simdjson::SUCCESS;
    }
    if (is_control && m.type != MessageType::kControl) out->controls.pop_back();
    ++out->stats.decoded;
    ++out->stats.by_type[static_cast<size_t>(m.type)];
    return simdjson::SUCCESS;
  }
};

FrameDecoder::FrameDecoder(SymbolTable* symbols, bool capture_raw_json)
    : impl_(std::make_unique<Impl>()) {
  impl_->symbols = symbols;
  impl_->capture_raw = capture_raw_json;
}

FrameDecoder::~FrameDecoder() = default;

namespace {

Status NotJson(std::string_view why, simdjson::error_code e) {
  return InvalidArgument(std::string("frame is not valid JSON: ") + std::string(why) + " (" +
                         simdjson::error_message(e) + ")");
}

}  // namespace

Status FrameDecoder::Decode(std::string_view frame, MessageBatch* out) {
  const std::string_view copy = impl_->copy.Assign(frame);
  return DecodeInPlace(copy, impl_->copy.capacity(), out);
}

Status FrameDecoder::DecodePadded(std::string_view frame, MessageBatch* out) {
  return DecodeInPlace(frame, frame.size() + simdjson::SIMDJSON_PADDING, out);
}

Status FrameDecoder::DecodeInPlace(std::string_view frame, size_t readable, MessageBatch* out) {
  out->Clear();
  Impl& im = *impl_;
  od::document doc;
  simdjson::error_code e = im.parser.iterate(frame.data(), frame.size(), readable).get(doc);
  if (e != simdjson::SUCCESS) return NotJson("cannot start parsing", e);
  od::json_type root_type;
  if ((e = doc.type().get(root_type)) != simdjson::SUCCESS) return NotJson("no JSON value", e);

  auto fail = [&](simdjson::error_code err) {
    out->Clear();
    return NotJson("syntax error", err);
  };
  if (root_type == od::json_type::object) {
    od::object object;
    if ((e = doc.get_object().get(object)) != simdjson::SUCCESS) return fail(e);
    out->stats.messages = 1;
    if ((e = im.DecodeObject(object, out)) != simdjson::SUCCESS) return fail(e);
  } else if (root_type == od::json_type::array) {
    od::array array;
    if ((e = doc.get_array().get(array)) != simdjson::SUCCESS) return fail(e);
    for (auto element_result : array) {
      od::value element;
      if ((e = std::move(element_result).get(element)) != simdjson::SUCCESS) return fail(e);
      ++out->stats.messages;
      od::object object;
      e = element.get_object().get(object);
      if (e == simdjson::INCORRECT_TYPE) {
        im.Skip(out, SkipReason::kNotAnObject, "not a JSON object");
        continue;
      }
      if (e != simdjson::SUCCESS) return fail(e);
      if ((e = im.DecodeObject(object, out)) != simdjson::SUCCESS) return fail(e);
    }
  } else {
    return InvalidArgument("frame is neither a JSON array nor an object");
  }
  // Anything but whitespace after the root value makes the frame invalid JSON.
  const char* end_of_root = nullptr;
  if (doc.current_location().get(end_of_root) == simdjson::SUCCESS) {
    return fail(simdjson::TRAILING_CONTENT);
  }
  return Status::Ok();
}

}  // namespace torghut::alpaca
