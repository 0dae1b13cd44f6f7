// Where a market event entered the system (the envelope's `source`, carried into TA rows).
#pragma once

#include <cstdint>
#include <string_view>

namespace torghut::market {

enum class Source : uint8_t {
  kWs = 0,    // the live Alpaca stream
  kRest = 1,  // backfill from Alpaca's REST data API after a reconnect
  kSim = 2,   // the simulator
  kFile = 3,  // a replayed file
};

// "ws" / "rest" / "sim" / "file"
constexpr std::string_view SourceName(Source s) {
  switch (s) {
    case Source::kWs:
      return "ws";
    case Source::kRest:
      return "rest";
    case Source::kSim:
      return "sim";
    case Source::kFile:
      return "file";
  }
  return "ws";
}

// false when `name` is not one of the four.
constexpr bool ParseSource(std::string_view name, Source* out) {
  for (Source s : {Source::kWs, Source::kRest, Source::kSim, Source::kFile}) {
    if (SourceName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

}  // namespace torghut::market
