// Hot reload of the strategy catalog (SPEC §6): re-reads the file every
// TRADING_STRATEGY_RELOAD_SECONDS and, only when its content hash changed, parses, validates and
// applies it to the trading store (catalog.h).
//
//   trading::CatalogWatcher watcher(trading::ReadCatalogConfig(cfg), *store);
//   trading::CatalogPoll poll = watcher.Poll(clock.NowMillis());  // the trading loop's thread
//   if (poll.report) std::fprintf(stderr, "%s\n", poll.error.message().c_str());  // once each
//   if (poll.outcome == trading::CatalogPoll::Outcome::kApplied) { /* poll.strategies */ }
//   std::string json = trading::CatalogStatusJson(watcher.status());  // any thread
//
// Contract:
// - Poll does nothing (kNotDue) until reload_seconds have passed since the last read; the first
//   call reads at once. The time is the caller's (an injected clock), never the wall clock.
// - The file is read whole into memory twice; two reads that differ (a writer mid-way) are not
//   used, and the next Poll call reads again whether due or not. The digest (SHA-256 hex of the
//   bytes) and the parse are of those same bytes, so content that changes while it is read is
//   never applied. Writers should still replace the file atomically (write elsewhere, rename;
//   Kubernetes swaps ConfigMap files that way): a prefix that stands still across both reads
//   cannot be told from a whole file (if it is a valid catalog it is applied, and the whole file
//   replaces it at the next poll).
// - The digest is recorded only after a successful apply: a broken file changes nothing, keeps
//   being checked, and is applied as soon as it is fixed. The same broken content (or the same
//   unreadable state, e.g. a missing file) is reported once (`report` = true), not every poll;
//   `status().last_error` holds it until the file is good again. A store error is retried on the
//   next poll (applying is idempotent).
// - Poll is single-threaded (one caller); status() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "torghut/core/digest.h"
#include "torghut/core/status.h"
#include "torghut/trading/catalog.h"
#include "torghut/trading/model.h"
#include "torghut/trading/strategy_store.h"

namespace torghut::trading {

struct CatalogPoll {
  enum class Outcome : uint8_t {
    kNotDue,      // not time to read yet
    kUnchanged,   // read; same content as the last applied
    kApplied,     // new content, valid, applied: `strategies` is the store's full list after it
    kInvalid,     // new content that does not parse or validate: nothing applied
    kUnreadable,  // the file is missing or cannot be read: nothing applied
    kChanging,    // two reads differed (being written): not used; read again at the next Poll
    kStoreError,  // valid content, but the store failed: retried at the next poll
  };
  Outcome outcome = Outcome::kNotDue;
  // The problem for kInvalid, kUnreadable and kStoreError.
  Status error;
  // True when `error` is new: the caller logs it (and counts it) now; a repeat is false.
  bool report = false;
  CatalogApplyReport applied;        // kApplied
  std::vector<Strategy> strategies;  // kApplied: every strategy in the store, by name
};
std::string_view ToString(CatalogPoll::Outcome outcome);  // "applied", "invalid", ...

// What /trading/status.catalog shows, and the counters behind the catalog metrics.
struct CatalogStatus {
  std::string path;
  std::string digest;                    // SHA-256 hex of the applied content; "" before any
  std::optional<EpochMillis> loaded_at;  // when that content was applied
  std::string last_error;                // "" when the file as last read is fine
  int64_t strategies = 0;                // strategies in the applied catalog
  int64_t reloads = 0;                   // successful applies (the first load included)
  int64_t errors = 0;                    // problems reported (each distinct one once)
};

// {"path":…,"digest":…|null,"loaded_at":"RFC 3339 ms Z"|null,"last_error":…|null,
//  "strategies":N} — the `catalog` object of GET /trading/status.
std::string CatalogStatusJson(const CatalogStatus& status);

// The whole content of the file at `path` (at most kMaxCatalogBytes): kUnavailable when it cannot
// be opened or read (missing, permissions), kInvalidArgument when it is larger.
Result<std::string> ReadCatalogFile(const std::string& path);

class CatalogWatcher {
 public:
  using FileReader = std::function<Result<std::string>(const std::string& path)>;

  // `store` must outlive the watcher; Poll is its only user of it. `read` reads the file (tests
  // give their own to stand for a writer caught mid-write).
  CatalogWatcher(CatalogConfig config, StrategyStore& store, FileReader read = ReadCatalogFile);
  CatalogWatcher(const CatalogWatcher&) = delete;
  CatalogWatcher& operator=(const CatalogWatcher&) = delete;

  // See the contract above. `now` is epoch milliseconds UTC.
  CatalogPoll Poll(EpochMillis now);
  CatalogStatus status() const;

 private:
  // Sets the status's error and decides whether it is new; `key` identifies the failure
  // (the content's digest, or the unreadable state's message).
  bool Fail(const std::string& key, const Status& error);

  const CatalogConfig config_;
  StrategyStore& store_;
  const FileReader read_;
  std::optional<EpochMillis> next_read_;  // nullopt: read at the next Poll
  std::string rejected_digest_;           // content known to be invalid (not re-parsed)
  Status rejected_error_;                 // why it is
  std::string reported_key_;              // the failure last reported

  mutable std::mutex mu_;  // guards status_ (read by status() on other threads)
  CatalogStatus status_;
};

}  // namespace torghut::trading
