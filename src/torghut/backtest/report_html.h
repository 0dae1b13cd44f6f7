// report.html: one self-contained page a person reads (SPEC §11) — no script, font or image from
// anywhere else, so it opens from a file with no network. Drawn from report.json's document
// (report.h): the summary as cards, the equity curve with its drawdown, daily P&L bars, each
// symbol's minute closes with its fills marked (buys ▲ below, sells ▼ above; hovering one names
// it), the P&L per strategy and symbol, the rejections, and the trade table. Charts are inline SVG.
//
//   std::string html = backtest::RenderReportHtml(report);
//   io::WriteFileAtomically(out / "report.html", html);
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace torghut::backtest {

// The page for a report built by BuildReport. Deterministic (same report → same bytes).
std::string RenderReportHtml(const nlohmann::json& report);

}  // namespace torghut::backtest
