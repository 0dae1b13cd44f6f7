#include "torghut/backtest/report.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "torghut/backtest/equity_stats.h"
#include "torghut/trading/pnl.h"
#include "torghut/trading/record_json.h"

namespace torghut::backtest {
namespace {

using nlohmann::json;
using trading::TimeJson;

json Number(std::optional<double> v) {
  return v && std::isfinite(*v) ? json(*v) : json();
}

json OptionalTime(std::optional<int64_t> ms) {
  return ms ? TimeJson(*ms) : json();
}

// Mean seconds from a (strategy, symbol) position's opening fill to the fill that flattened it.
std::optional<double> AverageHoldSeconds(const std::vector<BacktestFill>& fills) {
  struct Book {
    Decimal qty;
    EpochMillis opened = 0;
  };
  std::map<std::pair<std::string, std::string>, Book> books;
  double total = 0;
  int64_t closed = 0;
  for (const BacktestFill& f : fills) {
    Book& b = books[{f.fill.strategy_name, f.fill.symbol}];
    const Decimal signed_qty =
        f.fill.side == trading::Side::kBuy ? f.fill.qty : f.fill.qty.Negate().value_or(Decimal());
    const bool was_flat = b.qty.is_zero();
    b.qty = b.qty.Add(signed_qty).value_or(b.qty);
    if (was_flat) b.opened = f.fill.filled_at;
    if (!was_flat && b.qty.is_zero()) {
      total += static_cast<double>(f.fill.filled_at - b.opened) / 1000.0;
      ++closed;
    }
  }
  if (closed == 0) return std::nullopt;
  return total / static_cast<double>(closed);
}

json DecisionJson(const trading::Decision& d, const trading::LlmReview* review) {
  json j = {{"decision_hash", d.decision_hash},
            {"client_order_id", d.client_order_id},
            {"strategy", d.strategy_name},
            {"symbol", d.symbol},
            {"timeframe", trading::ToString(d.timeframe)},
            {"event_ts", TimeJson(d.signal_event_ts)},
            {"created_at", TimeJson(d.created_at)},
            {"action", trading::ToString(d.action)},
            {"qty", d.qty.ToString()},
            {"order_type", trading::ToString(d.order_type)},
            {"limit_price", trading::DecimalJson(d.limit_price)},
            {"reference_price", trading::DecimalJson(d.reference_price)},
            {"status", trading::ToString(d.status)},
            {"risk_reasons", d.risk_reasons},
            {"rationale", d.rationale}};
  if (review) {
    j["llm_review"] = {{"verdict", trading::ToString(review->verdict)},
                       {"confidence", trading::DecimalJson(review->confidence)},
                       {"rationale", review->rationale},
                       {"risk_flags", review->risk_flags},
                       {"adjusted_qty", trading::DecimalJson(review->adjusted_qty)},
                       {"error", review->error ? json(*review->error) : json()}};
  }
  return j;
}

Result<Decimal> Sum(Decimal a, Decimal b) {
  return a.Add(b);
}

}  // namespace

Result<json> BuildReport(const BacktestRun& run, const BacktestConfig& config,
                         const TimeZone& new_york) {
  // ---- realized P&L from the fills (trading/pnl.h) ----
  std::vector<trading::Fill> fills;
  std::vector<Decimal> commissions;
  fills.reserve(run.fills.size());
  Decimal fees, turnover_notional;
  for (const BacktestFill& f : run.fills) {
    fills.push_back(f.fill);
    commissions.push_back(f.commission);
    TORGHUT_ASSIGN_OR_RETURN(fees, Sum(fees, f.commission));
    TORGHUT_ASSIGN_OR_RETURN(Decimal notional, f.fill.qty.Mul(f.fill.price));
    TORGHUT_ASSIGN_OR_RETURN(turnover_notional, Sum(turnover_notional, notional));
  }
  trading::PnlOptions pnl_options;
  pnl_options.allow_shorts = config.settings.allow_shorts;
  pnl_options.commissions = commissions;
  TORGHUT_ASSIGN_OR_RETURN(trading::PnlReport pnl,
                           trading::ComputeRealizedPnl(fills, new_york, pnl_options));

  // ---- the equity curve ----
  std::vector<EquityPoint> points;
  points.reserve(run.equity.size());
  for (const EquitySample& e : run.equity) {
    points.push_back({e.ts, e.equity.ToDouble(), e.exposed});
  }
  const EquityStats stats =
      ComputeEquityStats(run.start_equity.ToDouble(), run.first_event, points);

  TORGHUT_ASSIGN_OR_RETURN(Decimal total, run.end_equity.Sub(run.start_equity));
  TORGHUT_ASSIGN_OR_RETURN(Decimal unrealized, total.Sub(pnl.totals.realized));
  const int64_t trades = pnl.totals.wins + pnl.totals.losses;
  const double start = run.start_equity.ToDouble();
  int64_t rejected = 0;
  std::map<std::string, int64_t> rejections;
  for (const trading::Decision& d : run.decisions) {
    if (d.status != trading::DecisionStatus::kRejected) continue;
    ++rejected;
    for (const std::string& reason : d.risk_reasons) ++rejections[reason];
  }

  json summary = {
      {"start_equity", run.start_equity.ToString()},
      {"end_equity", run.end_equity.ToString()},
      {"end_cash", run.end_cash.ToString()},
      {"total_pnl", total.ToString()},
      {"return", start != 0 ? json(run.end_equity.ToDouble() / start - 1) : json()},
      {"realized_pnl", pnl.totals.realized.ToString()},
      {"unrealized_pnl", unrealized.ToString()},
      {"fees", fees.ToString()},
      {"max_drawdown",
       {{"pct", stats.max_drawdown},
        {"amount",
         Decimal::FromDouble(stats.max_drawdown_amount, 2).value_or(Decimal()).ToString()},
        {"peak_ts", OptionalTime(stats.peak_ts)},
        {"trough_ts", OptionalTime(stats.trough_ts)},
        {"recovered_ts", OptionalTime(stats.recovered_ts)}}},
      {"sharpe", Number(stats.sharpe)},
      {"sortino", Number(stats.sortino)},
      {"trades", trades},
      {"wins", pnl.totals.wins},
      {"losses", pnl.totals.losses},
      {"win_rate", trades > 0
                       ? json(static_cast<double>(pnl.totals.wins) / static_cast<double>(trades))
                       : json()},
      {"avg_hold_seconds", Number(AverageHoldSeconds(run.fills))},
      {"exposure", stats.exposure},
      {"turnover", start != 0 ? json(turnover_notional.ToDouble() / start) : json()},
      {"fills", static_cast<int64_t>(run.fills.size())},
      {"decisions", static_cast<int64_t>(run.decisions.size())},
      {"rejected", rejected},
      {"minutes", static_cast<int64_t>(run.equity.size())},
      {"first_event", TimeJson(run.first_event)},
      {"last_event", TimeJson(run.last_event)},
      {"events", run.events},
      {"bars", run.bars},
      {"lines", run.lines},
      {"bad_lines", run.bad_lines},
      {"late_prints", run.late_prints}};

  // ---- per New York day: the equity at each day's last sample ----
  struct DayRow {
    std::string day;
    Decimal start, end;  // the previous day's last equity (the start equity first), this day's
  };
  std::vector<DayRow> day_rows;
  for (const EquitySample& e : run.equity) {
    // A minute's sample belongs to the day its last millisecond is in.
    const std::string d = trading::NewYorkDay(e.ts - 1, new_york);
    if (day_rows.empty() || day_rows.back().day != d) {
      day_rows.push_back({d, day_rows.empty() ? run.start_equity : day_rows.back().end, {}});
    }
    day_rows.back().end = e.equity;
  }
  std::map<std::string, Decimal> day_realized;
  std::map<std::string, std::array<int64_t, 3>> day_counts;  // fills, wins, losses
  json by_strategy = json::array();
  {
    std::map<std::pair<std::string, std::string>, trading::PnlLine> lines;
    for (const trading::PnlLine& l : pnl.lines) {
      TORGHUT_ASSIGN_OR_RETURN(day_realized[l.day], Sum(day_realized[l.day], l.realized));
      auto& c = day_counts[l.day];
      c[0] += l.fills;
      c[1] += l.wins;
      c[2] += l.losses;
      trading::PnlLine& s = lines[{l.strategy_name, l.symbol}];
      s.strategy_name = l.strategy_name;
      s.symbol = l.symbol;
      TORGHUT_ASSIGN_OR_RETURN(s.realized, Sum(s.realized, l.realized));
      TORGHUT_ASSIGN_OR_RETURN(s.closed_qty, Sum(s.closed_qty, l.closed_qty));
      TORGHUT_ASSIGN_OR_RETURN(s.commissions, Sum(s.commissions, l.commissions));
      s.fills += l.fills;
      s.wins += l.wins;
      s.losses += l.losses;
    }
    for (const auto& [key, l] : lines) {
      by_strategy.push_back({{"strategy", l.strategy_name},
                             {"symbol", l.symbol},
                             {"realized_pnl", l.realized.ToString()},
                             {"closed_qty", l.closed_qty.ToString()},
                             {"fees", l.commissions.ToString()},
                             {"fills", l.fills},
                             {"wins", l.wins},
                             {"losses", l.losses}});
    }
  }
  json day_items = json::array();
  for (const DayRow& row : day_rows) {
    TORGHUT_ASSIGN_OR_RETURN(Decimal day_pnl, row.end.Sub(row.start));
    const auto& c = day_counts[row.day];
    day_items.push_back(
        {{"day", row.day},
         {"end_equity", row.end.ToString()},
         {"pnl", day_pnl.ToString()},
         {"return",
          row.start.is_zero() ? json() : json(row.end.ToDouble() / row.start.ToDouble() - 1)},
         {"realized_pnl", day_realized[row.day].ToString()},
         {"fills", c[0]},
         {"wins", c[1]},
         {"losses", c[2]}});
  }

  // ---- the lists ----
  std::map<std::string, const trading::LlmReview*> review_of;
  for (const trading::LlmReview& r : run.reviews) review_of[r.decision_hash] = &r;
  json decisions = json::array();
  for (const trading::Decision& d : run.decisions) {
    auto it = review_of.find(d.decision_hash);
    decisions.push_back(DecisionJson(d, it == review_of.end() ? nullptr : it->second));
  }
  json fill_items = json::array();
  for (const BacktestFill& f : run.fills) {
    fill_items.push_back({{"fill_id", f.fill.fill_id},
                          {"client_order_id", f.fill.client_order_id},
                          {"decision_hash", f.decision_hash},
                          {"strategy", f.fill.strategy_name},
                          {"symbol", f.fill.symbol},
                          {"side", trading::ToString(f.fill.side)},
                          {"qty", f.fill.qty.ToString()},
                          {"price", f.fill.price.ToString()},
                          {"ts", TimeJson(f.fill.filled_at)},
                          {"commission", f.commission.ToString()}});
  }
  json equity = json::array();
  for (size_t i = 0; i < run.equity.size(); ++i) {
    equity.push_back({{"ts", TimeJson(run.equity[i].ts)},
                      {"equity", run.equity[i].equity.ToString()},
                      {"drawdown", stats.drawdown[i]},
                      {"exposed", run.equity[i].exposed}});
  }
  json prices = json::object();
  for (const auto& [symbol, bars] : run.prices) {
    json& list = prices[symbol] = json::array();
    for (const PriceBar& b : bars) {
      list.push_back(
          {{"ts", TimeJson(b.ts)}, {"o", b.open}, {"h", b.high}, {"l", b.low}, {"c", b.close}});
    }
  }
  json bad = {{"count", run.bad_lines}, {"first", json::array()}};
  for (const BadLine& b : run.first_bad_lines) {
    bad["first"].push_back({{"line", b.line}, {"reason", b.reason}});
  }
  json warnings = json::array();
  for (const std::string& s : run.symbols_without_trades) {
    warnings.push_back(fmt::format("no trades for {} in the file (inside the window)", s));
  }
  for (const trading::PnlWarning& w : pnl.warnings) warnings.push_back(w.message);

  json strategies = json::array();
  for (const trading::Strategy& s : config.strategies) {
    strategies.push_back({{"name", s.name},
                          {"type", s.type},
                          {"enabled", s.enabled},
                          {"base_timeframe", trading::ToString(s.base_timeframe)},
                          {"params", json::parse(s.params_json, nullptr, false)}});
  }
  json config_json = {{"input", config.input_path},
                      {"strategies", std::move(strategies)},
                      {"cash", config.cash.ToString()},
                      {"commission_per_share", config.commission_per_share.ToString()},
                      {"slippage_bps", config.slippage_bps.ToString()},
                      {"from", config.from ? TimeJson(*config.from) : json()},
                      {"to", config.to ? TimeJson(*config.to) : json()},
                      {"symbols", config.symbols}};

  return json{{"summary", std::move(summary)},         {"days", std::move(day_items)},
              {"by_strategy", std::move(by_strategy)}, {"rejections", rejections},
              {"decisions", std::move(decisions)},     {"fills", std::move(fill_items)},
              {"equity", std::move(equity)},           {"prices", std::move(prices)},
              {"bad_lines", std::move(bad)},           {"warnings", std::move(warnings)},
              {"config", std::move(config_json)}};
}

std::string TextSummary(const json& report) {
  const json& s = report["summary"];
  auto pct = [](const json& v) {
    return v.is_number() ? fmt::format("{:+.2f}%", v.get<double>() * 100) : std::string("–");
  };
  auto num = [](const json& v) {
    return v.is_number() ? fmt::format("{:.2f}", v.get<double>()) : std::string("–");
  };
  const json& dd = s["max_drawdown"];
  std::string out = fmt::format(
      "backtest {} → {}\n"
      "  equity    {} → {}  ({})\n"
      "  P&L       {} total: {} realized, {} unrealized, {} fees\n"
      "  drawdown  {:.2f}% ({}), Sharpe {}, Sortino {}\n"
      "  trades    {} round trips, win rate {}, {} fills, {} decisions ({} rejected)\n",
      s["first_event"].is_string() ? s["first_event"].get<std::string>() : "-",
      s["last_event"].is_string() ? s["last_event"].get<std::string>() : "-",
      s["start_equity"].get<std::string>(), s["end_equity"].get<std::string>(), pct(s["return"]),
      s["total_pnl"].get<std::string>(), s["realized_pnl"].get<std::string>(),
      s["unrealized_pnl"].get<std::string>(), s["fees"].get<std::string>(),
      dd["pct"].get<double>() * 100, dd["amount"].get<std::string>(), num(s["sharpe"]),
      num(s["sortino"]), s["trades"].get<int64_t>(),
      s["win_rate"].is_number() ? pct(s["win_rate"]).substr(1) : std::string("–"),
      s["fills"].get<int64_t>(), s["decisions"].get<int64_t>(), s["rejected"].get<int64_t>());
  if (s["bad_lines"].get<int64_t>() > 0) {
    out += fmt::format("  input     {} bad lines skipped (see report.json bad_lines)\n",
                       s["bad_lines"].get<int64_t>());
  }
  constexpr size_t kShown = 5;
  const json& warnings = report["warnings"];
  for (size_t i = 0; i < warnings.size() && i < kShown; ++i) {
    out += "  warning   " + warnings[i].get<std::string>() + "\n";
  }
  if (warnings.size() > kShown) {
    out +=
        fmt::format("  warning   … and {} more (report.json warnings)\n", warnings.size() - kShown);
  }
  return out;
}

}  // namespace torghut::backtest
