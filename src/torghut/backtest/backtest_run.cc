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
    event_ts_ = ts;
    if (!InWindow(ts)) return;
    // Per event only what the symbol's id reaches: no string is built or looked up.
    const SymbolId id = market::SymbolOf(event);
    if (id >= slots_.size()) slots_.resize(id + 1);
    Slot& slot = slots_[id];
    if (slot.name.empty()) {
      slot.name = std::string(symbols.Name(id));
      slot.wanted = Wanted(slot.name);
    }
    if (!slot.wanted) return;
    const std::string_view symbol = slot.name;
    if (run_.first_event == 0) {
      run_.first_event = ts;
      run_.start_equity = Account().equity;
    }
    run_.last_event = std::max(run_.last_event, ts);
    if (const auto* t = std::get_if<market::Trade>(&event)) {
      const std::optional<Decimal> p = Price(t->price);
      if (!p) return;
      // A print reported after later ones (a late trade) happened before orders sent since: it
      // fills nothing and is not a price of the minute it is reported in.
      if (ts < slot.newest_print) {
        ++run_.late_prints;
        return;
      }
      slot.newest_print = ts;
      RecordPrice(slot, ts, t->price, *p);
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
    // The data's time where the bar was finished: the event that closed it (its symbol's stream
    // is in time order; the matching engine's clock is the newest of every symbol's).
    const EpochMillis now = std::max(event_ts_, bar.event_ts);
    if (config_.clock) config_.clock->Set(now * 1'000'000);
    trading::EngineStep step = engine_.OnBar(bar, now, View());
    for (trading::LlmReview& r : step.reviews) run_.reviews.push_back(std::move(r));
    for (Decision& d : step.decisions) {
      const size_t index = run_.decisions.size();
      by_order_[d.client_order_id] = index;
      run_.decisions.push_back(std::move(d));
      Decision& made = run_.decisions.back();
      if (made.status != DecisionStatus::kPlanned) continue;
      // At its symbol's time: the matching engine's clock may be another symbol's, ahead.
      Result<broker::BrokerOrder> order = broker_.SubmitOrderAt(broker::OrderRequestOf(made), now);
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
    std::set<std::string, std::less<>> traded;
    for (Slot& slot : slots_) {
      if (slot.bars.empty()) continue;
      traded.insert(slot.name);
      run_.prices[slot.name] = std::move(slot.bars);
      closes_[slot.name] = std::move(slot.closes);
    }
    TORGHUT_RETURN_IF_ERROR(BuildEquityCurve());
    const broker::Account a = Account();
    if (run_.first_event == 0) run_.start_equity = a.equity;
    run_.end_equity = a.equity;
    run_.end_cash = a.cash;
    run_.end_positions = broker_.Positions();
    for (const std::string& s : config_.symbols) {
      if (traded.count(s) == 0) run_.symbols_without_trades.push_back(s);
    }
    return std::move(run_);
  }

  BacktestRun& run() { return run_; }

 private:
  // What the run keeps per symbol, by the replay's symbol id.
  struct Slot {
    std::string name;  // "" until the symbol's first event
    bool wanted = false;
    EpochMillis newest_print = INT64_MIN;
    std::vector<PriceBar> bars;  // its minute bars, and their closes exactly
    std::vector<Decimal> closes;
  };

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

  // The symbol's minute bars from its trades (its stream is in time order; symbols are not in
  // step with each other, which is why the equity curve is drawn after the run).
  void RecordPrice(Slot& slot, EpochMillis ts, double price, Decimal exact) {
    std::vector<PriceBar>& bars = slot.bars;
    const EpochMillis minute = ts / kMinuteMs * kMinuteMs;
    if (bars.empty() || bars.back().ts != minute) {
      bars.push_back({minute, price, price, price, price});
      slot.closes.push_back(exact);
      return;
    }
    PriceBar& b = bars.back();
    b.high = std::max(b.high, price);
    b.low = std::min(b.low, price);
    b.close = price;
    slot.closes.back() = exact;
  }

  // The account at the end of every minute that saw a trade, from the fills and the minute closes
  // (exact): cash + Σ shares × the symbol's last close before the minute's end.
  Status BuildEquityCurve() {
    std::vector<const BacktestFill*> fills;
    for (const BacktestFill& f : run_.fills) fills.push_back(&f);
    std::stable_sort(fills.begin(), fills.end(), [](const BacktestFill* a, const BacktestFill* b) {
      return a->fill.filled_at < b->fill.filled_at;
    });
    std::set<EpochMillis> ends;
    for (const auto& [symbol, bars] : run_.prices) {
      for (const PriceBar& b : bars) ends.insert(b.ts + kMinuteMs);
    }
    Decimal cash = config_.cash;
    std::map<std::string, Decimal, std::less<>> shares;
    std::map<std::string, size_t, std::less<>> next_bar;  // per symbol: bars before the end
    size_t next_fill = 0;
    for (EpochMillis end : ends) {
      for (; next_fill < fills.size() && fills[next_fill]->fill.filled_at < end; ++next_fill) {
        const trading::Fill& f = fills[next_fill]->fill;
        TORGHUT_ASSIGN_OR_RETURN(Decimal notional, f.qty.Mul(f.price));
        Decimal& held = shares[f.symbol];
        if (f.side == Side::kBuy) {
          TORGHUT_ASSIGN_OR_RETURN(cash, cash.Sub(notional));
          TORGHUT_ASSIGN_OR_RETURN(held, held.Add(f.qty));
        } else {
          TORGHUT_ASSIGN_OR_RETURN(cash, cash.Add(notional));
          TORGHUT_ASSIGN_OR_RETURN(held, held.Sub(f.qty));
        }
        TORGHUT_ASSIGN_OR_RETURN(cash, cash.Sub(fills[next_fill]->commission));
      }
      Decimal equity = cash;
      bool exposed = false;
      for (const auto& [symbol, qty] : shares) {
        if (qty.is_zero()) continue;
        exposed = true;
        const std::vector<PriceBar>& bars = run_.prices[symbol];
        size_t& i = next_bar[symbol];
        while (i < bars.size() && bars[i].ts + kMinuteMs <= end) ++i;
        if (i == 0) continue;  // (a fill comes from a trade: never before the first bar)
        TORGHUT_ASSIGN_OR_RETURN(Decimal value, qty.Mul(closes_[symbol][i - 1]));
        TORGHUT_ASSIGN_OR_RETURN(equity, equity.Add(value));
      }
      run_.equity.push_back({end, equity, exposed});
    }
    return Status::Ok();
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
  std::vector<Slot> slots_;
  std::unordered_map<std::string, size_t> by_order_;  // client_order_id → decision index
  std::map<std::string, OpenOrder, std::less<>> open_;
  std::map<std::string, std::vector<Decimal>, std::less<>> closes_;  // exact, per price bar
  EpochMillis event_ts_ = 0;  // the time of the event being processed
  trading::PortfolioView view_;
  BacktestRun run_;
};

}  // namespace

Result<BacktestRun> RunBacktest(const BacktestConfig& config, const TradingCalendar& calendar) {
  if (config.from && config.to && *config.from >= *config.to) {
    return InvalidArgument(
        fmt::format("--from ({}) must be before --to ({})", Iso(*config.from), Iso(*config.to)));
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
