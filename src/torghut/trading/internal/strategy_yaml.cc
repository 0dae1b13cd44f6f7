#include "torghut/trading/internal/strategy_yaml.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>

#include "torghut/core/json_text.h"
#include "torghut/trading/internal/param_json.h"

namespace torghut::trading::internal {
namespace {

// A field's reader: fills its part of the strategy, or returns why it cannot ("" = fine).
using FieldReader = std::string (*)(const YAML::Node& value, Strategy* s);

std::string Excerpt(std::string_view text) {
  return text.size() <= 64 ? std::string(text) : std::string(text.substr(0, 61)) + "...";
}

std::string KindOf(const YAML::Node& v) {
  switch (v.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "'" + Excerpt(v.Scalar()) + "'";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

// Quoted scalars carry the non-specific tag "!"; `!!str` spells the string tag out.
bool IsStringTagged(const YAML::Node& v) {
  return v.Tag() == "!" || v.Tag() == "tag:yaml.org,2002:str";
}

std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string Text(const YAML::Node& v, std::string* out, bool null_is_empty) {
  if (v.IsNull() && null_is_empty) {
    out->clear();
    return "";
  }
  if (!v.IsScalar()) return "must be text, not " + KindOf(v);
  *out = v.Scalar();
  return "";
}

std::string OptionalDecimal(const YAML::Node& v, std::optional<Decimal>* out) {
  if (v.IsNull()) {
    out->reset();
    return "";
  }
  if (!v.IsScalar()) return "must be a decimal number, not " + KindOf(v);
  Result<Decimal> d = Decimal::Parse(Trim(v.Scalar()));
  if (!d.ok())
    return fmt::format("'{}' is not a decimal: {}", Excerpt(v.Scalar()), d.status().message());
  *out = *d;
  return "";
}

std::string ReadName(const YAML::Node& v, Strategy* s) {
  if (v.IsNull()) return "must be a name, not null";
  return Text(v, &s->name, false);
}
std::string ReadDescription(const YAML::Node& v, Strategy* s) {
  return Text(v, &s->description, true);
}
std::string ReadEnabled(const YAML::Node& v, Strategy* s) {
  bool b = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
    return "must be true or false, not " + KindOf(v);
  }
  s->enabled = b;
  return "";
}
std::string ReadTimeframe(const YAML::Node& v, Strategy* s) {
  std::string text;
  if (std::string e = Text(v, &text, false); !e.empty()) return e;
  Result<Timeframe> t = ParseTimeframe(text);
  if (!t.ok()) return t.status().message();
  s->base_timeframe = *t;
  return "";
}
std::string ReadUniverseType(const YAML::Node& v, Strategy* s) {
  std::string text;
  if (std::string e = Text(v, &text, false); !e.empty()) return e;
  if (text != "static" && text != "jangar") {
    return fmt::format("'{}' is not a universe type (expected one of: static, jangar)",
                       Excerpt(text));
  }
  s->universe_type = text;
  return "";
}
std::string ReadSymbols(const YAML::Node& v, Strategy* s) {
  std::vector<std::string> items;
  if (v.IsSequence()) {
    for (const YAML::Node& item : v) {
      if (!item.IsScalar()) return "must list symbols as text, not " + KindOf(item);
      items.push_back(Trim(item.Scalar()));
    }
  } else if (v.IsScalar()) {
    std::string_view rest = v.Scalar();
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      items.push_back(Trim(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else if (!v.IsNull()) {
    return "must be a list or a comma-separated string, not " + KindOf(v);
  }
  s->symbols.clear();
  for (std::string& item : items) {  // in the file's order, each once
    if (item.empty()) continue;
    if (std::find(s->symbols.begin(), s->symbols.end(), item) == s->symbols.end()) {
      s->symbols.push_back(std::move(item));
    }
  }
  return "";
}
std::string ReadMaxNotional(const YAML::Node& v, Strategy* s) {
  return OptionalDecimal(v, &s->max_notional_per_trade);
}
std::string ReadMaxPositionPct(const YAML::Node& v, Strategy* s) {
  return OptionalDecimal(v, &s->max_position_pct_equity);
}
std::string ReadType(const YAML::Node& v, Strategy* s) {
  return Text(v, &s->type, false);
}
std::string ReadParams(const YAML::Node& v, Strategy* s) {
  if (v.IsNull()) {
    s->params_json = "{}";
    return "";
  }
  if (!v.IsMap()) return "must be a map of the rule's parameters, not " + KindOf(v);
  std::string json, error;
  if (!YamlToJson(v, &json, &error)) return error;
  s->params_json = std::move(json);
  return "";
}
std::string ReadQty(const YAML::Node& v, Strategy* s) {
  return OptionalDecimal(v, &s->qty);
}
std::string ReadNotional(const YAML::Node& v, Strategy* s) {
  return OptionalDecimal(v, &s->notional);
}
std::string ReadOrderType(const YAML::Node& v, Strategy* s) {
  std::string text;
  if (std::string e = Text(v, &text, false); !e.empty()) return e;
  Result<OrderType> t = ParseOrderType(text);
  if (!t.ok()) return t.status().message();
  s->order_type = *t;
  return "";
}
std::string ReadLimitOffset(const YAML::Node& v, Strategy* s) {
  return OptionalDecimal(v, &s->limit_offset_bps);
}
std::string ReadTimeInForce(const YAML::Node& v, Strategy* s) {
  std::string text;
  if (std::string e = Text(v, &text, false); !e.empty()) return e;
  if (text != ToString(TimeInForce::kDay)) {
    return fmt::format("'{}' is not supported (strategies place day orders: expected day)",
                       Excerpt(text));
  }
  s->time_in_force = TimeInForce::kDay;
  return "";
}

struct Field {
  std::string_view key;
  FieldReader read;
};

constexpr Field kFields[] = {
    {"name", ReadName},
    {"description", ReadDescription},
    {"enabled", ReadEnabled},
    {"base_timeframe", ReadTimeframe},
    {"universe_type", ReadUniverseType},
    {"symbols", ReadSymbols},
    {"max_notional_per_trade", ReadMaxNotional},
    {"max_position_pct_equity", ReadMaxPositionPct},
    {"type", ReadType},
    {"params", ReadParams},
    {"qty", ReadQty},
    {"notional", ReadNotional},
    {"order_type", ReadOrderType},
    {"limit_offset_bps", ReadLimitOffset},
    {"time_in_force", ReadTimeInForce},
};

std::string KnownFields() {
  std::string list;
  for (const Field& f : kFields) list += (list.empty() ? "" : ", ") + std::string(f.key);
  return list;
}

bool ToJson(const YAML::Node& node, int depth, std::string* out, std::string* error, int max_depth,
            size_t max_bytes) {
  if (depth > max_depth) {
    *error = fmt::format("nests deeper than {} levels", max_depth);
    return false;
  }
  if (out->size() > max_bytes) {
    *error = fmt::format("is larger than {} bytes as JSON", max_bytes);
    return false;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
      out->append("null");
      return true;
    case YAML::NodeType::Scalar:
      AppendParamScalar(node.Scalar(),
                        IsStringTagged(node) ? ScalarStyle::kQuoted : ScalarStyle::kPlain, out);
      return true;
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) out->push_back(',');
        first = false;
        if (!ToJson(item, depth + 1, out, error, max_depth, max_bytes)) return false;
      }
      out->push_back(']');
      return true;
    }
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          *error = "has a key that is " + KindOf(kv.first) + ", not text";
          return false;
        }
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.first.Scalar(), out);
        out->push_back(':');
        if (!ToJson(kv.second, depth + 1, out, error, max_depth, max_bytes)) return false;
      }
      out->push_back('}');
      return true;
    }
    case YAML::NodeType::Undefined:
      break;
  }
  *error = "holds an undefined value";
  return false;
}

}  // namespace

int LineOf(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

bool YamlToJson(const YAML::Node& node, std::string* out, std::string* error, int max_depth,
                size_t max_bytes) {
  out->clear();
  return ToJson(node, 0, out, error, max_depth, max_bytes);
}

Strategy StrategyFromYaml(const YAML::Node& entry, size_t index,
                          std::vector<CatalogProblem>* problems) {
  Strategy s;
  s.type = "macd-rsi";
  // The label problems carry: the entry's name when it has a usable one, else its position.
  std::string label = fmt::format("#{}", index + 1);
  if (entry.IsMap()) {
    const YAML::Node name = entry["name"];
    if (name.IsDefined() && name.IsScalar() && !name.Scalar().empty()) label = name.Scalar();
  }
  auto problem = [&](const YAML::Node& at, std::string reason) {
    problems->push_back({LineOf(at), label, std::move(reason)});
  };
  if (!entry.IsMap()) {
    problem(entry, "a strategy must be a map of fields, not " + KindOf(entry));
    return s;
  }
  std::set<std::string, std::less<>> seen;
  bool has_name = false;
  for (const auto& kv : entry) {
    if (!kv.first.IsScalar()) {
      problem(kv.first, "a field name must be text, not " + KindOf(kv.first));
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      problem(kv.first, fmt::format("field '{}' is given twice", Excerpt(key)));
      continue;
    }
    const Field* field = nullptr;
    for (const Field& f : kFields) {
      if (f.key == key) field = &f;
    }
    if (field == nullptr) {
      problem(kv.first, fmt::format("unknown field '{}' (known: {})", Excerpt(key), KnownFields()));
      continue;
    }
    if (std::string reason = field->read(kv.second, &s); !reason.empty()) {
      problem(kv.first, fmt::format("{}: {}", key, reason));
    }
    has_name = has_name || key == "name";
  }
  if (!has_name) problem(entry, "name is required");
  return s;
}

}  // namespace torghut::trading::internal
