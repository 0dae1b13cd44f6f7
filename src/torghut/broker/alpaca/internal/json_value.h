// A small JSON document for Alpaca's REST and stream bodies, in which every number keeps its exact
// text (so "187.25" and 187.25 both become the decimal 187.25, never a binary fraction), and a
// field reader that collects the first problem as kDataLoss naming the field.
//
//   TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(body));
//   FieldReader f(doc, "order");
//   std::string id = f.String("id");
//   Decimal qty = f.Dec("qty");                          // "10" or 10
//   std::optional<EpochMillis> at = f.OptTime("filled_at");  // null or absent → nullopt
//   TORGHUT_RETURN_IF_ERROR(f.status());                 // "order.qty: …"
//
// Not on a hot path: a document is a tree of owned strings. Nesting deeper than 64 is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/decimal.h"
#include "torghut/core/status.h"

namespace torghut::broker::internal {

struct JsonMember;

struct JsonValue {
  enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // a string's unescaped value, or a number's JSON text
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;  // in document order

  bool is_object() const { return type == Type::kObject; }
  bool is_array() const { return type == Type::kArray; }
  bool is_null() const { return type == Type::kNull; }
  // The last member named `key` of an object; nullptr when absent or not an object.
  const JsonValue* Find(std::string_view key) const;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// kDataLoss ("not JSON: …") unless `text` is exactly one JSON value.
Result<JsonValue> ParseJson(std::string_view text);

// Reads the members of one object. Getters never fail: the first problem is kept for status()
// and the getter returns a default.
class FieldReader {
 public:
  // `what` prefixes error messages ("order", "account", …). A non-object records an error.
  FieldReader(const JsonValue& object, std::string what);

  // Required, non-null string.
  std::string String(std::string_view key);
  // Absent or null → nullopt; otherwise a string.
  std::optional<std::string> OptString(std::string_view key);
  bool Bool(std::string_view key);
  // A decimal written as a string or a number; digits past the 9th fractional one are rounded
  // off (half away from zero).
  Decimal Dec(std::string_view key);
  std::optional<Decimal> OptDec(std::string_view key);
  // RFC 3339 → epoch milliseconds (floored).
  int64_t Time(std::string_view key);
  std::optional<int64_t> OptTime(std::string_view key);
  // The member (nullptr when absent), for nested objects and arrays.
  const JsonValue* Get(std::string_view key) const { return object_.Find(key); }

  // Records a problem found by the caller (the first one wins).
  void Fail(std::string_view key, std::string_view why);
  const Status& status() const { return status_; }

 private:
  const JsonValue& object_;
  std::string what_;
  Status status_;
};

}  // namespace torghut::broker::internal
