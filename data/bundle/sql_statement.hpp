#pragma once
// Private to data/: a prepared SQLite statement that throws BundleError naming the bundle file.
#include "data/bundle/bundle.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onemap::data::sql {

class Statement {
public:
    Statement(const Bundle& b, std::string_view sql) : Statement(b.db(), b.path(), sql) {}
    // On another connection to the bundle's file (a private reader); `file` names it in errors.
    Statement(sqlite3* db, const std::filesystem::path& file, std::string_view sql) : m_db(db), m_file(&file) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_st, nullptr) != SQLITE_OK) {
            throw BundleError(fmt::format("{}: {}", file.string(), sqlite3_errmsg(db)));
        }
    }
    ~Statement() { sqlite3_finalize(m_st); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& text(int i, std::string_view v) {
        sqlite3_bind_text(m_st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    // The text must outlive the next step() (bulk inserts of strings that stay put).
    Statement& text_static(int i, std::string_view v) {
        sqlite3_bind_text(m_st, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        return *this;
    }
    Statement& integer(int i, std::int64_t v) {
        sqlite3_bind_int64(m_st, i, v);
        return *this;
    }
    Statement& real(int i, double v) {
        sqlite3_bind_double(m_st, i, v);
        return *this;
    }
    Statement& real(int i, std::optional<double> v) {
        if (v) sqlite3_bind_double(m_st, i, *v); else sqlite3_bind_null(m_st, i);
        return *this;
    }
    Statement& null(int i) {
        sqlite3_bind_null(m_st, i);
        return *this;
    }
    // Next row: true while there is one; throws on error.
    bool step() {
        const int rc = sqlite3_step(m_st);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw BundleError(fmt::format("{}: {}", m_file->string(), sqlite3_errmsg(m_db)));
    }
    // Run a statement that returns no rows, then make it ready for new bindings.
    void run() {
        step();
        sqlite3_reset(m_st);
        sqlite3_clear_bindings(m_st);
    }
    // run() without clearing the bindings: for loops that bind every parameter each time.
    void run_rebind() {
        step();
        sqlite3_reset(m_st);
    }
    void reset() {
        sqlite3_reset(m_st);
        sqlite3_clear_bindings(m_st);
    }
    sqlite3_stmt* handle() const { return m_st; }
    bool is_null(int c) const { return sqlite3_column_type(m_st, c) == SQLITE_NULL; }
    std::int64_t col_int(int c) const { return sqlite3_column_int64(m_st, c); }
    double col_real(int c) const { return sqlite3_column_double(m_st, c); }
    std::optional<double> col_opt_real(int c) const {
        if (is_null(c)) return std::nullopt;
        return sqlite3_column_double(m_st, c);
    }
    std::string col_text(int c) const {
        const auto* t = sqlite3_column_text(m_st, c);
        return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(m_st, c))) : std::string();
    }
    std::string_view col_view(int c) const {
        const auto* t = sqlite3_column_text(m_st, c);
        return t ? std::string_view(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(m_st, c))) : std::string_view();
    }

private:
    sqlite3* m_db;
    const std::filesystem::path* m_file;
    sqlite3_stmt* m_st = nullptr;
};

// True when the bundle has a table (or view) of that name.
inline bool has_table(const Bundle& b, std::string_view name) {
    Statement st(b, "SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')");
    st.text(1, name);
    return st.step();
}

}  // namespace onemap::data::sql
