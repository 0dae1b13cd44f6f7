#include "torghut/trader/trader_stack.h"

#include "torghut/broker/alpaca/alpaca_broker.h"
#include "torghut/broker/alpaca/trade_updates.h"
#include "torghut/core/log.h"
#include "torghut/llm/prompts.h"
#include "torghut/trader/trader_http.h"

namespace torghut::trader {

TraderStack::TraderStack(TraderStackConfig config, bus::Bus* bus, const TradingCalendar* calendar,
                         std::function<broker::AlpacaConfig()> alpaca)
    : config_(std::move(config)), bus_(bus), calendar_(calendar), alpaca_(std::move(alpaca)) {}

TraderStack::~TraderStack() = default;

namespace {

// The chat client made at the first review, when the base URL is known (see llm_base_url).
class DeferredChat final : public llm::ChatModel {
 public:
  DeferredChat(llm::LlmConfig config, std::function<std::string()> base_url)
      : config_(std::move(config)), base_url_(std::move(base_url)) {}
  std::string_view model() const override { return config_.model; }
  Result<llm::ChatReply> Complete(const llm::ChatRequest& r, std::string* body) override {
    if (!client_) {
      llm::LlmConfig c = config_;
      if (base_url_) {
        if (std::string url = base_url_(); !url.empty()) c.base_url = url;
      }
      client_ = std::make_unique<llm::OpenAiChatClient>(c);
    }
    return client_->Complete(r, body);
  }

 private:
  llm::LlmConfig config_;
  std::function<std::string()> base_url_;
  std::unique_ptr<llm::OpenAiChatClient> client_;
};

}  // namespace

Status TraderStack::Open() {
  TORGHUT_ASSIGN_OR_RETURN(store_, store::OpenTradingStore(config_.store));
  TORGHUT_RETURN_IF_ERROR(store_->Migrate().status());
  TORGHUT_ASSIGN_OR_RETURN(http_store_, store::OpenTradingStore(config_.store));
  TORGHUT_ASSIGN_OR_RETURN(lease_, store::OpenTradingLease(config_.store));
  if (!config_.catalog.path.empty()) {
    TORGHUT_ASSIGN_OR_RETURN(catalog_store_, store::OpenTradingStore(config_.store));
    catalog_ = std::make_unique<trading::CatalogWatcher>(config_.catalog, *catalog_store_);
  }
  // The broker is attached when the stack runs (see the header).
  TraderParts parts;
  parts.bus = bus_;
  parts.store = store_.get();
  parts.lease = lease_.get();
  parts.calendar = calendar_;
  parts.clock = &SystemClock();
  parts.catalog = catalog_.get();
  if (config_.llm.enabled) {
    TORGHUT_RETURN_IF_ERROR(llm::SystemPrompt(config_.llm.prompt_version).status());
    chat_ = std::make_unique<DeferredChat>(config_.llm, config_.llm_base_url);
    reviewer_ = std::make_unique<llm::LlmReviewer>(config_.llm, config_.trader.settings.mode,
                                                   chat_.get(), &SystemClock());
    parts.reviewer = reviewer_.get();
  }
  service_ = std::make_unique<TraderService>(config_.trader, parts);
  return Status::Ok();
}

Status TraderStack::ProbeBroker() {
  std::lock_guard lock(probe_mu_);
  if (!probe_) {
    broker::AlpacaConfig c = alpaca_();
    c.timeout_ms = 2'000;  // /trading/health: a 2 s GET /v2/account
    probe_ = std::make_unique<broker::AlpacaBroker>(c);
  }
  return probe_->GetAccount().status();
}

void TraderStack::AddRoutes(http::Router& router, http::Registry& metrics,
                            const http::ServerConfig& http_config) {
  TraderHttpParts parts;
  parts.service = service_.get();
  parts.control = service_.get();
  parts.store = http_store_.get();
  parts.bus = bus_;
  parts.probe_broker = [this] { return ProbeBroker(); };
  parts.config = &config_.trader;
  parts.clock = &SystemClock();
  parts.llm = reviewer_.get();
  AddTraderRoutes(router, metrics, parts, http_config);
}

Status TraderStack::Run(const std::atomic<bool>& stop) {
  const broker::AlpacaConfig alpaca = alpaca_();
  broker_ = std::make_unique<broker::AlpacaBroker>(alpaca);
  TradeUpdatesRunner updates;
  Result<std::string> stream = broker::TradeUpdatesUrl(alpaca.base_url);
  if (stream.ok()) {
    broker::TradeUpdatesOptions o;
    o.url = *stream;
    o.key_id = alpaca.key_id;
    o.secret_key = alpaca.secret_key;
    o.ca_file = alpaca.ca_file;
    updates = [o](const std::atomic<bool>& stop_updates,
                  std::function<void(const broker::TradeUpdate&)> on_update,
                  std::function<void(bool)> on_connected) {
      broker::TradeUpdatesHooks hooks;
      hooks.on_update = std::move(on_update);
      hooks.on_connected = [on_connected] { on_connected(true); };
      hooks.on_disconnected = [on_connected](const Status& why, int64_t backoff_ms) {
        on_connected(false);
        log::Warn("trade", "trade_updates disconnected",
                  {{"error", why.ToString()}, {"retry_in_ms", backoff_ms}});
      };
      broker::TradeUpdatesClient client(o, std::move(hooks));
      client.Run(stop_updates);
      return Status::Ok();
    };
  } else {
    log::Warn("trade", "no trade_updates stream for this base URL; reconciliation only",
              {{"error", stream.status().ToString()}});
  }
  std::vector<broker::Broker*> lanes;
  for (int64_t i = 1; i < config_.trader.submit_concurrency; ++i) {
    submit_lanes_.push_back(std::make_unique<broker::AlpacaBroker>(alpaca));
    lanes.push_back(submit_lanes_.back().get());
  }
  service_->AttachBroker(broker_.get(), std::move(updates), std::move(lanes));
  return service_->Run(stop);
}

http::Readiness TraderStack::Ready() const {
  return TraderReadiness(service_->Report());
}

}  // namespace torghut::trader
