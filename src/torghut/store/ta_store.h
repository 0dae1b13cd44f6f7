// TaStore: where microbars and signals (SPEC §5: ta_microbars, ta_signals) are kept and read.
//
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<TaStore> store, OpenTaStore(config));
//   TORGHUT_RETURN_IF_ERROR(store->WriteMicrobars(rows));          // idempotent, batched
//   TORGHUT_ASSIGN_OR_RETURN(auto candles, store->ReadCandles({.symbol = "AAPL", .from = t0,
//                                            .to = t1, .resolution = Resolution::k1m}));
//
// Contract shared by every backend (the conformance suite runs against each):
// - Row identity is (symbol, window_size, event_ts). Writing a row whose identity exists keeps the
//   one with the higher `version` (equal versions: the later write); reads never return two
//   versions of one identity. Writing the same batch twice changes nothing.
// - Times are stored with millisecond precision (DateTime64(3) in ClickHouse); sub-millisecond
//   digits are dropped on write.
// - Symbols must match ^[A-Z0-9._:-]{1,32}$; a batch or query with another symbol is refused with
//   kInvalidArgument before anything is sent to the server, and nothing of that batch is written.
// - Errors a caller backs off on: kUnavailable (server down, connection refused, timeout),
//   kResourceExhausted (disk full). Others (kInvalidArgument, kFailedPrecondition for a schema this
//   binary does not know) need a human.
// - A store object is used by one thread at a time; open one per thread for concurrency (writers in
//   different threads or processes never lose each other's rows).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/core/time.h"
#include "torghut/store/migration.h"
#include "torghut/ta/rows.h"

namespace torghut::store {

// Read resolutions of SPEC §7; rows are aggregated into buckets of this width by the store.
enum class Resolution : uint8_t { k1s, k5s, k15s, k1m, k5m };
// "1s", "5s", "15s", "1m", "5m".
Result<Resolution> ParseResolution(std::string_view text);
std::string_view ResolutionName(Resolution r);
int64_t ResolutionMillis(Resolution r);

// A range read of one symbol: rows with from <= event_ts <= to, of one window size.
struct RangeQuery {
  std::string symbol;
  Timestamp from;
  Timestamp to;
  ta::WindowSize window_size = ta::WindowSize::k1s;
  Resolution resolution = Resolution::k1s;
  // At most this many buckets; when more exist the newest `limit` are returned (charts show the
  // end of a range). Results are always in ascending time order.
  int64_t limit = 1000;
};

// One OHLCV bucket: every microbar whose window_start falls in [bucket_start, bucket_end).
// o = the first bar's open, c = the last bar's close, h/l = extremes, v and count = sums,
// vwap = Σ(vwap·v)/Σv over bars with volume (null when v = 0), is_final = all bars final,
// version = the highest version in the bucket.
struct Candle {
  Timestamp bucket_start;
  Timestamp bucket_end;
  double o = 0, h = 0, l = 0, c = 0;
  int64_t v = 0;
  double vwap = ta::kNull;
  int64_t count = 0;
  int64_t bars = 0;  // microbars folded in
  bool is_final = false;
  int64_t version = 0;
};

// The newest row of each table for one symbol (window PT1S), if any.
struct LatestRows {
  std::optional<ta::MicrobarRow> microbar;
  std::optional<ta::SignalRow> signal;
};

// max(event_ts) per table (nullopt when the table is empty): how fresh the store is.
struct Freshness {
  std::optional<Timestamp> microbars;
  std::optional<Timestamp> signals;
};

// Disk figures; -1 when the backend cannot tell.
struct StorageUsage {
  int64_t bytes_used = -1;  // bytes the TA tables take
  int64_t bytes_free = -1;  // free bytes where the store writes
};

class TaStore {
 public:
  virtual ~TaStore() = default;

  // "sqlite", "clickhouse".
  virtual std::string_view backend() const = 0;

  // Creates or upgrades the schema (see migration.h). Idempotent.
  virtual Result<MigrationReport> Migrate() = 0;
  // The recorded schema version (0 = no schema yet).
  virtual Result<int> SchemaVersion() = 0;

  // Idempotent upserts of one batch; all or nothing for SQLite, and for ClickHouse one INSERT per
  // table (ClickHouse makes a single INSERT block atomic).
  virtual Status WriteMicrobars(std::span<const ta::MicrobarRow> rows) = 0;
  virtual Status WriteSignals(std::span<const ta::SignalRow> rows) = 0;

  // Rows as stored (one per identity, newest version), resolution ignored.
  virtual Result<std::vector<ta::MicrobarRow>> ReadMicrobars(const RangeQuery& q) = 0;
  // OHLCV buckets of `q.resolution` (which must be at least the window size).
  virtual Result<std::vector<Candle>> ReadCandles(const RangeQuery& q) = 0;
  // Signals sampled at the end of each bucket: per bucket the row with the greatest event_ts, as
  // stored. At resolution 1s (or the window size) that is every row.
  virtual Result<std::vector<ta::SignalRow>> ReadSignals(const RangeQuery& q) = 0;

  virtual Result<LatestRows> Latest(std::string_view symbol) = 0;
  virtual Result<Freshness> GetFreshness() = 0;
  // Distinct symbols of ta_microbars, sorted.
  virtual Result<std::vector<std::string>> Symbols() = 0;
  virtual Result<StorageUsage> Usage() = 0;

  // Retention (TA_RETENTION_DAYS): removes every row of both tables whose event_ts falls on a UTC
  // day before `cutoff`'s day — whole days, because ClickHouse partitions by day and drops whole
  // partitions (the legacy layout has no TTL; the modern one has TTL and this as well). Returns
  // the number of days removed. Idempotent.
  virtual Result<int64_t> DropDaysBefore(Timestamp cutoff) = 0;
};

// Checks a query before it reaches a backend: valid symbol, from <= to, limit in [1, 100000],
// resolution >= window size.
Status ValidateRangeQuery(const RangeQuery& q);
// Checks every symbol of a batch (the first bad one is named).
Status ValidateRows(std::span<const ta::MicrobarRow> rows);
Status ValidateRows(std::span<const ta::SignalRow> rows);

}  // namespace torghut::store
