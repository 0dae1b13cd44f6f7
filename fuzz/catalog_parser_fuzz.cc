// Any bytes → ParseCatalog: never crashes, never lets a yaml-cpp exception out and never reports
// a sanitizer error; a refused file always says why, naming the file first, and an accepted one
// holds only valid strategies with unique names whose params are a JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "torghut/trading/catalog.h"
#include "torghut/trading/strategies/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torghut;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = trading::ParseCatalog(text, "catalog.yaml");
  if (!parsed.ok()) {
    if (parsed.status().message().rfind("catalog.yaml", 0) != 0) std::abort();
    return 0;
  }
  std::set<std::string> names;
  for (const trading::Strategy& s : *parsed) {
    if (!trading::ValidateStrategy(s).ok() || !names.insert(s.name).second) std::abort();
    if (!nlohmann::json::accept(s.params_json) || s.params_json.front() != '{') std::abort();
  }
  return 0;
}
