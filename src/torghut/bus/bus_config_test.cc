#include "torghut/bus/bus_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace torghut::bus {
namespace {

BusConfig Read(std::map<std::string, std::string> env, Status* status = nullptr) {
  ConfigReader cfg(EnvSource::FromMap(std::move(env)));
  BusConfig c = ReadBusConfig(cfg);
  if (status != nullptr) *status = cfg.Finish();
  return c;
}

TEST(BusConfig, DefaultsAreTheEmbeddedBusUnderTheDataDir) {
  Status s;
  const BusConfig c = Read({{"TORGHUT_DATA_DIR", "/tmp/x"}}, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.backend, "embedded");
  EXPECT_EQ(c.embedded.dir, "/tmp/x/bus");
  EXPECT_EQ(c.embedded.default_partitions, 3);
  EXPECT_EQ(c.embedded.fsync, FsyncPolicy::kInterval);
}

TEST(BusConfig, KafkaSettingsAndPassThrough) {
  Status s;
  const BusConfig c = Read({{"BUS", "kafka"},
                            {"KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"},
                            {"KAFKA_LINGER_MS", "20"},
                            {"KAFKA_SESSION_TIMEOUT_MS", "6000"},
                            {"KAFKA_ACKS", "1"}},
                           &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.kafka.properties.at("bootstrap.servers"), "k1:9092,k2:9092");
  EXPECT_EQ(c.kafka.properties.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c.kafka.producer_properties.at("linger.ms"), "20");
  EXPECT_EQ(c.kafka.producer_properties.at("enable.idempotence"), "true");
  EXPECT_EQ(c.kafka.producer_properties.at("compression.type"), "lz4");
  // A pass-through value overrides Torghut's producer default.
  EXPECT_EQ(c.kafka.producer_properties.count("acks"), 0u);
  EXPECT_EQ(c.kafka.properties.at("acks"), "1");
}

TEST(BusConfig, SaslNeedsCredentialsAndReadsThemFromFiles) {
  Status s;
  Read({{"BUS", "kafka"},
        {"KAFKA_BOOTSTRAP_SERVERS", "k:9093"},
        {"KAFKA_SECURITY_PROTOCOL", "SASL_SSL"}},
       &s);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("KAFKA_SASL_USER"), std::string::npos);
  EXPECT_NE(s.message().find("KAFKA_SASL_PASSWORD"), std::string::npos);

  const auto file = std::filesystem::temp_directory_path() / "torghut-kafka-password";
  std::ofstream(file) << "s3cret\n";
  const BusConfig c = Read({{"BUS", "kafka"},
                            {"KAFKA_BOOTSTRAP_SERVERS", "k:9093"},
                            {"KAFKA_SECURITY_PROTOCOL", "SASL_SSL"},
                            {"KAFKA_SASL_USER", "torghut"},
                            {"KAFKA_SASL_PASSWORD_FILE", file.string()},
                            {"KAFKA_SSL_CA_LOCATION", "/etc/ca.pem"}},
                           &s);
  std::filesystem::remove(file);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.kafka.properties.at("sasl.password"), "s3cret");
  EXPECT_EQ(c.kafka.properties.at("sasl.username"), "torghut");
  EXPECT_EQ(c.kafka.properties.at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(c.kafka.properties.at("ssl.ca.location"), "/etc/ca.pem");
  EXPECT_EQ(c.kafka.properties.count("kafka.sasl.password.file"), 0u);
}

TEST(BusConfig, BadValuesAreAllReported) {
  Status s;
  Read({{"BUS", "rabbit"}, {"BUS_PARTITIONS", "0"}, {"BUS_FSYNC", "never"}}, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("BUS:"), std::string::npos);
  EXPECT_NE(s.message().find("BUS_PARTITIONS"), std::string::npos);
  EXPECT_NE(s.message().find("BUS_FSYNC"), std::string::npos);
  Read({{"BUS", "kafka"}}, &s);
  EXPECT_NE(s.message().find("KAFKA_BOOTSTRAP_SERVERS"), std::string::npos);
}

TEST(Topics, DefaultsAliasesAndConflicts) {
  ConfigReader ok(EnvSource::FromMap({{"TA_TRADES_TOPIC", "my.trades"}}));
  const Topics t = ReadTopics(ok);
  EXPECT_TRUE(ok.Finish().ok());
  EXPECT_EQ(t.trades, "my.trades");
  EXPECT_EQ(t.ta_signals, "torghut.ta.signals.v1");
  EXPECT_EQ(t.bars_1m, "torghut.bars.1m.v1");

  ConfigReader conflict(EnvSource::FromMap({{"TOPIC_TRADES", "a.trades"},
                                            {"TA_TRADES_TOPIC", "b.trades"},
                                            {"TA_SIGNALS_TOPIC", "bad topic"}}));
  ReadTopics(conflict);
  const Status s = conflict.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TOPIC_TRADES and TA_TRADES_TOPIC"), std::string::npos);
  EXPECT_NE(s.message().find("TA_SIGNALS_TOPIC"), std::string::npos);
}

TEST(PartitionForKey, MatchesKafkasMurmur2) {
  // Expected values from Kafka's Utils.murmur2 test vectors, made positive and taken mod 1000.
  const std::vector<std::pair<std::string, int64_t>> vectors = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
  };
  for (const auto& [key, murmur] : vectors) {
    const int64_t positive = murmur & 0x7fffffff;
    EXPECT_EQ(PartitionForKey(key, 1000), positive % 1000) << key;
  }
}

TEST(TopicNames, KafkasRules) {
  EXPECT_TRUE(ValidateTopicName("torghut.ta.bars.1s.v1").ok());
  EXPECT_FALSE(ValidateTopicName("").ok());
  EXPECT_FALSE(ValidateTopicName("..").ok());
  EXPECT_FALSE(ValidateTopicName("a/b").ok());
  EXPECT_FALSE(ValidateTopicName(std::string(250, 'a')).ok());
}

}  // namespace
}  // namespace torghut::bus
