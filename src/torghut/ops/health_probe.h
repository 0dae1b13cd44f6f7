// Gathers what `torghut health` reports: GETs the roles' status endpoints, reads the bus's group
// positions and the configured stores directly, and applies the rules of health_assess.h.
// Read-only: nothing is written, migrated, committed or created (a missing SQLite file is
// reported, not made).
//
//   HealthProbeConfig c;
//   c.targets.url = "http://127.0.0.1:8080";   // `torghut up`: every role on one port
//   c.store = store::ReadStoreConfig(cfg);  c.bus = bus::ReadBusConfig(cfg);  ...
//   HealthReport r = CollectHealth(c, SystemClock());
//
// Which components are reported (the others are left out):
//   --url          all: forwarder (/ws/status), ta (/ta/status), trading and llm
//                  (/trading/status), bus, ta_store, disk, replicas, trading_store
//   --ws           forwarder (/status)
//   --ta           ta (/status), bus, ta_store, disk, replicas
//   --trade        trading and llm (/trading/status), bus, trading_store
//   --stores       ta_store, disk, replicas (and trading_store when TRADING_STORE is set)
// `replicas` only for TA_STORE=clickhouse.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "torghut/bus/bus_config.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/ops/health_assess.h"
#include "torghut/ops/health_report.h"
#include "torghut/store/store_config.h"

namespace torghut::ops {

struct HealthTargets {
  std::string url;    // `up`'s port: every role's endpoints
  std::string ws;     // `torghut ws`
  std::string ta;     // `torghut ta`
  std::string trade;  // `torghut trade`
  bool stores = false;
  bool trading_store_configured = false;  // TRADING_STORE set: --stores includes it
};

struct HealthProbeConfig {
  HealthTargets targets;
  HealthThresholds limits;
  store::StoreConfig store;
  bus::BusConfig bus;
  std::string ta_group = "torghut-ta-live";
  std::vector<std::string> ta_topics;  // the TA group's input topics
  std::string trading_group = "torghut-trading";
  std::vector<std::string> trading_topics;
  int64_t http_timeout_ms = 5000;
};

// kInvalidArgument naming the flag when a URL is not http(s)://host[:port] (no path), or when
// nothing is to be checked.
Status ValidateTargets(const HealthTargets& targets);

HealthReport CollectHealth(const HealthProbeConfig& config, const Clock& clock);

}  // namespace torghut::ops
