// The single-trader lease (SPEC §6 Execution): one `torghut trade` acts, any other waits as a hot
// standby. Held in the trading store's own terms — a Postgres advisory lock (session-scoped, so a
// dead process or a lost connection frees it), or a file lock beside the SQLite file (freed by the
// kernel when the process dies).
//
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<TradingLease> lease, OpenTradingLease(config));
//   if (*lease->TryAcquire()) { /* active */ } else { /* standby: try again later */ }
//   while (active) { if (!lease->Check().ok()) { /* lost: stop acting */ } }
//
// Not thread-safe: one thread owns the lease object.
#pragma once

#include <memory>
#include <string>

#include "torghut/core/status.h"
#include "torghut/store/store_config.h"

namespace torghut::store {

class TradingLease {
 public:
  virtual ~TradingLease() = default;
  // true when this process holds the lease after the call (acquired now or held already); false
  // when another holds it. Errors: the store cannot be reached (kUnavailable).
  virtual Result<bool> TryAcquire() = 0;
  // OK while the lease is still held; kAborted once it is lost (Postgres session gone) — the
  // holder must stop acting at once; kUnavailable when it cannot tell right now.
  virtual Status Check() = 0;
  virtual void Release() = 0;
  // "file /data/trading.lease" or "postgres advisory lock 7420611" (no credentials).
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<TradingLease>> OpenTradingLease(const StoreConfig& config);

}  // namespace torghut::store
