#pragma once
// The bundle: one GeoPackage file that holds a whole deployment — regions, indicators, households,
// projects, sites, alerts, the metrics catalogue and the render cache.
//
// Geometry tables (regions, projects, sites) are GeoPackage feature tables written through GDAL
// (data/bundle/features.hpp); everything else is plain SQLite in the same file, reached through Bundle.
//
// Schema versions and migration (meta.schema_version):
//
//     (none) ──create()──▶ v1 ──migration 1→2──▶ v2 …   open(ReadWrite) applies every pending step
//                                                      in one transaction; open(ReadOnly) of an older
//                                                      bundle refuses (a kiosk never writes)
//     newer than k_schema_version ──▶ BundleError, file untouched
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace onemap::data {

inline constexpr int k_schema_version = 1;

// A problem with a bundle file, worded for the person who gave us the file.
class BundleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ReadWrite holds the bundle's writer lock while open (data/bundle/writer_lock.hpp: one writer per
// bundle; BundleBusy when another program writes it). WorkCopy is read-write without it, for a
// private working copy that no other program knows of (data/bundle/bundle_swap.hpp).
enum class OpenMode { ReadOnly, ReadWrite, WorkCopy };
class WriterLock;

// One schema step: SQL that takes a bundle from version `from` to `from + 1`.
struct Migration {
    int from;
    std::string_view sql;
};
std::span<const Migration> migrations();  // the steps this build knows, in order

class Bundle {
public:
    // Open an existing bundle. Throws BundleError naming the file when it is missing, not SQLite,
    // truncated or damaged, not an onemap bundle, or from a newer schema.
    // ReadWrite takes the writer lock, waiting up to `lock_wait_s` for another writer (then BundleBusy);
    // 0 tries once — for writes that may be skipped, such as storing a render cache.
    static Bundle open(const std::filesystem::path& path, OpenMode mode, double lock_wait_s = 5.0);
    // Add the non-geometry schema (v1) to a GeoPackage that write_features() just created.
    static Bundle initialise(const std::filesystem::path& path);

    Bundle(Bundle&&) noexcept;
    Bundle& operator=(Bundle&&) noexcept;
    Bundle(const Bundle&) = delete;
    Bundle& operator=(const Bundle&) = delete;
    ~Bundle();

    sqlite3* db() const { return m_db; }
    const std::filesystem::path& path() const { return m_path; }
    bool read_only() const { return m_read_only; }
    int schema_version() const;

    std::optional<std::string> meta(std::string_view key) const;
    void set_meta(std::string_view key, std::string_view value);
    bool synthetic() const { return meta("synthetic").value_or("0") == "1"; }

    void exec(std::string_view sql);  // run statements; throws BundleError with SQLite's message
    // SQLite's quick_check: "ok" or what is damaged. Reads every page (seconds for a province), so
    // open() only checks the length and `onemap info` runs this.
    std::string quick_check() const;
    // Apply `steps` in order from the current version; used by open() and by tests.
    void migrate(std::span<const Migration> steps, int target_version);

private:
    Bundle(sqlite3* db, std::filesystem::path path, bool read_only);
    sqlite3* m_db = nullptr;
    std::filesystem::path m_path;
    bool m_read_only = false;
    std::unique_ptr<WriterLock> m_lock;  // ReadWrite: released after the connection is closed
};

// RAII transaction: commits on commit(), rolls back when destroyed otherwise.
class Transaction {
public:
    explicit Transaction(Bundle& bundle);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();
private:
    Bundle& m_bundle;
    bool m_done = false;
};

}  // namespace onemap::data
