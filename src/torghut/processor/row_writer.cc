#include "torghut/processor/row_writer.h"

#include <algorithm>
#include <chrono>

#include "torghut/ta/row_json.h"

namespace torghut::processor {
namespace {
constexpr std::chrono::milliseconds kProduceTimeout{30'000};
}  // namespace

RowWriteResult RowWriter::Write(RowBuffer& out) {
  RowWriteResult r;
  if (out.size() == 0) return r;
  r.store = store_->WriteMicrobars(out.microbars);
  if (r.store.ok()) r.store = store_->WriteSignals(out.signals);
  if (!r.store.ok()) return r;
  if (publish_) {
    auto produce = [&](const std::string& topic, const std::string& key) {
      if (Status s = bus::ProduceWait(*producer_, topic, key, json_, 0, 0, kProduceTimeout);
          !s.ok()) {
        ++r.produce_failures;
        r.last_produce_error = s.message();
      }
    };
    for (const auto& row : out.microbars) {
      json_.clear();
      ta::AppendMicrobarJson(row, &json_);
      produce(microbars_topic_, row.id.symbol);
    }
    for (const auto& row : out.signals) {
      json_.clear();
      ta::AppendSignalJson(row, &json_);
      produce(signals_topic_, row.id.symbol);
    }
    producer_->Poll(std::chrono::milliseconds(0));
  }
  for (const auto& row : out.microbars) {
    r.newest_event_ms = std::max(r.newest_event_ms, row.id.event_ts.millis());
  }
  r.rows = static_cast<int64_t>(out.size());
  out.clear();
  return r;
}

}  // namespace torghut::processor
