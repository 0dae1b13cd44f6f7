// One catalog entry (a YAML map) read into a Strategy, field by field, collecting every problem
// with the line it is on. Used by ParseCatalog (catalog.h), which owns the file's shape, name
// uniqueness and ValidateStrategy.
//
//   std::vector<CatalogProblem> problems;
//   Strategy s = StrategyFromYaml(node, /*index=*/0, &problems);
//   if (problems.empty()) { /* every field was well-formed */ }
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "torghut/trading/model.h"

namespace torghut::trading::internal {

struct CatalogProblem {
  int line = 0;          // 1-based; 0 when unknown
  std::string strategy;  // the strategy's name, "#N" (1-based position) when it has none, or ""
  std::string reason;
};

// The 1-based line a node starts on (yaml-cpp marks are 0-based); 0 when it has no mark.
int LineOf(const YAML::Node& node);

// The strategy `entry` describes (entry number `index`, 0-based, names it in problems when it
// has no usable name). Appends a problem per malformed field; the result is meaningful only when
// none was added. Does not call ValidateStrategy.
Strategy StrategyFromYaml(const YAML::Node& entry, size_t index,
                          std::vector<CatalogProblem>* problems);

// A YAML value as JSON text: maps as objects, sequences as arrays, plain scalars that are JSON
// numbers or true/false as written, other scalars as strings, null as null. false (with `error`
// set) past `max_depth` nesting or `max_bytes` of output — aliases can make a small file expand.
bool YamlToJson(const YAML::Node& node, std::string* out, std::string* error, int max_depth = 32,
                size_t max_bytes = 64 * 1024);

}  // namespace torghut::trading::internal
