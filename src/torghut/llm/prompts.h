// The versioned system prompts of the LLM review (LLM_PROMPT_VERSION), from
// src/torghut/llm/prompts/<version>/system.txt, compiled in. A new version is a new folder and a
// line in prompts/prompts.cc.in; a version's text never changes once released (reviews stored
// with it must stay explainable).
#pragma once

#include <string_view>

#include "torghut/core/status.h"

namespace torghut::llm {

// kInvalidArgument for an unknown version.
Result<std::string_view> SystemPrompt(std::string_view version);

}  // namespace torghut::llm
