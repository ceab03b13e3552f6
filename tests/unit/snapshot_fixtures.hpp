#pragma once
// Shared by the snapshot tests (test_snapshot_manifest.cpp, test_snapshot_sync.cpp).
#include "data/bundle/bundle.hpp"
#include "data/bundle/snapshot_manifest.hpp"

#include <filesystem>

namespace onemap::test {

// A manifest whose size and hash are those of `file`, whatever it holds (schema of this build), so
// only the checks after size and hash can refuse it.
inline data::SnapshotManifest manifest_describing(const std::filesystem::path& file) {
    data::SnapshotManifest m;
    m.sha256 = data::sha256_file(file);
    m.size = std::filesystem::file_size(file);
    m.created = "2026-11-29T10:00:00Z";
    m.schema_version = data::k_schema_version;
    return m;
}

}  // namespace onemap::test
