#include "torghut/ops/health_probe.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <sstream>

#include "torghut/http/client.h"
#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/store/free_disk.h"

namespace torghut::ops {
namespace {

EndpointAnswer Get(http::HttpClient& client, const std::string& url) {
  EndpointAnswer a;
  a.url = url;
  http::ClientResponse r = client.Get(url);
  a.status = r.status;
  a.error = r.answered() ? "" : r.error;
  a.body = std::move(r.body);
  return a;
}

BusObservation ObserveBus(const HealthProbeConfig& c) {
  BusObservation o;
  o.backend = c.bus.backend;
  Result<std::unique_ptr<bus::Bus>> b = bus::OpenBus(c.bus);
  if (!b.ok()) {
    o.error = b.status().ToString();
    return o;
  }
  Result<std::vector<std::string>> topics = (*b)->ListTopics();
  if (!topics.ok()) {
    o.error = topics.status().ToString();
    return o;
  }
  auto exists = [&](const std::string& t) {
    return std::find(topics->begin(), topics->end(), t) != topics->end();
  };
  auto group = [&](const std::string& name, const std::vector<std::string>& inputs) {
    GroupLagObservation g;
    g.group = name;
    for (const std::string& t : inputs) {
      if (!exists(t)) continue;
      Result<std::vector<bus::PartitionLag>> lags = (*b)->GroupLag(name, t);
      if (!lags.ok()) {
        o.error = lags.status().ToString();
        return;
      }
      for (const bus::PartitionLag& l : *lags) {
        g.partitions.push_back({l.topic, l.partition, l.committed, l.lag});
      }
    }
    o.groups.push_back(std::move(g));
  };
  const bool ta = !c.targets.url.empty() || !c.targets.ta.empty();
  const bool trade = !c.targets.url.empty() || !c.targets.trade.empty();
  if (ta) group(c.ta_group, c.ta_topics);
  if (trade && o.error.empty()) group(c.trading_group, c.trading_topics);
  return o;
}

std::string ClickHouseWhere(const store::StoreConfig& s) {
  return s.clickhouse.http.url + " database " + s.clickhouse.http.database;
}

TaStoreObservation ObserveTaStore(const store::StoreConfig& s) {
  TaStoreObservation o;
  o.backend = s.ta_backend;
  if (s.ta_backend != "clickhouse") {
    o.where = s.ta_sqlite_path().string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(s.ta_sqlite_path(), ec)) {
      o.error = "no TA store file there";
      return o;
    }
  } else {
    o.where = ClickHouseWhere(s);
  }
  Result<std::unique_ptr<store::TaStore>> st = store::OpenTaStore(s);
  if (!st.ok()) {
    o.error = st.status().ToString();
    return o;
  }
  Result<int> version = (*st)->SchemaVersion();
  if (!version.ok()) {
    o.error = version.status().ToString();
    return o;
  }
  o.schema_version = *version;
  if (o.schema_version == 0) return o;
  Result<store::Freshness> f = (*st)->GetFreshness();
  if (!f.ok()) {
    o.error = f.status().ToString();
    return o;
  }
  if (f->microbars) o.newest_microbar_ms = f->microbars->millis();
  if (f->signals) o.newest_signal_ms = f->signals->millis();
  return o;
}

store::ClickHouseOptions ShortTimeouts(store::ClickHouseOptions o, int64_t timeout_ms) {
  o.timeout_ms = timeout_ms;
  o.connect_timeout_ms = std::min<int64_t>(o.connect_timeout_ms, timeout_ms);
  return o;
}

std::vector<std::vector<std::string>> TsvRows(const std::string& body) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      cells.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    cells.push_back(line.substr(start));
    rows.push_back(std::move(cells));
  }
  return rows;
}

DiskObservation ObserveDisk(const store::StoreConfig& s, int64_t timeout_ms) {
  return store::MeasureFreeDisk(s, timeout_ms);
}

ReplicasObservation ObserveReplicas(const store::StoreConfig& s, int64_t timeout_ms) {
  ReplicasObservation o;
  store::ClickHouseHttp ch(ShortTimeouts(s.clickhouse.http, timeout_ms));
  Result<std::string> version = ch.Query("SELECT version()");
  if (!version.ok()) {
    o.error = version.status().ToString();
    return o;
  }
  o.server_version = *version;
  while (!o.server_version.empty() &&
         std::isspace(static_cast<unsigned char>(o.server_version.back()))) {
    o.server_version.pop_back();
  }
  Result<std::string> rows = ch.Query(
      "SELECT database, table, is_readonly FROM system.replicas ORDER BY database, table "
      "FORMAT TSV");
  if (!rows.ok()) {
    o.error = rows.status().ToString();
    return o;
  }
  for (const auto& cells : TsvRows(*rows)) {
    if (cells.size() < 3) continue;
    o.replicas.push_back({cells[0], cells[1], cells[2] == "1"});
  }
  return o;
}

TradingStoreObservation ObserveTradingStore(const store::StoreConfig& s) {
  TradingStoreObservation o;
  o.backend = s.trading_backend;
  if (s.trading_backend == "postgres") {
    o.where = "DB_DSN";  // the DSN may hold a password: never shown
  } else {
    o.where = s.trading_sqlite_path().string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(s.trading_sqlite_path(), ec)) {
      o.error = "no trading store file there";
      return o;
    }
  }
  Result<std::unique_ptr<store::TradingStore>> st = store::OpenTradingStore(s);
  if (!st.ok()) {
    o.error = st.status().ToString();
    return o;
  }
  Result<int> version = (*st)->SchemaVersion();
  if (!version.ok()) {
    o.error = version.status().ToString();
    return o;
  }
  o.schema_version = *version;
  return o;
}

Status CheckUrl(const char* flag, const std::string& url) {
  if (url.empty()) return Status::Ok();
  static const std::regex kBase(R"(^https?://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?/?$)");
  if (!std::regex_match(url, kBase)) {
    return InvalidArgument(std::string(flag) + " '" + url +
                           "' is not a base URL like http://127.0.0.1:8080");
  }
  return Status::Ok();
}

std::string Base(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Status ValidateTargets(const HealthTargets& t) {
  TORGHUT_RETURN_IF_ERROR(CheckUrl("--url", t.url));
  TORGHUT_RETURN_IF_ERROR(CheckUrl("--ws", t.ws));
  TORGHUT_RETURN_IF_ERROR(CheckUrl("--ta", t.ta));
  TORGHUT_RETURN_IF_ERROR(CheckUrl("--trade", t.trade));
  if (t.url.empty() && t.ws.empty() && t.ta.empty() && t.trade.empty() && !t.stores) {
    return InvalidArgument("nothing to check: give --url, --ws, --ta, --trade or --stores");
  }
  return Status::Ok();
}

HealthReport CollectHealth(const HealthProbeConfig& c, const Clock& clock) {
  const HealthTargets& t = c.targets;
  http::ClientOptions options;
  options.timeout_ms = c.http_timeout_ms;
  options.connect_timeout_ms = std::min<int64_t>(2000, c.http_timeout_ms);
  http::HttpClient client(options);
  HealthReport report;
  const std::string url = Base(t.url);
  if (!url.empty() || !t.ws.empty()) {
    report.components.push_back(
        AssessForwarder(Get(client, url.empty() ? Base(t.ws) + "/status" : url + "/ws/status")));
  }
  const bool ta = !url.empty() || !t.ta.empty();
  const bool trade = !url.empty() || !t.trade.empty();
  if (ta || trade) report.components.push_back(AssessBus(ObserveBus(c), c.limits));
  if (ta) {
    report.components.push_back(
        AssessTa(Get(client, url.empty() ? Base(t.ta) + "/status" : url + "/ta/status"), c.limits));
  }
  if (ta || t.stores) {
    report.components.push_back(
        AssessTaStore(ObserveTaStore(c.store), clock.NowMillis(), c.limits));
    report.components.push_back(AssessDisk(ObserveDisk(c.store, c.http_timeout_ms), c.limits));
    if (c.store.ta_backend == "clickhouse") {
      report.components.push_back(AssessReplicas(ObserveReplicas(c.store, c.http_timeout_ms)));
    }
  }
  if (trade) {
    const EndpointAnswer status =
        Get(client, (url.empty() ? Base(t.trade) : url) + "/trading/status");
    report.components.push_back(AssessTrading(status, clock.NowMillis(), c.limits));
    report.components.push_back(AssessLlm(status));
  }
  if (trade || (t.stores && t.trading_store_configured)) {
    report.components.push_back(AssessTradingStore(ObserveTradingStore(c.store)));
  }
  return report;
}

}  // namespace torghut::ops
