#include "render_cache.hpp"

#include "data/bundle/derived_meta.hpp"

#include <sqlite3.h>

#include <fmt/format.h>


namespace onemap::data {

namespace {
struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt(sqlite3* db, const char* sql, const Bundle& b) {
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
            throw BundleError(fmt::format("{}: render cache: {}", b.path().string(), sqlite3_errmsg(db)));
    }
    ~Stmt() { sqlite3_finalize(s); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
};
}  // namespace

namespace {
// The stored fingerprint is dropped by whichever program inserts, changes or deletes a region
// (data/bundle/derived_meta.hpp).
constexpr DerivedMetaTrigger k_fingerprint_triggers[] = {
    {"regions_fingerprint_insert", "AFTER INSERT ON regions"},
    {"regions_fingerprint_update", "AFTER UPDATE ON regions"},
    {"regions_fingerprint_delete", "AFTER DELETE ON regions"},
};
constexpr DerivedMeta k_fingerprint_meta{"regions_fingerprint", k_fingerprint_triggers};
}  // namespace

std::string regions_fingerprint(const Bundle& bundle) {
    if (auto stored = read_derived_meta(bundle, k_fingerprint_meta)) return std::move(*stored);
    return compute_regions_fingerprint(bundle);
}

bool regions_fingerprint_stored(const Bundle& bundle) { return read_derived_meta(bundle, k_fingerprint_meta).has_value(); }

std::string store_regions_fingerprint(Bundle& bundle) {
    Transaction tx(bundle);
    guard_derived_meta(bundle, k_fingerprint_meta);  // throws when read-only
    std::string fingerprint = compute_regions_fingerprint(bundle);
    bundle.set_meta(k_fingerprint_meta.key, fingerprint);
    tx.commit();
    return fingerprint;
}

std::string compute_regions_fingerprint(const Bundle& bundle) {
    std::string last_change;
    {
        Stmt st(bundle.db(), "SELECT last_change FROM gpkg_contents WHERE table_name = 'regions'", bundle);
        if (sqlite3_step(st.s) == SQLITE_ROW && sqlite3_column_text(st.s, 0))
            last_change = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    }
    Stmt st(bundle.db(), "SELECT count(*), coalesce(max(fid), 0), coalesce(sum(fid), 0), coalesce(sum(length(geom)), 0) FROM regions",
            bundle);
    if (sqlite3_step(st.s) != SQLITE_ROW)
        throw BundleError(fmt::format("{}: render cache: cannot read the regions table", bundle.path().string()));
    return fmt::format("{}|{}|{}|{}|{}", last_change, sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 1),
                       sqlite3_column_int64(st.s, 2), sqlite3_column_int64(st.s, 3));
}

bool has_render_cache(const Bundle& bundle, std::string_view key, std::string_view content_hash) {
    Stmt st(bundle.db(), "SELECT 1 FROM render_cache WHERE key = ? AND content_hash = ?", bundle);
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.s, 2, content_hash.data(), static_cast<int>(content_hash.size()), SQLITE_STATIC);
    return sqlite3_step(st.s) == SQLITE_ROW;
}

namespace {
std::string part_key(std::string_view key, std::size_t i) { return i == 0 ? std::string(key) : fmt::format("{}#{:04}", key, i); }
}  // namespace

std::unique_ptr<RenderCacheBlob> RenderCacheBlob::open(const std::filesystem::path& bundle, std::string_view key,
                                                       std::string_view content_hash) {
    std::unique_ptr<RenderCacheBlob> b(new RenderCacheBlob());
    b->m_path = bundle;
    b->m_key = key;
    b->m_hash = content_hash;
    if (sqlite3_open_v2(bundle.c_str(), &b->m_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        throw BundleError(fmt::format("{}: render cache: cannot open: {}", bundle.string(), b->m_db ? sqlite3_errmsg(b->m_db) : "out of memory"));
    sqlite3_busy_timeout(b->m_db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(b->m_db, "SELECT rowid, length(data) FROM render_cache WHERE key = ? AND content_hash = ?", -1, &st, nullptr) != SQLITE_OK)
        return nullptr;  // no render_cache table: nothing cached
    // parts in order until the first missing one (one read transaction, so they belong together)
    sqlite3_exec(b->m_db, "BEGIN", nullptr, nullptr, nullptr);
    int rc = SQLITE_DONE;
    for (std::size_t i = 0;; ++i) {
        Part part{part_key(key, i)};
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, part.key.data(), static_cast<int>(part.key.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, b->m_hash.data(), static_cast<int>(b->m_hash.size()), SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) break;
        part.rowid = sqlite3_column_int64(st, 0);
        part.offset = b->m_size;
        part.size = static_cast<std::uint64_t>(sqlite3_column_int64(st, 1));
        b->m_size += part.size;
        b->m_parts.push_back(std::move(part));
    }
    sqlite3_finalize(st);
    sqlite3_exec(b->m_db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_DONE) throw BundleError(fmt::format("{}: render cache: {}", bundle.string(), sqlite3_errmsg(b->m_db)));
    return b->m_parts.empty() ? nullptr : std::move(b);
}

RenderCacheBlob::~RenderCacheBlob() { sqlite3_close_v2(m_db); }

std::vector<std::uint8_t> RenderCacheBlob::read(std::uint64_t offset, std::uint64_t size) const {
    if (offset > m_size || size > m_size - offset)
        throw BundleError(fmt::format("{}: render cache {}: a read beyond the end of the stored blob", m_path.string(), m_key));
    // straight into the result, part by part (no copy of each part on the way)
    std::vector<std::uint8_t> out(size);
    std::lock_guard lock(m_mutex);
    for (const Part& p : m_parts) {
        if (p.offset + p.size <= offset || p.offset >= offset + size) continue;
        const std::uint64_t from = std::max(offset, p.offset), to = std::min(offset + size, p.offset + p.size);
        read_part(p, from - p.offset, to - from, out.data() + (from - offset));
    }
    return out;
}

void RenderCacheBlob::read_part(const Part& part, std::uint64_t offset, std::uint64_t size, std::uint8_t* out) const {
    const auto fail = [&](std::string_view why) {
        return BundleError(fmt::format("{}: render cache {}: {}", m_path.string(), part.key, why));
    };
    // One read transaction for the check and the read, so the row cannot change between them.
    if (sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) throw fail(sqlite3_errmsg(m_db));
    struct End {
        sqlite3* db;
        ~End() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
    } end{m_db};
    // The row for this part and hash; another program storing an equal scene may have given it a new
    // rowid (the bytes are then checked by the caller's checksums).
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT rowid, length(data) FROM render_cache WHERE key = ? AND content_hash = ?", -1, &st, nullptr) != SQLITE_OK)
        throw fail(sqlite3_errmsg(m_db));
    sqlite3_bind_text(st, 1, part.key.data(), static_cast<int>(part.key.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m_hash.data(), static_cast<int>(m_hash.size()), SQLITE_STATIC);
    const bool same = sqlite3_step(st) == SQLITE_ROW && static_cast<std::uint64_t>(sqlite3_column_int64(st, 1)) == part.size;
    if (same) part.rowid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!same) throw fail("the stored blob was replaced or removed while the program was reading it");
    sqlite3_blob* blob = nullptr;
    if (sqlite3_blob_open(m_db, "main", "render_cache", "data", part.rowid, 0, &blob) != SQLITE_OK) throw fail(sqlite3_errmsg(m_db));
    const int rc = size == 0 ? SQLITE_OK : sqlite3_blob_read(blob, out, static_cast<int>(size), static_cast<int>(offset));
    sqlite3_blob_close(blob);
    if (rc != SQLITE_OK) throw fail(sqlite3_errmsg(m_db));
}

void store_render_cache(Bundle& bundle, std::string_view key, std::string_view content_hash,
                        std::span<const std::uint8_t> data) {
    if (bundle.read_only())
        throw BundleError(fmt::format("{}: opened read-only, cannot store the render cache", bundle.path().string()));
    Transaction tx(bundle);
    {  // the key and its old parts go first
        Stmt del(bundle.db(), "DELETE FROM render_cache WHERE key = ?1 OR substr(key, 1, length(?1) + 1) = ?1 || '#'", bundle);
        sqlite3_bind_text(del.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
        if (sqlite3_step(del.s) != SQLITE_DONE)
            throw BundleError(fmt::format("{}: render cache write failed: {}", bundle.path().string(), sqlite3_errmsg(bundle.db())));
    }
    Stmt st(bundle.db(), "INSERT INTO render_cache(key, content_hash, data) VALUES (?, ?, ?)", bundle);
    for (std::size_t i = 0, at = 0; at < data.size() || i == 0; ++i, at += k_render_cache_part) {
        const std::string part = part_key(key, i);
        const std::size_t n = std::min<std::size_t>(k_render_cache_part, data.size() - at);
        sqlite3_reset(st.s);
        sqlite3_bind_text(st.s, 1, part.data(), static_cast<int>(part.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st.s, 2, content_hash.data(), static_cast<int>(content_hash.size()), SQLITE_STATIC);
        sqlite3_bind_blob64(st.s, 3, data.data() + at, n, SQLITE_STATIC);
        if (sqlite3_step(st.s) != SQLITE_DONE)
            throw BundleError(fmt::format("{}: render cache write failed: {}", bundle.path().string(), sqlite3_errmsg(bundle.db())));
    }
    tx.commit();
}

}  // namespace onemap::data
