#include "torghut/processor/ta_service_config.h"

#include <fmt/format.h>

#include "torghut/object_store/local_object_store.h"
#include "torghut/processor/checkpoint_store.h"
#include "torghut/ta/engine_env.h"

namespace torghut::processor {
namespace {

void ReadS3Settings(ConfigReader& cfg, TaServiceConfig& c) {
  object_store::S3Config& s3 = c.checkpoint_s3;
  if (Result<object_store::S3Url> url = object_store::ParseS3Url(c.checkpoint_dir.string());
      url.ok()) {
    s3.bucket = url->bucket;
    s3.prefix = url->prefix;
  } else {
    cfg.AddError("TA_CHECKPOINT_DIR: " + url.status().message());
  }
  s3.region = cfg.String("TA_S3_REGION", s3.region);
  if (s3.region.empty() || s3.region.find_first_of(":/ ") != std::string::npos) {
    cfg.AddError(fmt::format("TA_S3_REGION '{}' is not a region name (e.g. us-east-1)", s3.region));
  }
  s3.endpoint = cfg.String("TA_S3_ENDPOINT", fmt::format("https://s3.{}.amazonaws.com", s3.region));
  const bool scheme_ok =
      s3.endpoint.rfind("http://", 0) == 0 || s3.endpoint.rfind("https://", 0) == 0;
  while (!s3.endpoint.empty() && s3.endpoint.back() == '/') s3.endpoint.pop_back();
  const std::string host = scheme_ok ? s3.endpoint.substr(s3.endpoint.find("://") + 3) : "";
  if (host.empty() || host.find_first_of("/?#@ ") != std::string::npos) {
    cfg.AddError(fmt::format(
        "TA_S3_ENDPOINT '{}' must be http(s)://host[:port] (path-style requests add the bucket)",
        s3.endpoint));
  }
  // Required together with an s3:// TA_CHECKPOINT_DIR; never logged (the redactor knows them).
  s3.access_key_id = cfg.Secret("TA_S3_ACCESS_KEY_ID", /*required=*/true);
  s3.secret_access_key = cfg.Secret("TA_S3_SECRET_ACCESS_KEY", /*required=*/true);
}

}  // namespace

TaServiceConfig ReadTaServiceConfig(ConfigReader& cfg) {
  TaServiceConfig c;
  c.group_id = cfg.String("TA_GROUP_ID", c.group_id);
  if (c.group_id.empty() || !ValidateSavepointName(c.group_id).ok()) {
    // The group id names a directory under TA_CHECKPOINT_DIR: same alphabet as savepoints.
    cfg.AddError("TA_GROUP_ID must match [A-Za-z0-9._-]{1,64}");
  }
  c.reset = cfg.Enum("TA_AUTO_OFFSET_RESET", {"earliest", "latest"}, "earliest") == "latest"
                ? bus::OffsetReset::kLatest
                : bus::OffsetReset::kEarliest;
  const std::string data_dir = DataDir(cfg);
  c.checkpoint_dir =
      cfg.String("TA_CHECKPOINT_DIR", (std::filesystem::path(data_dir) / "checkpoints").string());
  if (object_store::IsS3Url(c.checkpoint_dir.string())) ReadS3Settings(cfg, c);
  c.checkpoint_interval_ms =
      cfg.Int("TA_CHECKPOINT_INTERVAL_MS", c.checkpoint_interval_ms, 100, 86'400'000);
  c.checkpoints_kept =
      static_cast<int>(cfg.Int("TA_CHECKPOINTS_KEPT", c.checkpoints_kept, 1, 1000));
  c.restore_from = cfg.String("TA_RESTORE_FROM", "");
  if (!c.restore_from.empty()) {
    if (Status s = ValidateSavepointName(c.restore_from); !s.ok()) {
      cfg.AddError("TA_RESTORE_FROM: " + s.message());
    }
  }
  c.batch_size = cfg.Int("TA_CLICKHOUSE_BATCH_SIZE", c.batch_size, 1, 10'000'000);
  c.flush_ms = cfg.Int("TA_CLICKHOUSE_FLUSH_MS", c.flush_ms, 0, 3'600'000);
  c.provisional_interval_ms =
      cfg.Int("TA_PROVISIONAL_INTERVAL_MS", c.provisional_interval_ms, 0, 3'600'000);
  c.publish_rows = cfg.Bool("TA_PUBLISH_ROWS", c.publish_rows);
  c.suspended = cfg.Enum("TA_JOB_STATE", {"running", "suspended"}, "running") == "suspended";
  c.restart_nonce = cfg.String("TA_RESTART_NONCE", "");
  c.status_interval_ms = cfg.Int("TA_STATUS_INTERVAL_MS", c.status_interval_ms, 100, 3'600'000);
  c.min_free_disk_pct = cfg.Double("TA_MIN_FREE_DISK_PCT", c.min_free_disk_pct, 0, 100);
  c.disk_check_interval_ms =
      cfg.Int("TA_DISK_CHECK_INTERVAL_MS", c.disk_check_interval_ms, 0, 3'600'000);
  c.engine = ta::ReadEngineConfig(cfg);
  c.topics = bus::ReadTopics(cfg);
  return c;
}

CheckpointStore OpenCheckpoints(const TaServiceConfig& config) {
  std::shared_ptr<object_store::ObjectStore> objects;
  if (object_store::IsS3Url(config.checkpoint_dir.string())) {
    objects = std::make_shared<object_store::S3ObjectStore>(config.checkpoint_s3);
  } else {
    objects = std::make_shared<object_store::LocalObjectStore>(config.checkpoint_dir);
  }
  return CheckpointStore(std::move(objects), config.group_id, config.checkpoints_kept);
}

const char kTaServiceEnvHelp[] =
    "  TA_GROUP_ID                 consumer group (default torghut-ta-live)\n"
    "  TA_AUTO_OFFSET_RESET        earliest | latest, where a partition without a committed "
    "offset\n"
    "                              or checkpoint starts (default earliest)\n"
    "  TA_CHECKPOINT_DIR           checkpoints and savepoints: a directory or s3://bucket/prefix\n"
    "                              (default TORGHUT_DATA_DIR/checkpoints)\n"
    "  TA_S3_ENDPOINT              with s3://: the S3-compatible endpoint, path-style, e.g.\n"
    "                              http://127.0.0.1:9000 (default "
    "https://s3.<region>.amazonaws.com)\n"
    "  TA_S3_REGION                with s3://: the SigV4 signing region (default us-east-1)\n"
    "  TA_S3_ACCESS_KEY_ID, TA_S3_SECRET_ACCESS_KEY\n"
    "                              with s3://: the key pair (or *_FILE: read from a file; "
    "required)\n"
    "  TA_CHECKPOINT_INTERVAL_MS   flush + checkpoint + commit period (default 10000)\n"
    "  TA_CHECKPOINTS_KEPT         checkpoints kept per partition (default 3)\n"
    "  TA_RESTORE_FROM             savepoint to start from (applied once per partition)\n"
    "  TA_CLICKHOUSE_BATCH_SIZE    rows per store write (default 10000)\n"
    "  TA_CLICKHOUSE_FLUSH_MS      longest a row waits for its store write (default 1000;\n"
    "                              0 = at once)\n"
    "  TA_PROVISIONAL_INTERVAL_MS  how often open bars are published provisionally (default 250;\n"
    "                              0 = final rows only)\n"
    "  TA_PUBLISH_ROWS             also produce rows to the TA topics (default true)\n"
    "  TA_JOB_STATE                running | suspended (connected, consumes and writes nothing)\n"
    "  TA_RESTART_NONCE            echoed in status and logs\n"
    "  TA_STATUS_INTERVAL_MS       heartbeat period to TA_STATUS_TOPIC (default 5000)\n"
    "  TA_MIN_FREE_DISK_PCT        below this % free disk where the TA store writes, writes pause\n"
    "                              (degraded store_full) until space returns (default 5; 0 = only\n"
    "                              a failing insert pauses them)\n"
    "  TA_DISK_CHECK_INTERVAL_MS   how old that free-disk measurement may be before a write\n"
    "                              (default 2000; 0 = measured before every write)\n"
    "  TA_TRADES_TOPIC, TA_QUOTES_TOPIC, TA_BARS1M_TOPIC, TA_MICROBARS_TOPIC, TA_SIGNALS_TOPIC,\n"
    "  TA_STATUS_TOPIC             topic names (SPEC §3)\n";

}  // namespace torghut::processor
