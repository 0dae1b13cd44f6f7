// The roles one process can run together (`torghut up`), behind one small interface, so that
// composing them is a list:
//
//   std::vector<std::unique_ptr<Role>> roles;
//   roles.push_back(std::make_unique<ForwarderRole>(ws_config_fn, bus, &calendar));
//   roles.push_back(std::make_unique<TaRole>(ta_config, bus, store, &sessions, http_config));
//   for (auto& r : roles) r->AddRoutes(router, metrics);   // before the server starts
//   RoleThreads threads(roles);                            // each Run on its own named thread
//   ... WaitForStop ...
//   Status s = threads.StopInOrder();                      // first role first
//
// Readiness of the whole process is every role's readiness (AllReady): `up`'s /readyz.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/calendar.h"
#include "torghut/core/status.h"
#include "torghut/forwarder/forwarder.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"
#include "torghut/processor/ta_service.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/store/ta_store.h"
#include "torghut/trader/trader_stack.h"

namespace torghut::app {

class Role {
 public:
  virtual ~Role() = default;
  // Short name: the thread's name and the prefix of the role's own routes ("/ws/status").
  virtual std::string_view name() const = 0;
  // The role's routes and metrics on the process's router; before the server starts.
  virtual void AddRoutes(http::Router& router, http::Registry& metrics) = 0;
  // Runs until `stop`, on the role's own thread, once the server listens.
  virtual Status Run(const std::atomic<bool>& stop) = 0;
  // Any thread.
  virtual http::Readiness Ready() const = 0;
};

// {"ready": all ready, "<name>": each role's readiness JSON}.
http::Readiness AllReady(const std::vector<std::unique_ptr<Role>>& roles);

// Each role's Run on its own thread (named after the role), each with its own stop flag, so that
// they stop in order: the forwarder flushes what it read before TA checkpoints and commits.
class RoleThreads {
 public:
  explicit RoleThreads(const std::vector<std::unique_ptr<Role>>& roles);
  ~RoleThreads();
  RoleThreads(const RoleThreads&) = delete;
  RoleThreads& operator=(const RoleThreads&) = delete;
  // Stops and joins the roles in list order; the first error a role returned, if any.
  Status StopInOrder();

 private:
  struct Running;
  std::vector<std::unique_ptr<Running>> running_;
};

// `torghut ws` as a role. The configuration is taken when it starts running (`up` knows the
// simulator's URL only once the server is bound).
class ForwarderRole final : public Role {
 public:
  ForwarderRole(std::function<forwarder::ForwarderConfig()> config, bus::Bus* bus,
                const TradingCalendar* calendar)
      : config_(std::move(config)), bus_(bus), calendar_(calendar) {}
  std::string_view name() const override { return "ws"; }
  void AddRoutes(http::Router& router, http::Registry& metrics) override;
  Status Run(const std::atomic<bool>& stop) override;
  http::Readiness Ready() const override;

 private:
  std::function<forwarder::ForwarderConfig()> config_;
  bus::Bus* bus_;
  const TradingCalendar* calendar_;
  http::Registry* metrics_ = nullptr;
  std::unique_ptr<forwarder::Forwarder> fwd_;
  std::atomic<forwarder::Forwarder*> running_{nullptr};  // for readers on other threads
};

// `torghut ta` as a role.
class TaRole final : public Role {
 public:
  TaRole(processor::TaServiceConfig config, bus::Bus* bus, store::TaStore* store,
         const ta::SessionCalendar* sessions, http::ServerConfig http_config)
      : config_(config),
        http_config_(std::move(http_config)),
        service_(std::move(config), bus, store, sessions, &SystemClock()) {}
  std::string_view name() const override { return "ta"; }
  void AddRoutes(http::Router& router, http::Registry& metrics) override;
  Status Run(const std::atomic<bool>& stop) override { return service_.Run(stop); }
  http::Readiness Ready() const override;

 private:
  processor::TaServiceConfig config_;
  http::ServerConfig http_config_;
  processor::TaService service_;
};

// `torghut trade` as a role (trader/trader_stack.h). Open before AddRoutes.
class TradeRole final : public Role {
 public:
  TradeRole(trader::TraderStackConfig config, bus::Bus* bus, const TradingCalendar* calendar,
            std::function<broker::AlpacaConfig()> alpaca, http::ServerConfig http_config)
      : stack_(std::move(config), bus, calendar, std::move(alpaca)),
        http_config_(std::move(http_config)) {}
  Status Open() { return stack_.Open(); }
  std::string_view name() const override { return "trade"; }
  void AddRoutes(http::Router& router, http::Registry& metrics) override {
    stack_.AddRoutes(router, metrics, http_config_);
  }
  Status Run(const std::atomic<bool>& stop) override { return stack_.Run(stop); }
  http::Readiness Ready() const override { return stack_.Ready(); }
  const llm::LlmReviewer* llm_reviewer() const { return stack_.llm_reviewer(); }

 private:
  trader::TraderStack stack_;
  http::ServerConfig http_config_;
};

}  // namespace torghut::app
