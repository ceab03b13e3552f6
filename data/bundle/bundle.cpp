#include "bundle.hpp"

#include "data/bundle/writer_lock.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <array>
#include <fstream>

namespace onemap::data {

namespace {

// Schema v1: the non-geometry tables. The feature tables regions/projects/sites are created by GDAL
// (data/bundle/features.cpp) and get their attribute indexes here.
constexpr std::string_view k_schema_v1 = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
  key        TEXT PRIMARY KEY,
  name_zh    TEXT NOT NULL,
  name_en    TEXT NOT NULL,
  unit       TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('higher', 'lower', 'neutral')),
  diverging  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS indicators (
  region_code TEXT NOT NULL,
  period      TEXT NOT NULL,          -- 'YYYY' or 'YYYY-MM'
  metric      TEXT NOT NULL REFERENCES metrics(key),
  value       REAL NOT NULL,          -- missing values are absent rows, never 0
  PRIMARY KEY (metric, period, region_code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS indicators_by_region ON indicators (region_code, period);

CREATE TABLE IF NOT EXISTS households (
  household_id        INTEGER PRIMARY KEY,
  id_hash             TEXT NOT NULL UNIQUE,   -- HMAC-SHA256 of the head's ID number, hex; never the number
  village_code        TEXT NOT NULL,
  head_name_masked    TEXT NOT NULL,          -- e.g. 张*三
  members             INTEGER NOT NULL CHECK (members > 0),
  labour              INTEGER NOT NULL CHECK (labour >= 0),
  household_type      TEXT NOT NULL,          -- 一般脱贫户, 脱贫不稳定户, 边缘易致贫户, 突发严重困难户
  fully_supported     INTEGER NOT NULL DEFAULT 0,  -- 兜底保障户
  relocated           INTEGER NOT NULL DEFAULT 0,
  site_id             INTEGER,                -- relocation site (sites.fid) when relocated
  employed_members    INTEGER NOT NULL DEFAULT 0,
  second_factor_kind  TEXT NOT NULL DEFAULT 'phone4' CHECK (second_factor_kind IN ('phone4', 'pin')),
  second_factor_salt  TEXT NOT NULL,
  second_factor_hash  TEXT NOT NULL,          -- slow salted hash (PBKDF2-SHA256), hex
  contact_name        TEXT,
  contact_phone       TEXT                    -- the assigned cadre's work phone, not the household's
);
CREATE INDEX IF NOT EXISTS households_by_village ON households (village_code);

CREATE TABLE IF NOT EXISTS household_income (
  household_id INTEGER NOT NULL REFERENCES households(household_id),
  year         INTEGER NOT NULL,
  wage         REAL NOT NULL,   -- yuan per household per year
  business     REAL NOT NULL,
  transfer     REAL NOT NULL,
  property     REAL NOT NULL,
  employed     INTEGER NOT NULL DEFAULT 0,   -- members in work that year
  PRIMARY KEY (household_id, year)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS household_months (
  household_id      INTEGER NOT NULL REFERENCES households(household_id),
  month             TEXT NOT NULL,   -- 'YYYY-MM'
  income            REAL NOT NULL,   -- household net income of the month, yuan
  big_expense       REAL NOT NULL DEFAULT 0,  -- illness, schooling, disaster
  out_of_province   INTEGER NOT NULL DEFAULT 0,  -- members working outside Henan this month
  PRIMARY KEY (household_id, month)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS benefits (
  benefit_id   INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(household_id),
  year         INTEGER NOT NULL,
  program      TEXT NOT NULL,
  amount       REAL NOT NULL,
  paid_date    TEXT,                -- 'YYYY-MM-DD', NULL while pending
  status       TEXT NOT NULL CHECK (status IN ('paid', 'pending'))
);
CREATE INDEX IF NOT EXISTS benefits_by_household ON benefits (household_id, year);

CREATE TABLE IF NOT EXISTS measures (
  measure_id   INTEGER PRIMARY KEY,
  household_id INTEGER NOT NULL REFERENCES households(household_id),
  family       TEXT NOT NULL,       -- 产业, 就业, 金融, 公益岗位, 健康, …
  description  TEXT NOT NULL,
  start_month  TEXT NOT NULL        -- 'YYYY-MM'
);
CREATE INDEX IF NOT EXISTS measures_by_household ON measures (household_id);

CREATE TABLE IF NOT EXISTS render_cache (
  key          TEXT PRIMARY KEY,
  content_hash TEXT NOT NULL,
  data         BLOB NOT NULL
);

-- ── Rules, targets and monitoring (issue 6; data/policy/rules.hpp, data/policy/targets.hpp, data/policy/monitoring.hpp,
-- ── data/policy/alerts.hpp). Keep this block last.
CREATE TABLE IF NOT EXISTS targets (
  key    TEXT NOT NULL,               -- e.g. 'R1.min_gap_pp', 'monitoring_line'
  period TEXT NOT NULL DEFAULT '*',   -- 'YYYY', or '*' for every period without its own row
  value  REAL NOT NULL,
  note   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (key, period)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rule_results (
  rule        TEXT NOT NULL,          -- 'R1' … 'R16'
  region_code TEXT NOT NULL,
  period      TEXT NOT NULL,          -- 'YYYY' or 'YYYY-MM' (R13)
  status      TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'na', 'no_data')),
  value       REAL,                   -- NULL when there is nothing to measure
  target      REAL,
  reason      TEXT NOT NULL,          -- one line, Chinese
  PRIMARY KEY (rule, period, region_code)   -- the map layer joins from regions; one region: a lookup per rule
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS featured_industries (   -- R9: 1–3 featured assistance industries per county
  county_code TEXT NOT NULL,
  industry    TEXT NOT NULL,
  PRIMARY KEY (county_code, industry)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS alerts (
  alert_id      INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,        -- data/policy/alerts.hpp AlertKind keys
  rule          TEXT NOT NULL DEFAULT '',
  subject       TEXT NOT NULL,        -- 'household:ID', 'project:FID' or 'village:CODE'
  region_code   TEXT NOT NULL,        -- the village (households, projects) or region it concerns
  county_code   TEXT NOT NULL DEFAULT '',
  household_id  INTEGER REFERENCES households(household_id),
  project_fid   INTEGER,
  risk_category TEXT NOT NULL CHECK (risk_category IN ('因病', '因学', '因残', '因自然灾害', '因意外事故',
                                     '因产业项目失败', '因务工就业不稳', '缺劳动力', '其他')),
  severity      INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),   -- 1 关注, 2 预警, 3 严重
  status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'verified', 'measure_assigned', 'resolved')),
  period        TEXT NOT NULL,        -- 'YYYY-MM' or 'YYYY'
  detail        TEXT NOT NULL DEFAULT '',
  raised_at     TEXT NOT NULL,
  UNIQUE (kind, period, subject)
);
CREATE INDEX IF NOT EXISTS alerts_by_region ON alerts (region_code, status);
CREATE INDEX IF NOT EXISTS alerts_by_county ON alerts (county_code, risk_category);

-- Every status step, append-only: the triggers refuse UPDATE and DELETE.
CREATE TABLE IF NOT EXISTS alert_audit (
  audit_id    INTEGER PRIMARY KEY,
  alert_id    INTEGER NOT NULL REFERENCES alerts(alert_id),
  at          TEXT NOT NULL,          -- ISO 8601 UTC
  role        TEXT NOT NULL CHECK (length(role) > 0),
  from_status TEXT,                   -- NULL for the row that records the alert being raised
  to_status   TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS alert_audit_by_alert ON alert_audit (alert_id);
CREATE TRIGGER IF NOT EXISTS alert_audit_no_update BEFORE UPDATE ON alert_audit
BEGIN SELECT RAISE(ABORT, 'alert_audit is append-only: audit rows are never updated'); END;
CREATE TRIGGER IF NOT EXISTS alert_audit_no_delete BEFORE DELETE ON alert_audit
BEGIN SELECT RAISE(ABORT, 'alert_audit is append-only: audit rows are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS alerts_no_delete BEFORE DELETE ON alerts
BEGIN SELECT RAISE(ABORT, 'alerts are never deleted: resolve them through the workflow'); END;
-- new → verified → measure_assigned → resolved, nothing else (data/policy/alerts.hpp draws it).
CREATE TRIGGER IF NOT EXISTS alerts_legal_transition BEFORE UPDATE OF status ON alerts
WHEN NOT ((OLD.status = 'new' AND NEW.status = 'verified')
       OR (OLD.status = 'verified' AND NEW.status = 'measure_assigned')
       OR (OLD.status = 'measure_assigned' AND NEW.status = 'resolved'))
BEGIN SELECT RAISE(ABORT, 'illegal alert status transition'); END;
-- A status change must have its audit row (written first, in the same transaction).
CREATE TRIGGER IF NOT EXISTS alerts_transition_audited AFTER UPDATE OF status ON alerts
WHEN NOT EXISTS (SELECT 1 FROM alert_audit WHERE alert_id = NEW.alert_id AND from_status = OLD.status AND to_status = NEW.status)
BEGIN SELECT RAISE(ABORT, 'alert status changed without an audit row'); END;

-- The ledger (一户一策): household alerts per county, grouped by risk category, with the household's
-- recorded measures and the measure assigned in the workflow. No ID numbers, no names.
CREATE VIEW IF NOT EXISTS alert_ledger AS
SELECT a.county_code, a.risk_category, a.region_code AS village_code, a.household_id, a.alert_id, a.kind,
       a.rule, a.severity, a.status, a.period, a.detail,
       (SELECT group_concat(m.family || '：' || m.description, '；') FROM measures m
         WHERE m.household_id = a.household_id) AS measures,
       (SELECT u.note FROM alert_audit u WHERE u.alert_id = a.alert_id AND u.to_status = 'measure_assigned'
         ORDER BY u.audit_id DESC LIMIT 1) AS assigned_measure
FROM alerts a
WHERE a.household_id IS NOT NULL;
-- ── end of the issue-6 block
)sql";

// Later steps go here: {1, "ALTER TABLE …;"} takes v1 to v2, and k_schema_version becomes 2.
constexpr std::array<Migration, 0> k_migrations{};

std::string sqlite_error(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

}  // namespace

std::span<const Migration> migrations() { return k_migrations; }

Bundle::Bundle(sqlite3* db, std::filesystem::path path, bool read_only)
    : m_db(db), m_path(std::move(path)), m_read_only(read_only) {}

Bundle::Bundle(Bundle&& o) noexcept
    : m_db(o.m_db), m_path(std::move(o.m_path)), m_read_only(o.m_read_only), m_lock(std::move(o.m_lock)) {
    o.m_db = nullptr;
}

Bundle& Bundle::operator=(Bundle&& o) noexcept {
    if (this != &o) {
        if (m_db) sqlite3_close_v2(m_db);
        m_db = o.m_db;
        m_path = std::move(o.m_path);
        m_read_only = o.m_read_only;
        m_lock = std::move(o.m_lock);
        o.m_db = nullptr;
    }
    return *this;
}

Bundle::~Bundle() {
    if (m_db) sqlite3_close_v2(m_db);
}

Bundle Bundle::open(const std::filesystem::path& path, OpenMode mode, double lock_wait_s) {
    const std::string name = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw BundleError(fmt::format("{}: no such bundle file", name));
    }
    {  // A SQLite file starts with this header; anything else is not a bundle (and we must not touch it).
        std::ifstream in(path, std::ios::binary);
        char header[16] = {};
        in.read(header, sizeof header);
        if (in.gcount() < 16 || std::string_view(header, 15) != "SQLite format 3") {
            throw BundleError(fmt::format("{}: not an onemap bundle (not a GeoPackage/SQLite file)", name));
        }
    }
    const bool ro = mode == OpenMode::ReadOnly;
    // one writer per bundle; taken before SQLite opens it, so a stale journal is rolled back under it
    std::unique_ptr<WriterLock> lock;
    if (mode == OpenMode::ReadWrite) lock = std::make_unique<WriterLock>(WriterLock::acquire(path, lock_wait_s));
    sqlite3* db = nullptr;
    const int flags = ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(name.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string why = sqlite_error(db);
        sqlite3_close_v2(db);
        throw BundleError(fmt::format("{}: cannot open bundle: {}", name, why));
    }
    Bundle b(db, path, ro);
    b.m_lock = std::move(lock);
    // A writer killed mid-transaction leaves a hot journal; a read-only connection cannot roll it back.
    const auto interrupted = [&] {
        std::error_code jec;
        const auto journal = journal_path(path);
        return ro && std::filesystem::exists(journal, jec) && std::filesystem::file_size(journal, jec) > 0;
    };
    sqlite3_busy_timeout(db, 5000);
    // A truncated or damaged file fails here or in the integrity check below.
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = sqlite_error(db);
        if (why.find("no such table") != std::string::npos) {
            throw BundleError(fmt::format("{}: not an onemap bundle (a GeoPackage/SQLite file without onemap's meta table)", name));
        }
        const int code = sqlite3_errcode(db) & 0xff;
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            throw BundleError(fmt::format("{}: in use — another program is writing to it and held it longer than 5 s; try again", name));
        }
        if (interrupted()) {
            throw BundleError(fmt::format("{}: an interrupted write (a program was killed while writing it) left {}; run `onemap repair "
                                          "--bundle {}` to roll it back",
                                          name, journal_path(path).string(), name));
        }
        throw BundleError(fmt::format("{}: damaged or truncated bundle: {}", name, why));
    }
    int version = -1;
    if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 1) throw BundleError(fmt::format("{}: not an onemap bundle (no schema_version in meta)", name));
    if (version > k_schema_version) {
        throw BundleError(fmt::format("{}: bundle schema v{} is newer than this onemap understands (v{}); update onemap",
                                      name, version, k_schema_version));
    }
    {  // A truncated copy (an interrupted transfer) is shorter than the pages its header counts.
        auto pragma = [&](const char* sql) {
            sqlite3_stmt* q = nullptr;
            std::int64_t v = -1;
            if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
            sqlite3_finalize(q);
            return v;
        };
        const std::int64_t expected = pragma("PRAGMA page_count") * pragma("PRAGMA page_size");
        const auto actual = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
        if ((expected <= 0 || ec || actual < expected) && interrupted()) {
            throw BundleError(fmt::format("{}: an interrupted write (a program was killed while writing it) left {}; run `onemap repair "
                                          "--bundle {}` to roll it back",
                                          name, journal_path(path).string(), name));
        }
        if (expected <= 0 || ec || actual < expected) {
            throw BundleError(fmt::format("{}: damaged or truncated bundle: {} bytes where its header counts {}", name, actual, expected));
        }
    }
    if (version < k_schema_version) {
        if (ro) {
            throw BundleError(fmt::format("{}: bundle schema v{} is older than v{}; open it once read-write (e.g. onemap info --upgrade) to migrate",
                                          name, version, k_schema_version));
        }
        b.migrate(migrations(), k_schema_version);
    }
    if (!ro) b.exec("PRAGMA foreign_keys = ON");
    return b;
}

Bundle Bundle::initialise(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        const std::string why = sqlite_error(db);
        sqlite3_close_v2(db);
        throw BundleError(fmt::format("{}: cannot initialise bundle: {}", path.string(), why));
    }
    Bundle b(db, path, false);
    Transaction tx(b);
    b.exec(k_schema_v1);
    b.exec("CREATE UNIQUE INDEX IF NOT EXISTS regions_code ON regions (code);"
           "CREATE INDEX IF NOT EXISTS regions_parent ON regions (parent_code);"
           "CREATE INDEX IF NOT EXISTS regions_level ON regions (level);"
           "CREATE INDEX IF NOT EXISTS projects_county ON projects (county_code);"
           "CREATE INDEX IF NOT EXISTS sites_county ON sites (county_code);");
    b.set_meta("schema_version", std::to_string(k_schema_version));
    tx.commit();
    return b;
}

int Bundle::schema_version() const { return std::stoi(meta("schema_version").value_or("0")); }

std::optional<std::string> Bundle::meta(std::string_view key) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT value FROM meta WHERE key = ?", -1, &st, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: {}", m_path.string(), sqlite_error(m_db)));
    }
    sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    std::optional<std::string> out;
    if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

void Bundle::set_meta(std::string_view key, std::string_view value) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           -1, &st, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: {}", m_path.string(), sqlite_error(m_db)));
    }
    sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw BundleError(fmt::format("{}: cannot write meta '{}': {}", m_path.string(), key, sqlite_error(m_db)));
}

std::string Bundle::quick_check() const {
    sqlite3_stmt* qc = nullptr;
    std::string result;
    if (sqlite3_prepare_v2(m_db, "PRAGMA quick_check", -1, &qc, nullptr) == SQLITE_OK && sqlite3_step(qc) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(qc, 0);
        result = text ? reinterpret_cast<const char*>(text) : "?";
    } else {
        result = sqlite_error(m_db);
    }
    sqlite3_finalize(qc);
    return result;
}

void Bundle::exec(std::string_view sql) {
    char* err = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string why = err ? err : sqlite_error(m_db);
        sqlite3_free(err);
        throw BundleError(fmt::format("{}: {}", m_path.string(), why));
    }
}

void Bundle::migrate(std::span<const Migration> steps, int target_version) {
    Transaction tx(*this);
    int version = schema_version();
    for (const Migration& step : steps) {
        if (step.from != version || version >= target_version) continue;
        exec(step.sql);
        ++version;
        set_meta("schema_version", std::to_string(version));
    }
    if (version != target_version) {
        throw BundleError(fmt::format("{}: no migration path from schema v{} to v{}", m_path.string(), version, target_version));
    }
    tx.commit();
}

Transaction::Transaction(Bundle& bundle) : m_bundle(bundle) { m_bundle.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!m_done) {
        char* err = nullptr;
        sqlite3_exec(m_bundle.db(), "ROLLBACK", nullptr, nullptr, &err);
        sqlite3_free(err);
    }
}

void Transaction::commit() {
    m_bundle.exec("COMMIT");
    m_done = true;
}

}  // namespace onemap::data
