#include "torghut/broker/alpaca/alpaca_broker.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "torghut/broker/alpaca/wire.h"
#include "torghut/core/time.h"

namespace torghut::broker {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxBodyInMessage = 200;

http::ClientOptions ClientOptionsFor(const AlpacaConfig& c) {
  http::ClientOptions o;
  o.connect_timeout_ms = c.connect_timeout_ms;
  o.timeout_ms = c.timeout_ms;
  o.ca_file = c.ca_file;
  if (!c.key_id.empty()) o.headers.emplace_back("APCA-API-KEY-ID", c.key_id);
  if (!c.secret_key.empty()) o.headers.emplace_back("APCA-API-SECRET-KEY", c.secret_key);
  return o;
}

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string FormatTime(EpochMillis ms) {
  return FormatRfc3339(Timestamp::FromMillis(ms), FracDigits::kMillis);
}

// A body as it may appear in a one-line message: control characters as spaces, cut short.
std::string Snippet(std::string_view body) {
  std::string out(body.substr(0, kMaxBodyInMessage));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kMaxBodyInMessage) out += "…";
  return out.empty() ? "(empty body)" : out;
}

// No answer, or a 5xx, to a read: worth another attempt. (429s are waited out separately.)
bool RetryableRead(const http::ClientResponse& r) {
  if (!r.answered()) return r.failure != http::Failure::kBadUrl;
  return r.status >= 500;
}

}  // namespace

std::string_view AlpacaErrorClass(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return "alpaca_auth";
    case StatusCode::kResourceExhausted:
      return "alpaca_rate_limited";
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return "alpaca_unreachable";
    case StatusCode::kDataLoss:
      return "alpaca_protocol";
    default:
      return "";
  }
}

struct AlpacaBroker::Exchange {
  std::string_view call, method;
  std::string path;  // with the query
  http::ClientResponse response;
  int attempts = 0;
  int64_t rate_limit_wait_ms = 0;
  bool rate_limited_out = false;  // still 429 when the wait budget ran out
  SteadyClock::time_point start = SteadyClock::now();

  bool ok() const { return !rate_limited_out && response.status >= 200 && response.status < 300; }
  // "alpaca GET /v2/orders" (the query left out: it can be long and says nothing new).
  std::string Where() const {
    return fmt::format("alpaca {} {}", method, std::string_view(path).substr(0, path.find('?')));
  }
};

AlpacaBroker::AlpacaBroker(AlpacaConfig config, AlpacaBrokerOptions options)
    : config_(std::move(config)), options_(std::move(options)), client_(ClientOptionsFor(config_)) {
  if (options_.clock == nullptr) options_.clock = &SystemClock();
}

void AlpacaBroker::Sleep(int64_t ms) {
  if (ms <= 0) return;
  if (options_.sleep) {
    options_.sleep(ms);
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));  // a wait the server asked for
  }
}

void AlpacaBroker::Send(std::string_view call, std::string_view method, const std::string& path,
                        std::string body, Exchange* ex) {
  ex->call = call;
  ex->method = method;
  ex->path = path;
  http::ClientRequest request;
  request.method = std::string(method);
  request.url = config_.base_url + path;
  request.body = std::move(body);
  int read_attempts = 0;  // attempts that count against read_retry (429s do not)
  while (true) {
    ex->response = client_.Send(request);
    ++ex->attempts;
    const http::ClientResponse& r = ex->response;
    if (r.status == 429) {
      int64_t wait_ms = options_.default_rate_limit_wait_ms;
      if (const http::RateLimit limit = r.RateLimitHeaders(); limit.reset >= 0) {
        wait_ms = limit.reset * kMillisPerSecond - options_.clock->NowMillis();
      } else if (const int64_t after = r.RetryAfterMs(); after >= 0) {
        wait_ms = after;
      }
      wait_ms = std::max(wait_ms, options_.min_rate_limit_wait_ms);
      if (ex->rate_limit_wait_ms + wait_ms > options_.max_rate_limit_wait_ms) {
        ex->rate_limited_out = true;
        return;
      }
      Sleep(wait_ms);
      ex->rate_limit_wait_ms += wait_ms;
      continue;
    }
    ++read_attempts;
    if (method != "GET" || !RetryableRead(r) || read_attempts >= options_.read_retry.max_attempts) {
      return;
    }
    Sleep(http::RetryDelayMs(options_.read_retry, read_attempts, r));
  }
}

Status AlpacaBroker::ErrorOf(const Exchange& ex) const {
  const http::ClientResponse& r = ex.response;
  const std::string where = ex.Where();
  if (ex.rate_limited_out) {
    return ResourceExhausted(Scrub(fmt::format(
        "{}: rate limited (429) after waiting {} ms of at most {} ms (X-Ratelimit-Remaining {})",
        where, ex.rate_limit_wait_ms, options_.max_rate_limit_wait_ms,
        r.RateLimitHeaders().remaining)));
  }
  if (!r.answered()) {
    const std::string why = fmt::format("{}: {}", where, r.error);
    if (r.failure == http::Failure::kBadUrl) return InvalidArgument(Scrub(why));
    if (http::MayHaveReachedServer(r.failure)) {
      return DeadlineExceeded(Scrub(why + " (the request may have reached Alpaca)"));
    }
    return Unavailable(Scrub(why));
  }
  const std::optional<AlpacaError> e = ParseAlpacaError(r.body);
  std::string detail = Snippet(r.body);
  if (e) detail = e->code != 0 ? fmt::format("{} (code {})", e->message, e->code) : e->message;
  const std::string message = Scrub(fmt::format("{}: HTTP {}: {}", where, r.status, detail));
  if (r.status == 401) return Unauthenticated(message);
  if (r.status == 403) {
    // Alpaca's business rejections carry a 403xxxxx code; a bare "forbidden." is the key's.
    if (e && e->code / 100'000 == 403) return FailedPrecondition(message);
    return PermissionDenied(message);
  }
  if (r.status == 404) return NotFound(message);
  if (r.status >= 500) {
    if (ex.method == "POST") {
      return DeadlineExceeded(message + " (the order may exist)");
    }
    return Unavailable(message);
  }
  if (r.status >= 400) return InvalidArgument(message);
  return DataLoss(message + " (an unexpected status)");
}

void AlpacaBroker::Record(const Exchange& ex, const Status& status) {
  last_error_class_ = std::string(AlpacaErrorClass(status));
  if (!options_.on_call) return;
  BrokerCall c;
  c.call = ex.call;
  c.method = ex.method;
  c.latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - ex.start).count();
  c.rate_limit_wait_ms = ex.rate_limit_wait_ms;
  c.attempts = ex.attempts;
  c.http_status = ex.response.status;
  c.code = status.code();
  c.error_class = last_error_class_;
  options_.on_call(c);
}

std::string AlpacaBroker::Scrub(std::string text) const {
  for (const std::string* secret : {&config_.key_id, &config_.secret_key}) {
    if (secret->size() < 4) continue;  // too short to tell from ordinary text
    for (size_t at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
      text.replace(at, secret->size(), "***");
    }
  }
  return text;
}

template <typename T, typename Parse>
Result<T> AlpacaBroker::Parsed(const Exchange& ex, Parse parse) {
  if (!ex.ok()) {
    Status s = ErrorOf(ex);
    Record(ex, s);
    return s;
  }
  Result<T> v = parse(ex.response.body);
  if (!v.ok()) {
    Status s = DataLoss(Scrub(
        fmt::format("{}: HTTP {}: {}", ex.Where(), ex.response.status, v.status().message())));
    Record(ex, s);
    return s;
  }
  Record(ex, Status::Ok());
  return v;
}

Result<BrokerOrder> AlpacaBroker::SubmitOrder(const OrderRequest& request) {
  TORGHUT_RETURN_IF_ERROR(ValidateOrderRequest(request));
  Exchange ex;
  Send("submit_order", "POST", "/v2/orders", AlpacaOrderRequestJson(request), &ex);
  return Parsed<BrokerOrder>(ex, ParseAlpacaOrder);
}

Result<std::optional<BrokerOrder>> AlpacaBroker::GetOrderByClientOrderId(
    std::string_view client_order_id) {
  if (client_order_id.empty()) return InvalidArgument("no client_order_id to look up");
  Exchange ex;
  Send("get_order_by_client_order_id", "GET",
       "/v2/orders:by_client_order_id?client_order_id=" + Encode(client_order_id), "", &ex);
  // Alpaca's "order not found" is a JSON error body; a 404 page from something else in the way
  // (a proxy, a wrong base URL) is not an answer about the order and stays an error — the submit
  // protocol must not read it as "send again".
  if (!ex.rate_limited_out && ex.response.status == 404 &&
      ParseAlpacaError(ex.response.body).has_value()) {
    Record(ex, Status::Ok());
    return std::optional<BrokerOrder>();
  }
  return Parsed<std::optional<BrokerOrder>>(
      ex, [](std::string_view body) -> Result<std::optional<BrokerOrder>> {
        TORGHUT_ASSIGN_OR_RETURN(BrokerOrder o, ParseAlpacaOrder(body));
        return std::optional<BrokerOrder>(std::move(o));
      });
}

Result<BrokerOrder> AlpacaBroker::GetOrder(std::string_view order_id) {
  if (order_id.empty()) return InvalidArgument("no order id to look up");
  Exchange ex;
  Send("get_order", "GET", "/v2/orders/" + Encode(order_id), "", &ex);
  return Parsed<BrokerOrder>(ex, ParseAlpacaOrder);
}

Result<std::vector<BrokerOrder>> AlpacaBroker::ListOrders(const OrderQuery& q) {
  if (q.status != "open" && q.status != "closed" && q.status != "all") {
    return InvalidArgument(fmt::format("order status '{}' is not open, closed or all", q.status));
  }
  if (q.direction != "asc" && q.direction != "desc") {
    return InvalidArgument(fmt::format("direction '{}' is not asc or desc", q.direction));
  }
  if (q.limit < 1 || q.limit > 500) {
    return InvalidArgument(fmt::format("limit {} is outside 1..500", q.limit));
  }
  std::string path =
      fmt::format("/v2/orders?status={}&limit={}&direction={}", q.status, q.limit, q.direction);
  if (q.after) path += "&after=" + Encode(FormatTime(*q.after));
  if (q.until) path += "&until=" + Encode(FormatTime(*q.until));
  if (!q.symbols.empty()) {
    std::string list;
    for (const std::string& s : q.symbols) list += (list.empty() ? "" : ",") + s;
    path += "&symbols=" + Encode(list);
  }
  Exchange ex;
  Send("list_orders", "GET", path, "", &ex);
  return Parsed<std::vector<BrokerOrder>>(ex, ParseAlpacaOrders);
}

Status AlpacaBroker::CancelOrder(std::string_view order_id) {
  if (order_id.empty()) return InvalidArgument("no order id to cancel");
  Exchange ex;
  Send("cancel_order", "DELETE", "/v2/orders/" + Encode(order_id), "", &ex);
  Status s;
  if (!ex.ok()) {
    s = ErrorOf(ex);
    // Alpaca answers 422 for an order that is no longer cancelable (filled, canceled, …).
    if (!ex.rate_limited_out && ex.response.status == 422) {
      s = FailedPrecondition(s.message() + " (no longer cancelable)");
    }
  }
  Record(ex, s);
  return s;
}

Result<std::vector<std::string>> AlpacaBroker::CancelAllOrders() {
  Exchange ex;
  Send("cancel_all_orders", "DELETE", "/v2/orders", "", &ex);
  return Parsed<std::vector<std::string>>(ex, [](std::string_view body) {
    // 207 Multi-Status with one entry per order; an empty body when there was nothing to cancel.
    if (body.find_first_not_of(" \r\n\t") == std::string_view::npos) {
      return Result<std::vector<std::string>>(std::vector<std::string>{});
    }
    return ParseAlpacaCancelAll(body);
  });
}

Result<Account> AlpacaBroker::GetAccount() {
  Exchange ex;
  Send("get_account", "GET", "/v2/account", "", &ex);
  return Parsed<Account>(ex, ParseAlpacaAccount);
}

Result<std::vector<BrokerPosition>> AlpacaBroker::ListPositions() {
  Exchange ex;
  Send("list_positions", "GET", "/v2/positions", "", &ex);
  return Parsed<std::vector<BrokerPosition>>(ex, ParseAlpacaPositions);
}

Result<MarketClock> AlpacaBroker::GetClock() {
  Exchange ex;
  Send("get_clock", "GET", "/v2/clock", "", &ex);
  return Parsed<MarketClock>(ex, ParseAlpacaClock);
}

}  // namespace torghut::broker
