#include "torghut/backtest/backtest_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>

#include "torghut/broker/matching_engine.h"
#include "torghut/replay/file_replay.h"
#include "torghut/trading/bar.h"

namespace torghut::backtest {
namespace {

using trading::Decision;
using trading::DecisionStatus;
using trading::Side;

constexpr EpochMillis kMinuteMs = 60'000;

// Market prices are doubles in market::Event; a feed writes at most a few decimals, which six
// digits keep exactly (as the simulator's broker reads them).
std::optional<Decimal> Price(double p) {
  Result<Decimal> d = Decimal::FromDouble(p, 6);
  return d.ok() ? std::optional<Decimal>(*d) : std::nullopt;
}

Decimal Shares(int64_t n) {
  return Decimal::FromInt(n).value_or(Decimal());
}

broker::OrderRequest RequestOf(const Decision& d) {
  broker::OrderRequest r;
  r.client_order_id = d.client_order_id;
  r.symbol = d.symbol;
  r.side = d.action;
  r.qty = d.qty;
  r.type = d.order_type;
  r.time_in_force = d.time_in_force;
  r.limit_price = d.limit_price;
  return r;
}

std::string Iso(EpochMillis ms) {
  return FormatRfc3339(Timestamp::FromMillis(ms), FracDigits::kNone);
}

// The whole run's state: the three engines and what is recorded of them.
class Runner {
 public:
  Runner(const BacktestConfig& config, const TradingCalendar& calendar,
         broker::MatchingEngineOptions broker_options, trading::TradingSettings settings)
      : config_(config),
        broker_(std::move(broker_options), calendar),
        engine_(std::move(settings), &calendar, config.reviewer),
        wanted_(config.symbols.begin(), config.symbols.end()) {
    engine_.set_record_skips(false);
    engine_.set_record_inputs(false);
  }

  Status Start() { return engine_.SetStrategies(config_.strategies); }

  bool Wanted(std::string_view symbol) const {
    return wanted_.empty() || wanted_.count(std::string(symbol)) != 0;
  }
  bool InWindow(EpochMillis ts) const {
    return (!config_.from || ts >= *config_.from) && (!config_.to || ts < *config_.to);
  }

  // Every market event, before the TA engine sees it: the matching engine's market and clock.
  void OnEvent(const market::Event& event, const SymbolTable& symbols) {
    ++run_.events;
    const EpochMillis ts = market::TimeOf(event).millis();
    if (!InWindow(ts)) return;
    const std::string_view symbol = symbols.Name(market::SymbolOf(event));
    if (!Wanted(symbol)) return;
    if (run_.first_event == 0) {
      run_.first_event = ts;
      run_.start_equity = Account().equity;
    }
    run_.last_event = std::max(run_.last_event, ts);
    SampleUpTo(ts);
    if (const auto* t = std::get_if<market::Trade>(&event)) {
      const std::optional<Decimal> p = Price(t->price);
      if (!p) return;
      traded_.insert(std::string(symbol));
      RecordPrice(std::string(symbol), ts, t->price);
      broker_.OnTrade(symbol, *p, Shares(t->size), ts);
    } else if (const auto* q = std::get_if<market::Quote>(&event)) {
      const std::optional<Decimal> bid = Price(q->bid_price), ask = Price(q->ask_price);
      if (!bid || !ask || bid->is_zero() || ask->is_zero()) return;
      broker_.OnQuote(symbol, *bid, *ask, Shares(q->bid_size), Shares(q->ask_size), ts);
    } else {
      broker_.AdvanceTo(ts);
    }
    Drain();
  }

  // A final bar from the TA engine: the trading engine decides, planned orders go out at once.
  void OnBar(const trading::TradingBar& bar) {
    if (!Wanted(bar.symbol) || !InWindow(bar.event_ts)) return;
    ++run_.bars;
    const EpochMillis now = std::max(broker_.now(), bar.event_ts);
    if (config_.clock) config_.clock->Set(now * 1'000'000);
    trading::EngineStep step = engine_.OnBar(bar, now, View());
    for (trading::LlmReview& r : step.reviews) run_.reviews.push_back(std::move(r));
    for (Decision& d : step.decisions) {
      const size_t index = run_.decisions.size();
      by_order_[d.client_order_id] = index;
      run_.decisions.push_back(std::move(d));
      Decision& made = run_.decisions.back();
      if (made.status != DecisionStatus::kPlanned) continue;
      Result<broker::BrokerOrder> order = broker_.SubmitOrder(RequestOf(made));
      if (!order.ok()) {
        // As the live trader records a broker's refusal (trader/submitter.cc).
        made.risk_reasons.push_back("broker_rejected: " + order.status().message());
        made.status = DecisionStatus::kRejected;
        engine_.OnOrderDone(made.client_order_id);
        continue;
      }
      made.status = DecisionStatus::kSubmitted;
      Drain();
    }
  }

  Result<BacktestRun> Finish() {
    SampleUpTo(INT64_MAX);
    const broker::Account a = Account();
    if (run_.first_event == 0) run_.start_equity = a.equity;
    run_.end_equity = a.equity;
    run_.end_cash = a.cash;
    run_.end_positions = broker_.Positions();
    for (const std::string& s : config_.symbols) {
      if (traded_.count(s) == 0) run_.symbols_without_trades.push_back(s);
    }
    return std::move(run_);
  }

  BacktestRun& run() { return run_; }

 private:
  broker::Account Account() {
    Result<broker::Account> a = broker_.GetAccount();
    return a.ok() ? *a : broker::Account{};
  }

  // What the trading engine decides against: the matching engine's account, positions and open
  // orders (a market buy's notional at the symbol's last trade).
  const trading::PortfolioView& View() {
    const broker::Account a = Account();
    view_.equity = a.equity;
    view_.cash = a.cash;
    view_.buying_power = a.buying_power;
    view_.day_pnl = a.equity.Sub(a.last_equity).value_or(Decimal());
    view_.positions.clear();
    for (const broker::BrokerPosition& p : broker_.Positions()) {
      view_.positions[p.symbol] = {p.qty, p.avg_entry_price};
    }
    view_.open.clear();
    for (const auto& [coid, o] : open_) {
      trading::OpenOrders& open = view_.open[o.symbol];
      if (o.side == Side::kSell) {
        open.sell_qty = open.sell_qty.Add(o.remaining).value_or(open.sell_qty);
        continue;
      }
      open.buy_qty = open.buy_qty.Add(o.remaining).value_or(open.buy_qty);
      const std::optional<Decimal> price = o.limit ? o.limit : broker_.LastPrice(o.symbol);
      if (price) {
        const Decimal notional = o.remaining.Mul(*price).value_or(Decimal());
        open.buy_notional = open.buy_notional.Add(notional).value_or(open.buy_notional);
      }
    }
    return view_;
  }

  // The matching engine's events: fills to the trading engine and the record; statuses to the
  // decisions; finished orders out of the open set.
  void Drain() {
    for (const broker::TradeUpdate& u : broker_.TakeEvents()) {
      const broker::BrokerOrder& o = u.order;
      auto at = by_order_.find(o.client_order_id);
      if (at == by_order_.end()) continue;
      Decision& d = run_.decisions[at->second];
      d.status = trading::DecisionStatusOf(o.status);
      d.updated_at = u.timestamp;
      if (u.event == "new") {
        open_[o.client_order_id] = {o.symbol, o.side, o.qty, o.limit_price};
      } else if ((u.event == "fill" || u.event == "partial_fill") && u.qty && u.price) {
        BacktestFill f;
        f.fill.fill_id = u.execution_id;
        f.fill.client_order_id = o.client_order_id;
        f.fill.strategy_name = d.strategy_name;
        f.fill.symbol = o.symbol;
        f.fill.side = o.side;
        f.fill.qty = *u.qty;
        f.fill.price = *u.price;
        f.fill.filled_at = u.timestamp;
        f.decision_hash = d.decision_hash;
        f.commission = u.qty->Mul(config_.commission_per_share).value_or(Decimal());
        engine_.OnFill(f.fill);
        if (auto it = open_.find(o.client_order_id); it != open_.end()) {
          it->second.remaining = o.qty.Sub(o.filled_qty).value_or(Decimal());
        }
        run_.fills.push_back(std::move(f));
      }
      if (trading::IsTerminal(o.status)) {
        open_.erase(o.client_order_id);
        engine_.OnOrderDone(o.client_order_id);
      }
    }
  }

  // Closes every minute that ended at or before `ts` (only minutes that saw data): an equity
  // sample at its end and each symbol's price bar.
  // `ts` is the next event's time, or INT64_MAX at the end of the data.
  void SampleUpTo(EpochMillis ts) {
    const bool end_of_data = ts == INT64_MAX;
    if (minute_ < 0) {
      if (!end_of_data) minute_ = ts / kMinuteMs;
      return;
    }
    if (!end_of_data && ts / kMinuteMs <= minute_) return;
    const EpochMillis end = (minute_ + 1) * kMinuteMs;
    broker_.AdvanceTo(end);  // day orders whose close has come expire before the sample
    Drain();
    const broker::Account a = Account();
    run_.equity.push_back({end, a.equity, !broker_.Positions().empty()});
    for (auto& [symbol, bar] : minute_bars_) run_.prices[symbol].push_back(bar);
    minute_bars_.clear();
    minute_ = end_of_data ? -1 : ts / kMinuteMs;
  }

  void RecordPrice(const std::string& symbol, EpochMillis ts, double price) {
    auto [it, added] = minute_bars_.try_emplace(symbol);
    PriceBar& b = it->second;
    if (added) {
      b = {ts / kMinuteMs * kMinuteMs, price, price, price, price};
      return;
    }
    b.high = std::max(b.high, price);
    b.low = std::min(b.low, price);
    b.close = price;
  }

  struct OpenOrder {
    std::string symbol;
    Side side = Side::kBuy;
    Decimal remaining;
    std::optional<Decimal> limit;
  };

  const BacktestConfig& config_;
  broker::MatchingEngine broker_;
  trading::TradingEngine engine_;
  std::set<std::string, std::less<>> wanted_;
  std::set<std::string, std::less<>> traded_;
  std::unordered_map<std::string, size_t> by_order_;  // client_order_id → decision index
  std::map<std::string, OpenOrder, std::less<>> open_;
  std::map<std::string, PriceBar, std::less<>> minute_bars_;
  EpochMillis minute_ = -1;  // the minute in progress (epoch minutes), −1 before any data
  trading::PortfolioView view_;
  BacktestRun run_;
};

}  // namespace

Result<BacktestRun> RunBacktest(const BacktestConfig& config, const TradingCalendar& calendar) {
  if (config.from && config.to && *config.from >= *config.to) {
    return InvalidArgument(fmt::format("--from ({}) must be before --to ({})", Iso(*config.from),
                                       Iso(*config.to)));
  }
  broker::MatchingEngineOptions o;
  o.cash = config.cash;
  o.commission_per_share = config.commission_per_share;
  o.slippage_bps = config.slippage_bps;
  o.allow_shorts = config.settings.allow_shorts;
  o.account_number = "BACKTEST";
  TORGHUT_RETURN_IF_ERROR(broker::ValidateMatchingEngineOptions(o));
  trading::TradingSettings settings = config.settings;
  settings.enabled = true;
  settings.mode = trading::TradingMode::kPaper;
  settings.check_signal_age = false;

  Runner runner(config, calendar, std::move(o), std::move(settings));
  TORGHUT_RETURN_IF_ERROR(runner.Start());
  trading::TradingBarSink sink([&](const trading::TradingBar& bar) { runner.OnBar(bar); });
  replay::FileReplayOptions replay;
  replay.input_path = config.input_path;
  replay.engine = config.engine;
  replay.show_progress = config.show_progress;
  replay.progress_label = config.progress_label;
  replay.progress_detail = [&runner] {
    const BacktestRun& r = runner.run();
    return r.last_event == 0 ? std::string()
                             : fmt::format("at {}  {} fills", Iso(r.last_event), r.fills.size());
  };
  replay.on_event = [&](const market::Event& e, const SymbolTable& symbols) {
    runner.OnEvent(e, symbols);
  };
  const auto start = std::chrono::steady_clock::now();
  ta::TradingSessions sessions(&calendar);
  BacktestRun& run = runner.run();
  TORGHUT_ASSIGN_OR_RETURN(
      replay::FileReplayResult replayed,
      replay::ReplayFile(replay, &sessions, &sink, [&](int64_t line, std::string_view reason) {
        if (run.first_bad_lines.size() < kMaxReportedBadLines) {
          run.first_bad_lines.push_back({line, std::string(reason)});
        }
      }));
  TORGHUT_ASSIGN_OR_RETURN(BacktestRun done, runner.Finish());
  done.lines = replayed.lines;
  done.bad_lines = replayed.bad_lines;
  done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return done;
}

}  // namespace torghut::backtest
