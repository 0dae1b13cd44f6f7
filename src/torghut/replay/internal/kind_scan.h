// Where each TA input kind last occurs in a recorded file, found from the end of the file.
//
//   std::array<uint64_t, ta::kInputKinds> ends = LastKindEnds(reader->contents());
//   bool trades_done = reader->bytes_read() >= ends[0];   // no trade, cancel or correction after
//
// File replay feeds the engine through ta::InputMerge, which may release an input only once every
// other kind either has a queued input or has nothing more to come. A file holds all of its input,
// but reading it front to back only reveals "nothing more" at the end; this scan answers it up
// front, so a file without quotes (say) does not have to be held in memory until its last line.
//
// The scan looks for the message-type key ("T":"t", with optional blanks) of Alpaca messages,
// frames and bus envelopes alike. It may over-report (text that merely looks like a type key makes
// a kind end later, which only delays releases), never under-report for well-formed input, and it
// is a pure function of the bytes, so the replay stays deterministic either way. Usually every kind
// occurs near the end and the scan reads only the last few lines.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "torghut/ta/input_merge.h"

namespace torghut::replay::internal {

// For each kind, the byte offset just past the last line that holds a message of that kind (0 if
// none does). Indexed by ta::InputKind.
std::array<uint64_t, ta::kInputKinds> LastKindEnds(std::string_view contents);

// The kinds of message one line holds, as bits (1 << InputKind).
unsigned KindsInLine(std::string_view line);

}  // namespace torghut::replay::internal
