#include "torghut/broker/alpaca/internal/json_value.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "torghut/core/time.h"

namespace torghut::broker::internal {
namespace {

constexpr size_t kMaxDepth = 64;

// Decimal::Parse, except that digits past the 9th fractional one are rounded off (half away from
// zero) instead of refused: Alpaca writes some amounts with more (last_equity
// "122011.09751111286868" in its own documentation).
Result<Decimal> ParseRounded(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos || text.size() - dot - 1 <= Decimal::kScale) {
    return Decimal::Parse(text);
  }
  const std::string_view rest = text.substr(dot + 1 + Decimal::kScale);
  for (char c : rest) {
    if (c < '0' || c > '9') return Decimal::Parse(text);  // let Parse name the problem
  }
  TORGHUT_ASSIGN_OR_RETURN(Decimal kept, Decimal::Parse(text.substr(0, dot + 1 + Decimal::kScale)));
  if (rest.front() < '5') return kept;
  const bool negative = !text.empty() && text.front() == '-';
  return kept.Add(Decimal::FromUnits(negative ? -1 : 1));
}

// nlohmann's SAX interface: one validating pass, and number_float hands over the number's text.
class TreeBuilder {
 public:
  using json = nlohmann::json;

  explicit TreeBuilder(JsonValue* root) : root_(root) {}

  bool null() { return Add(JsonValue{}) != nullptr; }
  bool boolean(bool v) {
    JsonValue x;
    x.type = JsonValue::Type::kBool;
    x.boolean = v;
    return Add(std::move(x)) != nullptr;
  }
  bool number_integer(json::number_integer_t v) { return Number(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Number(std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t& text) { return Number(text); }
  bool string(json::string_t& v) {
    JsonValue x;
    x.type = JsonValue::Type::kString;
    x.text = std::move(v);
    return Add(std::move(x)) != nullptr;
  }
  bool binary(json::binary_t&) { return false; }
  bool start_object(size_t) { return Open(JsonValue::Type::kObject); }
  bool key(json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(size_t) { return Open(JsonValue::Type::kArray); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception&) {
    error_ = fmt::format("syntax error at byte {}", position);
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Number(std::string text) {
    JsonValue x;
    x.type = JsonValue::Type::kNumber;
    x.text = std::move(text);
    return Add(std::move(x)) != nullptr;
  }
  bool Open(JsonValue::Type type) {
    if (stack_.size() >= kMaxDepth) {
      error_ = fmt::format("nested deeper than {}", kMaxDepth);
      return false;
    }
    JsonValue x;
    x.type = type;
    JsonValue* node = Add(std::move(x));
    stack_.push_back(node);
    return true;
  }
  // Places `v` in the innermost open container (or at the root). The pointer stays valid while
  // `v` is the innermost container: only the innermost container ever grows.
  JsonValue* Add(JsonValue v) {
    if (stack_.empty()) {
      *root_ = std::move(v);
      return root_;
    }
    JsonValue* top = stack_.back();
    if (top->type == JsonValue::Type::kArray) {
      top->items.push_back(std::move(v));
      return &top->items.back();
    }
    top->members.push_back(JsonMember{std::move(key_), std::move(v)});
    key_.clear();
    return &top->members.back().value;
  }

  JsonValue* root_;
  std::vector<JsonValue*> stack_;
  std::string key_;
  std::string error_;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (type != Type::kObject) return nullptr;
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

Result<JsonValue> ParseJson(std::string_view text) {
  JsonValue root;
  TreeBuilder builder(&root);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& e) {  // the library's boundary: nothing may escape as a throw
    return DataLoss(std::string("not JSON: ") + e.what());
  }
  if (!ok) {
    return DataLoss("not JSON: " + (builder.error().empty() ? "invalid" : builder.error()));
  }
  return root;
}

FieldReader::FieldReader(const JsonValue& object, std::string what)
    : object_(object), what_(std::move(what)) {
  if (!object_.is_object()) status_ = DataLoss(what_ + ": not a JSON object");
}

void FieldReader::Fail(std::string_view key, std::string_view why) {
  if (status_.ok()) status_ = DataLoss(fmt::format("{}.{}: {}", what_, key, why));
}

std::string FieldReader::String(std::string_view key) {
  std::optional<std::string> v = OptString(key);
  if (!v && status_.ok()) Fail(key, object_.Find(key) == nullptr ? "missing" : "null");
  return v.value_or("");
}

std::optional<std::string> FieldReader::OptString(std::string_view key) {
  const JsonValue* v = object_.Find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->type != JsonValue::Type::kString) {
    Fail(key, "not a string");
    return std::nullopt;
  }
  return v->text;
}

bool FieldReader::Bool(std::string_view key) {
  const JsonValue* v = object_.Find(key);
  if (v == nullptr || v->type != JsonValue::Type::kBool) {
    Fail(key, v == nullptr ? "missing" : "not a boolean");
    return false;
  }
  return v->boolean;
}

Decimal FieldReader::Dec(std::string_view key) {
  std::optional<Decimal> v = OptDec(key);
  if (!v && status_.ok()) Fail(key, object_.Find(key) == nullptr ? "missing" : "null");
  return v.value_or(Decimal());
}

std::optional<Decimal> FieldReader::OptDec(std::string_view key) {
  const JsonValue* v = object_.Find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->type != JsonValue::Type::kString && v->type != JsonValue::Type::kNumber) {
    Fail(key, "not a number");
    return std::nullopt;
  }
  Result<Decimal> d = ParseRounded(v->text);
  if (!d.ok()) {
    Fail(key, fmt::format("'{}' is not a decimal: {}", v->text, d.status().message()));
    return std::nullopt;
  }
  return *d;
}

int64_t FieldReader::Time(std::string_view key) {
  std::optional<int64_t> v = OptTime(key);
  if (!v && status_.ok()) Fail(key, object_.Find(key) == nullptr ? "missing" : "null");
  return v.value_or(0);
}

std::optional<int64_t> FieldReader::OptTime(std::string_view key) {
  std::optional<std::string> s = OptString(key);
  if (!s) return std::nullopt;
  Result<Timestamp> t = ParseRfc3339(*s);
  if (!t.ok()) {
    Fail(key, fmt::format("'{}' is not an RFC 3339 time", *s));
    return std::nullopt;
  }
  return t->millis();
}

}  // namespace torghut::broker::internal
