#include "torghut/llm/llm_config.h"

namespace torghut::llm {

namespace {

Decimal DecimalSetting(ConfigReader& cfg, std::string_view name, Decimal default_value, double min,
                       double max) {
  const double v = cfg.Double(name, default_value.ToDouble(), min, max);
  Result<Decimal> d = Decimal::FromDouble(v, 4);
  return d.ok() ? *d : default_value;
}

}  // namespace

std::string_view ToString(FailMode m) {
  return m == FailMode::kVeto ? "veto" : "pass_through";
}

LlmConfig ReadLlmConfig(ConfigReader& cfg) {
  LlmConfig c;
  c.enabled = cfg.Bool("LLM_ENABLED", c.enabled);
  c.base_url = cfg.String("LLM_BASE_URL", c.base_url);
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0) {
    cfg.AddError("LLM_BASE_URL: must start with http:// or https:// (got \"" + c.base_url + "\")");
  }
  c.api_key = cfg.Secret("LLM_API_KEY", /*required=*/false);
  c.model = cfg.String("LLM_MODEL", c.model);
  c.temperature = cfg.Double("LLM_TEMPERATURE", c.temperature, 0, 2);
  c.max_tokens = cfg.Int("LLM_MAX_TOKENS", c.max_tokens, 16, 32'768);
  c.timeout_ms = cfg.Int("LLM_TIMEOUT_SECONDS", c.timeout_ms / 1000, 1, 600) * 1000;
  c.prompt_version = cfg.String("LLM_PROMPT_VERSION", c.prompt_version);
  c.recent_decisions = cfg.Int("LLM_RECENT_DECISIONS", c.recent_decisions, 0, 50);
  c.shadow_mode = cfg.Bool("LLM_SHADOW_MODE", c.shadow_mode);
  c.fail_mode = cfg.Enum("LLM_FAIL_MODE", {"veto", "pass_through"}, "veto") == "veto"
                    ? FailMode::kVeto
                    : FailMode::kPassThrough;
  c.policy.min_confidence =
      DecimalSetting(cfg, "LLM_MIN_CONFIDENCE", c.policy.min_confidence, 0, 1);
  c.policy.adjustment_allowed = cfg.Bool("LLM_ADJUSTMENT_ALLOWED", c.policy.adjustment_allowed);
  c.policy.min_qty_multiplier =
      DecimalSetting(cfg, "LLM_MIN_QTY_MULTIPLIER", c.policy.min_qty_multiplier, 0, 1);
  c.policy.max_qty_multiplier =
      DecimalSetting(cfg, "LLM_MAX_QTY_MULTIPLIER", c.policy.max_qty_multiplier, 1, 10);
  c.circuit.max_errors = cfg.Int("LLM_CIRCUIT_MAX_ERRORS", c.circuit.max_errors, 1, 1000);
  c.circuit.window_ms =
      cfg.Int("LLM_CIRCUIT_WINDOW_SECONDS", c.circuit.window_ms / 1000, 1, 86'400) * 1000;
  c.circuit.cooldown_ms =
      cfg.Int("LLM_CIRCUIT_COOLDOWN_SECONDS", c.circuit.cooldown_ms / 1000, 1, 86'400) * 1000;
  if (c.enabled && c.api_key.empty()) {
    cfg.AddError("LLM_API_KEY: required when LLM_ENABLED=true (or LLM_API_KEY_FILE)");
  }
  return c;
}

const char* const kLlmEnvHelp =
    "LLM review (advisory, before risk):\n"
    "  LLM_ENABLED                   false\n"
    "  LLM_BASE_URL                  https://api.openai.com/v1 (any OpenAI-compatible server:\n"
    "                                llama.cpp http://127.0.0.1:8080/v1, Ollama\n"
    "                                http://127.0.0.1:11434/v1, vLLM http://HOST:8000/v1)\n"
    "  LLM_API_KEY / LLM_API_KEY_FILE  bearer key (never logged)\n"
    "  LLM_MODEL                     gpt-4o-mini\n"
    "  LLM_TEMPERATURE               0.2\n"
    "  LLM_MAX_TOKENS                300\n"
    "  LLM_TIMEOUT_SECONDS           20\n"
    "  LLM_PROMPT_VERSION            v1 (src/torghut/llm/prompts/<version>/)\n"
    "  LLM_RECENT_DECISIONS          5\n"
    "  LLM_SHADOW_MODE               false: true stores reviews and never changes an outcome\n"
    "  LLM_FAIL_MODE                 veto | pass_through (live mode always vetoes)\n"
    "  LLM_MIN_CONFIDENCE            0.5\n"
    "  LLM_ADJUSTMENT_ALLOWED        false\n"
    "  LLM_MIN_QTY_MULTIPLIER        0.5\n"
    "  LLM_MAX_QTY_MULTIPLIER        1.25\n"
    "  LLM_CIRCUIT_MAX_ERRORS        3 errors within\n"
    "  LLM_CIRCUIT_WINDOW_SECONDS    300 open the circuit for\n"
    "  LLM_CIRCUIT_COOLDOWN_SECONDS  600, then one half-open trial\n";

}  // namespace torghut::llm
