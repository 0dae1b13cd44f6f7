#include "torghut/forwarder/universe.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "torghut/core/log.h"
#include "torghut/core/symbols.h"
#include "torghut/core/time.h"

namespace torghut::forwarder {

namespace {

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

http::ClientOptions PollOptions(const ForwarderConfig& config) {
  http::ClientOptions o;
  o.timeout_ms = 10'000;
  o.ca_file = config.ca_file;
  return o;
}

}  // namespace

Result<std::vector<std::string>> ParseSymbolList(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("symbols")) j = j["symbols"];
  if (!j.is_array()) {
    return InvalidArgument("not a JSON array of symbols (or an object with \"symbols\")");
  }
  std::vector<std::string> out;
  for (const auto& s : j) {
    if (!s.is_string() || !IsValidSymbol(s.get<std::string>())) {
      return InvalidArgument("not a valid symbol: " + s.dump());
    }
    out.push_back(s.get<std::string>());
  }
  SortUnique(&out);
  return out;
}

Universe::Universe(const ForwarderConfig& config, const Clock* clock)
    : config_(config), clock_(clock), client_(PollOptions(config)), symbols_(config.symbols) {
  SortUnique(&symbols_);
}

bool Universe::PollDue() const {
  return !config_.symbols_url.empty() && clock_->NowNanos() >= next_poll_ns_;
}

bool Universe::Poll(bool force) {
  if (config_.symbols_url.empty()) return false;
  const int64_t now = clock_->NowNanos();
  if (!force && now < next_poll_ns_) return false;
  next_poll_ns_ = now + config_.symbols_poll_ms * kNanosPerMilli;
  const http::ClientResponse r = client_.Get(config_.symbols_url);
  Result<std::vector<std::string>> list =
      r.status == 200 ? ParseSymbolList(r.body)
                      : Result<std::vector<std::string>>(
                            Unavailable(r.answered() ? fmt::format("HTTP {}", r.status) : r.error));
  if (!list.ok() || list->empty()) {
    log::Warn("ws", "symbol universe poll failed; keeping the last list",
              {{"url", config_.symbols_url},
               {"error", list.ok() ? "empty list" : list.status().message()},
               {"symbols", static_cast<int64_t>(symbols_.size())}});
    return false;
  }
  std::vector<std::string> merged = std::move(*list);
  merged.insert(merged.end(), config_.symbols.begin(), config_.symbols.end());
  SortUnique(&merged);
  if (merged == symbols_) return false;
  symbols_ = std::move(merged);
  return true;
}

}  // namespace torghut::forwarder
