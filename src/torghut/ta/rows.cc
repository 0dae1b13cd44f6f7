#include "torghut/ta/rows.h"

namespace torghut::ta {

std::string_view WindowSizeName(WindowSize w) { return w == WindowSize::k1s ? "PT1S" : "PT1M"; }

std::string_view SourceName(Source s) {
  switch (s) {
    case Source::kWs: return "ws";
    case Source::kRest: return "rest";
    case Source::kSim: return "sim";
    case Source::kFile: return "file";
  }
  return "ws";
}

bool ParseSource(std::string_view name, Source* out) {
  for (Source s : {Source::kWs, Source::kRest, Source::kSim, Source::kFile}) {
    if (SourceName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

}  // namespace torghut::ta
