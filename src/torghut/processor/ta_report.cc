#include "torghut/processor/ta_report.h"

#include <nlohmann/json.hpp>

namespace torghut::processor {

std::string_view DegradationName(Degradation d) {
  switch (d) {
    case Degradation::kNone:
      return "";
    case Degradation::kStoreUnavailable:
      return "store_unavailable";
    case Degradation::kStoreFull:
      return "store_full";
    case Degradation::kStoreReadOnly:
      return "store_readonly";
    case Degradation::kBusUnavailable:
      return "bus_unavailable";
    case Degradation::kBusProduce:
      return "bus_produce";
    case Degradation::kCheckpointWrite:
      return "checkpoint_write";
    case Degradation::kCheckpointAuth:
      return "checkpoint_auth";
    case Degradation::kCheckpointUnavailable:
      return "checkpoint_unavailable";
  }
  return "";
}

std::string DescribeDegradation(Degradation d, std::string_view message) {
  if (d == Degradation::kNone) return "";
  return std::string(DegradationName(d)) + ": " + std::string(message);
}

Degradation StoreDegradation(const Status& s) {
  if (s.code() == StatusCode::kResourceExhausted) return Degradation::kStoreFull;
  if (s.code() == StatusCode::kUnavailable &&
      s.message().find(kReadOnlyReplicaMarker) != std::string_view::npos) {
    return Degradation::kStoreReadOnly;
  }
  return Degradation::kStoreUnavailable;
}

Degradation CheckpointDegradation(const Status& s, bool remote) {
  if (s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kPermissionDenied) {
    return Degradation::kCheckpointAuth;
  }
  if (remote &&
      (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded)) {
    return Degradation::kCheckpointUnavailable;
  }
  return Degradation::kCheckpointWrite;
}

std::string TaServiceReport::ToJson() const {
  nlohmann::json j = {{"state", state},
                      {"health", health},
                      {"reason", reason},
                      {"group_id", group_id},
                      {"restart_nonce", restart_nonce},
                      {"partitions", partitions},
                      {"source_lag_messages", source_lag_messages},
                      {"watermark_lag_ms", watermark_lag_ms},
                      {"last_input_event_ms", last_input_event_ms},
                      {"last_output_event_ms", last_output_event_ms},
                      {"checkpoint_age_ms", checkpoint_age_ms},
                      {"sink_health", sink_health},
                      {"input_rate", input_rate},
                      {"output_rate", output_rate},
                      {"messages", messages},
                      {"bad_messages", bad_messages},
                      {"ignored_messages", ignored_messages},
                      {"filtered_messages", filtered_messages},
                      {"rows_written", rows_written},
                      {"checkpoints", checkpoints},
                      {"commits", commits},
                      {"store_failures", store_failures},
                      {"savepoints_taken", savepoints_taken},
                      {"time_ms", time_ms}};
  return j.dump();
}

}  // namespace torghut::processor
