// The web UI (web/, built into web/dist by scripts/setup.sh) on the read API's port (SPEC §8):
// /torghut/visuals and its alias /torghut/charts, the assets under /torghut/, and "/" redirecting
// to /torghut/visuals. Off when TORGHUT_VISUALS_ENABLED is false.
#pragma once

#include <string>

#include "torghut/core/config.h"
#include "torghut/http/router.h"

namespace torghut::api {

struct WebUiConfig {
  bool enabled = true;
  std::string dir;  // the built UI (index.html, assets/)
};

// TORGHUT_VISUALS_ENABLED (default true), TORGHUT_WEB_DIR (default: this checkout's web/dist).
WebUiConfig ReadWebUiConfig(ConfigReader& cfg);
void AddWebUi(http::Router& router, const WebUiConfig& config);

inline constexpr char kWebUiEnvHelp[] =
    "  TORGHUT_VISUALS_ENABLED  serve the web UI at /torghut/visuals (default true)\n"
    "  TORGHUT_WEB_DIR          the built UI (default: web/dist of the source tree)\n";

}  // namespace torghut::api
