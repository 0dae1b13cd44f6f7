#include "torghut/ops/health_assess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "torghut/core/time.h"

namespace torghut::ops {
namespace {

using nlohmann::json;

ComponentHealth Line(std::string name, HealthState state, std::string detail,
                     std::string next_step = "") {
  return ComponentHealth{std::move(name), state, std::move(detail),
                         state == HealthState::kOk ? std::string() : std::move(next_step)};
}

// The endpoint's JSON object, or a `down` line saying why there is none.
std::optional<json> ParseAnswer(const std::string& name, const EndpointAnswer& a,
                                const std::string& role, ComponentHealth* down) {
  if (a.status == 0) {
    *down = Line(name, HealthState::kDown, "no answer from " + a.url + ": " + a.error,
                 "is it running at " + a.url + "? start or check `torghut " + role + "`");
    return std::nullopt;
  }
  json j = json::parse(a.body, nullptr, false);
  if (!j.is_object()) {
    *down = Line(name, HealthState::kDown,
                 fmt::format("{} answered HTTP {} without a status object", a.url, a.status),
                 "check that --" + std::string(role == "up" ? "url" : role) + " names a torghut " +
                     role + " address");
    return std::nullopt;
  }
  return j;
}

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
int64_t Int(const json& j, const char* key, int64_t fallback) {
  return j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : fallback;
}
bool Bool(const json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// The runbook step for a forwarder error class (SPEC §2).
std::string ForwarderStep(const std::string& error_class) {
  if (error_class == "alpaca_auth" || error_class == "alpaca_auth_timeout") {
    return "check ALPACA_KEY_ID / ALPACA_SECRET_KEY (or their _FILE secrets), then restart torghut "
           "ws";
  }
  if (error_class == "alpaca_406_second_connection") {
    return "another connection holds the key: stop the other forwarder (one per key and feed)";
  }
  if (error_class == "alpaca_symbol_limit") return "reduce SYMBOLS to the feed's symbol limit";
  if (error_class == "alpaca_insufficient_subscription" ||
      error_class == "alpaca_insufficient_scope") {
    return "the key's plan does not cover ALPACA_FEED: use feed iex or upgrade the subscription";
  }
  if (error_class.rfind("kafka_", 0) == 0) {
    return "check the bus: `torghut bus topics` and the KAFKA_* settings / credentials";
  }
  if (error_class == "market_data_channel_starvation") {
    return "the feed is connected but silent: check market hours, SYMBOLS and ALPACA_FEED";
  }
  if (error_class.empty()) return "wait for the session; if it persists read the ws log";
  return "read the ws log for " + error_class + " and check ALPACA_STREAM_URL";
}

}  // namespace

std::string FormatAge(int64_t ms) {
  if (ms < 0) ms = 0;
  const int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  return fmt::format("{}h{}m", s / 3600, (s % 3600) / 60);
}

ComponentHealth AssessForwarder(const EndpointAnswer& status) {
  ComponentHealth down;
  std::optional<json> j = ParseAnswer("forwarder", status, "ws", &down);
  if (!j) return down;
  const std::string state = Str(*j, "status");
  const std::string error_class = Str(*j, "error_class");
  if (Bool(*j, "ready")) return Line("forwarder", HealthState::kOk, "ready (" + state + ")");
  std::string detail = "not ready: " + (state.empty() ? std::string("unknown") : state);
  if (!error_class.empty()) detail += ", error_class " + error_class;
  const std::string reason = Str(*j, "reason");
  if (!reason.empty()) detail += " (" + reason + ")";
  return Line("forwarder", HealthState::kDegraded, detail, ForwarderStep(error_class));
}

ComponentHealth AssessTa(const EndpointAnswer& status, const HealthThresholds& limits) {
  ComponentHealth down;
  std::optional<json> j = ParseAnswer("ta", status, "ta", &down);
  if (!j) return down;
  const std::string state = Str(*j, "state");
  const std::string health = Str(*j, "health");
  const std::string reason = Str(*j, "reason");
  const int64_t watermark_lag = Int(*j, "watermark_lag_ms", -1);
  const int64_t checkpoint_age = Int(*j, "checkpoint_age_ms", -1);
  const std::string figures =
      fmt::format("watermark lag {}, checkpoint age {}",
                  watermark_lag < 0 ? "none yet" : FormatAge(watermark_lag),
                  checkpoint_age < 0 ? "none yet" : FormatAge(checkpoint_age));
  if (state == "suspended") {
    return Line("ta", HealthState::kDegraded, "suspended (consumes nothing); " + figures,
                "set TA_JOB_STATE=running and restart torghut ta (TA_RESTART_NONCE forces it)");
  }
  if (state != "running") {
    return Line("ta", HealthState::kDegraded, "state " + state + "; " + figures,
                "wait for it to start; if it persists read the ta log");
  }
  if (health != "ok") {
    std::string step = "read the ta log";
    if (reason.rfind("store_full", 0) == 0) {
      step = "free disk where the TA store writes (see the disk line); TA resumes by itself";
    } else if (reason.rfind("store_", 0) == 0) {
      step = "check the TA store (TA_STORE, TA_CLICKHOUSE_URL; see the ta_store line)";
    } else if (reason.rfind("bus_", 0) == 0) {
      step = "check the bus: `torghut bus topics` and the bus settings";
    } else if (reason.rfind("checkpoint_", 0) == 0) {
      step = "check TA_CHECKPOINT_DIR is writable and has space";
    }
    return Line("ta", HealthState::kDegraded, "degraded: " + reason + "; " + figures, step);
  }
  if (watermark_lag > limits.max_watermark_lag_ms) {
    return Line(
        "ta", HealthState::kDegraded,
        fmt::format("running; {} (limit {})", figures, FormatAge(limits.max_watermark_lag_ms)),
        "no recent input: check the forwarder line and `torghut bus groups`");
  }
  if (checkpoint_age > limits.max_checkpoint_age_ms) {
    return Line(
        "ta", HealthState::kDegraded,
        fmt::format("running; {} (limit {})", figures, FormatAge(limits.max_checkpoint_age_ms)),
        "checkpoints are late: check TA_CHECKPOINT_DIR and the ta log");
  }
  return Line("ta", HealthState::kOk, "running; " + figures);
}

ComponentHealth AssessTrading(const EndpointAnswer& status, int64_t now_ms,
                              const HealthThresholds& limits) {
  ComponentHealth down;
  std::optional<json> j = ParseAnswer("trading", status, "trade", &down);
  if (!j) return down;
  const bool enabled = Bool(*j, "enabled");
  const std::string mode = Str(*j, "mode");
  const bool live_enabled = Bool(*j, "live_enabled");
  const std::string role = Str(*j, "role");
  const std::string state = Str(*j, "state");
  const std::string last_error = Str(*j, "last_error");
  std::string detail = fmt::format("enabled {}, mode {}, live_enabled {}, {} ({})", enabled, mode,
                                   live_enabled, role, state);
  std::string reconcile = "never reconciled";
  int64_t reconcile_age = -1;
  if (const std::string at = Str(*j, "last_reconcile_at"); !at.empty()) {
    if (Result<Timestamp> t = ParseRfc3339(at); t.ok()) {
      reconcile_age = now_ms - t->millis();
      reconcile = "reconciled " + FormatAge(reconcile_age) + " ago";
    }
  }
  detail += ", " + reconcile;
  if (Bool(*j, "kill_switch")) {
    return Line("trading", HealthState::kDegraded, "kill switch on; " + detail,
                "when safe: POST /trading/kill-switch {\"on\": false} (admin token)");
  }
  if (!last_error.empty()) {
    return Line("trading", HealthState::kDegraded, detail + "; last error: " + last_error,
                "read the trade log and GET /trading/health for the failing dependency");
  }
  if (role == "active" && !enabled) {
    return Line("trading", HealthState::kDegraded, detail + "; orders are not sent",
                "set TRADING_ENABLED=true if this process should trade");
  }
  if (role == "active" && mode == "live" && !live_enabled) {
    return Line("trading", HealthState::kDegraded,
                detail + "; every decision is rejected live_trading_disabled",
                "set TRADING_LIVE_ENABLED=true, or TRADING_MODE=paper");
  }
  if (role == "active" && reconcile_age > limits.max_reconcile_age_ms) {
    return Line("trading", HealthState::kDegraded,
                detail + fmt::format(" (limit {})", FormatAge(limits.max_reconcile_age_ms)),
                "reconciliation is late: check the broker in GET /trading/health");
  }
  if (role != "active" && role != "standby") {
    return Line("trading", HealthState::kDegraded, detail,
                "wait for it to start; if it persists read the trade log");
  }
  return Line("trading", HealthState::kOk, detail);
}

ComponentHealth AssessLlm(const EndpointAnswer& status) {
  ComponentHealth down;
  std::optional<json> j = ParseAnswer("llm", status, "trade", &down);
  if (!j) return down;
  if (!j->contains("llm") || !(*j)["llm"].is_object()) {
    return Line("llm", HealthState::kDown, status.url + " has no llm object",
                "check that the trade role is this version");
  }
  const json& llm = (*j)["llm"];
  if (!Bool(llm, "enabled")) return Line("llm", HealthState::kOk, "review off (LLM_ENABLED)");
  const json circuit = llm.contains("circuit") ? llm["circuit"] : json::object();
  const std::string state = Str(circuit, "state");
  std::string detail = fmt::format("circuit {}, {} recent errors, fail mode {}{}", state,
                                   Int(circuit, "recent_error_count", 0), Str(llm, "fail_mode"),
                                   Bool(llm, "shadow_mode") ? ", shadow" : "");
  if (state == "closed") return Line("llm", HealthState::kOk, detail);
  if (const std::string until = Str(circuit, "open_until"); !until.empty()) {
    detail += ", open until " + until;
  }
  if (const std::string e = Str(circuit, "last_error"); !e.empty()) detail += "; last: " + e;
  return Line("llm", HealthState::kDegraded, detail,
              "check the reviewer at LLM_BASE_URL (key, quota, latency); the circuit retries after "
              "LLM_CIRCUIT_COOLDOWN_SECONDS");
}

ComponentHealth AssessBus(const BusObservation& bus, const HealthThresholds& limits) {
  if (!bus.error.empty()) {
    return Line("bus", HealthState::kDown, bus.backend + " bus not readable: " + bus.error,
                bus.backend == "kafka"
                    ? "check KAFKA_BOOTSTRAP_SERVERS and credentials: `torghut bus topics`"
                    : "check TORGHUT_DATA_DIR points at the bus: `torghut bus topics`");
  }
  std::string detail = bus.backend;
  std::string worst_group;
  int64_t worst = 0;
  for (const GroupLagObservation& g : bus.groups) {
    detail += "; " + g.group + ":";
    if (g.partitions.empty()) detail += " no input topics yet";
    for (const PartitionLagView& p : g.partitions) {
      detail += fmt::format(" {}/{}={}", p.topic, p.partition, p.lag);
      if (p.lag > worst) {
        worst = p.lag;
        worst_group = g.group;
      }
    }
  }
  if (worst > limits.max_bus_lag) {
    return Line(
        "bus", HealthState::kDegraded,
        fmt::format("lag {} > {} in {}; {}", worst, limits.max_bus_lag, worst_group, detail),
        "the " + worst_group + " consumers fall behind: `torghut bus groups --group " +
            worst_group + "`, then check that role's line");
  }
  return Line("bus", HealthState::kOk, "lag per partition: " + detail);
}

ComponentHealth AssessTaStore(const TaStoreObservation& store, int64_t now_ms,
                              const HealthThresholds& limits) {
  const std::string where = store.backend + " " + store.where;
  if (!store.error.empty()) {
    return Line("ta_store", HealthState::kDown, where + ": " + store.error,
                store.backend == "clickhouse"
                    ? "is ClickHouse running at TA_CLICKHOUSE_URL? check TA_CLICKHOUSE_* settings"
                    : "check TORGHUT_DATA_DIR / TA_STORE and that the file is a readable TA store");
  }
  if (store.schema_version == 0) {
    return Line("ta_store", HealthState::kDown, where + ": no schema", "run `torghut migrate`");
  }
  auto age = [&](const std::optional<int64_t>& t) {
    return t ? FormatAge(now_ms - *t) : std::string("no rows");
  };
  const std::string detail =
      fmt::format("{}: newest microbar {}, signal {}", where, age(store.newest_microbar_ms),
                  age(store.newest_signal_ms));
  const bool stale = !store.newest_microbar_ms || !store.newest_signal_ms ||
                     now_ms - *store.newest_microbar_ms > limits.max_store_age_ms ||
                     now_ms - *store.newest_signal_ms > limits.max_store_age_ms;
  if (stale) {
    return Line("ta_store", HealthState::kDegraded,
                detail + " (limit " + FormatAge(limits.max_store_age_ms) + ")",
                "no fresh rows: check the forwarder and ta lines (is the market open?)");
  }
  return Line("ta_store", HealthState::kOk, detail + " old");
}

ComponentHealth AssessDisk(const DiskObservation& disk, const HealthThresholds& limits) {
  if (!disk.error.empty()) {
    return Line("disk", HealthState::kDown, disk.where + ": " + disk.error,
                "check the TA store's volume / server");
  }
  if (!disk.not_reported.empty() || disk.total_bytes <= 0 || disk.free_bytes < 0) {
    return Line("disk", HealthState::kOk,
                disk.where + ": free space not reported (" +
                    (disk.not_reported.empty() ? std::string("unknown") : disk.not_reported) +
                    "); check it on the host (df)");
  }
  const std::string detail = disk.Describe();
  if (store::BelowMinFreeDisk(disk, limits.min_free_disk_pct)) {
    return Line("disk", HealthState::kDegraded,
                detail + fmt::format(" < TA_MIN_FREE_DISK_PCT {:g}%", limits.min_free_disk_pct),
                "free space on that volume (TA_RETENTION_DAYS drops old days) or grow it");
  }
  return Line("disk", HealthState::kOk, detail);
}

std::string ReplicaRepairStatement(const std::string& server_version, const std::string& table) {
  int major = 0, minor = 0;
  std::sscanf(server_version.c_str(), "%d.%d", &major, &minor);
  const bool has_restore = major > 21 || (major == 21 && minor >= 7);
  return (has_restore ? "SYSTEM RESTORE REPLICA " : "SYSTEM RESTART REPLICA ") + table;
}

ComponentHealth AssessReplicas(const ReplicasObservation& replicas) {
  if (!replicas.error.empty()) {
    return Line("replicas", HealthState::kDown, "system.replicas not readable: " + replicas.error,
                "is ClickHouse running at TA_CLICKHOUSE_URL?");
  }
  std::vector<std::string> readonly;
  for (const ReplicaRow& r : replicas.replicas) {
    if (r.is_readonly) readonly.push_back(r.database + "." + r.table);
  }
  if (replicas.replicas.empty()) {
    return Line("replicas", HealthState::kOk,
                "no replicated tables (ClickHouse " + replicas.server_version + ")");
  }
  if (readonly.empty()) {
    return Line("replicas", HealthState::kOk,
                fmt::format("{} replicated tables, none read-only", replicas.replicas.size()));
  }
  std::string names, steps;
  for (const std::string& t : readonly) {
    names += (names.empty() ? "" : ", ") + t;
    steps += (steps.empty() ? "" : "; ") + ReplicaRepairStatement(replicas.server_version, t);
  }
  const bool has_restore =
      ReplicaRepairStatement(replicas.server_version, "").find("RESTORE") != std::string::npos;
  return Line("replicas", HealthState::kDegraded,
              fmt::format("read-only: {} (ClickHouse {})", names, replicas.server_version),
              has_restore ? "once the keeper is reachable run: " + steps
                          : "check ZooKeeper is reachable, then run: " + steps);
}

ComponentHealth AssessTradingStore(const TradingStoreObservation& store) {
  const std::string where = store.backend + " " + store.where;
  if (!store.error.empty()) {
    return Line("trading_store", HealthState::kDown, where + ": " + store.error,
                store.backend == "postgres" ? "is Postgres running at DB_DSN? check DB_DSN"
                                            : "check TORGHUT_DATA_DIR / TRADING_STORE");
  }
  if (store.schema_version == 0) {
    return Line("trading_store", HealthState::kDown, where + ": no schema",
                "run `torghut migrate`");
  }
  return Line("trading_store", HealthState::kOk,
              fmt::format("{}: schema version {}", where, store.schema_version));
}

}  // namespace torghut::ops
