#include "torghut/trading/internal/param_json.h"

#include "torghut/core/json_text.h"

namespace torghut::trading::internal {
namespace {

bool Digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  const size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (Digit(t[i])) {
    while (i < n && Digit(t[i])) ++i;
  } else {
    return false;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (i >= n || !Digit(t[i])) return false;
    while (i < n && Digit(t[i])) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (i >= n || !Digit(t[i])) return false;
    while (i < n && Digit(t[i])) ++i;
  }
  return i == n;
}

void AppendParamScalar(std::string_view text, ScalarStyle style, std::string* out) {
  if (style == ScalarStyle::kPlain) {
    if (text == "true" || text == "false" || text == "null" || IsJsonNumber(text)) {
      out->append(text);
      return;
    }
  }
  AppendJsonString(text, out);
}

}  // namespace torghut::trading::internal
