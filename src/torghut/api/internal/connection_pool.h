// Store connections lent to one request at a time (a store object is not thread-safe): requests
// on different HTTP threads read in parallel, up to the number of connections. Private to api/.
//
//   ConnectionPool<store::TaStore> pool({conn.get()}, {});
//   { auto store = pool.Acquire(); store->Symbols(); }   // returned when the lease ends
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace torghut::api::internal {

template <typename Store>
class ConnectionPool {
 public:
  // `connections` are lent out; `owned` (usually the same objects) are destroyed with the pool.
  ConnectionPool(std::vector<Store*> connections, std::vector<std::unique_ptr<Store>> owned)
      : free_(std::move(connections)), owned_(std::move(owned)) {}

  static std::unique_ptr<ConnectionPool> Owning(std::vector<std::unique_ptr<Store>> connections) {
    std::vector<Store*> raw;
    for (const auto& c : connections) raw.push_back(c.get());
    return std::make_unique<ConnectionPool>(std::move(raw), std::move(connections));
  }

  class Lease {
   public:
    Lease(ConnectionPool* pool, Store* store) : pool_(pool), store_(store) {}
    ~Lease() { pool_->Return(store_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Store& operator*() const { return *store_; }
    Store* operator->() const { return store_; }

   private:
    ConnectionPool* pool_;
    Store* store_;
  };

  // Blocks until a connection is free.
  Lease Acquire() {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty(); });
    Store* s = free_.back();
    free_.pop_back();
    return Lease(this, s);
  }

 private:
  void Return(Store* s) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(s);
    }
    free_cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<Store*> free_;
  std::vector<std::unique_ptr<Store>> owned_;
};

}  // namespace torghut::api::internal
