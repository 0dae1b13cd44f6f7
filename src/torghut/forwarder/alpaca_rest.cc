#include "torghut/forwarder/alpaca_rest.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "torghut/core/symbols.h"

namespace torghut::forwarder {

namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t Header(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  constexpr std::string_view kRetry = "retry-after:";
  if (line.size() > kRetry.size()) {
    std::string head(line.substr(0, kRetry.size()));
    std::transform(head.begin(), head.end(), head.begin(), ::tolower);
    if (head == kRetry) *static_cast<int64_t*>(out) = std::atoll(line.data() + kRetry.size());
  }
  return size * n;
}

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

}  // namespace

HttpGetResult HttpGet(const std::string& url, const std::vector<std::string>& headers,
                      int64_t timeout_ms, const std::string& ca_file) {
  HttpGetResult r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    r.error = "curl_easy_init failed";
    return r;
  }
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.retry_after_s);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

Result<std::vector<std::string>> ParseSymbolList(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("symbols")) j = j["symbols"];
  if (!j.is_array()) {
    return InvalidArgument("not a JSON array of symbols (or an object with \"symbols\")");
  }
  std::vector<std::string> out;
  for (const auto& s : j) {
    if (!s.is_string() || !IsValidSymbol(s.get<std::string>())) {
      return InvalidArgument("not a valid symbol: " + s.dump());
    }
    out.push_back(s.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

AlpacaRestClient::AlpacaRestClient(std::string base_url, std::string key_id, std::string secret_key,
                                   std::string ca_file)
    : base_url_(std::move(base_url)),
      key_id_(std::move(key_id)),
      secret_key_(std::move(secret_key)),
      ca_file_(std::move(ca_file)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<int64_t> AlpacaRestClient::Fetch(
    RestKind kind, const std::vector<std::string>& symbols, Timestamp start, Timestamp end,
    std::string_view feed, const std::function<void(std::string_view message)>& emit) const {
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
  const std::vector<std::string> headers = {"APCA-API-KEY-ID: " + key_id_,
                                            "APCA-API-SECRET-KEY: " + secret_key_};
  int64_t emitted = 0;
  std::string token, message;
  while (true) {
    const std::string url = fmt::format("{}{}?{}{}", base_url_, path, base_query,
                                        token.empty() ? "" : "&page_token=" + Escape(token));
    HttpGetResult r;
    for (int attempt = 1;; ++attempt) {
      r = HttpGet(url, headers, timeout_ms, ca_file_);
      const bool retry = r.status == 0 || r.status == 429 || r.status >= 500;
      if (!retry || attempt >= max_attempts) break;
      const int64_t wait_ms = r.retry_after_s >= 0
                                  ? std::min<int64_t>(r.retry_after_s * 1000, 10'000)
                                  : std::min<int64_t>(250 << attempt, 5'000);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));  // the server asked
    }
    if (r.status != 200) {
      return Unavailable(fmt::format(
          "GET {}{}: {}", base_url_, path,
          r.status == 0 ? r.error : fmt::format("HTTP {} {}", r.status, r.body.substr(0, 200))));
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
          if (fields.size() > 2)
            message += "," + fields.substr(1);
          else
            message += "}";
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
