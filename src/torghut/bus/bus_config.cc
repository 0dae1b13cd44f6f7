#include "torghut/bus/bus_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "torghut/bus/embedded/embedded_bus.h"
#include "torghut/bus/kafka/kafka_bus.h"

namespace torghut::bus {
namespace {

// One topic that may be named by two variables (the forwarder's and TA's).
std::string TopicFrom(ConfigReader& cfg, std::string_view primary, std::string_view alias,
                      const std::string& fallback) {
  const std::optional<std::string> a = cfg.OptionalString(primary);
  const std::optional<std::string> b = alias.empty() ? std::nullopt : cfg.OptionalString(alias);
  if (a && b && *a != *b) {
    cfg.AddError(std::string(primary) + " and " + std::string(alias) +
                 " name different topics (\"" + *a + "\" vs \"" + *b + "\"); set one");
  }
  const std::string name = a ? *a : (b ? *b : fallback);
  if (Status s = ValidateTopicName(name); !s.ok()) {
    cfg.AddError(std::string(a ? primary : alias) + ": " + s.message());
    return fallback;
  }
  return name;
}

// KAFKA_* variables that are Torghut's own settings, not librdkafka pass-through.
const std::set<std::string, std::less<>> kKafkaOwnVariables = {
    "KAFKA_BOOTSTRAP_SERVERS",  "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECH",
    "KAFKA_SASL_USER",          "KAFKA_SASL_USER_FILE",    "KAFKA_SASL_PASSWORD",
    "KAFKA_SASL_PASSWORD_FILE", "KAFKA_SSL_CA_LOCATION",   "KAFKA_LINGER_MS",
    "KAFKA_BATCH_SIZE",
};

}  // namespace

Topics ReadTopics(ConfigReader& cfg) {
  Topics t;
  const Topics d;
  t.trades = TopicFrom(cfg, "TOPIC_TRADES", "TA_TRADES_TOPIC", d.trades);
  t.quotes = TopicFrom(cfg, "TOPIC_QUOTES", "TA_QUOTES_TOPIC", d.quotes);
  t.bars_1m = TopicFrom(cfg, "TOPIC_BARS_1M", "TA_BARS1M_TOPIC", d.bars_1m);
  t.status = TopicFrom(cfg, "TOPIC_STATUS", "", d.status);
  t.ta_microbars = TopicFrom(cfg, "TA_MICROBARS_TOPIC", "", d.ta_microbars);
  t.ta_signals = TopicFrom(cfg, "TA_SIGNALS_TOPIC", "", d.ta_signals);
  t.ta_status = TopicFrom(cfg, "TA_STATUS_TOPIC", "", d.ta_status);
  return t;
}

const char kBusEnvHelp[] =
    "Bus (SPEC §3):\n"
    "  BUS                      embedded | kafka (default embedded)\n"
    "  TORGHUT_DATA_DIR         the embedded bus lives in $TORGHUT_DATA_DIR/bus (default "
    "./torghut-data)\n"
    "  BUS_DIR                  put the embedded bus elsewhere (shared by several data dirs)\n"
    "  BUS_PARTITIONS           partitions of topics the embedded bus creates (default 3)\n"
    "  BUS_SEGMENT_BYTES        embedded segment size (default 67108864)\n"
    "  BUS_RETENTION_HOURS      delete embedded segments older than this (default 168)\n"
    "  BUS_RETENTION_BYTES      per-partition size limit, 0 = none (default 0)\n"
    "  BUS_FSYNC                interval | batch (default interval)\n"
    "  BUS_FSYNC_INTERVAL_MS    (default 1000)\n"
    "  KAFKA_BOOTSTRAP_SERVERS  host:port,... (required when BUS=kafka)\n"
    "  KAFKA_SECURITY_PROTOCOL  PLAINTEXT | SASL_PLAINTEXT | SASL_SSL (default PLAINTEXT)\n"
    "  KAFKA_SASL_MECH          (default SCRAM-SHA-512)\n"
    "  KAFKA_SASL_USER[_FILE], KAFKA_SASL_PASSWORD[_FILE], KAFKA_SSL_CA_LOCATION\n"
    "  KAFKA_LINGER_MS          producer linger (default 5)\n"
    "  KAFKA_BATCH_SIZE         producer batch bytes (default 1000000)\n"
    "  KAFKA_X_Y                any other: librdkafka property x.y (e.g. "
    "KAFKA_SESSION_TIMEOUT_MS)\n";

BusConfig ReadBusConfig(ConfigReader& cfg) {
  BusConfig c;
  c.backend = cfg.Enum("BUS", {"embedded", "kafka"}, "embedded");

  EmbeddedOptions& e = c.embedded;
  e.dir = cfg.String("BUS_DIR", (std::filesystem::path(DataDir(cfg)) / "bus").string());
  e.default_partitions = static_cast<int32_t>(cfg.Int("BUS_PARTITIONS", 3, 1, 1024));
  e.segment_bytes = cfg.Int("BUS_SEGMENT_BYTES", 64ll << 20, 4096, 1ll << 30);
  e.retention_ms = cfg.Int("BUS_RETENTION_HOURS", 168, 1, 24 * 3650) * 3600 * 1000;
  e.retention_bytes = cfg.Int("BUS_RETENTION_BYTES", 0, 0, int64_t{1} << 50);
  e.fsync = cfg.Enum("BUS_FSYNC", {"interval", "batch"}, "interval") == "batch"
                ? FsyncPolicy::kBatch
                : FsyncPolicy::kInterval;
  e.fsync_interval_ms = cfg.Int("BUS_FSYNC_INTERVAL_MS", 1000, 1, 3'600'000);

  KafkaOptions& k = c.kafka;
  const std::string bootstrap = cfg.String("KAFKA_BOOTSTRAP_SERVERS", "");
  if (c.backend == "kafka" && bootstrap.empty()) {
    cfg.AddError("KAFKA_BOOTSTRAP_SERVERS: required when BUS=kafka");
  }
  if (!bootstrap.empty()) k.properties["bootstrap.servers"] = bootstrap;
  const std::string protocol =
      cfg.Enum("KAFKA_SECURITY_PROTOCOL", {"PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"}, "PLAINTEXT");
  k.properties["security.protocol"] = protocol;
  if (protocol != "PLAINTEXT") {
    k.properties["sasl.mechanism"] = cfg.String("KAFKA_SASL_MECH", "SCRAM-SHA-512");
    const std::string user = cfg.Secret("KAFKA_SASL_USER", c.backend == "kafka");
    const std::string password = cfg.Secret("KAFKA_SASL_PASSWORD", c.backend == "kafka");
    if (!user.empty()) k.properties["sasl.username"] = user;
    if (!password.empty()) k.properties["sasl.password"] = password;
  }
  if (std::optional<std::string> ca = cfg.OptionalString("KAFKA_SSL_CA_LOCATION")) {
    k.properties["ssl.ca.location"] = *ca;
  }
  k.producer_properties = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      {"partitioner", "murmur2_random"},
      {"linger.ms", std::to_string(cfg.Int("KAFKA_LINGER_MS", 5, 0, 900'000))},
      {"batch.size", std::to_string(cfg.Int("KAFKA_BATCH_SIZE", 1'000'000, 1, 2'147'483'647))},
  };
  // Everything else under KAFKA_ passes through: KAFKA_SESSION_TIMEOUT_MS -> session.timeout.ms.
  for (const auto& [name, value] : cfg.WithPrefix("KAFKA_")) {
    if (kKafkaOwnVariables.count(name) != 0 || name.size() <= 6) continue;
    std::string property = name.substr(6);
    for (char& ch : property) {
      ch = ch == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    // A pass-through setting wins over Torghut's producer defaults.
    k.producer_properties.erase(property);
    k.properties[property] = value;
  }
  return c;
}

Result<std::unique_ptr<Bus>> OpenBus(const BusConfig& config) {
  if (config.backend == "kafka") {
    TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<kafka::KafkaBus> bus,
                             kafka::KafkaBus::Open(config.kafka));
    return std::unique_ptr<Bus>(std::move(bus));
  }
  if (config.backend == "embedded") {
    TORGHUT_ASSIGN_OR_RETURN(std::unique_ptr<embedded::EmbeddedBus> bus,
                             embedded::EmbeddedBus::Open(config.embedded));
    return std::unique_ptr<Bus>(std::move(bus));
  }
  return InvalidArgument("BUS must be embedded or kafka, not '" + config.backend + "'");
}

}  // namespace torghut::bus
