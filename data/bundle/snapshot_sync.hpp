#pragma once
// `onemap sync`: fetch a newer snapshot (data/bundle/snapshot_manifest.hpp) and swap it in under a bundle
// that a kiosk may be showing right now.
//
//   FROM.manifest.json ──fetch──▶ same SHA-256 as F? ──yes──▶ UpToDate (nothing written)
//                                        │ no
//                                        ▼
//   FROM ──download──▶ F's folder/.F.sync-PID.part ──size, SHA-256, opens, quick_check──▶ rename() over F
//                                        │ any failure                                     │
//                                        ▼                                                 ▼
//                      part file removed, F untouched, SyncError        write F.manifest.json; Updated
//
// FROM is a local path (or file:// URL) or an http:// / https:// URL (GDAL's HTTP layer, libcurl).
// rename() within one folder is atomic: a reader that opens F sees the old file or the new one,
// never a mixture, and a process that has the old file open keeps reading it (the inode lives on
// until it closes it). One sync at a time per folder (flock); a second one waits.
#include "data/bundle/snapshot_manifest.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace onemap::data {

// Why a sync failed, as `onemap sync` reports it in its exit code.
enum class SyncFailure {
    Fetch,     // the snapshot or its manifest could not be fetched (missing, HTTP error, network, cut off)
    Refused,   // fetched, but the manifest or the bundle failed a check (SnapshotError says which)
    Local,     // F's folder cannot be written (permissions, disk full, rename failed)
};

class SyncError : public std::runtime_error {
public:
    SyncError(SyncFailure failure, const std::string& message) : std::runtime_error(message), m_failure(failure) {}
    SyncFailure failure() const { return m_failure; }
private:
    SyncFailure m_failure;
};

struct SyncOptions {
    std::string from;               // snapshot bundle: path, file://, http:// or https:// URL
    std::filesystem::path bundle;   // F, the bundle to bring up to date (need not exist yet)
    ByteProgress progress;          // while downloading and verifying; may be empty
    bool quick_check = true;        // run SQLite's quick_check on the download before the swap
    int connect_timeout_s = 20;     // HTTP: give up connecting after this long
    int stall_timeout_s = 60;       // HTTP: give up when no byte arrived for this long
};

enum class SyncOutcome { Updated, UpToDate };

struct SyncResult {
    SyncOutcome outcome = SyncOutcome::UpToDate;
    SnapshotManifest manifest;      // the snapshot's
    std::uint64_t bytes = 0;        // downloaded (0 when up to date)
    double seconds_fetch = 0, seconds_verify = 0;
};

// Bring `options.bundle` up to the snapshot at `options.from`. Throws SyncError; F is then untouched
// and no part file remains.
SyncResult sync_snapshot(const SyncOptions& options);

// The snapshot's manifest: FROM + ".manifest.json", fetched the same way. Throws SyncError.
SnapshotManifest fetch_manifest(const std::string& from, int connect_timeout_s = 20);

}  // namespace onemap::data
