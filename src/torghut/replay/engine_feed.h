// Feeding one decoded Alpaca message to a TA engine: the one dispatch shared by file replay and the
// live stream processor (so both drive the engine identically).
//
//   if (!FeedEngine(engine, message, meta)) ++ignored;
#pragma once

#include <variant>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/ta/engine.h"

namespace torghut::replay {

// true when the engine took the message; false for kinds TA does not use (statuses, LULD,
// control), which are left for the caller to count.
inline bool FeedEngine(ta::Engine& engine, const alpaca::DecodedMessage& m,
                       const ta::InputMeta& meta) {
  using alpaca::MessageType;
  switch (m.type) {
    case MessageType::kTrade:
      engine.OnTrade(std::get<market::Trade>(m.event), meta);
      return true;
    case MessageType::kQuote:
      engine.OnQuote(std::get<market::Quote>(m.event), meta);
      return true;
    case MessageType::kBar:
    case MessageType::kUpdatedBar:
    case MessageType::kDailyBar:
      engine.OnBar(std::get<market::Bar>(m.event), meta);
      return true;
    case MessageType::kCancel:
      engine.OnCancel(std::get<market::Cancel>(m.event), meta);
      return true;
    case MessageType::kCorrection:
      engine.OnCorrection(std::get<market::Correction>(m.event), meta);
      return true;
    default:
      return false;
  }
}

}  // namespace torghut::replay
