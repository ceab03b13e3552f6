#pragma once
// The bundle's render cache: prepared render data (the gis::Scene blob) stored in the table
//
//   render_cache(key TEXT PRIMARY KEY, content_hash TEXT, data BLOB)
//
// keyed by what it is ("scene/v1"; a blob over 4 MiB is stored in parts "scene/v1", "scene/v1#0001", …,
// because SQLite reaches a byte of a blob by walking its pages from the start, and a part bounds that
// walk) and valid only while content_hash matches the bundle's current
// content. A bundle whose regions changed gets a new fingerprint, so its old blob is ignored and
// rebuilt; an unchanged one starts by reading the blob.
#include "data/bundle/bundle.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

// A cheap fingerprint of the regions table: GeoPackage last_change, row count, highest fid, sum of fids
// and total geometry bytes. Changes whenever GDAL rewrites or edits the regions. Computing it is one
// pass over the table's leaf pages (about 126 MB of the demo province's 380 MB bundle, 90 ms here),
// so writers store it (prepare, a scene built and stored), kept current by triggers on the regions
// table (data/bundle/derived_meta.hpp): regions_fingerprint() reads the stored value when it is current
// (microseconds), else computes it.
std::string regions_fingerprint(const Bundle& bundle);
std::string compute_regions_fingerprint(const Bundle& bundle);
// Creates the triggers, then computes and stores the fingerprint, in one write transaction (so no
// writer comes between); returns it. Throws BundleError when the bundle is read-only.
std::string store_regions_fingerprint(Bundle& bundle);
// Whether a current fingerprint is stored (the meta row and all its triggers are there).
bool regions_fingerprint_stored(const Bundle& bundle);

// Whether a blob for `key` with that hash is stored (without reading it).
bool has_render_cache(const Bundle& bundle, std::string_view key, std::string_view content_hash);

// A stored blob read piece by piece (SQLite's incremental blob I/O) through a read-only connection of
// its own, so a large scene opens by reading only the parts it draws. Holding it open takes no lock;
// each read is its own short read transaction and first checks that the file still holds a blob of
// the same size for the key and content hash it was opened with. Reads from several threads take turns
// (one connection).
class RenderCacheBlob {
public:
    // nullptr when the file has no blob for `key` with that hash; throws BundleError when it cannot read.
    static std::unique_ptr<RenderCacheBlob> open(const std::filesystem::path& bundle, std::string_view key,
                                                 std::string_view content_hash);
    ~RenderCacheBlob();
    RenderCacheBlob(const RenderCacheBlob&) = delete;
    RenderCacheBlob& operator=(const RenderCacheBlob&) = delete;
    std::uint64_t size() const { return m_size; }
    // Throws BundleError when the range lies outside the blob, or the row was replaced or removed.
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const;
private:
    RenderCacheBlob() = default;
    ::sqlite3* m_db = nullptr;
    mutable std::mutex m_mutex;  // the connection, one read at a time
    struct Part {
        std::string key;
        mutable std::int64_t rowid = 0;
        std::uint64_t offset = 0, size = 0;
    };
    void read_part(const Part& part, std::uint64_t offset, std::uint64_t size, std::uint8_t* out) const;
    std::filesystem::path m_path;
    std::string m_key, m_hash;
    std::vector<Part> m_parts;
    std::uint64_t m_size = 0;
};

// Store (replace) the blob for `key`, in parts when large, in one transaction. Throws BundleError
// when the bundle is read-only or the write fails.
inline constexpr std::uint64_t k_render_cache_part = 4u << 20;
void store_render_cache(Bundle& bundle, std::string_view key, std::string_view content_hash,
                        std::span<const std::uint8_t> data);

}  // namespace onemap::data
