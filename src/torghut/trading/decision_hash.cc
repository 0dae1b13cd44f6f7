#include "torghut/trading/decision_hash.h"

#include <openssl/evp.h>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::trading {

std::string CanonicalIntentJson(Side action, EpochMillis event_ts, std::string_view strategy,
                                std::string_view symbol, Timeframe timeframe) {
  // Keys in sorted order; strings escaped as JSON requires (names are ASCII in practice).
  std::string out = "{\"action\":";
  AppendJsonString(ToString(action), &out);
  out += ",\"event_ts\":";
  AppendJsonString(FormatRfc3339(Timestamp::FromMillis(event_ts), FracDigits::kMillis), &out);
  out += ",\"strategy\":";
  AppendJsonString(strategy, &out);
  out += ",\"symbol\":";
  AppendJsonString(symbol, &out);
  out += ",\"timeframe\":";
  AppendJsonString(ToString(timeframe), &out);
  out += "}";
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string DecisionHash(Side action, EpochMillis event_ts, std::string_view strategy,
                         std::string_view symbol, Timeframe timeframe) {
  return Sha256Hex(CanonicalIntentJson(action, event_ts, strategy, symbol, timeframe));
}

}  // namespace torghut::trading
