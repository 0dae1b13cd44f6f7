#include "torghut/trading/internal/params.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace torghut::trading::internal {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t'))
    s.remove_prefix(1);
  return std::string(s);
}

bool ParseDouble(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(*out);
}

}  // namespace

Result<ParamReader> ParamReader::Parse(std::string_view json) {
  ParamReader r;
  const std::string text = Trim(json);
  if (text.empty()) return r;
  // simdjson On-Demand reads only what it is asked for; the whole text must be one valid value.
  if (!nlohmann::json::accept(text)) return InvalidArgument("params must be valid JSON");
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(object)) {
    return InvalidArgument("params must be a JSON object");
  }
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) {
      return InvalidArgument("params must be a JSON object");
    }
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return InvalidArgument("params must be valid JSON");
    std::string v;
    switch (type) {
      case simdjson::ondemand::json_type::string: {
        std::string_view sv;
        if (value.get_string().get(sv)) return InvalidArgument("params must be valid JSON");
        v = std::string(sv);
        break;
      }
      case simdjson::ondemand::json_type::number:
      case simdjson::ondemand::json_type::boolean:
        v = Trim(value.raw_json_token());
        break;
      default:
        return InvalidArgument(fmt::format("params.{} must be a number", key));
    }
    if (!r.values_.emplace(std::string(key), v).second) {
      return InvalidArgument(fmt::format("params.{} is given twice", key));
    }
  }
  return r;
}

double ParamReader::Number(const std::string& key, double default_value, double min, double max) {
  return OptionalNumber(key, min, max).value_or(default_value);
}

std::optional<double> ParamReader::OptionalNumber(const std::string& key, double min, double max) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  double v = 0;
  if (!ParseDouble(it->second, &v) || v < min || v > max) {
    errors_.push_back(fmt::format("params.{} must be a number from {} to {} (got '{}')", key, min,
                                  max, it->second));
    return std::nullopt;
  }
  return v;
}

std::optional<Decimal> ParamReader::OptionalDecimal(const std::string& key, Decimal min,
                                                    Decimal max) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  Result<Decimal> d = Decimal::Parse(it->second);
  if (!d.ok() || *d < min || *d > max) {
    errors_.push_back(fmt::format("params.{} must be a decimal from {} to {} (got '{}')", key,
                                  min.ToString(), max.ToString(), it->second));
    return std::nullopt;
  }
  return *d;
}

std::optional<int64_t> ParamReader::OptionalInt(const std::string& key, int64_t min, int64_t max) {
  known_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  int64_t v = 0;
  const std::string& t = it->second;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < min || v > max) {
    errors_.push_back(
        fmt::format("params.{} must be a whole number from {} to {} (got '{}')", key, min, max, t));
    return std::nullopt;
  }
  return v;
}

Status ParamReader::Finish() const {
  std::vector<std::string> all = errors_;
  for (const auto& [key, value] : values_) {
    if (known_.count(key) != 0) continue;
    std::string list;
    for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
    all.push_back(fmt::format("params.{} is not a parameter of this rule (known: {})", key, list));
  }
  if (all.empty()) return Status::Ok();
  std::string joined;
  for (const std::string& e : all) joined += (joined.empty() ? "" : "; ") + e;
  return InvalidArgument(joined);
}

}  // namespace torghut::trading::internal
