#include "torghut/sim/broker_account.h"

#include "torghut/core/calendar.h"

namespace torghut::sim {

namespace {

// Market prices are doubles in market::Event; the feed writes at most a few decimals, which six
// digits keep exactly.
std::optional<Decimal> Price(double p) {
  Result<Decimal> d = Decimal::FromDouble(p, 6);
  return d.ok() ? std::optional<Decimal>(*d) : std::nullopt;
}

Decimal Shares(int64_t n) {
  return Decimal::FromInt(n).value_or(Decimal());
}

}  // namespace

BrokerAccount::BrokerAccount(const MarketServerOptions& options, MarketClock* market,
                             Faults* faults, const Clock* clock)
    : options_(options), created_at_(clock->NowMillis()) {
  // Ids of this run differ from any earlier run's (a store may outlive the simulator).
  id_namespace_ = static_cast<uint64_t>(created_at_);
  for (const std::string& s : options.generator.symbols) symbols_.insert(s);
  market->OnRelease(
      [this](std::vector<MarketItem>& due, const ReleaseTick& tick) { Release(due, tick); });
  faults->AddStatus([this](nlohmann::json* status) { WriteStatus(status); });
}

Status BrokerAccount::Open() {
  std::lock_guard lock(mu_);
  if (engine_) return Status::Ok();
  TORGHUT_ASSIGN_OR_RETURN(TradingCalendar calendar, TradingCalendar::NewYork());
  broker::MatchingEngineOptions o;
  o.cash = options_.broker.cash;
  o.allow_shorts = options_.broker.allow_shorts;
  o.participation = options_.broker.participation;
  o.id_namespace = id_namespace_;
  TORGHUT_RETURN_IF_ERROR(broker::ValidateMatchingEngineOptions(o));
  engine_ = std::make_unique<broker::MatchingEngine>(o, std::move(calendar));
  // A synthetic market starts at `start` (default now); a recording's time comes with its first
  // release (its past must not be behind the engine's clock).
  if (options_.from_file.empty()) {
    engine_->AdvanceTo(options_.start ? options_.start->millis() : created_at_);
  }
  return Status::Ok();
}

bool BrokerAccount::open() const {
  std::lock_guard lock(mu_);
  return engine_ != nullptr;
}

void BrokerAccount::OnUpdates(Listener listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

bool BrokerAccount::KnownSymbol(std::string_view symbol) const {
  std::lock_guard lock(mu_);
  return symbols_.count(symbol) != 0;
}

std::vector<std::string> BrokerAccount::Symbols() const {
  std::lock_guard lock(mu_);
  return {symbols_.begin(), symbols_.end()};
}

void BrokerAccount::Release(const std::vector<MarketItem>& due, const ReleaseTick& tick) {
  std::lock_guard lock(mu_);
  if (!engine_) return;
  for (const MarketItem& item : due) {
    if (const auto* t = std::get_if<market::Trade>(&item.event)) {
      const std::optional<Decimal> p = Price(t->price);
      if (!p) continue;
      if (symbols_.count(item.symbol) == 0) symbols_.insert(item.symbol);
      engine_->OnTrade(item.symbol, *p, Shares(t->size), item.ts.millis());
    } else if (const auto* q = std::get_if<market::Quote>(&item.event)) {
      const std::optional<Decimal> bid = Price(q->bid_price), ask = Price(q->ask_price);
      if (!bid || !ask) continue;
      engine_->OnQuote(item.symbol, *bid, *ask, Shares(q->bid_size), Shares(q->ask_size),
                       item.ts.millis());
    }
  }
  engine_->AdvanceTo(Timestamp::FromNanos(tick.market_now_ns).millis());
  PublishLocked();
}

void BrokerAccount::PublishLocked() {
  std::vector<broker::TradeUpdate> updates = engine_->TakeEvents();
  if (updates.empty()) return;
  for (const broker::TradeUpdate& u : updates) {
    if (u.event == "new") ++held_by_client_order_id_[u.order.client_order_id];
  }
  updates_ += static_cast<int64_t>(updates.size());
  for (const Listener& l : listeners_) l(updates);
}

void BrokerAccount::WriteStatus(nlohmann::json* status) const {
  std::lock_guard lock(mu_);
  nlohmann::json& b = (*status)["broker"];
  b["orders_by_client_order_id"] = held_by_client_order_id_;
  b["trade_updates_produced"] = updates_;
  if (!engine_) return;
  b["open_orders"] = engine_->open_orders();
  b["fills"] = engine_->fills();
  if (Result<broker::Account> a = engine_->GetAccount(); a.ok()) {
    b["cash"] = a->cash.ToString();
    b["equity"] = a->equity.ToString();
    b["buying_power"] = a->buying_power.ToString();
  }
  b["positions"] = nlohmann::json::object();
  for (const broker::BrokerPosition& p : engine_->Positions()) {
    b["positions"][p.symbol] = p.qty.ToString();
  }
}

}  // namespace torghut::sim
