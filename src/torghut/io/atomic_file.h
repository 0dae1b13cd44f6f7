// Whole-file replacement that a crash can never leave half-written.
//
//   TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(dir / "microbars.jsonl", rows));
//   TORGHUT_RETURN_IF_ERROR(WriteFileAtomically(offset_path, "42\n", Durability::kSynced));
//
// The content goes to a temporary file beside `path` that is then renamed over it, so readers see
// the old file or the new one, never a mix. kSynced also fdatasyncs the file before the rename and
// fsyncs the directory after it, so the new content survives power loss once this returns.
// Errors: kResourceExhausted when the disk is full, kUnavailable otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut {

enum class Durability : uint8_t { kProcessCrash, kSynced };

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           Durability durability = Durability::kProcessCrash);

// fsyncs a directory so that files just created or renamed in it keep their names after a power
// loss. Best effort: errors are ignored (some filesystems refuse fsync on directories).
void SyncDirectory(const std::filesystem::path& dir);

}  // namespace torghut
