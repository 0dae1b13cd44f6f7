#include "torghut/forwarder/alpaca_rest.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace torghut::forwarder {

namespace {

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
        c == '~' || c == ',') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

http::ClientOptions Options(std::string key_id, std::string secret_key, std::string ca_file,
                            int64_t timeout_ms) {
  http::ClientOptions o;
  o.timeout_ms = timeout_ms;
  o.ca_file = std::move(ca_file);
  o.headers = {{"APCA-API-KEY-ID", std::move(key_id)},
               {"APCA-API-SECRET-KEY", std::move(secret_key)}};
  return o;
}

}  // namespace

AlpacaRestClient::AlpacaRestClient(std::string base_url, std::string key_id, std::string secret_key,
                                   std::string ca_file, int64_t timeout_ms)
    : base_url_(std::move(base_url)),
      client_(Options(std::move(key_id), std::move(secret_key), std::move(ca_file), timeout_ms)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<int64_t> AlpacaRestClient::Fetch(RestKind kind, const std::vector<std::string>& symbols,
                                        Timestamp start, Timestamp end, std::string_view feed,
                                        const std::function<void(std::string_view message)>& emit) {
  const bool trades = kind == RestKind::kTrades;
  const std::string_view path = trades ? "/v2/stocks/trades" : "/v2/stocks/bars";
  const std::string_view key = trades ? "trades" : "bars";
  const std::string_view type = trades ? "t" : "b";
  std::string list;
  for (const std::string& s : symbols) list += (list.empty() ? "" : ",") + s;
  std::string base_query =
      fmt::format("symbols={}&start={}&end={}&limit=10000&feed={}", Escape(list),
                  Escape(FormatRfc3339(start)), Escape(FormatRfc3339(end)), Escape(feed));
  if (!trades) base_query += "&timeframe=1Min";
  int64_t emitted = 0;
  std::string token, message;
  http::ClientRequest request;
  while (true) {
    request.url = fmt::format("{}{}?{}{}", base_url_, path, base_query,
                              token.empty() ? "" : "&page_token=" + Escape(token));
    const http::ClientResponse r =
        http::SendWithRetry(client_, request, retry, http::RetryableIfIdempotent, sleep);
    if (r.status != 200) {
      return Unavailable(fmt::format(
          "GET {}{}: {}", base_url_, path,
          r.answered() ? fmt::format("HTTP {} {}", r.status, r.body.substr(0, 200)) : r.error));
    }
    nlohmann::json page = nlohmann::json::parse(r.body, nullptr, false);
    if (!page.is_object() || !page.contains(key)) {
      return Unavailable(fmt::format("GET {}{}: the answer has no \"{}\"", base_url_, path, key));
    }
    const nlohmann::json& by_symbol = page[std::string(key)];
    if (by_symbol.is_object()) {
      for (const auto& [symbol, items] : by_symbol.items()) {
        if (!items.is_array()) continue;
        for (const auto& item : items) {
          if (!item.is_object()) continue;
          // {"T":…,"S":…} + the REST object's own keys.
          message = fmt::format(R"({{"T":"{}","S":)", type);
          message += nlohmann::json(symbol).dump();
          const std::string fields = item.dump();
          if (fields.size() > 2) {
            message += "," + fields.substr(1);
          } else {
            message += "}";
          }
          emit(message);
          ++emitted;
        }
      }
    }
    if (!page.contains("next_page_token") || !page["next_page_token"].is_string()) break;
    token = page["next_page_token"].get<std::string>();
    if (token.empty()) break;
  }
  return emitted;
}

}  // namespace torghut::forwarder
