// The symbols the forwarder subscribes (SPEC §2): SYMBOLS, merged with the list polled from
// JANGAR_SYMBOLS_URL every SYMBOLS_POLL_INTERVAL_MS; a failed or empty poll keeps the last good
// list.
//
//   forwarder::Universe universe(config, &SystemClock());
//   universe.Poll(/*force=*/true);            // at start
//   if (universe.PollDue()) universe.Poll(false);
//   const std::vector<std::string>& symbols = universe.symbols();   // sorted, no duplicates
//
// Not thread-safe (the session thread owns it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/forwarder/forwarder_config.h"
#include "torghut/http/client.h"

namespace torghut::forwarder {

// A symbol list from the universe endpoint: a JSON array of strings, or an object with a
// "symbols" array; sorted, without duplicates. InvalidArgument otherwise or when a symbol is not
// valid.
Result<std::vector<std::string>> ParseSymbolList(std::string_view body);

class Universe {
 public:
  // `config` and `clock` must outlive this.
  Universe(const ForwarderConfig& config, const Clock* clock);

  const std::vector<std::string>& symbols() const { return symbols_; }
  // A URL is configured and its next poll is due.
  bool PollDue() const;
  // Fetches the list (when due, or now with `force`); true when the list changed.
  bool Poll(bool force);

 private:
  const ForwarderConfig& config_;
  const Clock* clock_;
  http::HttpClient client_;
  std::vector<std::string> symbols_;
  int64_t next_poll_ns_ = 0;
};

}  // namespace torghut::forwarder
