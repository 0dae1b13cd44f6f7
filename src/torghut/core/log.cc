#include "torghut/core/log.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::log {
namespace {

struct State {
  std::mutex mu;
  bool level_read = false;
  Level level = Level::kInfo;
  std::vector<std::string> secrets;
  std::function<void(std::string_view)> sink;
};

State& GetState() {
  static State* state = new State();  // never destroyed: logging may run during exit
  return *state;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string RedactLocked(const State& st, std::string_view text) {
  std::string out(text);
  if (st.secrets.empty()) return out;
  for (const std::string& secret : st.secrets) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return out;
}

}  // namespace

bool ParseLevel(std::string_view name, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

void SetLevel(Level level) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  st.level = level;
  st.level_read = true;
}

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  State& st = GetState();
  std::lock_guard lock(st.mu);
  for (const std::string& s : st.secrets) {
    if (s == secret) return;
  }
  st.secrets.emplace_back(secret);
}

std::string Redact(std::string_view text) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  return RedactLocked(st, text);
}

void SetSinkForTest(std::function<void(std::string_view line)> sink) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  st.sink = std::move(sink);
}

void Log(Level level, std::string_view component, std::string_view msg,
         std::initializer_list<Field> fields) {
  State& st = GetState();
  std::lock_guard lock(st.mu);
  if (!st.level_read) {
    st.level_read = true;
    const char* env = std::getenv("TORGHUT_LOG_LEVEL");
    Level parsed;
    if (env != nullptr && ParseLevel(env, &parsed)) st.level = parsed;
  }
  if (level < st.level) return;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  char ts[kRfc3339MaxLen];
  std::string line = "{\"ts\":\"";
  line.append(FormatRfc3339(
      Timestamp::FromNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()), ts,
      FracDigits::kMillis));
  line.append("\",\"level\":\"");
  line.append(LevelName(level));
  line.append("\",\"component\":");
  AppendJsonString(component, &line);
  line.append(",\"msg\":");
  // Secrets are replaced before escaping, so a secret with quotes or backslashes is caught too.
  AppendJsonString(RedactLocked(st, msg), &line);
  for (const Field& f : fields) {
    line.push_back(',');
    AppendJsonString(f.key, &line);
    line.push_back(':');
    if (const auto* s = std::get_if<std::string>(&f.value)) {
      AppendJsonString(RedactLocked(st, *s), &line);
    } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
      fmt::format_to(std::back_inserter(line), "{}", *i);
    } else if (const auto* d = std::get_if<double>(&f.value)) {
      if (std::isfinite(*d)) {
        fmt::format_to(std::back_inserter(line), "{}", *d);
      } else {
        line.append("null");
      }
    } else {
      line.append(std::get<bool>(f.value) ? "true" : "false");
    }
  }
  line.push_back('}');
  if (st.sink) {
    st.sink(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace torghut::log
