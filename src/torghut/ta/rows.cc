#include "torghut/ta/rows.h"

namespace torghut::ta {

std::string_view WindowSizeName(WindowSize w) {
  return w == WindowSize::k1s ? "PT1S" : "PT1M";
}

}  // namespace torghut::ta
