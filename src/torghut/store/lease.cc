#include "torghut/store/lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <pqxx/pqxx>

namespace torghut::store {
namespace {

// The advisory lock key: "TRDL" — one per database; two trading loops on one database must not
// both act, whatever their group ids.
constexpr int64_t kAdvisoryKey = 0x5452444C;

class FileLease final : public TradingLease {
 public:
  explicit FileLease(std::filesystem::path path) : path_(std::move(path)) {}
  ~FileLease() override { Release(); }

  Result<bool> TryAcquire() override {
    if (held_) return true;
    if (fd_ < 0) {
      std::error_code ec;
      std::filesystem::create_directories(path_.parent_path(), ec);
      fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd_ < 0) {
        return Unavailable("cannot open " + path_.string() + ": " + std::strerror(errno));
      }
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
      held_ = true;
      return true;
    }
    if (errno == EWOULDBLOCK) return false;
    return Unavailable("cannot lock " + path_.string() + ": " + std::strerror(errno));
  }
  Status Check() override { return held_ ? Status::Ok() : Aborted("the lease is not held"); }
  void Release() override {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
    fd_ = -1;
    held_ = false;
  }
  std::string Describe() const override { return "file " + path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool held_ = false;
};

class PostgresLease final : public TradingLease {
 public:
  explicit PostgresLease(std::string dsn) : dsn_(std::move(dsn)) {}

  Result<bool> TryAcquire() override {
    if (held_) return true;
    try {
      if (!conn_ || !conn_->is_open()) conn_ = std::make_unique<pqxx::connection>(dsn_);
      pqxx::nontransaction n(*conn_);
      const pqxx::result r =
          n.exec("SELECT pg_try_advisory_lock(" + std::to_string(kAdvisoryKey) + ")");
      held_ = !r.empty() && r[0][0].as<bool>();
      return held_;
    } catch (const std::exception& e) {
      conn_.reset();
      return Unavailable(std::string("postgres lease: ") + FirstLine(e.what()));
    }
  }
  Status Check() override {
    if (!held_) return Aborted("the lease is not held");
    try {
      pqxx::nontransaction n(*conn_);
      // The lock lives as long as this session: still ours if the session still holds it.
      const pqxx::result r = n.exec(
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = "
          "pg_backend_pid() AND objid = " +
          std::to_string(kAdvisoryKey & 0xffffffff));
      if (!r.empty() && r[0][0].as<int64_t>() > 0) return Status::Ok();
      held_ = false;
      return Aborted("the postgres advisory lock is no longer held");
    } catch (const pqxx::broken_connection& e) {
      held_ = false;
      conn_.reset();
      return Aborted(std::string("postgres lease lost with its connection: ") +
                     FirstLine(e.what()));
    } catch (const std::exception& e) {
      return Unavailable(std::string("postgres lease: ") + FirstLine(e.what()));
    }
  }
  void Release() override {
    // Unlocked explicitly before the session ends: a closed connection's backend exits (and drops
    // its locks) asynchronously, so a standby asking right after could still find it held.
    if (held_ && conn_ && conn_->is_open()) {
      try {
        pqxx::nontransaction n(*conn_);
        n.exec("SELECT pg_advisory_unlock(" + std::to_string(kAdvisoryKey) + ")");
      } catch (const std::exception&) {
        // The session is gone already: so is the lock.
      }
    }
    held_ = false;
    conn_.reset();
  }
  std::string Describe() const override {
    return "postgres advisory lock " + std::to_string(kAdvisoryKey);
  }

 private:
  static std::string FirstLine(const char* what) {
    std::string s(what);
    return s.substr(0, s.find('\n'));
  }
  std::string dsn_;
  std::unique_ptr<pqxx::connection> conn_;
  bool held_ = false;
};

}  // namespace

Result<std::unique_ptr<TradingLease>> OpenTradingLease(const StoreConfig& config) {
  if (config.trading_backend == "postgres") {
    if (config.db_dsn.empty()) return InvalidArgument("TRADING_STORE=postgres needs DB_DSN");
    return std::unique_ptr<TradingLease>(std::make_unique<PostgresLease>(config.db_dsn));
  }
  return std::unique_ptr<TradingLease>(
      std::make_unique<FileLease>(config.data_dir / "trading.lease"));
}

}  // namespace torghut::store
