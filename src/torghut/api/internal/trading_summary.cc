#include "torghut/api/internal/trading_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <map>

#include "torghut/core/time.h"
#include "torghut/trading/pnl.h"
#include "torghut/trading/record_json.h"

namespace torghut::api::internal {
namespace {

using nlohmann::json;
using trading::TimeJson;

// Realized P&L of the day. Every fill up to the day's end is read so that fills before the day
// build the average cost of what was held at its start; only fills within the day report P&L
// (a close today of shares bought yesterday counts today, against yesterday's cost), and a round
// trip is judged on the day of the fill that ends it, its partial closes of earlier days
// included (trading/pnl.h). Reading the whole history keeps the cost basis exact; it is the
// price of not storing a per-day book.
Result<json> RealizedPnl(store::TradingStore& store, const DayInterval& day,
                         const std::string& strategy, const TimeZone& ny,
                         const SummaryOptions& options) {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Fill> fills,
                           store.ListFills({INT64_MIN, day.end, strategy}));
  trading::PnlOptions pnl_options;
  pnl_options.day = day.day;
  pnl_options.allow_shorts = options.allow_shorts;
  Result<trading::PnlReport> report = trading::ComputeRealizedPnl(fills, ny, pnl_options);
  if (!report.ok()) return Status(StatusCode::kDataLoss, "P&L: " + report.status().message());
  json series = json::array();
  for (const trading::PnlPoint& p : report->series) {
    series.push_back({{"ts", TimeJson(p.ts)}, {"realizedPnl", p.cumulative.ToString()}});
  }
  json warnings = json::array();
  for (const trading::PnlWarning& w : report->warnings) warnings.push_back(w.message);
  const std::optional<Decimal> win_rate = report->totals.win_rate();
  return json{{"value", report->totals.realized.ToString()},
              {"closedQty", report->totals.closed_qty.ToString()},
              {"winRate", trading::DecimalJson(win_rate)},
              {"winCount", report->totals.wins},
              {"lossCount", report->totals.losses},
              {"series", std::move(series)},
              {"warnings", std::move(warnings)}};
}

// Rejected decisions of the day; each decision's reasons (a JSON array) counted one by one. Every
// reason is listed (the codes are a small fixed vocabulary), by count descending, then by name.
Result<json> Rejections(store::TradingStore& store, const store::TradingWindow& window) {
  TORGHUT_ASSIGN_OR_RETURN(
      std::vector<trading::Decision> rejected,
      store.ListDecisionsInWindow(window, trading::DecisionStatus::kRejected, 0));
  std::map<std::string, int64_t> counts;
  for (const trading::Decision& d : rejected) {
    for (const std::string& reason : d.risk_reasons) ++counts[reason];
  }
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::ranges::stable_sort(sorted,
                           [](const auto& a, const auto& b) { return a.second > b.second; });
  json top = json::array();
  for (const auto& [reason, n] : sorted) top.push_back({{"reason", reason}, {"count", n}});
  return json{{"rejectedCount", static_cast<int64_t>(rejected.size())},
              {"topReasons", std::move(top)}};
}

// The account's equity over the day from the reconciliation snapshots: delta = last − first.
// There is one broker account (SPEC §6), so byAccount has one entry, under the configured label.
Result<json> Equity(store::TradingStore& store, const DayInterval& day,
                    const SummaryOptions& options) {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::PositionSnapshot> snapshots,
                           store.ListPositionSnapshots(day.start, day.end));
  if (snapshots.empty()) return json{{"available", false}, {"byAccount", json::array()}};
  json series = json::array();
  for (const trading::PositionSnapshot& s : snapshots) {
    series.push_back({{"ts", TimeJson(s.taken_at)}, {"equity", s.equity.ToString()}});
  }
  Result<Decimal> delta = snapshots.back().equity.Sub(snapshots.front().equity);
  if (!delta.ok()) return Status(StatusCode::kDataLoss, "equity: " + delta.status().message());
  return json{{"available", true},
              {"byAccount", json::array({{{"alpacaAccountLabel", options.account_label},
                                          {"delta", delta->ToString()},
                                          {"series", std::move(series)}}})}};
}

Result<json> Llm(store::TradingStore& store, const store::TradingWindow& window,
                 const SummaryOptions& options) {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<store::VerdictCount> counts, store.CountLlmVerdicts(window));
  json verdicts = {{"approve", 0}, {"veto", 0}, {"adjust", 0}, {"error", 0}};
  for (const store::VerdictCount& c : counts) {
    // `skipped` (no call was made) is not a verdict of the model's.
    if (c.verdict != trading::LlmVerdict::kSkipped) verdicts[ToString(c.verdict)] = c.count;
  }
  // The breaker lives in the trader: `up` passes its state; `serve` cannot know it ("unknown").
  return json{{"verdicts", std::move(verdicts)}, {"circuit", options.llm_circuit}};
}

}  // namespace

Result<DayInterval> NewYorkDayInterval(std::string_view day, const TimeZone& ny) {
  auto digits = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (day[i] < '0' || day[i] > '9') return -1;
      v = v * 10 + (day[i] - '0');
    }
    return v;
  };
  const bool shape = day.size() == 10 && day[4] == '-' && day[7] == '-';
  const int y = shape ? digits(0, 4) : -1, m = shape ? digits(5, 2) : -1,
            d = shape ? digits(8, 2) : -1;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return InvalidArgument(fmt::format("day '{}' is not a date YYYY-MM-DD",
                                       day.substr(0, std::min<size_t>(day.size(), 32))));
  }
  // Local midnight never falls in New York's DST gap or overlap (they are at 02:00), so each
  // midnight is one instant.
  const CivilTime next = ToCivil(Timestamp::FromSeconds(
      (DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) + 1) * 86'400));
  DayInterval out;
  out.day = std::string(day);
  out.start = ny.FromLocal(y, m, d, 0, 0, 0).millis();
  out.end = ny.FromLocal(next.year, next.month, next.day, 0, 0, 0).millis();
  return out;
}

json IntervalJson(const DayInterval& day) {
  return {{"tz", kNewYork},
          {"day", day.day},
          {"startUtc", TimeJson(day.start)},
          {"endUtc", TimeJson(day.end)}};
}

Result<json> BuildSummary(store::TradingStore& store, const DayInterval& day,
                          const std::string& strategy, const TimeZone& ny,
                          const SummaryOptions& options) {
  const store::TradingWindow window{day.start, day.end, strategy};
  TORGHUT_ASSIGN_OR_RETURN(json pnl, RealizedPnl(store, day, strategy, ny, options));
  // Orders of the day that filled, wholly or in part (the page's fills table).
  TORGHUT_ASSIGN_OR_RETURN(std::vector<trading::Execution> executions,
                           store.ListExecutionsInWindow(window, std::nullopt, 0));
  const int64_t filled = std::ranges::count_if(
      executions, [](const trading::Execution& e) { return e.filled_qty > Decimal(); });
  TORGHUT_ASSIGN_OR_RETURN(json rejections, Rejections(store, window));
  TORGHUT_ASSIGN_OR_RETURN(json equity, Equity(store, day, options));
  TORGHUT_ASSIGN_OR_RETURN(json llm, Llm(store, window, options));
  return json{{"interval", IntervalJson(day)},
              {"strategy", strategy.empty() ? json() : json(strategy)},
              {"realizedPnl", std::move(pnl)},
              {"executions", {{"filledCount", filled}}},
              {"rejections", std::move(rejections)},
              {"equity", std::move(equity)},
              {"llm", std::move(llm)}};
}

}  // namespace torghut::api::internal
