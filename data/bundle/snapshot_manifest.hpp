#pragma once
// A snapshot is a bundle published for kiosks and walls, with a manifest beside it that says what it is:
//
//   kiosk.gpkg                   the bundle (any onemap bundle)
//   kiosk.gpkg.manifest.json     {"format":"onemap-snapshot/1","sha256":"…","size":N,"created":"…Z",
//                                 "source":"…","region":"…","schema_version":1}
//
// `onemap publish` (from PostgreSQL) and `onemap manifest` (from a bundle already at hand) write one;
// `onemap sync` reads it before it downloads the bundle, and verifies the download against it:
//
//   manifest ──format, schema──▶ size ──▶ sha256 ──▶ opens as a bundle (read-only) ──▶ quick_check
//
// Every step that fails throws SnapshotError naming the file and the check that failed.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onemap::data {

inline constexpr std::string_view k_snapshot_format = "onemap-snapshot/1";

struct SnapshotManifest {
    std::string format{k_snapshot_format};
    std::string sha256;          // of the bundle file, 64 lowercase hex digits
    std::uint64_t size = 0;      // of the bundle file, bytes
    std::string created;         // UTC ISO 8601, e.g. 2026-11-29T10:15:00Z
    std::string source;          // where the snapshot came from; never holds a password (redact_source)
    std::string region;          // the region code it was cut for; empty: the whole source
    int schema_version = 0;      // the bundle's meta.schema_version

    friend bool operator==(const SnapshotManifest&, const SnapshotManifest&) = default;
};

// Which check refused a snapshot.
enum class SnapshotCheck {
    Manifest,     // the manifest is missing, not JSON, of another format, or lacks a field
    Size,         // the bundle's size differs from the manifest's (e.g. a truncated download)
    Hash,         // same size, different SHA-256 (corrupted bytes, or another file)
    NotBundle,    // not an onemap bundle (not SQLite, no meta table)
    SchemaNewer,  // from a newer schema than this onemap understands
    Damaged,      // opens, but SQLite's quick_check or the page count says it is damaged
};
std::string_view snapshot_check_key(SnapshotCheck check);  // "manifest", "size", "hash", …

class SnapshotError : public std::runtime_error {
public:
    SnapshotError(SnapshotCheck check, const std::string& message) : std::runtime_error(message), m_check(check) {}
    SnapshotCheck check() const { return m_check; }
private:
    SnapshotCheck m_check;
};

// Called while a file is read or transferred: bytes done, bytes in all (0 when unknown).
using ByteProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

std::filesystem::path manifest_path(const std::filesystem::path& bundle);  // BUNDLE.manifest.json
// SHA-256 of a file as lowercase hex, read in 1 MiB blocks (never the whole file in memory).
std::string sha256_file(const std::filesystem::path& file, const ByteProgress& progress = {});
// `source` without a password: postgresql://u:pw@h/db → postgresql://u@h/db; password=… dropped.
std::string redact_source(std::string_view source);

// Hash and open `bundle` (read-only) and describe it; `source` is redacted. Throws SnapshotError
// when the file is not a readable bundle.
SnapshotManifest make_snapshot_manifest(const std::filesystem::path& bundle, std::string_view source, std::string_view region);
// make_snapshot_manifest, then write it to BUNDLE.manifest.json atomically (temporary file, rename).
SnapshotManifest write_snapshot_manifest(const std::filesystem::path& bundle, std::string_view source, std::string_view region);
void write_manifest_file(const std::filesystem::path& path, const SnapshotManifest& manifest);  // atomic

std::string to_json(const SnapshotManifest& manifest);  // one line
// Parse a manifest; `origin` names where the text came from, for the message. Throws SnapshotError.
SnapshotManifest parse_snapshot_manifest(std::string_view json, std::string_view origin);
SnapshotManifest read_snapshot_manifest(const std::filesystem::path& manifest_file);

// Check `bundle` against `manifest` in the order drawn above; throws SnapshotError at the first
// failure. `quick_check` false skips SQLite's quick_check (it reads every page: seconds for a province).
void verify_snapshot(const std::filesystem::path& bundle, const SnapshotManifest& manifest, bool quick_check = true);

}  // namespace onemap::data
