#include "torghut/sim/llm_reviewer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace torghut::sim {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int64_t kMaxWaitMs = 86'400'000;  // a day: longer waits would overflow the clock's math

// OpenAI's error body; `code` "" is null.
http::Response OpenAiError(int status, std::string_view type, std::string_view message,
                           std::string_view code) {
  ordered_json e;
  e["message"] = message;
  e["type"] = type;
  e["param"] = nullptr;
  e["code"] = code.empty() ? ordered_json(nullptr) : ordered_json(code);
  ordered_json body;
  body["error"] = std::move(e);
  return http::Response::Json(status, body.dump());
}

struct ChatRequest {
  std::string model;
  std::string review_request;  // the last user message's content
  size_t prompt_bytes = 0;     // every message's content
};

// A message's text: a string, or OpenAI's array of parts ({type:"text",text}); null is empty.
Result<std::string> ContentText(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return std::string();
  if (!content.is_array()) return InvalidArgument("a message's content must be a string");
  std::string text;
  for (const json& part : content) {
    auto t = part.is_object() ? part.find("text") : part.end();
    if (!part.is_object() || t == part.end() || !t->is_string()) {
      return InvalidArgument("a content part must be {\"type\":\"text\",\"text\":…}");
    }
    text += t->get_ref<const std::string&>();
  }
  return text;
}

Result<ChatRequest> ParseChatRequest(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("We could not parse the JSON body of your request.");
  }
  ChatRequest req;
  auto model = j.find("model");
  if (model == j.end() || !model->is_string() || model->get_ref<const std::string&>().empty()) {
    return InvalidArgument("you must provide a model parameter");
  }
  req.model = model->get<std::string>();
  auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array() || messages->empty()) {
    return InvalidArgument("messages must be a non-empty array");
  }
  bool user = false;
  for (const json& m : *messages) {
    auto role = m.is_object() ? m.find("role") : m.end();
    if (!m.is_object() || role == m.end() || !role->is_string() || !m.contains("content")) {
      return InvalidArgument("every message needs a role and a content");
    }
    TORGHUT_ASSIGN_OR_RETURN(std::string text, ContentText(m["content"]));
    req.prompt_bytes += text.size();
    if (role->get_ref<const std::string&>() == "user") {
      req.review_request = std::move(text);
      user = true;
    }
  }
  if (!user) return InvalidArgument("messages must include a user message");
  for (const char* key : {"temperature", "max_tokens"}) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_null() && !it->is_number()) {
      return InvalidArgument(fmt::format("{} must be a number", key));
    }
  }
  if (auto rf = j.find("response_format"); rf != j.end() && !rf->is_null()) {
    if (!rf->is_object() || !rf->contains("type") || !(*rf)["type"].is_string()) {
      return InvalidArgument("response_format must be {\"type\":…}");
    }
  }
  return req;
}

std::string ReviewJson(const LlmReview& r) {
  ordered_json j;
  j["verdict"] = r.verdict;
  j["confidence"] = r.confidence;
  j["rationale"] = r.rationale;
  j["risk_flags"] = r.risk_flags;
  return j.dump();
}

int64_t Tokens(size_t bytes) {
  return std::max<int64_t>(1, static_cast<int64_t>(bytes / 4));
}

}  // namespace

LlmReviewer::LlmReviewer(const MarketServerOptions& options, Faults* faults,
                         const torghut::Clock* clock)
    : options_(options), clock_(clock) {
  faults->AddSwitches(
      {{"llm_http_500", FaultValue::kCount},
       {"llm_hang_ms", FaultValue::kCount},
       {"llm_delay_ms", FaultValue::kCount},
       {"llm_not_json", FaultValue::kCount},
       {"llm_bad_schema", FaultValue::kCount},
       {"llm_long_rationale", FaultValue::kCount},
       {"llm",
        FaultValue::kChoice,
        {"ok", "http_500", "hang", "slow", "not_json", "bad_schema", "long_rationale"}},
       {"llm_count", FaultValue::kCount}},
      [this](const nlohmann::json& f) { ApplyFaults(f); });
  faults->AddStatus([this](nlohmann::json* status) { WriteStatus(status); });
}

void LlmReviewer::Register(http::Router& router) {
  router.Post("/v1/chat/completions", [this](const http::Request& r) { return Complete(r); });
}

void LlmReviewer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
}

LlmReviewer::Shape LlmReviewer::TakeModeLocked() {
  if (mode_ == Shape::kReview || mode_left_ == 0) return Shape::kReview;
  const Shape shape = mode_;
  if (mode_left_ > 0 && --mode_left_ == 0) {
    mode_ = Shape::kReview;
    mode_left_ = -1;
  }
  return shape;
}

void LlmReviewer::WaitLocked(std::unique_lock<std::mutex>& lock, Shape shape) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t changes = mode_changes_;
  bool hung = false, delayed = false;
  while (!stopping_) {
    if ((hang_ms_ > 0 || shape == Shape::kHang) && !hung) {
      ++hung_;
      hung = true;
    }
    if ((delay_ms_ > 0 || shape == Shape::kSlow) && !delayed) {
      ++delayed_;
      delayed = true;
    }
    int64_t own_ms = 0;
    if (shape == Shape::kHang && mode_changes_ == changes) own_ms = kMaxWaitMs;
    if (shape == Shape::kSlow) own_ms = kSlowMs;
    const auto deadline = start + std::chrono::milliseconds(hang_ms_ + delay_ms_ + own_ms);
    if (std::chrono::steady_clock::now() >= deadline) return;
    changed_.wait_until(lock, deadline);
  }
}

http::Response LlmReviewer::Error(int status, std::string_view type, std::string_view message,
                                  std::string_view code) {
  {
    std::lock_guard lock(mu_);
    ++errors_sent_;
  }
  return OpenAiError(status, type, message, code);
}

http::Response LlmReviewer::Complete(const http::Request& r) {
  {
    std::lock_guard lock(mu_);
    ++requests_;
  }
  const std::string_view auth = r.Header("authorization");
  constexpr std::string_view kBearer = "bearer ";
  std::string scheme(auth.substr(0, std::min(auth.size(), kBearer.size())));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != kBearer || auth.size() == kBearer.size()) {
    return Error(401, "invalid_request_error",
                 "You didn't provide an API key. You need to provide your API key in an "
                 "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                 "invalid_api_key");
  }
  if (auth.substr(kBearer.size()) != options_.llm_api_key) {
    return Error(401, "invalid_request_error", "Incorrect API key provided.", "invalid_api_key");
  }
  Shape mode = Shape::kReview;
  {
    std::unique_lock lock(mu_);
    mode = TakeModeLocked();
    WaitLocked(lock, mode);
    if (http_500_ > 0 || mode == Shape::kHttp500) {
      if (http_500_ > 0) --http_500_;
      ++sent_500_;
      ++errors_sent_;
      return OpenAiError(500, "server_error",
                         "The server had an error while processing your request. Sorry about that!",
                         "");
    }
  }
  Result<ChatRequest> req = ParseChatRequest(r.body);
  if (!req.ok()) return Error(400, "invalid_request_error", req.status().message(), "");
  Result<LlmReview> review = ReviewDocument(req->review_request);
  if (!review.ok()) {
    return Error(400, "invalid_request_error",
                 "the last user message is not a review request: " + review.status().message(), "");
  }

  Shape shape = Shape::kReview;
  int64_t n = 0;
  {
    std::lock_guard lock(mu_);
    n = ++completions_;
    if (not_json_ > 0) {
      --not_json_;
      shape = Shape::kNotJson;
    } else if (bad_schema_ > 0) {
      --bad_schema_;
      shape = Shape::kBadSchema;
    } else if (long_rationale_ > 0) {
      --long_rationale_;
      shape = Shape::kLong;
    } else if (mode == Shape::kNotJson || mode == Shape::kBadSchema || mode == Shape::kLong) {
      shape = mode;
    }
    switch (shape) {
      case Shape::kNotJson:
        ++sent_not_json_;
        break;
      case Shape::kBadSchema:
        ++sent_bad_schema_;
        break;
      case Shape::kLong:
        ++sent_long_;
        [[fallthrough]];
      default:
        ++(review->verdict == "approve" ? approved_ : vetoed_);
        break;
    }
  }
  std::string content;
  switch (shape) {
    case Shape::kNotJson:
      content = "I reviewed the trade and it looks reasonable to me, so I would approve it.";
      break;
    case Shape::kBadSchema:
      content = R"({"verdict":"maybe","confidence":7,"rationale":"undecided","risk_flags":[]})";
      break;
    case Shape::kLong:
      while (review->rationale.size() < 300) {
        review->rationale += " The simulated reviewer restates its reasoning at length.";
      }
      content = ReviewJson(*review);
      break;
    default:
      content = ReviewJson(*review);
      break;
  }

  ordered_json message;
  message["role"] = "assistant";
  message["content"] = content;
  ordered_json choice;
  choice["index"] = 0;
  choice["message"] = std::move(message);
  choice["finish_reason"] = "stop";
  const int64_t prompt = Tokens(req->prompt_bytes), completion = Tokens(content.size());
  ordered_json usage;
  usage["prompt_tokens"] = prompt;
  usage["completion_tokens"] = completion;
  usage["total_tokens"] = prompt + completion;
  ordered_json reply;
  reply["id"] = fmt::format("chatcmpl-sim-{}", n);
  reply["object"] = "chat.completion";
  reply["created"] = clock_->NowMillis() / 1000;
  reply["model"] = req->model;
  reply["choices"] = ordered_json::array({std::move(choice)});
  reply["usage"] = std::move(usage);
  return http::Response::Json(200, reply.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LlmReviewer::ApplyFaults(const nlohmann::json& f) {
  {
    std::lock_guard lock(mu_);
    auto take = [&](const char* key, int64_t* into, int64_t max) {
      if (f.contains(key)) *into = std::min(f[key].get<int64_t>(), max);
    };
    take("llm_http_500", &http_500_, INT64_MAX);
    take("llm_hang_ms", &hang_ms_, kMaxWaitMs);
    take("llm_delay_ms", &delay_ms_, kMaxWaitMs);
    take("llm_not_json", &not_json_, INT64_MAX);
    take("llm_bad_schema", &bad_schema_, INT64_MAX);
    take("llm_long_rationale", &long_rationale_, INT64_MAX);
    if (f.contains("llm")) {
      const std::string m = f["llm"].get<std::string>();
      mode_ = m == "http_500"         ? Shape::kHttp500
              : m == "hang"           ? Shape::kHang
              : m == "slow"           ? Shape::kSlow
              : m == "not_json"       ? Shape::kNotJson
              : m == "bad_schema"     ? Shape::kBadSchema
              : m == "long_rationale" ? Shape::kLong
                                      : Shape::kReview;  // "ok"
      mode_left_ = -1;
      ++mode_changes_;
    }
    take("llm_count", &mode_left_, INT64_MAX);
  }
  changed_.notify_all();
}

void LlmReviewer::WriteStatus(nlohmann::json* status) const {
  std::lock_guard lock(mu_);
  nlohmann::json& l = (*status)["llm"];
  l["requests"] = requests_;
  l["by_verdict"] = {{"approve", approved_}, {"veto", vetoed_}};
  l["errors_sent"] = errors_sent_;
  l["faults"] = {{"http_500", sent_500_},
                 {"not_json", sent_not_json_},
                 {"bad_schema", sent_bad_schema_},
                 {"long_rationale", sent_long_},
                 {"delayed", delayed_},
                 {"hung", hung_}};
  l["hang_ms"] = hang_ms_;
  l["delay_ms"] = delay_ms_;
  const char* mode = "ok";
  switch (mode_) {
    case Shape::kHttp500:
      mode = "http_500";
      break;
    case Shape::kHang:
      mode = "hang";
      break;
    case Shape::kSlow:
      mode = "slow";
      break;
    case Shape::kNotJson:
      mode = "not_json";
      break;
    case Shape::kBadSchema:
      mode = "bad_schema";
      break;
    case Shape::kLong:
      mode = "long_rationale";
      break;
    case Shape::kReview:
      break;
  }
  l["mode"] = mode;
  l["mode_left"] = mode_ == Shape::kReview ? -1 : mode_left_;
}

}  // namespace torghut::sim
