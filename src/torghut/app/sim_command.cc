// `torghut sim generate`: synthetic market data as JSONL (see sim/generator.h).
// `torghut sim publish --from-file FILE`: a recording onto the bus as the forwarder would put it.
// `torghut sim serve --port P`: the Alpaca market-data stream and REST API, and a simulated broker
// (trading REST v2, trade_updates) and an OpenAI-compatible LLM reviewer (/v1/chat/completions), on
// loopback (sim/market_server.h).
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"
#include "torghut/http/server.h"
#include "torghut/sim/envelopes.h"
#include "torghut/sim/generator.h"
#include "torghut/sim/market_server.h"

namespace torghut::app {
namespace {

// --start of `sim generate` and `sim serve` (`out`: a Timestamp or an optional one): empty keeps
// `*out`; bad input prints why.
template <typename Out>
bool ParseStartFlag(const char* command, const std::string& flag, Out* out) {
  if (flag.empty()) return true;
  Result<Timestamp> start = ParseTimeArg(flag);
  if (!start.ok()) {
    std::fprintf(stderr, "torghut sim %s: --start: %s\n", command,
                 start.status().message().c_str());
    return false;
  }
  *out = *start;
  return true;
}

struct GenerateFlags {
  sim::GeneratorOptions options;
  std::string start;
  std::string out;
};

int RunGenerate(GenerateFlags& flags) {
  if (!ParseStartFlag("generate", flags.start, &flags.options.start)) return kExitUsage;
  if (Status s = sim::ValidateOptions(flags.options); !s.ok()) {
    std::fprintf(stderr, "torghut sim generate: %s\n", s.message().c_str());
    return kExitUsage;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Result<sim::GeneratorStats> stats = sim::GenerateFile(flags.options, flags.out);
  if (!stats.ok()) {
    std::fprintf(stderr, "torghut sim generate: %s\n", stats.status().message().c_str());
    return kExitFailure;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "torghut sim generate: wrote %s: %lld lines (%lld trades, %lld quotes, %lld bars, "
               "%lld duplicates, %lld late, %lld cancels), %.1f MB in %.2f s\n",
               flags.out.c_str(), static_cast<long long>(stats->lines),
               static_cast<long long>(stats->trades), static_cast<long long>(stats->quotes),
               static_cast<long long>(stats->bars), static_cast<long long>(stats->duplicates),
               static_cast<long long>(stats->late), static_cast<long long>(stats->cancels),
               static_cast<double>(stats->bytes) / 1e6, secs);
  return kExitOk;
}

int RunPublish(const std::string& path) {
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig bus_config = bus::ReadBusConfig(cfg);
  const bus::Topics topics = bus::ReadTopics(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut sim publish: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "torghut sim publish: %s\n", s.ToString().c_str());
    return kExitFailure;
  };
  auto bus = bus::OpenBus(bus_config);
  if (!bus.ok()) return fail(bus.status());
  const std::string* topic_of[] = {&topics.trades, &topics.quotes, &topics.bars_1m};
  for (const std::string* t : topic_of) {
    if (Status s = (*bus)->EnsureTopic(*t, bus_config.embedded.default_partitions); !s.ok()) {
      return fail(s);
    }
  }
  int64_t failed = 0;
  std::string first_error;
  bus::ProducerOptions popts;
  popts.on_delivery = [&](const bus::DeliveryReport& r) {
    if (r.status.ok()) return;
    if (failed++ == 0) first_error = r.status.ToString();
  };
  auto producer = (*bus)->NewProducer(popts);
  if (!producer.ok()) return fail(producer.status());
  Status produce_error;
  int64_t bad_reported = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto stats = sim::RecordedEnvelopes(
      path,
      [&](alpaca::InputTopic topic, std::string_view symbol, std::string_view json) {
        if (!produce_error.ok()) return;
        produce_error = bus::ProduceWait(**producer, *topic_of[static_cast<int>(topic)], symbol,
                                         json, 0, 0, std::chrono::seconds(60));
      },
      [&](int64_t line, std::string_view reason) {
        if (++bad_reported <= 20) {
          std::fprintf(stderr, "torghut sim publish: %s:%lld: skipped: %.*s\n", path.c_str(),
                       static_cast<long long>(line), static_cast<int>(reason.size()),
                       reason.data());
        }
      });
  if (!stats.ok()) return fail(stats.status());
  if (!produce_error.ok()) return fail(produce_error);
  if (Status s = (*producer)->Flush(std::chrono::seconds(120)); !s.ok()) return fail(s);
  if (failed > 0) {
    std::fprintf(stderr, "torghut sim publish: %lld messages not delivered (first: %s)\n",
                 static_cast<long long>(failed), first_error.c_str());
    return kExitFailure;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "torghut sim publish: %lld envelopes (%lld trades, %lld quotes, %lld bars), %lld "
               "bad lines, %.2f s\n",
               static_cast<long long>(stats->messages), static_cast<long long>(stats->trades),
               static_cast<long long>(stats->quotes), static_cast<long long>(stats->bars),
               static_cast<long long>(stats->bad_lines), secs);
  return kExitOk;
}

struct ServeFlags {
  sim::MarketServerOptions options;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string start;
  std::string cash = "100000";
};

int RunServe(ServeFlags& flags) {
  const std::atomic<bool>& stop = StopOnSignals();
  if (!ParseStartFlag("serve", flags.start, &flags.options.start)) return kExitUsage;
  Result<Decimal> cash = Decimal::Parse(flags.cash);
  if (!cash.ok()) {
    std::fprintf(stderr, "torghut sim serve: --cash: %s\n", cash.status().message().c_str());
    return kExitUsage;
  }
  flags.options.broker.cash = *cash;
  if (Status s = sim::ValidateMarketServerOptions(flags.options); !s.ok()) {
    std::fprintf(stderr, "torghut sim serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  ConfigReader cfg(EnvSource::Process());
  http::ServerConfig http_config = http::ReadServerConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut sim serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  http_config.host = flags.host;
  http_config.port = static_cast<uint16_t>(flags.port);
  // REST delays and the reviewer's hang/slow faults hold a thread per request: enough threads
  // that a few held requests never stall the streams, the trading API or /sim/faults.
  http_config.threads = std::max(http_config.threads, 8);
  sim::MarketServer market(flags.options);
  http::Registry metrics;
  http::Router router;
  market.Register(router);
  http::AddStandardEndpoints(
      router, metrics, [] { return http::Readiness{}; }, http_config);
  http::Server server(http_config, std::move(router), &metrics);
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "torghut sim serve: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  if (Status s = market.Start(); !s.ok()) {
    std::fprintf(stderr, "torghut sim serve: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  std::printf("stream ws://%s/v2/%s  REST http://%s  trade_updates ws://%s/stream  key %s\n",
              server.address().c_str(), flags.options.feed.c_str(), server.address().c_str(),
              server.address().c_str(), flags.options.key_id.c_str());
  std::fflush(stdout);
  WaitForStop(stop);
  market.Stop();  // first: it releases requests the reviewer's hang fault holds on HTTP threads
  server.Stop();
  return kExitOk;
}

}  // namespace

void AddSimCommand(CLI::App& root, int* exit_code) {
  CLI::App* sim = root.add_subcommand(
      "sim", "Alpaca-protocol simulator: synthetic or recorded market data for tests and demos");
  sim->require_subcommand(1, 1);

  auto flags = std::make_shared<GenerateFlags>();
  CLI::App* gen = sim->add_subcommand(
      "generate", "Write synthetic market data (one Alpaca message object per line) to a file");
  sim::GeneratorOptions& o = flags->options;
  gen->add_option("--symbols", o.symbols, "Comma-separated symbols")
      ->delimiter(',')
      ->capture_default_str();
  gen->add_option("--seconds", o.seconds, "Length of the generated span in seconds")
      ->capture_default_str();
  gen->add_option("--seed", o.seed, "PRNG seed: same seed, same bytes")->capture_default_str();
  gen->add_option("--out", flags->out, "Output JSONL file")->required();
  gen->add_option("--start", flags->start,
                  "Start of the span (RFC 3339 or epoch s/ms; default 2024-01-02T14:30:00Z)");
  gen->add_option("--rate", o.trades_per_second, "Mean trades per second per symbol")
      ->capture_default_str();
  gen->add_option("--quotes-per-trade", o.quotes_per_trade, "Mean quotes per trade")
      ->capture_default_str();
  gen->add_option("--volatility", o.annual_volatility, "Annualised GBM volatility")
      ->capture_default_str();
  gen->add_option("--duplicate-share", o.duplicate_share, "Share of trades sent twice")
      ->capture_default_str();
  gen->add_option("--late-share", o.late_share, "Share of trades delivered late")
      ->capture_default_str();
  gen->add_option("--max-lateness-ms", o.max_lateness_ms, "Maximum lateness of a late trade")
      ->capture_default_str();
  gen->add_option("--cancel-share", o.cancel_share, "Share of trades later cancelled")
      ->capture_default_str();
  gen->add_flag("!--no-minute-bars", o.minute_bars, "Do not emit minute bars");
  gen->add_option("--sessions", o.sessions,
                  "N regular New York sessions from --start's day instead of --seconds: market "
                  "hours only, busiest at the open and close, an overnight gap at each open")
      ->check(CLI::Range(0, 2520));
  gen->add_option("--overnight-gap", o.overnight_gap_sigma,
                  "With --sessions: the overnight gap's standard deviation (log return)")
      ->capture_default_str();
  gen->callback([flags, exit_code] { *exit_code = RunGenerate(*flags); });

  auto publish_path = std::make_shared<std::string>();
  CLI::App* pub = sim->add_subcommand(
      "publish",
      "Put a recorded JSONL file on the bus as the forwarder would (envelopes, source \"file\")");
  pub->add_option("--from-file", *publish_path, "JSONL: Alpaca messages or frames, one per line")
      ->required()
      ->check(CLI::ExistingFile);
  pub->footer(std::string("Environment:\n") + bus::kBusEnvHelp +
              "  TOPIC_TRADES, TOPIC_QUOTES, TOPIC_BARS_1M  input topic names (SPEC §3)\n");
  pub->callback([publish_path, exit_code] { *exit_code = RunPublish(*publish_path); });

  auto serve = std::make_shared<ServeFlags>();
  sim::MarketServerOptions& so = serve->options;
  CLI::App* srv = sim->add_subcommand(
      "serve",
      "Serve the Alpaca market-data stream (ws://HOST:PORT/v2/<feed>), its REST data API "
      "(/v2/stocks/trades, /v2/stocks/bars), a simulated broker (trading REST v2: /v2/account, "
      "/v2/orders, /v2/positions, …; trade_updates at /stream), an OpenAI-compatible LLM reviewer "
      "(POST /v1/chat/completions) and fault switches (POST /sim/faults) on loopback");
  srv->add_option("--port", serve->port, "Port (0: any free one; the log line says which)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  srv->add_option("--host", serve->host, "Address to listen on")->capture_default_str();
  srv->add_option("--feed", so.feed, "Feed this stream serves (/v2/<feed>)")->capture_default_str();
  srv->add_option("--symbols", so.generator.symbols, "Comma-separated symbols (synthetic data)")
      ->delimiter(',')
      ->capture_default_str();
  srv->add_option("--rate", so.generator.trades_per_second, "Mean trades per second per symbol")
      ->capture_default_str();
  srv->add_option("--seed", so.generator.seed, "PRNG seed of the synthetic market")
      ->capture_default_str();
  srv->add_option("--late-share", so.generator.late_share,
                  "Share of trades delivered late (up to 2 s)")
      ->capture_default_str();
  srv->add_option("--duplicate-share", so.generator.duplicate_share, "Share of trades sent twice")
      ->capture_default_str();
  srv->add_option("--start", serve->start,
                  "Market clock start (RFC 3339 or epoch s/ms; default now)");
  srv->add_option("--from-file", so.from_file, "Replay a recording (JSONL) instead")
      ->check(CLI::ExistingFile);
  srv->add_option("--speed", so.speed, "Market clock speed vs real time")->capture_default_str();
  srv->add_option("--batch-ms", so.batch_ms, "How often due messages are sent as frames")
      ->capture_default_str();
  srv->add_option("--key-id", so.key_id, "Accepted key id")->capture_default_str();
  srv->add_option("--secret-key", so.secret_key, "Accepted secret")->capture_default_str();
  srv->add_option("--max-symbols", so.max_symbols,
                  "Symbols one connection may subscribe (more: error 405)")
      ->capture_default_str();
  srv->add_option("--entitled-feeds", so.entitled_feeds,
                  "Feeds the key may use (others: error 409)")
      ->delimiter(',')
      ->capture_default_str();
  srv->add_option("--auth-timeout-ms", so.auth_timeout_ms, "Auth deadline (error 404)")
      ->capture_default_str();
  srv->add_flag("--wait-for-subscriber", so.wait_for_subscriber,
                "Start the market clock when the first client subscribes");
  srv->add_option("--slow-client-bytes", so.slow_client_bytes,
                  "Bytes queued for one client before it is cut off (error 407)")
      ->capture_default_str();
  srv->add_option("--cash", serve->cash, "The simulated broker account's starting cash")
      ->capture_default_str();
  srv->add_flag("--allow-shorts", so.broker.allow_shorts,
                "Let sells exceed the position (else 403 insufficient qty)");
  srv->add_option("--orders-per-minute", so.broker.orders_per_minute,
                  "Order POSTs per minute before 429 (X-Ratelimit-* headers)")
      ->capture_default_str();
  srv->add_option("--llm-api-key", so.llm_api_key,
                  "Bearer key /v1/chat/completions accepts (others: 401 invalid_api_key)")
      ->capture_default_str();
  srv->add_option("--record-sent", so.record_sent,
                  "Append every data message sent to a client to this JSONL file");
  srv->footer(std::string("Environment:\n") + http::kHttpEnvHelp);
  srv->callback([serve, exit_code] { *exit_code = RunServe(*serve); });
}

}  // namespace torghut::app
