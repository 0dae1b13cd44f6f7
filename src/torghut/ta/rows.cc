#include "torghut/ta/rows.h"

namespace torghut::ta {

std::string_view WindowSizeName(WindowSize w) {
  return w == WindowSize::k1s ? "PT1S" : "PT1M";
}

bool ParseWindowSize(std::string_view name, WindowSize* out) {
  for (WindowSize w : {WindowSize::k1s, WindowSize::k1m}) {
    if (WindowSizeName(w) == name) {
      *out = w;
      return true;
    }
  }
  return false;
}

}  // namespace torghut::ta
