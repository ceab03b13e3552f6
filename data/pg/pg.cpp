#include "pg.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace onemap::data::pg {

std::string redact(std::string_view url) {
    char* err = nullptr;
    const std::string text(url);
    PQconninfoOption* opts = PQconninfoParse(text.c_str(), &err);
    if (!opts) {
        PQfreemem(err);
        return "(unparsable connection string)";
    }
    std::string user, host, port, db;
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        if (!o->val) continue;
        const std::string_view k = o->keyword;
        if (k == "user") user = o->val;
        else if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
        else if (k == "port") port = o->val;
        else if (k == "dbname") db = o->val;
    }
    PQconninfoFree(opts);
    return fmt::format("postgresql://{}{}{}{}/{}", user, user.empty() ? "" : "@", host, port.empty() ? "" : ":" + port, db);
}

Result::Result(pg_result* r) : m_r(r) {}
Result::Result(Result&& o) noexcept : m_r(o.m_r) { o.m_r = nullptr; }
Result& Result::operator=(Result&& o) noexcept {
    if (this != &o) {
        if (m_r) PQclear(m_r);
        m_r = o.m_r;
        o.m_r = nullptr;
    }
    return *this;
}
Result::~Result() {
    if (m_r) PQclear(m_r);
}
int Result::rows() const { return PQntuples(m_r); }
int Result::columns() const { return PQnfields(m_r); }
bool Result::null(int row, int col) const { return PQgetisnull(m_r, row, col) != 0; }
std::string_view Result::text(int row, int col) const {
    return {PQgetvalue(m_r, row, col), static_cast<std::size_t>(PQgetlength(m_r, row, col))};
}
std::int64_t Result::integer(int row, int col) const {
    const auto t = text(row, col);
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
}
double Result::real(int row, int col) const {
    // strtod is correctly rounded (glibc) and PostgreSQL prints the shortest exact form: values round-trip.
    return std::strtod(PQgetvalue(m_r, row, col), nullptr);
}

unsigned Result::type(int col) const { return PQftype(m_r, col); }

Connection Connection::open(std::string_view url, int connect_timeout_s) {
    const std::string text(url), timeout = std::to_string(connect_timeout_s);
    // Earlier keywords are overridden by what the URL (expanded at dbname) sets itself.
    // TCP keepalives: a server that vanishes mid-query (cable, firewall) is noticed in about a minute
    // instead of never.
    const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "1", "30", "10", "3", "onemap", text.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    std::string name = redact(url);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        std::string why = c ? PQerrorMessage(c) : "out of memory";
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        if (c) PQfinish(c);
        throw PgError(fmt::format("{}: cannot connect to PostgreSQL: {}", name, why));
    }
    PQsetClientEncoding(c, "UTF8");
    Connection conn(c, std::move(name));
    conn.exec("SET client_min_messages = warning");
    return conn;
}

Connection::Connection(Connection&& o) noexcept : m_conn(o.m_conn), m_name(std::move(o.m_name)) { o.m_conn = nullptr; }
Connection& Connection::operator=(Connection&& o) noexcept {
    if (this != &o) {
        if (m_conn) PQfinish(m_conn);
        m_conn = o.m_conn;
        m_name = std::move(o.m_name);
        o.m_conn = nullptr;
    }
    return *this;
}
Connection::~Connection() {
    if (m_conn) PQfinish(m_conn);
}

void Connection::fail(std::string_view what) const {
    std::string why = PQerrorMessage(m_conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw PgError(fmt::format("{}: {}: {}", m_name, what, why));
}

namespace {
bool ok(PGresult* r) {
    const ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN;
}
}  // namespace

void Connection::exec(std::string_view sql) {
    const std::string text(sql);
    PGresult* r = PQexec(m_conn, text.c_str());
    const bool good = r && ok(r);
    PQclear(r);
    if (!good) fail(sql.size() > 80 ? std::string(sql.substr(0, 80)) + "…" : std::string(sql));
}

Result Connection::query(std::string_view sql, const std::vector<std::optional<std::string>>& params, bool binary_result) {
    const std::string text(sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = PQexecParams(m_conn, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                               binary_result ? 1 : 0);
    if (!r || !ok(r)) {
        PQclear(r);
        fail(sql.size() > 80 ? std::string(sql.substr(0, 80)) + "…" : std::string(sql));
    }
    return Result(r);
}

CopyIn::CopyIn(Connection& c, std::string sql) : m_c(c), m_sql(std::move(sql)) {
    PGresult* r = PQexec(m_c.raw(), m_sql.c_str());
    const bool started = r && PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!started) fail();
    m_open = true;
}

CopyIn::~CopyIn() {
    if (!m_open) return;
    PQputCopyEnd(m_c.raw(), "onemap: copy abandoned");
    while (PGresult* end = PQgetResult(m_c.raw())) PQclear(end);
}

void CopyIn::row_done() {
    m_buf.push_back('\n');
    ++m_rows;
    if (m_buf.size() > (4u << 20)) flush();
}

std::int64_t CopyIn::finish() {
    flush();
    m_open = false;
    if (PQputCopyEnd(m_c.raw(), nullptr) != 1) fail();
    bool good = true;
    while (PGresult* end = PQgetResult(m_c.raw())) {
        if (PQresultStatus(end) != PGRES_COMMAND_OK) good = false;
        PQclear(end);
    }
    if (!good) fail();
    return m_rows;
}

void CopyIn::flush() {
    if (!m_buf.empty() && PQputCopyData(m_c.raw(), m_buf.data(), static_cast<int>(m_buf.size())) != 1) fail();
    m_buf.clear();
}

void CopyIn::fail() {
    std::string why = PQerrorMessage(m_c.raw());
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw PgError(fmt::format("{}: {}: {}", m_c.name(), m_sql.substr(0, 120), why));
}

void copy_append(std::string& out, std::string_view value) {
    for (char ch : value) {
        switch (ch) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out.push_back(ch);
        }
    }
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.resize(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = k_hex[bytes[i] >> 4];
        out[2 * i + 1] = k_hex[bytes[i] & 15];
    }
    return out;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
    if (hex.starts_with("\\x")) hex.remove_prefix(2);
    if (hex.size() % 2) throw PgError("malformed hex value (odd length)");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw PgError("malformed hex value");
    };
    std::vector<unsigned char> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
    return out;
}

PgTransaction::PgTransaction(Connection& c, std::string_view mode) : m_c(c) {
    m_c.exec(fmt::format("BEGIN TRANSACTION {}", mode));
}

PgTransaction::~PgTransaction() {
    if (!m_done && m_c.raw()) PQclear(PQexec(m_c.raw(), "ROLLBACK"));
}

void PgTransaction::commit() {
    m_c.exec("COMMIT");
    m_done = true;
}

std::string array_literal(const std::vector<std::string>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char ch : values[i]) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace onemap::data::pg
