// Any bytes → FrameDecoder: never crashes, never reports a sanitizer error, and keeps its
// invariants (decoded + skipped == messages; every decoded event re-encodes and decodes back to
// the same event).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/alpaca/message_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torghut;
  static SymbolTable* symbols = new SymbolTable();
  static alpaca::FrameDecoder* decoder =
      new alpaca::FrameDecoder(symbols, /*capture_raw_json=*/true);
  static alpaca::FrameDecoder* again = new alpaca::FrameDecoder(symbols);
  alpaca::MessageBatch batch;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  Status s = decoder->Decode(frame, &batch);
  if (!s.ok()) {
    if (!batch.messages.empty() || s.message().empty()) std::abort();
    return 0;
  }
  if (batch.stats.decoded + batch.stats.total_skipped() != batch.stats.messages) std::abort();
  if (static_cast<int64_t>(batch.messages.size()) != batch.stats.decoded) std::abort();
  for (const alpaca::DecodedMessage& m : batch.messages) {
    if (m.raw_json.empty() || m.raw_json.front() != '{') std::abort();
    std::string json;
    if (!alpaca::AppendMessageJson(m, *symbols, &json)) continue;  // control messages
    alpaca::MessageBatch back;
    if (!again->Decode(json, &back).ok() || back.messages.size() != 1) std::abort();
    if (back.messages[0].type != m.type) std::abort();
    if (m.type == alpaca::MessageType::kTrade &&
        !(std::get<market::Trade>(back.messages[0].event) == std::get<market::Trade>(m.event))) {
      std::abort();
    }
  }
  return 0;
}
