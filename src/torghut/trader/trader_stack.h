// Everything `torghut trade` runs, put together once for both `trade` and `up`: the trading store
// (one connection for the loop, one for the HTTP side), the lease, the Alpaca client and its
// trade_updates stream, the catalog watcher, the service and its routes.
//
//   TraderStack stack(config, bus, &calendar, [&] { return alpaca_config; });
//   TORGHUT_RETURN_IF_ERROR(stack.Open());          // stores, lease, catalog
//   stack.AddRoutes(router, metrics, http_config);  // before the server starts
//   Status s = stack.Run(stop);                     // the broker config is read here
//
// The broker's settings are asked for when the stack runs (and when /trading/health first probes
// the broker), so `up` can point them at its own simulator once its port is bound.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "torghut/broker/alpaca/config.h"
#include "torghut/bus/bus.h"
#include "torghut/core/calendar.h"
#include "torghut/http/metrics.h"
#include "torghut/http/router.h"
#include "torghut/http/server.h"
#include "torghut/llm/chat_client.h"
#include "torghut/llm/llm_config.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/store/lease.h"
#include "torghut/store/store_config.h"
#include "torghut/trader/trader_service.h"
#include "torghut/trading/catalog.h"

namespace torghut::trader {

struct TraderStackConfig {
  TraderConfig trader;
  store::StoreConfig store;
  trading::CatalogConfig catalog;
  llm::LlmConfig llm;  // LLM_*: when enabled, every decision is reviewed before risk
  // Asked for the LLM base URL when the first review is made ("" = llm.base_url): `up` points
  // it at its own simulator's reviewer once its port is bound.
  std::function<std::string()> llm_base_url;
};

class TraderStack {
 public:
  TraderStack(TraderStackConfig config, bus::Bus* bus, const TradingCalendar* calendar,
              std::function<broker::AlpacaConfig()> alpaca);
  ~TraderStack();

  // Opens the stores (migrating the trading schema), the lease and the catalog watcher.
  Status Open();
  void AddRoutes(http::Router& router, http::Registry& metrics,
                 const http::ServerConfig& http_config);
  Status Run(const std::atomic<bool>& stop);
  http::Readiness Ready() const;
  const TraderService& service() const { return *service_; }
  const llm::LlmReviewer* llm_reviewer() const { return reviewer_.get(); }  // nullptr: LLM off

 private:
  Status ProbeBroker();

  TraderStackConfig config_;
  bus::Bus* bus_;
  const TradingCalendar* calendar_;
  std::function<broker::AlpacaConfig()> alpaca_;
  std::unique_ptr<store::TradingStore> store_, http_store_, catalog_store_;
  std::unique_ptr<store::TradingLease> lease_;
  std::unique_ptr<trading::CatalogWatcher> catalog_;
  std::unique_ptr<broker::Broker> broker_;
  std::vector<std::unique_ptr<broker::Broker>> submit_lanes_;  // parallel POSTs
  std::unique_ptr<TraderService> service_;
  std::mutex probe_mu_;
  std::unique_ptr<broker::Broker> probe_;  // the HTTP side's own client
  std::unique_ptr<llm::ChatModel> chat_;
  std::unique_ptr<llm::LlmReviewer> reviewer_;
};

}  // namespace torghut::trader
