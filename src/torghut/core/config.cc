#include "torghut/core/config.h"

#include <unistd.h>  // environ

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "torghut/core/log.h"

namespace torghut {
namespace {

std::string Quote(std::string_view v) {
  std::string out = "\"";
  out.append(v.substr(0, 80));
  if (v.size() > 80) out.append("...");
  out.append("\"");
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

EnvSource EnvSource::Process() {
  return EnvSource();
}

EnvSource EnvSource::FromMap(std::map<std::string, std::string> values) {
  EnvSource env;
  env.process_ = false;
  for (auto& [k, v] : values) env.values_.emplace(k, std::move(v));
  return env;
}

std::optional<std::string> EnvSource::Get(std::string_view name) const {
  if (process_) {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> EnvSource::WithPrefix(std::string_view prefix) const {
  std::map<std::string, std::string> out;
  if (process_) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      const size_t eq = entry.find('=');
      if (eq == std::string_view::npos || !entry.starts_with(prefix)) continue;
      out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return out;
  }
  for (const auto& [k, v] : values_) {
    if (std::string_view(k).starts_with(prefix)) out.emplace(k, v);
  }
  return out;
}

std::optional<std::string> ConfigReader::OptionalString(std::string_view name) {
  std::optional<std::string> v = env_.Get(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string ConfigReader::String(std::string_view name, std::string_view default_value) {
  std::optional<std::string> v = OptionalString(name);
  return v ? *v : std::string(default_value);
}

int64_t ConfigReader::Int(std::string_view name, int64_t default_value, int64_t min, int64_t max) {
  std::optional<std::string> v = OptionalString(name);
  if (!v) return default_value;
  const std::string_view text = Trim(*v);
  int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    AddError(std::string(name) + ": not an integer (got " + Quote(*v) + ")");
    return default_value;
  }
  if (out < min || out > max) {
    AddError(std::string(name) + ": must be between " + std::to_string(min) + " and " +
             std::to_string(max) + " (got " + Quote(*v) + ")");
    return default_value;
  }
  return out;
}

double ConfigReader::Double(std::string_view name, double default_value, double min, double max) {
  std::optional<std::string> v = OptionalString(name);
  if (!v) return default_value;
  const std::string text(Trim(*v));
  char* end = nullptr;
  errno = 0;
  const double out = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(out)) {
    AddError(std::string(name) + ": not a number (got " + Quote(*v) + ")");
    return default_value;
  }
  if (out < min || out > max) {
    std::ostringstream msg;
    msg << name << ": must be between " << min << " and " << max << " (got " << Quote(*v) << ")";
    AddError(msg.str());
    return default_value;
  }
  return out;
}

bool ConfigReader::Bool(std::string_view name, bool default_value) {
  std::optional<std::string> v = OptionalString(name);
  if (!v) return default_value;
  const std::string s = Lower(Trim(*v));
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  AddError(std::string(name) + ": must be true or false (got " + Quote(*v) + ")");
  return default_value;
}

std::string ConfigReader::Enum(std::string_view name,
                               std::initializer_list<std::string_view> allowed,
                               std::string_view default_value) {
  std::optional<std::string> v = OptionalString(name);
  if (!v) return std::string(default_value);
  for (std::string_view a : allowed) {
    if (a == *v) return *v;
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  AddError(std::string(name) + ": must be one of " + list + " (got " + Quote(*v) + ")");
  return std::string(default_value);
}

std::vector<std::string> ConfigReader::List(std::string_view name,
                                            std::vector<std::string> default_value) {
  std::optional<std::string> v = OptionalString(name);
  if (!v) return default_value;
  std::vector<std::string> out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string ConfigReader::Secret(std::string_view name, bool required) {
  return SecretAny({name}, required);
}

std::string ConfigReader::SecretAny(std::initializer_list<std::string_view> names, bool required) {
  for (std::string_view name : names) {
    if (std::optional<std::string> v = OptionalString(name)) {
      log::RegisterSecret(*v);
      return *v;
    }
    const std::string file_var = std::string(name) + "_FILE";
    if (std::optional<std::string> path = OptionalString(file_var)) {
      std::ifstream in(*path, std::ios::binary);
      if (!in) {
        AddError(file_var + ": cannot read the file " + Quote(*path));
        return "";
      }
      std::ostringstream content;
      content << in.rdbuf();
      std::string value = content.str();
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) {
        AddError(file_var + ": the file " + Quote(*path) + " is empty");
        return "";
      }
      log::RegisterSecret(value);
      return value;
    }
  }
  if (required) {
    std::string list;
    for (std::string_view name : names) {
      if (!list.empty()) list += " or ";
      list += std::string(name) + " (or " + std::string(name) + "_FILE)";
    }
    AddError(std::string(*names.begin()) + ": required; set " + list);
  }
  return "";
}

void ConfigReader::AddError(std::string line) {
  errors_.push_back(std::move(line));
}

Status ConfigReader::Finish() const {
  if (errors_.empty()) return Status::Ok();
  std::string msg =
      std::to_string(errors_.size()) + " bad setting" + (errors_.size() == 1 ? "" : "s") + ":";
  for (const std::string& e : errors_) {
    msg += "\n  ";
    msg += e;
  }
  return InvalidArgument(std::move(msg));
}

}  // namespace torghut
