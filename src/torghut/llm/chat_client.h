// OpenAI-compatible chat completions (`POST {LLM_BASE_URL}/chat/completions`) on http/client: a
// system and a user message, `response_format: {"type":"json_object"}`, bearer auth. Works with
// OpenAI and with local OpenAI-compatible servers (llama.cpp's server, Ollama, vLLM) and with
// `torghut sim serve`'s reviewer.
//
//   OpenAiChatClient chat(config);
//   std::string body;
//   Result<ChatReply> r = chat.Complete({system_prompt, request_document}, &body);
//   if (!r.ok()) log::Warn("llm", "review failed", {{"kind", std::string(ErrorKind(r.status()))}});
//
// Errors: kDeadlineExceeded (no answer within LLM_TIMEOUT_SECONDS), kUnavailable (unreachable,
// 5xx), kUnauthenticated (401/403: the key), kResourceExhausted (429), kInvalidArgument (another
// 4xx), kDataLoss (an answer that is not a chat completion). The key never appears in a message.
// One request at a time per client (not thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "torghut/core/status.h"
#include "torghut/llm/llm_config.h"

namespace torghut::http {
class HttpClient;
}

namespace torghut::llm {

struct ChatRequest {
  std::string system;
  std::string user;
};

struct ChatReply {
  std::string content;  // the assistant message's content
  std::string raw;      // the whole answer body
  int64_t prompt_tokens = 0, completion_tokens = 0;
};

// What reviews are asked of: the HTTP client, or a test's fake.
class ChatModel {
 public:
  virtual ~ChatModel() = default;
  virtual std::string_view model() const = 0;
  // `request_body`: set to what was sent (for the audit), even when the call fails.
  virtual Result<ChatReply> Complete(const ChatRequest& request, std::string* request_body) = 0;
};

class OpenAiChatClient final : public ChatModel {
 public:
  explicit OpenAiChatClient(const LlmConfig& config);
  ~OpenAiChatClient() override;
  std::string_view model() const override { return config_.model; }
  Result<ChatReply> Complete(const ChatRequest& request, std::string* request_body) override;

 private:
  LlmConfig config_;
  std::unique_ptr<http::HttpClient> http_;
};

// "timeout" | "unavailable" | "auth" | "rate_limited" | "bad_request" | "bad_answer" | "error":
// the `kind` label of torghut_llm_errors_total.
std::string_view ErrorKind(const Status& s);

}  // namespace torghut::llm
