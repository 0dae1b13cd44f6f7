#include "torghut/forwarder/backfill.h"

#include <algorithm>

#include "torghut/core/log.h"
#include "torghut/core/time.h"

namespace torghut::forwarder {

using alpaca::Channel;

void GapTracker::Saw(int64_t event_ns) {
  last_event_ns_ = std::max(last_event_ns_, event_ns);
  if (first_after_connect_ns_ == 0) first_after_connect_ns_ = event_ns;
}

void GapTracker::OnSubscribed(int64_t now_ns, bool enabled) {
  gap_start_ns_ = had_session_ ? last_event_ns_ : 0;
  had_session_ = true;
  subscribed_at_ns_ = now_ns;
  due_ = enabled && gap_start_ns_ > 0;
}

std::optional<Gap> GapTracker::TakeDue(int64_t now_ns) {
  if (!due_) return std::nullopt;
  if (first_after_connect_ns_ == 0 && now_ns - subscribed_at_ns_ <= end_wait_ms_ * kNanosPerMilli) {
    return std::nullopt;
  }
  due_ = false;
  return Gap{gap_start_ns_, first_after_connect_ns_ > 0 ? first_after_connect_ns_ : now_ns};
}

Backfill::Backfill(const ForwarderConfig& config, http::Registry* metrics)
    : config_(config),
      rest_(config.data_url, config.key_id, config.secret_key, config.ca_file),
      backfilled_(&metrics->GetCounter("torghut_ws_backfill_messages_total",
                                       "Messages forwarded from the REST backfill")) {}

int64_t Backfill::Run(Gap gap, const std::vector<std::string>& symbols, const Emit& emit) {
  if (gap.end_ns <= gap.start_ns) return 0;
  const int64_t max_gap_ns = config_.backfill_max_gap_ms * kNanosPerMilli;
  if (gap.end_ns - gap.start_ns > max_gap_ns) {
    log::Warn("ws", "gap too long to backfill; replay it",
              {{"gap_ms", (gap.end_ns - gap.start_ns) / kNanosPerMilli}});
    gap.start_ns = gap.end_ns - max_gap_ns;
  }
  const Timestamp start = Timestamp::FromNanos(gap.start_ns);
  const Timestamp end = Timestamp::FromNanos(gap.end_ns);
  auto wanted = [&](Channel c) {
    return std::find(config_.channels.begin(), config_.channels.end(), c) != config_.channels.end();
  };
  const bool want_trades = wanted(Channel::kTrades), want_bars = wanted(Channel::kBars);
  int64_t forwarded = 0;
  auto forward = [&](std::string_view message) { forwarded += emit(message); };
  for (size_t at = 0; at < symbols.size(); at += kSymbolsPerRequest) {
    const std::vector<std::string> chunk(
        symbols.begin() + static_cast<ptrdiff_t>(at),
        symbols.begin() +
            static_cast<ptrdiff_t>(std::min(symbols.size(), at + kSymbolsPerRequest)));
    for (RestKind kind : {RestKind::kTrades, RestKind::kBars}) {
      if (kind == RestKind::kTrades ? !want_trades : !want_bars) continue;
      // Bars are stamped with their minute's start: the gap's first minute may be incomplete on
      // the stream side.
      const Timestamp from = kind == RestKind::kBars ? start.FloorTo(kNanosPerMinute) : start;
      auto n = rest_.Fetch(kind, chunk, from, end, config_.feed, forward);
      if (!n.ok()) log::Error("ws", "backfill failed", {{"error", n.status().message()}});
    }
  }
  backfilled_->Inc(forwarded);
  log::Info("ws", "backfilled gap",
            {{"from", FormatRfc3339(start)}, {"to", FormatRfc3339(end)}, {"messages", forwarded}});
  return forwarded;
}

}  // namespace torghut::forwarder
