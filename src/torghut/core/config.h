// Environment configuration: every role reads its settings from env variables (names in SPEC.md),
// validates all of them at start and reports every bad one at once.
//
//   EnvSource env = EnvSource::Process();              // or EnvSource::FromMap({...}) in tests
//   ConfigReader cfg(env);
//   int64_t batch = cfg.Int("TA_CLICKHOUSE_BATCH_SIZE", 10000, 1, 1'000'000);
//   std::string bus = cfg.Enum("BUS", {"embedded", "kafka"}, "embedded");
//   std::string secret = cfg.Secret("ALPACA_SECRET_KEY");  // or ALPACA_SECRET_KEY_FILE
//   if (Status s = cfg.Finish(); !s.ok()) { /* s.message(): one line per bad variable */ }
//
// Getters never fail: on a bad value they record an error and return the default, so a caller
// reads everything first and checks Finish() once. Secret values are registered with the log
// redactor (log.h) so they can never appear in a log line.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"

namespace torghut {

// Where variables come from: the process environment, or a fixed map (tests).
class EnvSource {
 public:
  static EnvSource Process();
  static EnvSource FromMap(std::map<std::string, std::string> values);
  std::optional<std::string> Get(std::string_view name) const;
  // Every set variable whose name starts with `prefix`, sorted by name.
  std::map<std::string, std::string> WithPrefix(std::string_view prefix) const;

 private:
  bool process_ = true;
  std::map<std::string, std::string, std::less<>> values_;
};

class ConfigReader {
 public:
  explicit ConfigReader(EnvSource env) : env_(std::move(env)) {}

  // Unset or empty → default.
  std::string String(std::string_view name, std::string_view default_value);
  std::optional<std::string> OptionalString(std::string_view name);
  // Decimal integer within [min, max].
  int64_t Int(std::string_view name, int64_t default_value, int64_t min, int64_t max);
  double Double(std::string_view name, double default_value, double min, double max);
  // true/false/1/0/yes/no/on/off (case-insensitive).
  bool Bool(std::string_view name, bool default_value);
  // One of `allowed` (exact match).
  std::string Enum(std::string_view name, std::initializer_list<std::string_view> allowed,
                   std::string_view default_value);
  // Comma-separated, trimmed, empty items dropped.
  std::vector<std::string> List(std::string_view name, std::vector<std::string> default_value);
  // NAME, else the contents of the file named by NAME_FILE (trailing newline trimmed). Empty when
  // neither is set; an error when `required` and neither is set, or when the file is unreadable.
  // The value is registered with the log redactor.
  std::string Secret(std::string_view name, bool required = false);
  // Like Secret but tries each name in order (e.g. ALPACA_KEY_ID then APCA_API_KEY_ID).
  std::string SecretAny(std::initializer_list<std::string_view> names, bool required = false);

  // The variables whose names start with `prefix` (e.g. pass-through settings like KAFKA_*).
  std::map<std::string, std::string> WithPrefix(std::string_view prefix) const {
    return env_.WithPrefix(prefix);
  }

  // Records an error found by the caller's own cross-field validation.
  void AddError(std::string line);
  // OK, or InvalidArgument whose message has one line per bad variable ("NAME: reason").
  Status Finish() const;
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  EnvSource env_;
  std::vector<std::string> errors_;
};

// Where every role keeps its local state (embedded bus, SQLite files, checkpoints) unless told
// otherwise: TORGHUT_DATA_DIR, default ./torghut-data. The one place that default is written.
inline constexpr std::string_view kDefaultDataDir = "./torghut-data";
inline std::string DataDir(ConfigReader& cfg) {
  return cfg.String("TORGHUT_DATA_DIR", kDefaultDataDir);
}

}  // namespace torghut
