#include "torghut/llm/chat_client.h"

#include <nlohmann/json.hpp>

#include "torghut/http/client.h"

namespace torghut::llm {

namespace {

using nlohmann::json;

// The error message of an OpenAI-style error body ({"error":{"message"}}), else the status.
std::string ServerMessage(const http::ClientResponse& r) {
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].contains("message") && j["error"]["message"].is_string()) {
    return j["error"]["message"].get<std::string>();
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

OpenAiChatClient::OpenAiChatClient(const LlmConfig& config) : config_(config) {
  http::ClientOptions o;
  o.timeout_ms = config.timeout_ms;
  o.connect_timeout_ms = std::min<int64_t>(config.timeout_ms, 10'000);
  o.headers = {{"Authorization", "Bearer " + config.api_key}};
  http_ = std::make_unique<http::HttpClient>(o);
}

OpenAiChatClient::~OpenAiChatClient() = default;

Result<ChatReply> OpenAiChatClient::Complete(const ChatRequest& request,
                                             std::string* request_body) {
  json body = {{"model", config_.model},
               {"messages", json::array({{{"role", "system"}, {"content", request.system}},
                                         {{"role", "user"}, {"content", request.user}}})},
               {"temperature", config_.temperature},
               {"max_tokens", config_.max_tokens},
               {"response_format", {{"type", "json_object"}}}};
  std::string sent = body.dump();
  if (request_body != nullptr) *request_body = sent;
  const http::ClientResponse r = http_->Post(config_.base_url + "/chat/completions", sent);
  if (!r.answered()) {
    if (r.failure == http::Failure::kTimedOut) {
      return DeadlineExceeded("llm: no answer within " + std::to_string(config_.timeout_ms) +
                              " ms");
    }
    return Unavailable("llm: " + r.error);
  }
  if (r.status == 401 || r.status == 403) return Unauthenticated("llm: " + ServerMessage(r));
  if (r.status == 429) return ResourceExhausted("llm: " + ServerMessage(r));
  if (r.status >= 500) return Unavailable("llm: " + ServerMessage(r));
  if (r.status != 200) return InvalidArgument("llm: " + ServerMessage(r));
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
      j["choices"].empty() || !j["choices"][0].is_object() ||
      !j["choices"][0].contains("message") || !j["choices"][0]["message"].is_object() ||
      !j["choices"][0]["message"].contains("content") ||
      !j["choices"][0]["message"]["content"].is_string()) {
    return Status(StatusCode::kDataLoss, "llm: the answer is not a chat completion");
  }
  ChatReply reply;
  reply.content = j["choices"][0]["message"]["content"].get<std::string>();
  reply.raw = r.body;
  if (j.contains("usage") && j["usage"].is_object()) {
    reply.prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
    reply.completion_tokens = j["usage"].value("completion_tokens", int64_t{0});
  }
  return reply;
}

std::string_view ErrorKind(const Status& s) {
  switch (s.code()) {
    case StatusCode::kDeadlineExceeded:
      return "timeout";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return "auth";
    case StatusCode::kResourceExhausted:
      return "rate_limited";
    case StatusCode::kInvalidArgument:
      return "bad_request";
    case StatusCode::kDataLoss:
      return "bad_answer";
    default:
      return "error";
  }
}

}  // namespace torghut::llm
