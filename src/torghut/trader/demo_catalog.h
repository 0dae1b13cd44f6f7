// The strategy catalog `torghut up` starts with: written to TRADING_STRATEGY_CONFIG_PATH on first
// start when no file is there (never over a file the user has), hot-reloaded like any catalog —
// so a newcomer sees decisions and fills within a minute, and edits the file to change them.
//
//   TORGHUT_RETURN_IF_ERROR(WriteDemoCatalogIfMissing(data_dir + "/strategies.yaml"));
#pragma once

#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut::trader {

// The demo catalog's YAML (a valid catalog: tests parse it).
std::string_view DemoCatalogYaml();

// Writes DemoCatalogYaml() to `path` atomically unless a file exists there; "" does nothing.
Status WriteDemoCatalogIfMissing(const std::string& path);

}  // namespace torghut::trader
