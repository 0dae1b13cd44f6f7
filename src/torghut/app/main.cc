// torghut: one binary, one subcommand per role (SPEC §1).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "torghut/app/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"torghut: US-equities market data -> technical-analysis signals -> paper trading",
               "torghut"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "torghut 0.1.0");
  app.footer(
      "Common environment: TORGHUT_DATA_DIR (default ./torghut-data), TORGHUT_LOG_LEVEL "
      "(debug|info|warn|error).\nRun 'torghut <command> --help' for a command's flags and "
      "environment.");

  int exit_code = torghut::app::kExitOk;
  torghut::app::AddSimCommand(app, &exit_code);
  torghut::app::AddReplayCommand(app, &exit_code);
  torghut::app::AddBusCommand(app, &exit_code);
  torghut::app::AddMigrateCommand(app, &exit_code);
  torghut::app::AddStrategyCommand(app, &exit_code);
  torghut::app::AddTaCommand(app, &exit_code);
  torghut::app::AddWsCommand(app, &exit_code);
  torghut::app::AddServeCommand(app, &exit_code);
  torghut::app::AddTradeCommand(app, &exit_code);
  torghut::app::AddBacktestCommand(app, &exit_code);
  torghut::app::AddUpCommand(app, &exit_code);
  torghut::app::AddHealthCommand(app, &exit_code);

  // CLI11 would call an unknown command "an unexpected argument"; say what it is.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
    if (!known) {
      std::fprintf(stderr, "torghut: unknown command '%s' (see 'torghut --help')\n", argv[1]);
      return torghut::app::kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One clear line, never CLI11's multi-line dump.
    std::fprintf(stderr, "torghut: %s (see 'torghut --help')\n", e.what());
    return torghut::app::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "torghut: %s\n", e.what());
    return torghut::app::kExitFailure;
  }
  return exit_code;
}
