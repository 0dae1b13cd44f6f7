// The subcommands of the `torghut` binary. Each Add*Command registers one subcommand (with its
// flags, env-variable help and --help) on the root CLI11 app; when that subcommand is chosen its
// callback runs the role and stores the process exit code in *exit_code.
//
// These files are wiring only: parse settings, build the components, run them. Logic lives in
// the modules. Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad configuration.
#pragma once

#include <atomic>

namespace CLI {
class App;
}

namespace torghut::app {

void AddSimCommand(CLI::App& root, int* exit_code);
void AddReplayCommand(CLI::App& root, int* exit_code);
void AddBusCommand(CLI::App& root, int* exit_code);
void AddMigrateCommand(CLI::App& root, int* exit_code);
void AddStrategyCommand(CLI::App& root, int* exit_code);
void AddTaCommand(CLI::App& root, int* exit_code);
void AddWsCommand(CLI::App& root, int* exit_code);
void AddServeCommand(CLI::App& root, int* exit_code);
void AddUpCommand(CLI::App& root, int* exit_code);
void AddTradeCommand(CLI::App& root, int* exit_code);
void AddBacktestCommand(CLI::App& root, int* exit_code);
void AddHealthCommand(CLI::App& root, int* exit_code);

// Installs SIGINT/SIGTERM handlers that set the returned flag (call it first thing: a signal during
// start-up must still mean "stop cleanly"). Every long-running role stops on this flag.
const std::atomic<bool>& StopOnSignals();
// Blocks until `stop` is set (roles whose work runs on other threads).
void WaitForStop(const std::atomic<bool>& stop);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace torghut::app
