#include "torghut/trading/decision_hash.h"

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

std::string DecisionHash(Side action, EpochMillis event_ts, std::string_view strategy,
                         std::string_view symbol, Timeframe timeframe) {
  return Sha256Hex(CanonicalIntentJson(action, event_ts, strategy, symbol, timeframe));
}

}  // namespace torghut::trading
