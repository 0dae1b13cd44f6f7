#include "torghut/backtest/runs.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "torghut/backtest/report.h"
#include "torghut/backtest/report_html.h"
#include "torghut/io/atomic_file.h"

namespace torghut::backtest {
namespace {

using nlohmann::json;

constexpr std::string_view kRankable[] = {"return",  "total_pnl", "sharpe",
                                          "sortino", "win_rate",  "max_drawdown"};

// The metric's value in a summary (higher is better; max_drawdown negated), or nullopt.
std::optional<double> Score(const json& summary, const std::string& metric) {
  const json& v = metric == "max_drawdown" ? summary["max_drawdown"]["pct"] : summary[metric];
  double x = 0;
  if (v.is_number()) {
    x = v.get<double>();
  } else if (v.is_string()) {
    x = std::strtod(v.get<std::string>().c_str(), nullptr);
  } else {
    return std::nullopt;
  }
  return metric == "max_drawdown" ? -x : x;
}

}  // namespace

Result<json> RunToDirectory(const BacktestConfig& config, const TradingCalendar& calendar,
                            const std::filesystem::path& dir) {
  TORGHUT_ASSIGN_OR_RETURN(BacktestRun run, RunBacktest(config, calendar));
  TORGHUT_ASSIGN_OR_RETURN(json report, BuildReport(run, config, calendar.zone()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(dir / "report.json", report.dump(2) + "\n"));
  TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(dir / "report.html", RenderReportHtml(report)));
  return report;
}

Status ValidateRankBy(std::string_view metric) {
  for (std::string_view m : kRankable) {
    if (m == metric) return Status::Ok();
  }
  return InvalidArgument(fmt::format(
      "--rank-by {}: one of return, total_pnl, sharpe, sortino, win_rate, max_drawdown", metric));
}

Result<json> RunGrid(const BacktestConfig& config, const std::vector<GridPoint>& points,
                     const TradingCalendar& calendar, const std::filesystem::path& dir,
                     const GridOptions& options) {
  TORGHUT_RETURN_IF_ERROR(ValidateRankBy(options.rank_by));
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // A reviewer is one client: with --llm the runs take turns.
  const size_t jobs =
      config.reviewer ? 1
                      : std::min<size_t>(points.size(), options.jobs > 0 ? options.jobs : cores);
  std::vector<json> summaries(points.size());
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= points.size()) return;
      {
        std::lock_guard lock(mu);
        if (!first_error.ok()) return;
      }
      BacktestConfig c = config;
      c.strategies = points[i].strategies;
      c.show_progress = false;
      Result<json> report = RunToDirectory(c, calendar, dir / points[i].Name());
      std::lock_guard lock(mu);
      if (!report.ok()) {
        if (first_error.ok()) {
          first_error =
              Status(report.status().code(), points[i].Name() + ": " + report.status().message());
        }
        return;
      }
      summaries[i] = (*report)["summary"];
      if (options.on_done) options.on_done(points[i], *report);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  TORGHUT_RETURN_IF_ERROR(first_error);

  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto sa = Score(summaries[a], options.rank_by), sb = Score(summaries[b], options.rank_by);
    if (sa.has_value() != sb.has_value()) return sa.has_value();
    if (sa && sb && *sa != *sb) return *sa > *sb;
    return points[a].Name() < points[b].Name();
  });
  json runs = json::array();
  for (size_t r = 0; r < order.size(); ++r) {
    const GridPoint& p = points[order[r]];
    json params = json::object();
    for (const auto& [label, value] : p.params) params[label] = value;
    runs.push_back({{"rank", r + 1},
                    {"name", p.Name()},
                    {"params", params},
                    {"dir", p.Name()},
                    {"summary", summaries[order[r]]}});
  }
  json grid = {{"rank_by", options.rank_by}, {"runs", std::move(runs)}};
  TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(dir / "grid.json", grid.dump(2) + "\n"));
  return grid;
}

}  // namespace torghut::backtest
