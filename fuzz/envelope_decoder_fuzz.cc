// Any bytes → EnvelopeDecoder: never crashes and never reports a sanitizer error; a rejected
// envelope always says why, and an accepted one re-encodes to an envelope that decodes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "torghut/alpaca/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torghut;
  static SymbolTable* symbols = new SymbolTable();
  static alpaca::EnvelopeDecoder* decoder = new alpaca::EnvelopeDecoder(symbols);
  static alpaca::EnvelopeDecoder* again = new alpaca::EnvelopeDecoder(symbols);
  alpaca::Envelope env;
  Status s = decoder->Decode(std::string_view(reinterpret_cast<const char*>(data), size), &env);
  if (!s.ok()) {
    if (s.message().empty()) std::abort();
    return 0;
  }
  std::string json;
  alpaca::AppendEnvelopeJson(env.header, env.payload_json, &json);
  alpaca::Envelope back;
  if (!again->Decode(json, &back).ok()) std::abort();
  if (back.header.seq != env.header.seq || back.header.channel != env.header.channel ||
      back.has_message != env.has_message) {
    std::abort();
  }
  return 0;
}
