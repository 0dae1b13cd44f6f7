#include "torghut/sim/market_server.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "torghut/sim/broker_account.h"
#include "torghut/sim/broker_rest.h"
#include "torghut/sim/broker_stream.h"
#include "torghut/sim/faults.h"
#include "torghut/sim/llm_reviewer.h"
#include "torghut/sim/market_clock.h"
#include "torghut/sim/market_data_rest.h"
#include "torghut/sim/market_stream.h"

namespace torghut::sim {

Status ValidateMarketServerOptions(const MarketServerOptions& o) {
  if (!IsKnownFeed(o.feed)) {
    return InvalidArgument(
        fmt::format("feed '{}' is not one of iex, sip, delayed_sip, test, otc", o.feed));
  }
  if (!(o.speed > 0) || o.speed > 1e6) return InvalidArgument("speed must be > 0 and ≤ 1e6");
  if (o.batch_ms < 1 || o.batch_ms > 10'000) return InvalidArgument("batch must be 1..10000 ms");
  if (o.key_id.empty() || o.secret_key.empty()) {
    return InvalidArgument("the key id and secret must not be empty");
  }
  if (o.llm_api_key.empty()) return InvalidArgument("the LLM API key must not be empty");
  if (o.max_symbols == 0) return InvalidArgument("the symbol limit must be ≥ 1");
  if (!(o.broker.cash > Decimal())) return InvalidArgument("the broker's cash must be > 0");
  if (o.broker.orders_per_minute < 1) return InvalidArgument("orders per minute must be ≥ 1");
  if (!(o.broker.participation > Decimal()) ||
      o.broker.participation > Decimal::FromUnits(Decimal::kOne)) {
    return InvalidArgument("the broker's participation must be in (0, 1]");
  }
  if (!o.from_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.from_file, ec)) {
      return InvalidArgument(fmt::format("{}: not a readable file", o.from_file));
    }
    return Status::Ok();
  }
  return ValidateOptions(o.generator);
}

// The parts, sharing the market clock and the fault switches.
struct MarketServer::Impl {
  Impl(MarketServerOptions o, const Clock* c)
      : options(std::move(o)),
        market(options, c),
        stream(options, &market, &faults, c),
        rest(options, &market, &faults),
        account(options, &market, &faults, c),
        trading(options, &account, &faults, c),
        trade_updates(options, &account, &faults),
        reviewer(options, &faults, c) {
    market.StartWhen([this] { return stream.AnySubscriber(); });
    faults.AddStatus([this](nlohmann::json* j) {
      char buf[kRfc3339MaxLen];
      (*j)["market_time"] = std::string(FormatRfc3339(market.market_time(), buf));
      (*j)["released"] = market.released();
      (*j)["finished"] = market.finished();
    });
  }
  // The market thread feeds the other parts: it stops before any of them goes.
  ~Impl() { market.Stop(); }

  MarketServerOptions options;
  Faults faults;
  MarketClock market;
  MarketStream stream;
  MarketDataRest rest;
  BrokerAccount account;  // the simulated broker: the account, its REST API, its trade_updates
  BrokerRest trading;
  BrokerStream trade_updates;
  LlmReviewer reviewer;  // /v1/chat/completions
};

MarketServer::MarketServer(MarketServerOptions options, const Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

MarketServer::~MarketServer() {
  Stop();
}

void MarketServer::Register(http::Router& router) {
  impl_->stream.Register(router);
  impl_->rest.Register(router);
  impl_->trading.Register(router);
  impl_->trade_updates.Register(router);
  impl_->reviewer.Register(router);
  impl_->faults.Register(router);
}

Status MarketServer::Start() {
  if (impl_->market.running()) return FailedPrecondition("market already started");
  TORGHUT_RETURN_IF_ERROR(impl_->market.Open());
  TORGHUT_RETURN_IF_ERROR(impl_->account.Open());
  TORGHUT_RETURN_IF_ERROR(impl_->stream.Start());
  return impl_->market.Start();
}

void MarketServer::Stop() {
  impl_->reviewer.Stop();
  impl_->market.Stop();
}

bool MarketServer::finished() const {
  return impl_->market.finished();
}

MarketServerStats MarketServer::stats() const {
  MarketServerStats s;
  s.released = impl_->market.released();
  s.market_time = impl_->market.market_time();
  impl_->stream.Counts(&s.sent, &s.connections, &s.authenticated);
  return s;
}

}  // namespace torghut::sim
