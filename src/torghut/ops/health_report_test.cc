// The report's pure logic: states → lines, the exit code, the JSON shape, and the rules that turn
// each role's status JSON and each store observation into ok / degraded / down with a next step.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/ops/health_assess.h"
#include "torghut/ops/health_report.h"

namespace torghut::ops {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000'000;

EndpointAnswer Answer(const json& body, int status = 200) {
  return EndpointAnswer{"http://127.0.0.1:9/status", status, "", body.dump()};
}

TEST(HealthReportTest, ExitCodeIsTheWorstState) {
  HealthReport r;
  EXPECT_EQ(r.ExitCode(), 0);
  r.components.push_back({"a", HealthState::kOk, "fine", ""});
  EXPECT_EQ(r.ExitCode(), 0);
  r.components.push_back({"b", HealthState::kDegraded, "slow", "do x"});
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(r.Overall(), HealthState::kDegraded);
  r.components.push_back({"c", HealthState::kDown, "gone", "start it"});
  EXPECT_EQ(r.ExitCode(), 2);
  r.components.push_back({"d", HealthState::kDegraded, "slow", "do y"});
  EXPECT_EQ(r.ExitCode(), 2);
}

TEST(HealthReportTest, TextHasALinePerComponentAndTheStepUnderIt) {
  HealthReport r;
  r.components.push_back({"forwarder", HealthState::kOk, "ready", ""});
  r.components.push_back({"ta", HealthState::kDegraded, "suspended", "set TA_JOB_STATE=running"});
  EXPECT_EQ(r.Text(),
            "forwarder  ok        ready\n"
            "ta         degraded  suspended\n"
            "  -> set TA_JOB_STATE=running\n"
            "overall: degraded\n");
}

TEST(HealthReportTest, JsonCarriesEveryComponentAndTheOverallState) {
  HealthReport r;
  r.components.push_back({"bus", HealthState::kOk, "embedded", ""});
  r.components.push_back({"ta_store", HealthState::kDown, "no file", "run torghut migrate"});
  const json j = json::parse(r.Json());
  EXPECT_EQ(j["state"], "down");
  EXPECT_EQ(j["exit_code"], 2);
  ASSERT_EQ(j["components"].size(), 2u);
  EXPECT_EQ(
      j["components"][0],
      (json{{"name", "bus"}, {"state", "ok"}, {"detail", "embedded"}, {"next_step", nullptr}}));
  EXPECT_EQ(j["components"][1]["next_step"], "run torghut migrate");
  EXPECT_EQ(j["components"][1]["state"], "down");
}

TEST(HealthAssessTest, ARoleThatDoesNotAnswerIsDownWithItsUrl) {
  const EndpointAnswer none{"http://127.0.0.1:9/ta/status", 0, "connection refused", ""};
  const ComponentHealth c = AssessTa(none, {});
  EXPECT_EQ(c.state, HealthState::kDown);
  EXPECT_NE(c.next_step.find("is it running at http://127.0.0.1:9/ta/status?"), std::string::npos)
      << c.next_step;
  EXPECT_EQ(AssessForwarder(Answer(json("html"), 200)).state, HealthState::kDown);
}

TEST(HealthAssessTest, ForwarderNotReadySaysItsErrorClassAndTheStep) {
  EXPECT_EQ(AssessForwarder(Answer({{"ready", true}, {"status", "healthy"}})).state,
            HealthState::kOk);
  const ComponentHealth c = AssessForwarder(
      Answer({{"ready", false}, {"status", "error"}, {"error_class", "alpaca_auth"}}, 503));
  EXPECT_EQ(c.state, HealthState::kDegraded);
  EXPECT_NE(c.detail.find("alpaca_auth"), std::string::npos);
  EXPECT_NE(c.next_step.find("ALPACA_KEY_ID"), std::string::npos);
  const ComponentHealth second = AssessForwarder(Answer(
      {{"ready", false}, {"status", "error"}, {"error_class", "alpaca_406_second_connection"}}));
  EXPECT_NE(second.next_step.find("other forwarder"), std::string::npos);
}

TEST(HealthAssessTest, TaStatesAndLimits) {
  HealthThresholds limits;
  limits.max_watermark_lag_ms = 10'000;
  limits.max_checkpoint_age_ms = 30'000;
  json s = {{"state", "running"},
            {"health", "ok"},
            {"reason", ""},
            {"watermark_lag_ms", 900},
            {"checkpoint_age_ms", 5000}};
  EXPECT_EQ(AssessTa(Answer(s), limits).state, HealthState::kOk);
  s["watermark_lag_ms"] = 20'000;
  EXPECT_EQ(AssessTa(Answer(s), limits).state, HealthState::kDegraded);
  s["watermark_lag_ms"] = 900;
  s["checkpoint_age_ms"] = 31'000;
  EXPECT_NE(AssessTa(Answer(s), limits).next_step.find("TA_CHECKPOINT_DIR"), std::string::npos);
  s["checkpoint_age_ms"] = 5000;
  s["state"] = "suspended";
  const ComponentHealth suspended = AssessTa(Answer(s), limits);
  EXPECT_EQ(suspended.state, HealthState::kDegraded);
  EXPECT_NE(suspended.detail.find("suspended"), std::string::npos);
  EXPECT_NE(suspended.next_step.find("TA_JOB_STATE=running"), std::string::npos);
  s["state"] = "running";
  s["health"] = "degraded";
  s["reason"] = "store_full: disk full";
  const ComponentHealth full = AssessTa(Answer(s), limits);
  EXPECT_EQ(full.state, HealthState::kDegraded);
  EXPECT_NE(full.detail.find("store_full"), std::string::npos);
  EXPECT_NE(full.next_step.find("free disk"), std::string::npos);
}

json TradingStatus() {
  return {{"enabled", true},
          {"mode", "paper"},
          {"live_enabled", false},
          {"role", "active"},
          {"state", "active"},
          {"last_reconcile_at", "2023-11-14T22:13:10.000Z"},  // kNow − 10 s
          {"last_error", nullptr},
          {"kill_switch", false},
          {"llm",
           {{"enabled", true},
            {"shadow_mode", false},
            {"fail_mode", "veto"},
            {"circuit", {{"state", "closed"}, {"open", false}, {"recent_error_count", 0}}}}}};
}

TEST(HealthAssessTest, TradingGatesKillSwitchErrorsAndReconcileAge) {
  HealthThresholds limits;
  json s = TradingStatus();
  const ComponentHealth ok = AssessTrading(Answer(s), kNow, limits);
  EXPECT_EQ(ok.state, HealthState::kOk) << ok.detail;
  EXPECT_NE(ok.detail.find("reconciled 10s ago"), std::string::npos) << ok.detail;
  s["kill_switch"] = true;
  const ComponentHealth kill = AssessTrading(Answer(s), kNow, limits);
  EXPECT_EQ(kill.state, HealthState::kDegraded);
  EXPECT_NE(kill.detail.find("kill switch on"), std::string::npos);
  EXPECT_NE(kill.next_step.find("/trading/kill-switch"), std::string::npos);
  s["kill_switch"] = false;
  s["mode"] = "live";
  EXPECT_NE(AssessTrading(Answer(s), kNow, limits).next_step.find("TRADING_LIVE_ENABLED"),
            std::string::npos);
  s["mode"] = "paper";
  s["last_error"] = "broker: unavailable";
  EXPECT_EQ(AssessTrading(Answer(s), kNow, limits).state, HealthState::kDegraded);
  s["last_error"] = nullptr;
  limits.max_reconcile_age_ms = 5000;
  EXPECT_EQ(AssessTrading(Answer(s), kNow, limits).state, HealthState::kDegraded);
}

TEST(HealthAssessTest, LlmCircuitOpenOrHalfOpenIsDegraded) {
  json s = TradingStatus();
  EXPECT_EQ(AssessLlm(Answer(s)).state, HealthState::kOk);
  s["llm"]["circuit"]["state"] = "open";
  s["llm"]["circuit"]["open_until"] = "2023-11-14T22:20:00.000Z";
  const ComponentHealth open = AssessLlm(Answer(s));
  EXPECT_EQ(open.state, HealthState::kDegraded);
  EXPECT_NE(open.detail.find("circuit open"), std::string::npos);
  EXPECT_NE(open.next_step.find("LLM_BASE_URL"), std::string::npos);
  s["llm"]["circuit"]["state"] = "half_open";
  EXPECT_EQ(AssessLlm(Answer(s)).state, HealthState::kDegraded);
  s["llm"]["enabled"] = false;
  EXPECT_EQ(AssessLlm(Answer(s)).state, HealthState::kOk);
}

TEST(HealthAssessTest, BusLagPerPartitionAgainstTheLimit) {
  HealthThresholds limits;
  limits.max_bus_lag = 100;
  BusObservation b{"embedded", "", {{"torghut-ta-live", {{"t", 0, 5, 3}, {"t", 1, 7, 0}}}}};
  const ComponentHealth ok = AssessBus(b, limits);
  EXPECT_EQ(ok.state, HealthState::kOk);
  EXPECT_NE(ok.detail.find("t/0=3 t/1=0"), std::string::npos) << ok.detail;
  b.groups[0].partitions[1].lag = 101;
  const ComponentHealth behind = AssessBus(b, limits);
  EXPECT_EQ(behind.state, HealthState::kDegraded);
  EXPECT_NE(behind.next_step.find("torghut bus groups --group torghut-ta-live"), std::string::npos);
  b.error = "cannot open";
  EXPECT_EQ(AssessBus(b, limits).state, HealthState::kDown);
}

TEST(HealthAssessTest, StoreFreshnessSchemaAndErrors) {
  HealthThresholds limits;
  limits.max_store_age_ms = 60'000;
  TaStoreObservation s{"sqlite", "/d/ta.sqlite", "", 3, kNow - 2000, kNow - 2000};
  EXPECT_EQ(AssessTaStore(s, kNow, limits).state, HealthState::kOk);
  s.newest_signal_ms = kNow - 61'000;
  const ComponentHealth stale = AssessTaStore(s, kNow, limits);
  EXPECT_EQ(stale.state, HealthState::kDegraded);
  EXPECT_NE(stale.detail.find("signal 1m1s"), std::string::npos) << stale.detail;
  s.newest_microbar_ms.reset();
  EXPECT_EQ(AssessTaStore(s, kNow, limits).state, HealthState::kDegraded);
  s.schema_version = 0;
  EXPECT_NE(AssessTaStore(s, kNow, limits).next_step.find("torghut migrate"), std::string::npos);
  s.error = "file is not a database";
  EXPECT_EQ(AssessTaStore(s, kNow, limits).state, HealthState::kDown);
}

TEST(HealthAssessTest, DiskBelowTheMinimumIsDegraded) {
  HealthThresholds limits;
  DiskObservation d{"/data", "", "", 60, 1000};
  EXPECT_EQ(AssessDisk(d, limits).state, HealthState::kOk);
  d.free_bytes = 40;
  const ComponentHealth low = AssessDisk(d, limits);
  EXPECT_EQ(low.state, HealthState::kDegraded);
  EXPECT_NE(low.detail.find("4.0% free"), std::string::npos) << low.detail;
  d.not_reported = "this server has no system.disks";
  EXPECT_EQ(AssessDisk(d, limits).state, HealthState::kOk);
}

TEST(HealthAssessTest, ReadOnlyReplicasAreNamedWithTheRightStatement) {
  EXPECT_EQ(ReplicaRepairStatement("18.16.1", "torghut.ta_microbars"),
            "SYSTEM RESTART REPLICA torghut.ta_microbars");
  EXPECT_EQ(ReplicaRepairStatement("21.7.2.7", "db.t"), "SYSTEM RESTORE REPLICA db.t");
  EXPECT_EQ(ReplicaRepairStatement("24.3.1", "db.t"), "SYSTEM RESTORE REPLICA db.t");
  ReplicasObservation r{"18.16.1", "", {{"torghut", "a", false}, {"torghut", "b", true}}};
  const ComponentHealth c = AssessReplicas(r);
  EXPECT_EQ(c.state, HealthState::kDegraded);
  EXPECT_NE(c.detail.find("torghut.b"), std::string::npos);
  EXPECT_EQ(c.detail.find("torghut.a"), std::string::npos);
  EXPECT_NE(c.next_step.find("SYSTEM RESTART REPLICA torghut.b"), std::string::npos);
  r.replicas[1].is_readonly = false;
  EXPECT_EQ(AssessReplicas(r).state, HealthState::kOk);
}

}  // namespace
}  // namespace torghut::ops
