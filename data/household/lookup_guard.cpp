#include "data/household/lookup_guard.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <system_error>

#include <time.h>

#include <sys/stat.h>

#include <tuple>

namespace onemap::data {

namespace {

constexpr std::string_view k_schema = R"sql(
CREATE TABLE IF NOT EXISTS household_guard (
  id_hash      TEXT PRIMARY KEY,      -- the bundle's keyed ID hash; never the number
  failures     INTEGER NOT NULL DEFAULT 0,
  locked_until REAL NOT NULL DEFAULT 0,
  locks        INTEGER NOT NULL DEFAULT 0  -- locks so far: each lasts longer (escalation)
);
CREATE TABLE IF NOT EXISTS keypad_guard (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  run          INTEGER NOT NULL DEFAULT 0,   -- failures of any kind in a row
  paused_until REAL NOT NULL DEFAULT 0,
  latest       REAL NOT NULL DEFAULT 0,  -- the latest time an attempt was recorded (a clock set back does not shorten a lock)
  boot_id      TEXT NOT NULL DEFAULT '', -- the boot of that attempt …
  boot_seconds REAL NOT NULL DEFAULT 0   -- … and its boot clock: the guard's time runs on that clock within the boot
);
INSERT OR IGNORE INTO keypad_guard (id) VALUES (1);
CREATE TABLE IF NOT EXISTS lookup_audit (
  time        REAL NOT NULL,
  outcome     TEXT NOT NULL,
  hash_prefix TEXT NOT NULL              -- 8 hex digits of the ID hash, or ''
);
CREATE TRIGGER IF NOT EXISTS lookup_audit_no_update BEFORE UPDATE ON lookup_audit
BEGIN SELECT RAISE(ABORT, 'lookup_audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS lookup_audit_no_delete BEFORE DELETE ON lookup_audit
BEGIN SELECT RAISE(ABORT, 'lookup_audit is append-only'); END;
)sql";

class Stmt {
public:
    Stmt(sqlite3* db, const std::filesystem::path& path, std::string_view sql) : m_db(db), m_path(path) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_st, nullptr) != SQLITE_OK) fail();
    }
    ~Stmt() { sqlite3_finalize(m_st); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& text(int i, std::string_view v) {
        sqlite3_bind_text(m_st, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);  // '' is not NULL
        return *this;
    }
    Stmt& real(int i, double v) {
        sqlite3_bind_double(m_st, i, v);
        return *this;
    }
    Stmt& integer(int i, std::int64_t v) {
        sqlite3_bind_int64(m_st, i, v);
        return *this;
    }
    bool step() {
        const int rc = sqlite3_step(m_st);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) fail();
        return false;
    }
    double col_real(int c) const { return sqlite3_column_double(m_st, c); }
    std::int64_t col_int(int c) const { return sqlite3_column_int64(m_st, c); }
    std::string col_text(int c) const {
        const auto* t = sqlite3_column_text(m_st, c);
        return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    }

private:
    [[noreturn]] void fail() const { throw GuardError(fmt::format("{}: {}", m_path.string(), sqlite3_errmsg(m_db))); }
    sqlite3* m_db;
    const std::filesystem::path& m_path;
    sqlite3_stmt* m_st = nullptr;
};

void exec(sqlite3* db, const std::filesystem::path& path, std::string_view sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw GuardError(fmt::format("{}: {}", path.string(), msg));
    }
}

}  // namespace

WallClock system_wall_clock() {
    return [] { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); };
}

BootClock system_boot_clock() {
    std::string id;
    if (std::ifstream in("/proc/sys/kernel/random/boot_id"); in) std::getline(in, id);
    if (id.empty()) return {};  // no boot id to tell boots apart: the wall clock alone
    return [id] {
        timespec ts{};
        ::clock_gettime(CLOCK_BOOTTIME, &ts);
        return BootTime{id, static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9};
    };
}

std::string_view outcome_key(LookupOutcome outcome) {
    switch (outcome) {
        case LookupOutcome::Found: return "found";
        case LookupOutcome::WrongFactor: return "wrong_factor";
        case LookupOutcome::NotFound: return "not_found";
        case LookupOutcome::Locked: return "locked";
        case LookupOutcome::Paused: return "paused";
        case LookupOutcome::BadId: return "bad_id";
        case LookupOutcome::Unavailable: return "unavailable";
    }
    return "unknown";
}

struct LookupGuard::Db {
    sqlite3* db = nullptr;
    ~Db() { sqlite3_close(db); }
};

LookupGuard::LookupGuard(std::unique_ptr<Db> db, std::filesystem::path path, WallClock clock, GuardLimits limits, BootClock boot)
    : m_db(std::move(db)), m_path(std::move(path)), m_clock(std::move(clock)), m_boot(std::move(boot)), m_limits(limits) {}
LookupGuard::~LookupGuard() = default;
LookupGuard::LookupGuard(LookupGuard&&) noexcept = default;
LookupGuard& LookupGuard::operator=(LookupGuard&&) noexcept = default;

bool LookupGuard::exists(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) == 0) return false;
    sqlite3* db = nullptr;
    bool ok = sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK;
    if (ok) {
        sqlite3_stmt* st = nullptr;
        ok = sqlite3_prepare_v2(db, "SELECT count(*) FROM keypad_guard", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_column_int(st, 0) == 1;
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return ok;
}

LookupGuard LookupGuard::open(const std::filesystem::path& path, WallClock clock, GuardLimits limits, BootClock boot) {
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) throw GuardError(fmt::format("{}: cannot create the folder for the look-up guard ({})", path.string(), ec.message()));
    }
    auto db = std::make_unique<Db>();
    const mode_t old = ::umask(077);  // the file is the kiosk user's alone
    const int rc = sqlite3_open_v2(path.string().c_str(), &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    ::umask(old);
    if (rc != SQLITE_OK) {
        throw GuardError(fmt::format("{}: cannot open the look-up guard file ({})", path.string(),
                                     db->db ? sqlite3_errmsg(db->db) : "out of memory"));
    }
    sqlite3_busy_timeout(db->db, 2000);
    exec(db->db, path, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;");
    exec(db->db, path, k_schema);
    // guard files written before escalation: add its columns
    for (const auto& [table, column, type] : {std::tuple{"household_guard", "locks", "INTEGER NOT NULL DEFAULT 0"},
                                              std::tuple{"keypad_guard", "latest", "REAL NOT NULL DEFAULT 0"},
                                              std::tuple{"keypad_guard", "boot_id", "TEXT NOT NULL DEFAULT ''"},
                                              std::tuple{"keypad_guard", "boot_seconds", "REAL NOT NULL DEFAULT 0"}}) {
        Stmt has(db->db, path, fmt::format("SELECT count(*) FROM pragma_table_info('{}') WHERE name = '{}'", table, column));
        if (has.step() && has.col_int(0) == 0) exec(db->db, path, fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table, column, type));
    }
    return LookupGuard(std::move(db), path, std::move(clock), limits, std::move(boot));
}

// Within the boot of the latest attempt: that attempt's time plus the boot clock's seconds since, so
// a wall clock set forward or back changes nothing. Otherwise (another boot, no boot clock) the wall
// clock, never earlier than the latest attempt: setting it back after a reboot still neither stretches
// nor resets what the counters hold. Setting it forward across a reboot is not defended here.
double LookupGuard::now() const {
    Stmt st(m_db->db, m_path, "SELECT latest, boot_id, boot_seconds FROM keypad_guard WHERE id = 1");
    double latest = 0, boot_seconds = 0;
    std::string boot_id;
    if (st.step()) latest = st.col_real(0), boot_id = st.col_text(1), boot_seconds = st.col_real(2);
    if (m_boot && latest > 0 && !boot_id.empty()) {
        const BootTime b = m_boot();
        if (b.boot_id == boot_id && b.seconds >= boot_seconds) return latest + (b.seconds - boot_seconds);
    }
    return std::max(m_clock(), latest);
}

double LookupGuard::paused_for() const {
    Stmt st(m_db->db, m_path, "SELECT paused_until FROM keypad_guard WHERE id = 1");
    const double until = st.step() ? st.col_real(0) : 0;
    return std::max(0.0, until - now());
}

double LookupGuard::locked_for(std::string_view id_hash) const {
    Stmt st(m_db->db, m_path, "SELECT locked_until FROM household_guard WHERE id_hash = ?");
    st.text(1, id_hash);
    const double until = st.step() ? st.col_real(0) : 0;
    return std::max(0.0, until - now());
}

int LookupGuard::failures_left(std::string_view id_hash) const {
    Stmt st(m_db->db, m_path, "SELECT failures FROM household_guard WHERE id_hash = ?");
    st.text(1, id_hash);
    const auto failures = st.step() ? st.col_int(0) : 0;
    return std::max(0, m_limits.household_failures - static_cast<int>(failures));
}

void LookupGuard::record(LookupOutcome outcome, std::string_view id_hash) {
    const double now = this->now();
    exec(m_db->db, m_path, "BEGIN IMMEDIATE");
    try {
        const bool failure = outcome == LookupOutcome::WrongFactor || outcome == LookupOutcome::NotFound ||
                             outcome == LookupOutcome::Locked || outcome == LookupOutcome::BadId;
        if (outcome == LookupOutcome::Found) {
            exec(m_db->db, m_path, "UPDATE keypad_guard SET run = 0 WHERE id = 1");
            Stmt st(m_db->db, m_path, "DELETE FROM household_guard WHERE id_hash = ?");
            st.text(1, id_hash).step();
        }
        // An ID number that is nobody's counts as a wrong factor would: the kiosk answers both alike, so
        // nobody can learn from it whether a neighbour is a registered household.
        if ((outcome == LookupOutcome::WrongFactor || outcome == LookupOutcome::NotFound) && !id_hash.empty()) {
            Stmt up(m_db->db, m_path,
                    "INSERT INTO household_guard (id_hash, failures) VALUES (?1, 1) "
                    "ON CONFLICT (id_hash) DO UPDATE SET failures = failures + 1");
            up.text(1, id_hash).step();
            // each lock lasts longer: household_lock_s, ×4, ×96 (15 min, 1 h, a day by default)
            Stmt lock(m_db->db, m_path,
                      "UPDATE household_guard SET failures = 0, locks = locks + 1, "
                      "locked_until = ?2 + ?4 * CASE WHEN locks = 0 THEN 1 WHEN locks = 1 THEN 4 ELSE 96 END "
                      "WHERE id_hash = ?1 AND failures >= ?3");
            lock.text(1, id_hash).real(2, now).integer(3, m_limits.household_failures).real(4, m_limits.household_lock_s).step();
        }
        if (failure) {
            exec(m_db->db, m_path, "UPDATE keypad_guard SET run = run + 1 WHERE id = 1");
            Stmt pause(m_db->db, m_path, "UPDATE keypad_guard SET run = 0, paused_until = ?1 WHERE id = 1 AND run >= ?2");
            pause.real(1, now + m_limits.pause_s).integer(2, m_limits.run_failures).step();
        }
        Stmt latest(m_db->db, m_path, "UPDATE keypad_guard SET latest = max(latest, ?1), boot_id = ?2, boot_seconds = ?3 WHERE id = 1");
        const BootTime b = m_boot ? m_boot() : BootTime{};
        latest.real(1, now).text(2, b.boot_id).real(3, b.seconds).step();
        Stmt audit(m_db->db, m_path, "INSERT INTO lookup_audit (time, outcome, hash_prefix) VALUES (?, ?, ?)");
        audit.real(1, now).text(2, outcome_key(outcome)).text(3, id_hash.substr(0, std::min<std::size_t>(8, id_hash.size()))).step();
        exec(m_db->db, m_path, "COMMIT");
    } catch (...) {
        sqlite3_exec(m_db->db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

LookupGuard::Summary LookupGuard::summary() const {
    Summary out;
    const double t = now();
    Stmt h(m_db->db, m_path, "SELECT coalesce(sum(locked_until > ?1), 0), coalesce(sum(locked_until <= ?1 AND failures > 0), 0) FROM household_guard");
    h.real(1, t);
    if (h.step()) out.locked = h.col_int(0), out.counting = h.col_int(1);
    Stmt a(m_db->db, m_path, "SELECT count(*) FROM lookup_audit");
    if (a.step()) out.attempts = a.col_int(0);
    out.paused_for = paused_for();
    return out;
}

std::vector<GuardAuditRow> LookupGuard::audit(std::size_t limit) const {
    Stmt st(m_db->db, m_path, "SELECT time, outcome, hash_prefix FROM lookup_audit ORDER BY rowid DESC LIMIT ?");
    st.integer(1, static_cast<std::int64_t>(limit));
    std::vector<GuardAuditRow> out;
    while (st.step()) out.push_back({st.col_real(0), st.col_text(1), st.col_text(2)});
    return out;
}

}  // namespace onemap::data
