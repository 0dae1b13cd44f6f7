// Bus settings from the environment (SPEC §3) and the factory that opens the configured backend.
//
//   ConfigReader cfg(EnvSource::Process());
//   BusConfig config = ReadBusConfig(cfg);
//   Topics topics = ReadTopics(cfg);
//   if (Status s = cfg.Finish(); !s.ok()) ...   // one line per bad variable
//   TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<Bus> bus, OpenBus(config));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/core/config.h"

namespace torghut::bus {

// Topic names, each from its env variable (SPEC §3 table).
struct Topics {
  std::string trades = "torghut.trades.v1";
  std::string quotes = "torghut.quotes.v1";
  std::string bars_1m = "torghut.bars.1m.v1";
  std::string status = "torghut.status.v1";
  std::string ta_microbars = "torghut.ta.bars.1s.v1";
  std::string ta_signals = "torghut.ta.signals.v1";
  std::string ta_status = "torghut.ta.status.v1";
};

// TOPIC_TRADES / TA_TRADES_TOPIC, TOPIC_QUOTES / TA_QUOTES_TOPIC, TOPIC_BARS_1M / TA_BARS1M_TOPIC,
// TOPIC_STATUS, TA_MICROBARS_TOPIC, TA_SIGNALS_TOPIC, TA_STATUS_TOPIC. Where a topic has two
// names (the forwarder's and TA's), setting both to different values is an error.
Topics ReadTopics(ConfigReader& cfg);

enum class FsyncPolicy : uint8_t {
  kInterval,  // fsync at most every fsync_interval_ms; a report means "written" (survives kill -9)
  kBatch,     // fsync every appended batch before reporting it (survives power loss)
};

struct EmbeddedOptions {
  std::string dir;                                // the bus lives in <dir> (TORGHUT_DATA_DIR/bus)
  int32_t default_partitions = 3;                 // for topics created on first produce
  int64_t segment_bytes = 64ll << 20;             // roll a segment beyond this size
  int64_t retention_ms = 7ll * 24 * 3600 * 1000;  // delete segments whose newest record is older
  int64_t retention_bytes = 0;                    // per partition; 0 = no size limit
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int64_t fsync_interval_ms = 1000;
  int64_t index_interval_bytes = 4096;  // one sparse index entry per this many bytes
  const Clock* clock = &SystemClock();  // for retention by age and default timestamps
};

struct KafkaOptions {
  // librdkafka properties for every client (bootstrap.servers, security.*, sasl.*, ssl.*, and the
  // KAFKA_X_Y pass-through ones).
  std::map<std::string, std::string> properties;
  // Added to producers' properties only (acks, idempotence, compression, linger, batch).
  std::map<std::string, std::string> producer_properties;
  // Added to consumers' properties only.
  std::map<std::string, std::string> consumer_properties;
};

struct BusConfig {
  std::string backend = "embedded";  // BUS
  EmbeddedOptions embedded;
  KafkaOptions kafka;
};

// Reads BUS, TORGHUT_DATA_DIR, BUS_* (embedded) and KAFKA_* (kafka). Help text: kBusEnvHelp.
BusConfig ReadBusConfig(ConfigReader& cfg);

extern const char kBusEnvHelp[];

Result<std::unique_ptr<Bus>> OpenBus(const BusConfig& config);

}  // namespace torghut::bus
