#pragma once
// All-or-nothing changes to a bundle file.
//
//   bundle ──copy──▶ .NAME.import-PID.gpkg ──build(work)──▶ fsync ──rename()──▶ bundle
//
// The original is never opened for writing: a failure or a killed process leaves its bytes as they
// were (a stale .import-PID file may remain after a kill; it is never read). rename() within one
// folder is atomic on POSIX file systems.
#include <filesystem>
#include <functional>
#include <string_view>

namespace onemap::data {

// Runs `build` on a working copy of `bundle` (a new empty bundle when `bundle` does not exist yet)
// and swaps it in. Exceptions from `build` propagate after the working copy is removed.
void replace_atomically(const std::filesystem::path& bundle, const std::function<void(const std::filesystem::path& work)>& build);

// A new bundle with the schema, the metrics catalogue and no data; `path` must not exist.
void create_empty_bundle(const std::filesystem::path& path);

// Test hook: when the environment variable ONEMAP_TEST_KILL_AT equals `point`, the process kills
// itself with SIGKILL right here (used to prove that a killed import leaves the bundle unchanged).
void kill_point(std::string_view point);

}  // namespace onemap::data
