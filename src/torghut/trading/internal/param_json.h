// Writing a rule's parameters as the JSON object text stored in Strategy::params_json, from
// scalars given as text (a catalog's YAML/JSON values, `--param k=v` flags). Numbers are written
// exactly as given, never through a binary double, so `0.1` stays `0.1` for the rule to read.
//
//   std::string out = "{";
//   AppendJsonString("rsi_buy_below", &out);
//   out += ':';
//   AppendParamScalar("30", ScalarStyle::kPlain, &out);   // 30 (a JSON number)
//   AppendParamScalar("30", ScalarStyle::kQuoted, &out);  // "30" (a JSON string)
#pragma once

#include <string>
#include <string_view>

namespace torghut::trading::internal {

// True when `text` is a number by the JSON grammar (RFC 8259 §6): -?(0|[1-9]\d*)(\.\d+)?
// ([eE][+-]?\d+)?, nothing else.
bool IsJsonNumber(std::string_view text);

enum class ScalarStyle {
  kPlain,   // unquoted: a JSON number or true/false when it is one, else a string
  kQuoted,  // quoted or tagged as a string: always a JSON string
};

// Appends the JSON value of one scalar: a plain "true"/"false" as a boolean, a plain JSON number
// as written, a plain "null" as null, anything else as a JSON string of the text.
void AppendParamScalar(std::string_view text, ScalarStyle style, std::string* out);

}  // namespace torghut::trading::internal
