// `torghut backtest --from-file FILE [--strategies CATALOG] [--cash N] [--commission-per-share N]
// [--slippage-bps N] [--from T --to T] [--symbols …] [--out DIR] [--grid 'k=a,b' …] [--llm]`:
// recorded market data through the live code path (backtest/backtest_run.h), with a report a
// person reads (backtest/report.h, report_html.h) and a ranked parameter grid (backtest/grid.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "torghut/app/commands.h"
#include "torghut/backtest/report.h"
#include "torghut/backtest/runs.h"
#include "torghut/core/config.h"
#include "torghut/llm/chat_client.h"
#include "torghut/llm/llm_config.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/llm/prompts.h"
#include "torghut/ta/engine_env.h"
#include "torghut/trader/demo_catalog.h"
#include "torghut/trading/catalog.h"

namespace torghut::app {
namespace {

// Bad lines named on stderr (every one that was kept is in report.json).
constexpr size_t kReportedBadLines = 20;

struct BacktestFlags {
  std::string from_file;
  std::string strategies;
  std::string cash = "100000";
  std::string commission = "0";
  std::string slippage = "0";
  std::string from, to;
  std::vector<std::string> symbols;
  std::string out;
  std::vector<std::string> grid;
  std::string rank_by = "sharpe";
  int jobs = 0;
  bool llm = false;
  bool no_progress = false;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "torghut backtest: %s\n", message.c_str());
  return kExitUsage;
}

Result<std::string> ReadCatalogText(const std::string& path) {
  if (path.empty()) return std::string(trader::DemoCatalogYaml());
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the strategy file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

Result<Decimal> NonNegative(const std::string& flag, const std::string& text) {
  Result<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return InvalidArgument(flag + " " + text + ": " + d.status().message());
  if (d->is_negative()) return InvalidArgument(flag + " must not be negative");
  return *d;
}

int RunBacktestCommand(const BacktestFlags& flags) {
  ConfigReader cfg(EnvSource::Process());
  backtest::BacktestConfig config;
  config.settings = trading::ReadTradingSettings(cfg);
  config.engine = ta::ReadEngineConfig(cfg);
  const llm::LlmConfig llm_config = llm::ReadLlmConfig(cfg);
  const std::string data_dir = DataDir(cfg);
  if (Status s = cfg.Finish(); !s.ok()) return Usage(s.message());

  // Everything is checked before any work.
  config.input_path = flags.from_file;
  Result<std::string> catalog_text = ReadCatalogText(flags.strategies);
  if (!catalog_text.ok()) return Usage(catalog_text.status().message());
  Result<std::vector<trading::Strategy>> catalog = trading::ParseCatalog(
      *catalog_text, flags.strategies.empty() ? "the demo catalog" : flags.strategies);
  if (!catalog.ok()) return Usage(catalog.status().message());
  config.strategies = std::move(*catalog);
  for (const auto& [flag, text, slot] :
       {std::tuple{"--cash", &flags.cash, &config.cash},
        std::tuple{"--commission-per-share", &flags.commission, &config.commission_per_share},
        std::tuple{"--slippage-bps", &flags.slippage, &config.slippage_bps}}) {
    Result<Decimal> d = NonNegative(flag, *text);
    if (!d.ok()) return Usage(d.status().message());
    *slot = *d;
  }
  for (const auto& [flag, text, slot] : {std::tuple{"--from", &flags.from, &config.from},
                                         std::tuple{"--to", &flags.to, &config.to}}) {
    if (text->empty()) continue;
    Result<Timestamp> t = ParseTimeArg(*text);
    if (!t.ok()) return Usage(std::string(flag) + ": " + t.status().message());
    *slot = t->millis();
  }
  if (config.from && config.to && *config.from >= *config.to) {
    return Usage("--from must be before --to");
  }
  for (const std::string& s : flags.symbols) {
    if (!IsValidSymbol(s)) return Usage("--symbols: '" + s + "' is not a valid symbol");
  }
  config.symbols = flags.symbols;
  std::vector<backtest::GridAxis> axes;
  for (const std::string& spec : flags.grid) {
    Result<backtest::GridAxis> axis = backtest::ParseGridAxis(spec);
    if (!axis.ok()) return Usage(axis.status().message());
    axes.push_back(std::move(*axis));
  }
  Result<std::vector<backtest::GridPoint>> points = backtest::ExpandGrid(config.strategies, axes);
  if (!points.ok()) return Usage(points.status().message());
  if (Status s = backtest::ValidateRankBy(flags.rank_by); !s.ok()) return Usage(s.message());

  // --llm: the LLM_* settings' reviewer, on the data's clock.
  FakeClock clock;
  std::unique_ptr<llm::OpenAiChatClient> chat;
  std::unique_ptr<llm::LlmReviewer> reviewer;
  if (flags.llm) {
    // Only a server the user names: a backtest never reaches for the default (OpenAI's) unasked.
    const char* base_url = std::getenv("LLM_BASE_URL");
    if (base_url == nullptr || *base_url == '\0' || llm_config.base_url.empty()) {
      return Usage("--llm needs LLM_BASE_URL (an OpenAI-compatible server's …/v1)");
    }
    if (Status s = llm::SystemPrompt(llm_config.prompt_version).status(); !s.ok()) {
      return Usage(s.message());
    }
    llm::LlmConfig c = llm_config;
    c.enabled = true;
    chat = std::make_unique<llm::OpenAiChatClient>(c);
    reviewer =
        std::make_unique<llm::LlmReviewer>(c, trading::TradingMode::kPaper, chat.get(), &clock);
    config.reviewer = reviewer.get();
    config.clock = &clock;
  }

  Result<TradingCalendar> calendar = TradingCalendar::NewYork();
  if (!calendar.ok()) {
    std::fprintf(stderr, "torghut backtest: %s\n", calendar.status().message().c_str());
    return kExitFailure;
  }
  const std::filesystem::path out = flags.out.empty() ? std::filesystem::path(data_dir) / "backtest"
                                                      : std::filesystem::path(flags.out);
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "torghut backtest: %s\n", s.message().c_str());
    return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  };

  if (axes.empty()) {
    config.show_progress = !flags.no_progress;
    Result<nlohmann::json> report = backtest::RunToDirectory(config, *calendar, out);
    if (!report.ok()) return fail(report.status());
    const nlohmann::json& bad = (*report)["bad_lines"];
    for (size_t i = 0; i < bad["first"].size() && i < kReportedBadLines; ++i) {
      std::fprintf(stderr, "torghut backtest: %s:%lld: skipped: %s\n", flags.from_file.c_str(),
                   static_cast<long long>(bad["first"][i]["line"].get<int64_t>()),
                   bad["first"][i]["reason"].get<std::string>().c_str());
    }
    std::fputs(backtest::TextSummary(*report).c_str(), stdout);
    std::printf("report: %s, %s\n", (out / "report.json").c_str(), (out / "report.html").c_str());
    // A symbol asked for that never traded (or a file with no trades at all) is the caller's
    // mistake — a typo, the wrong file or window: said plainly, exit 2 (the report is written).
    const nlohmann::json& prices = (*report)["prices"];
    int missing = 0;
    for (const std::string& s : flags.symbols) {
      if (prices.contains(s)) continue;
      std::fprintf(stderr, "torghut backtest: no trades for %s in %s%s\n", s.c_str(),
                   flags.from_file.c_str(), config.from || config.to ? " inside --from/--to" : "");
      ++missing;
    }
    if (prices.empty() && flags.symbols.empty()) {
      std::fprintf(stderr, "torghut backtest: no trades in %s%s\n", flags.from_file.c_str(),
                   config.from || config.to ? " inside --from/--to" : "");
      ++missing;
    }
    return missing > 0 ? kExitUsage : kExitOk;
  }
  std::printf("grid: %zu runs, ranked by %s\n", points->size(), flags.rank_by.c_str());
  std::fflush(stdout);
  backtest::GridOptions options;
  options.rank_by = flags.rank_by;
  options.jobs = flags.jobs;
  size_t done = 0;
  options.on_done = [&](const backtest::GridPoint& p, const nlohmann::json& report) {
    const nlohmann::json& s = report["summary"];
    std::fprintf(stderr, "  [%zu/%zu] %s: total P&L %s, %lld fills\n", ++done, points->size(),
                 p.Name().c_str(), s["total_pnl"].get<std::string>().c_str(),
                 static_cast<long long>(s["fills"].get<int64_t>()));
  };
  Result<nlohmann::json> grid = backtest::RunGrid(config, *points, *calendar, out, options);
  if (!grid.ok()) return fail(grid.status());
  for (const nlohmann::json& r : (*grid)["runs"]) {
    const nlohmann::json& s = r["summary"];
    std::printf("%3lld. %-48s return %s  sharpe %s  P&L %s  trades %lld\n",
                static_cast<long long>(r["rank"].get<int64_t>()),
                r["name"].get<std::string>().c_str(),
                s["return"].is_number() ? std::to_string(s["return"].get<double>()).c_str() : "-",
                s["sharpe"].is_number() ? std::to_string(s["sharpe"].get<double>()).c_str() : "-",
                s["total_pnl"].get<std::string>().c_str(),
                static_cast<long long>(s["trades"].get<int64_t>()));
  }
  std::printf("grid: %s\n", (out / "grid.json").c_str());
  return kExitOk;
}

}  // namespace

void AddBacktestCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<BacktestFlags>();
  CLI::App* cmd = root.add_subcommand(
      "backtest",
      "Run recorded market data through the TA feed, the trading engine and the matching engine");
  cmd->add_option("--from-file", flags->from_file,
                  "JSONL input, as `replay --from-file` reads it (Alpaca messages, frames or bus "
                  "envelopes)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--strategies", flags->strategies,
                  "Strategy catalog (YAML or JSON, SPEC §6); default: the demo catalog of `up`");
  cmd->add_option("--cash", flags->cash, "Starting cash")->capture_default_str();
  cmd->add_option("--commission-per-share", flags->commission, "Commission per share filled")
      ->capture_default_str();
  cmd->add_option("--slippage-bps", flags->slippage, "Fill prices move this much against orders")
      ->capture_default_str();
  cmd->add_option("--from", flags->from, "Trade from this event time (RFC 3339 or epoch s/ms)");
  cmd->add_option("--to", flags->to, "Trade until this event time (exclusive)");
  cmd->add_option("--symbols", flags->symbols, "Trade only these symbols")->delimiter(',');
  cmd->add_option("--out", flags->out,
                  "Directory for report.json and report.html (default $TORGHUT_DATA_DIR/backtest)");
  cmd->add_option("--grid", flags->grid,
                  "KEY=v1,v2,… or STRATEGY.KEY=v1,…: run every combination (repeat for more "
                  "axes), each into DIR/<combination>/, ranked in DIR/grid.json");
  cmd->add_option("--rank-by", flags->rank_by,
                  "Grid ranking: return, total_pnl, sharpe, sortino, win_rate, max_drawdown")
      ->capture_default_str();
  cmd->add_option("--jobs", flags->jobs, "Grid runs at a time (default: the machine's cores)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--llm", flags->llm, "Review decisions with the LLM of the LLM_* settings");
  cmd->add_flag("--no-progress", flags->no_progress, "Never draw the progress bar");
  cmd->footer(std::string("Environment:\n") + trading::kTradingSettingsEnvHelp +
              ta::kEngineEnvHelp + llm::kLlmEnvHelp +
              "  TORGHUT_DATA_DIR         default parent of --out (default ./torghut-data)\n"
              "Exit codes: 0 done, 1 failure, 2 bad input (flags, catalog, grid).");
  cmd->callback([flags, exit_code] { *exit_code = RunBacktestCommand(*flags); });
}

}  // namespace torghut::app
