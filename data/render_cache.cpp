#include "render_cache.hpp"

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

std::string regions_fingerprint(const Bundle& bundle) {
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

std::optional<std::vector<std::uint8_t>> load_render_cache(const Bundle& bundle, std::string_view key,
                                                           std::string_view content_hash) {
    Stmt st(bundle.db(), "SELECT data FROM render_cache WHERE key = ? AND content_hash = ?", bundle);
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.s, 2, content_hash.data(), static_cast<int>(content_hash.size()), SQLITE_STATIC);
    if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st.s, 0));
    const int n = sqlite3_column_bytes(st.s, 0);
    return std::vector<std::uint8_t>(p, p + n);
}

void store_render_cache(Bundle& bundle, std::string_view key, std::string_view content_hash,
                        std::span<const std::uint8_t> data) {
    if (bundle.read_only())
        throw BundleError(fmt::format("{}: opened read-only, cannot store the render cache", bundle.path().string()));
    Stmt st(bundle.db(), "INSERT OR REPLACE INTO render_cache(key, content_hash, data) VALUES (?, ?, ?)", bundle);
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.s, 2, content_hash.data(), static_cast<int>(content_hash.size()), SQLITE_STATIC);
    sqlite3_bind_blob64(st.s, 3, data.data(), data.size(), SQLITE_STATIC);
    if (sqlite3_step(st.s) != SQLITE_DONE)
        throw BundleError(fmt::format("{}: render cache write failed: {}", bundle.path().string(), sqlite3_errmsg(bundle.db())));
}

}  // namespace onemap::data
