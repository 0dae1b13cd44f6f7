// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2024-01-02T14:30:00.123Z","level":"info","component":"ws","msg":"connected","url":"..."}
//
//   log::Info("ws", "connected", {{"url", url}, {"attempt", 3}});
//   log::RegisterSecret(secret);   // every later line has it replaced by "***"
//
// Thread-safe. Never logs a registered secret, whatever field it appears in. The level threshold
// comes from TORGHUT_LOG_LEVEL (debug|info|warn|error; default info). Tests can capture lines with
// SetSinkForTest.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace torghut::log {

enum class Level : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  std::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

void Log(Level level, std::string_view component, std::string_view msg,
         std::initializer_list<Field> fields = {});
inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kWarn, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Log(Level::kError, c, m, f);
}

void SetLevel(Level level);
// Parses "debug|info|warn|error"; false if unknown.
bool ParseLevel(std::string_view name, Level* out);
// Secrets shorter than 4 characters are ignored (they would redact ordinary text).
void RegisterSecret(std::string_view secret);
// Replaces every registered secret in `text` by "***".
std::string Redact(std::string_view text);
// Routes finished lines (without newline) to `sink` instead of stderr; nullptr restores stderr.
void SetSinkForTest(std::function<void(std::string_view line)> sink);

}  // namespace torghut::log
