#include "torghut/trading/catalog_watcher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "torghut/core/json_text.h"
#include "torghut/core/time.h"

namespace torghut::trading {

Result<std::string> ReadCatalogFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string content;
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Unavailable(fmt::format("{}: cannot read: {}", path, std::strerror(err)));
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > kMaxCatalogBytes) {
      ::close(fd);
      return InvalidArgument(
          fmt::format("{}: larger than a catalog may be ({} bytes)", path, kMaxCatalogBytes));
    }
  }
  ::close(fd);
  return content;
}

std::string_view ToString(CatalogPoll::Outcome outcome) {
  switch (outcome) {
    case CatalogPoll::Outcome::kNotDue:
      return "not_due";
    case CatalogPoll::Outcome::kUnchanged:
      return "unchanged";
    case CatalogPoll::Outcome::kApplied:
      return "applied";
    case CatalogPoll::Outcome::kInvalid:
      return "invalid";
    case CatalogPoll::Outcome::kUnreadable:
      return "unreadable";
    case CatalogPoll::Outcome::kChanging:
      return "changing";
    case CatalogPoll::Outcome::kStoreError:
      return "store_error";
  }
  return "?";
}

std::string CatalogStatusJson(const CatalogStatus& s) {
  std::string out = "{\"path\":";
  AppendJsonString(s.path, &out);
  out += ",\"digest\":";
  if (s.digest.empty()) {
    out += "null";
  } else {
    AppendJsonString(s.digest, &out);
  }
  out += ",\"loaded_at\":";
  if (s.loaded_at) {
    AppendJsonString(FormatRfc3339(Timestamp::FromMillis(*s.loaded_at), FracDigits::kMillis), &out);
  } else {
    out += "null";
  }
  out += ",\"last_error\":";
  if (s.last_error.empty()) {
    out += "null";
  } else {
    AppendJsonString(s.last_error, &out);
  }
  out += fmt::format(",\"strategies\":{}}}", s.strategies);
  return out;
}

CatalogWatcher::CatalogWatcher(CatalogConfig config, StrategyStore& store, FileReader read)
    : config_(std::move(config)), store_(store), read_(std::move(read)) {
  status_.path = config_.path;
}

CatalogStatus CatalogWatcher::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

bool CatalogWatcher::Fail(const std::string& key, const Status& error) {
  const bool fresh = key != reported_key_;
  reported_key_ = key;
  std::lock_guard lock(mu_);
  status_.last_error = error.message();
  if (fresh) ++status_.errors;
  return fresh;
}

CatalogPoll CatalogWatcher::Poll(EpochMillis now) {
  using Outcome = CatalogPoll::Outcome;
  CatalogPoll poll;
  if (next_read_ && now < *next_read_) return poll;  // kNotDue
  next_read_ = now + config_.reload_seconds * 1000;

  auto fail = [&](Outcome outcome, const std::string& key, Status error) {
    poll.outcome = outcome;
    poll.report = Fail(key, error);
    poll.error = std::move(error);
    return poll;
  };
  if (config_.path.empty()) {
    return fail(Outcome::kUnreadable, "no-path",
                InvalidArgument("TRADING_STRATEGY_CONFIG_PATH is not set"));
  }
  Result<std::string> first = read_(config_.path);
  if (!first.ok()) {
    return fail(Outcome::kUnreadable, "unreadable:" + first.status().message(), first.status());
  }
  Result<std::string> second = read_(config_.path);
  if (!second.ok() || *second != *first) {
    next_read_.reset();  // being written (or replaced): look again at the next call
    poll.outcome = Outcome::kChanging;
    return poll;
  }

  const std::string digest = Sha256Hex(*first);
  {
    std::lock_guard lock(mu_);
    if (digest == status_.digest) {
      status_.last_error.clear();
      reported_key_.clear();
      poll.outcome = Outcome::kUnchanged;
      return poll;
    }
  }
  if (digest == rejected_digest_) {  // known bad: not parsed again, reported only if new again
    return fail(Outcome::kInvalid, "invalid:" + digest, rejected_error_);
  }
  Result<std::vector<Strategy>> parsed = ParseCatalog(*first, config_.path);
  if (!parsed.ok()) {
    rejected_digest_ = digest;
    rejected_error_ = parsed.status();
    return fail(Outcome::kInvalid, "invalid:" + digest, parsed.status());
  }
  Result<CatalogApplyReport> applied = ApplyCatalog(*parsed, config_.mode, now, store_);
  Result<std::vector<Strategy>> listed =
      applied.ok() ? store_.ListStrategies() : Result<std::vector<Strategy>>(applied.status());
  if (!listed.ok()) {
    const Status error = listed.status().WithContext(
        fmt::format("{}: applying the catalog to the trading store", config_.path));
    return fail(Outcome::kStoreError, "store:" + error.message(), error);
  }

  rejected_digest_.clear();
  rejected_error_ = Status::Ok();
  reported_key_.clear();
  {
    std::lock_guard lock(mu_);
    status_.digest = digest;
    status_.loaded_at = now;
    status_.last_error.clear();
    status_.strategies = static_cast<int64_t>(parsed->size());
    ++status_.reloads;
  }
  poll.outcome = Outcome::kApplied;
  poll.applied = *applied;
  poll.strategies = std::move(listed).value();
  return poll;
}

}  // namespace torghut::trading
