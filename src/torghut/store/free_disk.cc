#include "torghut/store/free_disk.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "torghut/store/clickhouse/clickhouse_http.h"

namespace torghut::store {
namespace {

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

bool ParseInt(const std::string& text, int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

FreeDisk MeasureFilesystem(const std::filesystem::path& file) {
  FreeDisk d;
  const std::filesystem::path dir = file.parent_path();
  d.where = dir.empty() ? std::string(".") : dir.string();
  struct statvfs vfs {};
  if (::statvfs(d.where.c_str(), &vfs) != 0) {
    d.error = "statvfs failed";
    return d;
  }
  d.free_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
  d.total_bytes = static_cast<int64_t>(vfs.f_blocks) * static_cast<int64_t>(vfs.f_frsize);
  return d;
}

FreeDisk MeasureClickHouse(const ClickHouseOptions& options, int64_t timeout_ms) {
  FreeDisk d;
  d.where = "ClickHouse " + options.url;
  ClickHouseOptions o = options;
  o.timeout_ms = timeout_ms;
  o.connect_timeout_ms = std::min<int64_t>(o.connect_timeout_ms, timeout_ms);
  ClickHouseHttp ch(o);
  Result<std::string> has =
      ch.Query("SELECT count() FROM system.tables WHERE database = 'system' AND name = 'disks'");
  if (!has.ok()) {
    d.error = has.status().ToString();
    return d;
  }
  if (has->rfind("0", 0) == 0) {
    d.not_reported = "this server has no system.disks";
    return d;
  }
  // The fullest disk decides (the store writes to any of them).
  Result<std::string> rows = ch.Query(
      "SELECT name, toInt64(free_space), toInt64(total_space) FROM system.disks ORDER BY "
      "free_space / greatest(total_space, 1) LIMIT 1 FORMAT TSV");
  if (!rows.ok()) {
    d.error = rows.status().ToString();
    return d;
  }
  const auto cells = TsvRows(*rows);
  if (cells.empty() || cells[0].size() < 3) {
    d.not_reported = "system.disks is empty";
    return d;
  }
  d.where += " disk " + cells[0][0];
  if (!ParseInt(cells[0][1], &d.free_bytes) || !ParseInt(cells[0][2], &d.total_bytes)) {
    d.error = "unexpected system.disks row: " + *rows;
  }
  return d;
}

}  // namespace

double FreeDisk::free_pct() const {
  if (!measured()) return -1;
  return 100.0 * static_cast<double>(free_bytes) / static_cast<double>(total_bytes);
}

std::string FreeDisk::Describe() const {
  if (!error.empty()) return where + ": " + error;
  if (!measured()) {
    return where + ": free space not reported (" +
           (not_reported.empty() ? std::string("unknown") : not_reported) + ")";
  }
  return fmt::format("{}: {:.1f}% free ({} MiB of {} MiB)", where, free_pct(), free_bytes >> 20,
                     total_bytes >> 20);
}

FreeDisk MeasureFreeDisk(const StoreConfig& config, int64_t timeout_ms) {
  if (config.ta_backend == "clickhouse")
    return MeasureClickHouse(config.clickhouse.http, timeout_ms);
  return MeasureFilesystem(config.ta_sqlite_path());
}

bool BelowMinFreeDisk(const FreeDisk& disk, double min_pct) {
  return min_pct > 0 && disk.measured() && disk.free_pct() < min_pct;
}

}  // namespace torghut::store
