#include "torghut/backtest/grid.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "torghut/trading/strategies/validate.h"

namespace torghut::backtest {
namespace {

using nlohmann::json;

json ValueOf(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  return !parsed.is_discarded() && parsed.is_number() ? parsed : json(text);
}

// `s` with params.key = value; its validation's error when the rule refuses it.
Result<trading::Strategy> WithParam(const trading::Strategy& s, const std::string& key,
                                    const std::string& value) {
  json params = json::parse(s.params_json, nullptr, false);
  if (params.is_discarded() || !params.is_object()) params = json::object();
  params[key] = ValueOf(value);
  trading::Strategy out = s;
  out.params_json = params.dump();
  TORGHUT_RETURN_IF_ERROR(trading::ValidateStrategy(out));
  return out;
}

bool NotAParameter(const Status& s, const std::string& key) {
  return s.message().find("params." + key + " is not a parameter") != std::string::npos;
}

}  // namespace

std::string GridPoint::Name() const {
  std::string name;
  for (const auto& [label, value] : params) {
    if (!name.empty()) name += ",";
    name += label + "=" + value;
  }
  return name.empty() ? "base" : name;
}

Result<GridAxis> ParseGridAxis(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument(
        fmt::format("--grid '{}': expected KEY=v1,v2,… or STRATEGY.KEY=v1,v2,…", spec));
  }
  GridAxis axis;
  const std::string_view left = spec.substr(0, eq);
  if (const size_t dot = left.rfind('.'); dot != std::string_view::npos) {
    axis.strategy = std::string(left.substr(0, dot));
    axis.key = std::string(left.substr(dot + 1));
  } else {
    axis.key = std::string(left);
  }
  std::string_view rest = spec.substr(eq + 1);
  std::set<std::string> seen;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string value(rest.substr(0, comma));
    if (value.empty() || value.find('/') != std::string::npos) {
      return InvalidArgument(fmt::format("--grid '{}': empty or unusable value '{}'", spec, value));
    }
    if (!seen.insert(value).second) {
      return InvalidArgument(fmt::format("--grid '{}': value '{}' given twice", spec, value));
    }
    axis.values.push_back(value);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (axis.key.empty() || axis.values.empty()) {
    return InvalidArgument(fmt::format("--grid '{}': a key and at least one value", spec));
  }
  return axis;
}

Result<std::vector<GridPoint>> ExpandGrid(const std::vector<trading::Strategy>& catalog,
                                          const std::vector<GridAxis>& axes) {
  std::set<std::string> labels;
  // Per axis, the strategies it applies to (indices into the catalog), checked with every value.
  std::vector<std::vector<size_t>> targets(axes.size());
  for (size_t a = 0; a < axes.size(); ++a) {
    const GridAxis& axis = axes[a];
    if (!labels.insert(axis.Label()).second) {
      return InvalidArgument(fmt::format("--grid {} is given twice", axis.Label()));
    }
    bool known_strategy = axis.strategy.empty();
    for (size_t i = 0; i < catalog.size(); ++i) {
      const trading::Strategy& s = catalog[i];
      if (!axis.strategy.empty() && s.name != axis.strategy) continue;
      known_strategy = true;
      Result<trading::Strategy> probe = WithParam(s, axis.key, axis.values.front());
      if (!probe.ok() && NotAParameter(probe.status(), axis.key)) continue;
      for (const std::string& v : axis.values) {
        Result<trading::Strategy> checked = WithParam(s, axis.key, v);
        if (!checked.ok()) {
          return InvalidArgument(
              fmt::format("--grid {}={}: {}", axis.Label(), v, checked.status().message()));
        }
      }
      targets[a].push_back(i);
    }
    if (!known_strategy) {
      return InvalidArgument(
          fmt::format("--grid {}: no strategy '{}' in the catalog", axis.Label(), axis.strategy));
    }
    if (targets[a].empty()) {
      return InvalidArgument(fmt::format(
          "--grid {}: '{}' is not a parameter of {} in the catalog", axis.Label(), axis.key,
          axis.strategy.empty() ? "any strategy" : "strategy '" + axis.strategy + "'"));
    }
  }
  std::vector<GridPoint> points(1);
  points[0].strategies = catalog;
  for (size_t a = 0; a < axes.size(); ++a) {
    std::vector<GridPoint> next;
    for (const GridPoint& p : points) {
      for (const std::string& v : axes[a].values) {
        GridPoint q = p;
        q.params.emplace_back(axes[a].Label(), v);
        for (size_t i : targets[a]) {
          TORGHUT_ASSIGN_OR_RETURN(q.strategies[i], WithParam(q.strategies[i], axes[a].key, v));
        }
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

}  // namespace torghut::backtest
