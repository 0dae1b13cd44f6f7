#include "torghut/backtest/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace torghut::backtest {
namespace {

using nlohmann::json;

constexpr int kWidth = 960;
constexpr int kPad = 64;                // room for the y labels
constexpr size_t kMaxTableRows = 2000;  // the trade table's rows (the rest are in report.json)
constexpr char kBuy[] = "#1a7f37", kSell[] = "#cf222e", kLine[] = "#2f6fb0";

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "–";
  if (v.is_number_float()) return fmt::format("{:.4f}", v.get<double>());
  return v.dump();
}

std::string Pct(const json& v) {
  return v.is_number() ? fmt::format("{:+.2f}%", v.get<double>() * 100) : "–";
}

double ToNumber(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
  return 0;
}

// "2024-01-02T14:30:00.000Z" → "01-02 14:30" (UTC, as the report's times are).
std::string Short(const std::string& iso) {
  return iso.size() >= 16 ? iso.substr(5, 5) + " " + iso.substr(11, 5) : iso;
}

// The y range of `values` with a little headroom (a flat series gets ±1).
std::pair<double, double> Range(const std::vector<double>& values) {
  if (values.empty()) return {0, 1};
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double a = *lo, b = *hi;
  if (a == b) {
    a -= 1;
    b += 1;
  }
  const double pad = (b - a) * 0.05;
  return {a - pad, b + pad};
}

struct Frame {
  int height;
  double lo, hi;
  size_t n;
  double X(size_t i) const {
    return kPad + (n <= 1 ? 0.0 : static_cast<double>(i) * (kWidth - kPad - 8) / (n - 1));
  }
  double Y(double v) const { return 8 + (hi - v) / (hi - lo) * (height - 28); }
};

std::string Axes(const Frame& f, const std::string& first, const std::string& last) {
  return fmt::format(
      "<line x1='{0}' y1='8' x2='{0}' y2='{1}' class='axis'/>"
      "<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' class='axis'/>"
      "<text x='{3}' y='{4}' class='lbl' text-anchor='end'>{5}</text>"
      "<text x='{3}' y='{1}' class='lbl' text-anchor='end'>{6}</text>"
      "<text x='{0}' y='{7}' class='lbl'>{8}</text>"
      "<text x='{2}' y='{7}' class='lbl' text-anchor='end'>{9}</text>",
      kPad, f.height - 20, kWidth - 8, kPad - 4, 14, fmt::format("{:.2f}", f.hi),
      fmt::format("{:.2f}", f.lo), f.height - 6, Escape(Short(first)), Escape(Short(last)));
}

std::string Polyline(const Frame& f, const std::vector<double>& values, const char* colour) {
  std::string points;
  for (size_t i = 0; i < values.size(); ++i) {
    points += fmt::format("{:.1f},{:.1f} ", f.X(i), f.Y(values[i]));
  }
  return fmt::format("<polyline fill='none' stroke='{}' stroke-width='1.5' points='{}'/>", colour,
                     points);
}

std::string EquityCharts(const json& report) {
  const json& equity = report["equity"];
  if (equity.empty()) return "<p class='empty'>No equity samples: the data had no events.</p>";
  std::vector<double> values, drawdown;
  for (const json& e : equity) {
    values.push_back(ToNumber(e["equity"]));
    drawdown.push_back(-e["drawdown"].get<double>() * 100);
  }
  const std::string first = equity.front()["ts"], last = equity.back()["ts"];
  auto [lo, hi] = Range(values);
  const Frame f{260, lo, hi, values.size()};
  const std::string equity_svg =
      fmt::format("<svg viewBox='0 0 {} {}' class='chart' id='equity-chart'>", kWidth, f.height) +
      Axes(f, first, last) + Polyline(f, values, kLine) + "</svg>";
  auto [dlo, dhi] = Range(drawdown);
  const Frame d{140, std::min(dlo, -0.01), std::max(dhi, 0.0), drawdown.size()};
  std::string area = fmt::format("{:.1f},{:.1f} ", d.X(0), d.Y(0));
  for (size_t i = 0; i < drawdown.size(); ++i) {
    area += fmt::format("{:.1f},{:.1f} ", d.X(i), d.Y(drawdown[i]));
  }
  area += fmt::format("{:.1f},{:.1f}", d.X(drawdown.size() - 1), d.Y(0));
  const std::string drawdown_svg =
      fmt::format("<svg viewBox='0 0 {} {}' class='chart' id='drawdown-chart'>", kWidth, d.height) +
      Axes(d, first, last) +
      fmt::format("<polygon fill='#f4c7c3' stroke='{}' stroke-width='1' points='{}'/>", kSell,
                  area) +
      "</svg>";
  return "<h2>Equity</h2>" + equity_svg + "<h2>Drawdown (%)</h2>" + drawdown_svg;
}

std::string DailyBars(const json& report) {
  const json& days = report["days"];
  if (days.empty()) return "";
  std::vector<double> pnl;
  for (const json& d : days) pnl.push_back(ToNumber(d["pnl"]));
  double lo = std::min(0.0, *std::min_element(pnl.begin(), pnl.end()));
  double hi = std::max(0.0, *std::max_element(pnl.begin(), pnl.end()));
  if (lo == hi) hi = 1;
  const Frame f{200, lo, hi, pnl.size()};
  const double slot = static_cast<double>(kWidth - kPad - 8) / static_cast<double>(pnl.size());
  std::string svg =
      fmt::format("<svg viewBox='0 0 {} {}' class='chart' id='daily-chart'>", kWidth, f.height) +
      Axes(f, days.front()["day"].get<std::string>() + "T00:00",
           days.back()["day"].get<std::string>() + "T00:00");
  for (size_t i = 0; i < pnl.size(); ++i) {
    const double x = kPad + slot * static_cast<double>(i) + slot * 0.15;
    const double y0 = f.Y(0), y1 = f.Y(pnl[i]);
    svg += fmt::format(
        "<rect class='day' x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{:.1f}' fill='{}'>"
        "<title>{}: {}</title></rect>",
        x, std::min(y0, y1), slot * 0.7, std::max(1.0, std::abs(y1 - y0)),
        pnl[i] >= 0 ? kBuy : kSell, Escape(days[i]["day"].get<std::string>()),
        Escape(days[i]["pnl"].get<std::string>()));
  }
  return "<h2>P&amp;L per New York day</h2>" + svg + "</svg>";
}

// One symbol's minute closes, its fills at their minute and price.
std::string PriceChart(const std::string& symbol, const json& bars, const json& fills) {
  std::vector<double> closes;
  std::map<std::string, size_t> index;  // minute start → position
  for (const json& b : bars) {
    index[b["ts"].get<std::string>().substr(0, 16)] = closes.size();
    closes.push_back(b["c"].get<double>());
  }
  if (closes.empty()) return "";
  std::vector<double> all = closes;
  for (const json& f : fills) all.push_back(ToNumber(f["price"]));
  auto [lo, hi] = Range(all);
  const Frame fr{220, lo, hi, closes.size()};
  std::string svg =
      fmt::format("<h3>{0}</h3><svg viewBox='0 0 {1} {2}' class='chart price' data-symbol='{0}'>",
                  Escape(symbol), kWidth, fr.height);
  svg += Axes(fr, bars.front()["ts"], bars.back()["ts"]) + Polyline(fr, closes, "#57606a");
  for (const json& f : fills) {
    auto it = index.find(f["ts"].get<std::string>().substr(0, 16));
    if (it == index.end()) continue;
    const bool buy = f["side"] == "buy";
    const double x = fr.X(it->second), y = fr.Y(ToNumber(f["price"]));
    const double tip = buy ? y + 2 : y - 2, base = buy ? y + 11 : y - 11;
    svg += fmt::format(
        "<polygon class='fill-marker' data-side='{}' fill='{}' points='{:.1f},{:.1f} {:.1f},{:.1f} "
        "{:.1f},{:.1f}'><title>{} {} {} @ {} · {} · {}</title></polygon>",
        buy ? "buy" : "sell", buy ? kBuy : kSell, x, tip, x - 5, base, x + 5, base,
        Escape(f["ts"].get<std::string>()), buy ? "buy" : "sell", Escape(Str(f["qty"])),
        Escape(Str(f["price"])), Escape(Str(f["strategy"])), Escape(Str(f["fill_id"])));
  }
  return svg + "</svg>";
}

std::string Card(const std::string& name, const std::string& value, const std::string& id) {
  return fmt::format(
      "<div class='card' id='card-{}'><div class='k'>{}</div><div class='v'>{}</div></div>", id,
      Escape(name), Escape(value));
}

std::string Table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows, const std::string& id) {
  std::string t = fmt::format("<table id='{}'><thead><tr>", id);
  for (const std::string& h : head) t += "<th>" + Escape(h) + "</th>";
  t += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    t += "<tr>";
    for (const std::string& c : row) t += "<td>" + Escape(c) + "</td>";
    t += "</tr>";
  }
  return t + "</tbody></table>";
}

constexpr char kStyle[] = R"(
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px;color:#1f2d3d;background:#f6f8fa;margin:0;padding:16px 24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:16px 0 4px}
.meta{color:#57606a;margin-bottom:12px}.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:130px}
.card .k{color:#57606a;font-size:12px}.card .v{font-size:18px;font-weight:600}
.chart{background:#fff;border:1px solid #d0d7de;border-radius:6px;width:100%;max-width:960px;display:block}
.axis{stroke:#8c959f;stroke-width:1}.lbl{font-size:11px;fill:#57606a}
table{border-collapse:collapse;background:#fff;font-size:12px;margin-top:4px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#eaeef2}
.empty,.note{color:#57606a}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;border-radius:6px}
)";

}  // namespace

std::string RenderReportHtml(const json& report) {
  const json& s = report["summary"];
  const json& c = report["config"];
  std::string names;
  for (const json& st : c["strategies"]) {
    if (!names.empty()) names += ", ";
    names += st["name"].get<std::string>();
  }
  std::string html =
      "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
      "<meta name='viewport' content='width=device-width, initial-scale=1'>"
      "<title>Torghut backtest · " +
      Escape(Str(c["input"])) + "</title><style>" + kStyle + "</style></head><body>";
  html += "<h1>Backtest of " + Escape(Str(c["input"])) + "</h1>";
  html += "<div class='meta'>" + Escape(Str(s["first_event"])) + " → " +
          Escape(Str(s["last_event"])) + " · strategies: " + Escape(names) + " · cash " +
          Escape(Str(c["cash"])) + " · commission/share " + Escape(Str(c["commission_per_share"])) +
          " · slippage " + Escape(Str(c["slippage_bps"])) + " bps</div>";
  const json& dd = s["max_drawdown"];
  html += "<div class='cards'>" + Card("Return", Pct(s["return"]), "return") +
          Card("Total P&L", Str(s["total_pnl"]), "total-pnl") +
          Card("Realized", Str(s["realized_pnl"]), "realized") +
          Card("Unrealized", Str(s["unrealized_pnl"]), "unrealized") +
          Card("Fees", Str(s["fees"]), "fees") +
          Card("Max drawdown", fmt::format("{:.2f}%", dd["pct"].get<double>() * 100), "drawdown") +
          Card("Sharpe",
               s["sharpe"].is_number() ? fmt::format("{:.2f}", s["sharpe"].get<double>()) : "–",
               "sharpe") +
          Card("Sortino",
               s["sortino"].is_number() ? fmt::format("{:.2f}", s["sortino"].get<double>()) : "–",
               "sortino") +
          Card("Round trips", Str(s["trades"]), "trades") +
          Card("Win rate",
               s["win_rate"].is_number() ? fmt::format("{:.1f}%", s["win_rate"].get<double>() * 100)
                                         : "–",
               "win-rate") +
          Card("Fills", Str(s["fills"]), "fills") +
          Card("Exposure", fmt::format("{:.1f}%", s["exposure"].get<double>() * 100), "exposure") +
          "</div>";
  if (!report["warnings"].empty() || s["bad_lines"].get<int64_t>() > 0) {
    html += "<h2>Warnings</h2><div class='warn'>";
    if (s["bad_lines"].get<int64_t>() > 0) {
      html += Escape(fmt::format("{} bad lines skipped", s["bad_lines"].get<int64_t>()));
      for (const json& b : report["bad_lines"]["first"]) {
        html += "<br>line " + Escape(Str(b["line"])) + ": " + Escape(Str(b["reason"]));
      }
    }
    for (const json& w : report["warnings"]) html += "<br>" + Escape(w.get<std::string>());
    html += "</div>";
  }
  html += EquityCharts(report) + DailyBars(report);

  html += "<h2>Prices and fills</h2>";
  std::map<std::string, json> fills_of;
  for (const json& f : report["fills"]) {
    json& list = fills_of[f["symbol"].get<std::string>()];
    if (list.is_null()) list = json::array();
    list.push_back(f);
  }
  for (const auto& [symbol, bars] : report["prices"].items()) {
    html += PriceChart(symbol, bars, fills_of.count(symbol) ? fills_of[symbol] : json::array());
  }

  std::vector<std::vector<std::string>> rows;
  for (const json& b : report["by_strategy"]) {
    rows.push_back({Str(b["strategy"]), Str(b["symbol"]), Str(b["realized_pnl"]), Str(b["fills"]),
                    Str(b["wins"]), Str(b["losses"]), Str(b["fees"])});
  }
  html += "<h2>By strategy and symbol</h2>" +
          Table({"strategy", "symbol", "realized P&L", "fills", "wins", "losses", "fees"}, rows,
                "by-strategy");
  rows.clear();
  for (const json& d : report["days"]) {
    rows.push_back({Str(d["day"]), Str(d["pnl"]), Pct(d["return"]), Str(d["realized_pnl"]),
                    Str(d["fills"]), Str(d["end_equity"])});
  }
  html +=
      "<h2>Days</h2>" +
      Table({"day (New York)", "P&L", "return", "realized", "fills", "end equity"}, rows, "days");
  rows.clear();
  for (const auto& [reason, count] : report["rejections"].items())
    rows.push_back({reason, Str(count)});
  html +=
      "<h2>Rejections</h2>" + (rows.empty() ? std::string("<p class='empty'>None.</p>")
                                            : Table({"reason", "decisions"}, rows, "rejections"));
  rows.clear();
  const json& fills = report["fills"];
  for (size_t i = 0; i < fills.size() && i < kMaxTableRows; ++i) {
    const json& f = fills[i];
    rows.push_back({Str(f["ts"]), Str(f["symbol"]), Str(f["side"]), Str(f["qty"]), Str(f["price"]),
                    Str(f["commission"]), Str(f["strategy"]),
                    f["decision_hash"].get<std::string>().substr(0, 12)});
  }
  html += "<h2>Trades</h2>" + (rows.empty() ? std::string("<p class='empty'>No fills.</p>")
                                            : Table({"time (UTC)", "symbol", "side", "qty", "price",
                                                     "commission", "strategy", "decision"},
                                                    rows, "trades"));
  if (fills.size() > kMaxTableRows) {
    html +=
        fmt::format("<p class='note'>The first {} of {} fills; every one is in report.json.</p>",
                    kMaxTableRows, fills.size());
  }
  return html + "</body></html>\n";
}

}  // namespace torghut::backtest
