#pragma once
// A PostgreSQL connection through libpq: the province's source of truth (onemap serve-db, import --pg,
// publish). Every error is a PgError that names the server without its password.
//
//   Connection::open(url) ─▶ exec / query (parameters as text, or bytes) / copy_in (COPY … FROM STDIN)
//   PgTransaction: BEGIN on construction, ROLLBACK when destroyed without commit()
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace onemap::data::pg {

class PgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "postgresql://user@host:port/db" — the URL (or key=value string) with its password left out, for
// messages, logs and manifests. An unparsable string gives "(unparsable connection string)".
std::string redact(std::string_view url);

// One query's rows; values as text (or bytes for a binary result). Empty optional: SQL NULL.
class Result {
public:
    explicit Result(pg_result* r);
    Result(Result&&) noexcept;
    Result& operator=(Result&&) noexcept;
    ~Result();
    int rows() const;
    int columns() const;
    bool null(int row, int col) const;
    std::string_view text(int row, int col) const;   // raw bytes of the value
    std::string str(int row, int col) const { return std::string(text(row, col)); }
    std::int64_t integer(int row, int col) const;
    double real(int row, int col) const;
    unsigned type(int col) const;   // the column's type OID (20 int8, 23 int4, 701 float8, 25 text …)
private:
    pg_result* m_r = nullptr;
};

class Connection {
public:
    // connect_timeout (seconds) applies unless the URL sets its own: an unreachable server fails
    // within it instead of blocking; TCP keepalives catch one that disappears later. Throws PgError
    // naming the redacted URL.
    static Connection open(std::string_view url, int connect_timeout_s = 10);
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    const std::string& name() const { return m_name; }   // redacted URL
    pg_conn* raw() const { return m_conn; }

    void exec(std::string_view sql);                      // one or more statements, no parameters
    Result query(std::string_view sql, const std::vector<std::optional<std::string>>& params = {}, bool binary_result = false);
    // Runs `sql` through a cursor (inside the caller's transaction), `batch` rows at a time; one
    // cursor at a time (not nested).
    template <typename Fn>
    void for_each_batch(std::string_view sql, int batch, Fn&& fn, const std::vector<std::optional<std::string>>& params = {}) {
        query(std::string("DECLARE onemap_cursor NO SCROLL CURSOR FOR ") + std::string(sql), params);
        const std::string fetch = "FETCH " + std::to_string(batch) + " FROM onemap_cursor";
        for (;;) {
            Result r = query(fetch);
            if (r.rows() == 0) break;
            fn(r);
        }
        exec("CLOSE onemap_cursor");
    }

private:
    Connection(pg_conn* c, std::string name) : m_conn(c), m_name(std::move(name)) {}
    [[noreturn]] void fail(std::string_view what) const;
    pg_conn* m_conn = nullptr;
    std::string m_name;
};

// COPY text format: escape one value (backslash, tab, newline, carriage return); NULL is "\N".
void copy_append(std::string& out, std::string_view value);
inline void copy_null(std::string& out) { out += "\\N"; }

// A text[] literal ({"a","b"}) for a parameter ($1::text[]): values quoted and escaped.
std::string array_literal(const std::vector<std::string>& values);

// Bytes as lower-case hex (PostGIS reads hex EWKB as geometry text); and back (a leading "\\x" of
// bytea output is skipped). from_hex throws PgError on a malformed string.
std::string to_hex(const unsigned char* bytes, std::size_t n);
std::vector<unsigned char> from_hex(std::string_view hex);

// COPY … FROM STDIN (text format), streamed in 4 MiB pieces: append a row's values to buffer()
// (copy_append, tabs between), call row_done(); finish() ends the COPY and returns the row count.
class CopyIn {
public:
    CopyIn(Connection& c, std::string sql);
    ~CopyIn();  // unfinished: the COPY is aborted (the transaction then rolls back)
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;
    std::string& buffer() { return m_buf; }
    void row_done();
    std::int64_t finish();
private:
    void flush();
    [[noreturn]] void fail();
    Connection& m_c;
    std::string m_sql;
    std::string m_buf;
    std::int64_t m_rows = 0;
    bool m_open = false;
};

class PgTransaction {
public:
    // isolation: "READ COMMITTED" (default) or e.g. "REPEATABLE READ, READ ONLY"
    explicit PgTransaction(Connection& c, std::string_view mode = "READ WRITE");
    ~PgTransaction();
    PgTransaction(const PgTransaction&) = delete;
    PgTransaction& operator=(const PgTransaction&) = delete;
    void commit();
private:
    Connection& m_c;
    bool m_done = false;
};

}  // namespace onemap::data::pg
