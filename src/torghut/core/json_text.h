// Writing JSON text by hand on hot paths (no document object): string escaping.
//
//   std::string out;
//   AppendJsonString("say \"hi\"\n", &out);   // "\"say \\\"hi\\\"\\n\""
#pragma once

#include <string>
#include <string_view>

namespace torghut {

// Appends `s` as a JSON string literal, quotes included. Escapes '"', '\\' and control characters
// (\n, \r, \t by name, the rest as \u00XX); other bytes, UTF-8 included, pass through unchanged.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace torghut
