#include "torghut/core/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "torghut/core/log.h"

namespace torghut {
namespace {

TEST(ConfigTest, GoodValuesAndDefaults) {
  ConfigReader cfg(EnvSource::FromMap({{"N", " 42 "},
                                       {"D", "1.5"},
                                       {"B", "Yes"},
                                       {"E", "kafka"},
                                       {"L", " AAPL, MSFT,,NVDA "},
                                       {"S", "hello"},
                                       {"EMPTY", ""}}));
  EXPECT_EQ(cfg.Int("N", 1, 0, 100), 42);
  EXPECT_EQ(cfg.Int("MISSING", 7, 0, 100), 7);
  EXPECT_EQ(cfg.Int("EMPTY", 8, 0, 100), 8);
  EXPECT_DOUBLE_EQ(cfg.Double("D", 0, 0, 10), 1.5);
  EXPECT_TRUE(cfg.Bool("B", false));
  EXPECT_FALSE(cfg.Bool("MISSING", false));
  EXPECT_EQ(cfg.Enum("E", {"embedded", "kafka"}, "embedded"), "kafka");
  EXPECT_EQ(cfg.List("L", {}), (std::vector<std::string>{"AAPL", "MSFT", "NVDA"}));
  EXPECT_EQ(cfg.String("S", "x"), "hello");
  EXPECT_EQ(cfg.String("MISSING", "x"), "x");
  EXPECT_FALSE(cfg.OptionalString("EMPTY").has_value());
  EXPECT_TRUE(cfg.Finish().ok());
}

TEST(ConfigTest, EveryBadVariableIsReportedAtOnce) {
  ConfigReader cfg(EnvSource::FromMap({{"TA_CLICKHOUSE_BATCH_SIZE", "ten"},
                                       {"TA_MAX_OUT_OF_ORDER_MS", "-5"},
                                       {"BUS", "rabbit"},
                                       {"FLAG", "maybe"},
                                       {"RATIO", "1.5x"}}));
  EXPECT_EQ(cfg.Int("TA_CLICKHOUSE_BATCH_SIZE", 10000, 1, 1'000'000), 10000);
  EXPECT_EQ(cfg.Int("TA_MAX_OUT_OF_ORDER_MS", 2000, 0, 60000), 2000);
  EXPECT_EQ(cfg.Enum("BUS", {"embedded", "kafka"}, "embedded"), "embedded");
  EXPECT_TRUE(cfg.Bool("FLAG", true));
  cfg.Double("RATIO", 1, 0, 10);
  cfg.Secret("ALPACA_SECRET_KEY", /*required=*/true);
  Status s = cfg.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cfg.errors().size(), 6u);
  for (const char* name : {"TA_CLICKHOUSE_BATCH_SIZE: not an integer",
                           "TA_MAX_OUT_OF_ORDER_MS: must be between 0 and 60000",
                           "BUS: must be one of embedded, kafka", "FLAG: must be true or false",
                           "RATIO: not a number", "ALPACA_SECRET_KEY: required"}) {
    EXPECT_NE(s.message().find(name), std::string::npos) << name << " in\n" << s.message();
  }
  EXPECT_NE(s.message().find("6 bad settings"), std::string::npos);
}

TEST(ConfigTest, SecretsFromFilesAreTrimmedAndNeverInErrors) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("torghut-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "secret") << "s3cr3t-from-file\n";
  std::ofstream(dir / "empty") << "\n";
  ConfigReader cfg(EnvSource::FromMap({{"KEY_FILE", (dir / "secret").string()},
                                       {"APCA_API_KEY_ID", "fallback-key-id"},
                                       {"GONE_FILE", (dir / "missing").string()},
                                       {"BLANK_FILE", (dir / "empty").string()},
                                       {"N", "s3cr3t-from-file"}}));
  EXPECT_EQ(cfg.Secret("KEY"), "s3cr3t-from-file");
  EXPECT_EQ(cfg.SecretAny({"ALPACA_KEY_ID", "APCA_API_KEY_ID"}), "fallback-key-id");
  EXPECT_EQ(cfg.Secret("GONE"), "");
  EXPECT_EQ(cfg.Secret("BLANK"), "");
  EXPECT_EQ(cfg.Secret("NOT_SET"), "");  // optional and absent: fine
  cfg.Int("N", 0, 0, 1);                 // a secret's value pasted in the wrong variable
  Status s = cfg.Finish();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("GONE_FILE: cannot read"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("BLANK_FILE"), std::string::npos);
  // The error text itself may quote the bad value, but the log redactor knows the secret.
  EXPECT_EQ(log::Redact(s.message()).find("s3cr3t-from-file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, ProcessEnvironment) {
  ::setenv("TORGHUT_CONFIG_TEST_VAR", "17", 1);
  ConfigReader cfg(EnvSource::Process());
  EXPECT_EQ(cfg.Int("TORGHUT_CONFIG_TEST_VAR", 0, 0, 100), 17);
  ::unsetenv("TORGHUT_CONFIG_TEST_VAR");
  EXPECT_EQ(cfg.Int("TORGHUT_CONFIG_TEST_VAR", 3, 0, 100), 3);
}

}  // namespace
}  // namespace torghut
