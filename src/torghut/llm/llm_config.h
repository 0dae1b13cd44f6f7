// The LLM review's settings (SPEC §6 "LLM review"), read from the environment and validated at
// start with one error line per bad value.
//
//   ConfigReader cfg(EnvSource::Process());
//   llm::LlmConfig c = llm::ReadLlmConfig(cfg);
//   TORGHUT_RETURN_IF_ERROR(cfg.Finish());
//   if (c.enabled) { /* build an LlmReviewer */ }
#pragma once

#include <cstdint>
#include <string>

#include "torghut/core/config.h"
#include "torghut/core/decimal.h"

namespace torghut::llm {

enum class FailMode : uint8_t { kVeto, kPassThrough };

// What the policy guard allows (SPEC §6): the review's say is bounded by these.
struct ReviewPolicy {
  Decimal min_confidence = Decimal::FromUnits(Decimal::kOne / 2);      // LLM_MIN_CONFIDENCE
  bool adjustment_allowed = false;                                     // LLM_ADJUSTMENT_ALLOWED
  Decimal min_qty_multiplier = Decimal::FromUnits(Decimal::kOne / 2);  // LLM_MIN_QTY_MULTIPLIER
  Decimal max_qty_multiplier =
      Decimal::FromUnits(Decimal::kOne + Decimal::kOne / 4);  // LLM_MAX_QTY_MULTIPLIER
};

struct CircuitConfig {
  int64_t max_errors = 3;         // LLM_CIRCUIT_MAX_ERRORS
  int64_t window_ms = 300'000;    // LLM_CIRCUIT_WINDOW_SECONDS
  int64_t cooldown_ms = 600'000;  // LLM_CIRCUIT_COOLDOWN_SECONDS
};

struct LlmConfig {
  bool enabled = false;                                // LLM_ENABLED
  std::string base_url = "https://api.openai.com/v1";  // LLM_BASE_URL (…/chat/completions)
  std::string api_key;                                 // LLM_API_KEY or LLM_API_KEY_FILE (secret)
  std::string model = "gpt-4o-mini";                   // LLM_MODEL
  double temperature = 0.2;                            // LLM_TEMPERATURE
  int64_t max_tokens = 300;                            // LLM_MAX_TOKENS
  int64_t timeout_ms = 20'000;                         // LLM_TIMEOUT_SECONDS
  std::string prompt_version = "v1";                   // LLM_PROMPT_VERSION
  int64_t recent_decisions = 5;                        // LLM_RECENT_DECISIONS
  bool shadow_mode = false;                            // LLM_SHADOW_MODE
  FailMode fail_mode = FailMode::kVeto;                // LLM_FAIL_MODE veto | pass_through
  ReviewPolicy policy;
  CircuitConfig circuit;
};

LlmConfig ReadLlmConfig(ConfigReader& cfg);
std::string_view ToString(FailMode m);

extern const char* const kLlmEnvHelp;

}  // namespace torghut::llm
