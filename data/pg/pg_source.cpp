// PostgreSQL as a live data::Source (desk and wall --pg) and the change watch; see pg_source.hpp.
#include "data/pg/pg_source.hpp"

#include "data/pg/pg_schema.hpp"
#include "data/bundle/text_format.hpp"

#include <libpq-fe.h>
#include <sys/select.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace onemap::data {

namespace {

using Params = std::vector<std::optional<std::string>>;

Alert alert_from_row(const pg::Result& r, int i) {
    Alert a;
    a.id = r.integer(i, 0);
    a.kind = r.str(i, 1);
    a.rule = r.str(i, 2);
    a.subject = r.str(i, 3);
    a.region_code = r.str(i, 4);
    a.county_code = r.str(i, 5);
    if (!r.null(i, 6)) a.household_id = r.integer(i, 6);
    if (!r.null(i, 7)) a.project_fid = r.integer(i, 7);
    a.risk_category = r.str(i, 8);
    a.severity = static_cast<int>(r.integer(i, 9));
    a.status = parse_alert_status(r.text(i, 10)).value_or(AlertStatus::New);
    a.period = r.str(i, 11);
    a.detail = r.str(i, 12);
    a.raised_at = r.str(i, 13);
    return a;
}

std::string alert_select(bool household_detail) { return fmt::format("SELECT {} FROM alerts ", alert_columns(household_detail)); }
// The filter's five conditions as $1…$5 and the scope as $6 (NULL: every region).
constexpr const char* k_alert_where =
    "WHERE ($1::text IS NULL OR county_code = $1) AND ($2::text IS NULL OR region_code = $2) AND ($3::text IS NULL OR status = $3) "
    "AND ($4::text IS NULL OR kind = $4) AND ($5::text IS NULL OR substr(period, 1, length($5)) = $5) "
    "AND ($6::text[] IS NULL OR region_code = ANY($6::text[])) ";

class PgSourceImpl final : public PgSource {
public:
    PgSourceImpl(const std::string& url, const std::string& region) : m_url(url), m_c(pg::Connection::open(url)) {
        m_name = m_c.name();
        pg::require_schema(m_c);
        m_has_counter = pg::has_change_counter(m_c);
        if (m_has_counter) m_counters = pg::change_counters(m_c);   // before any data: a write after this is seen later
        if (!region.empty()) {
            m_scope = pg::region_scope(m_c, region);
            m_all = pg::array_literal(m_scope->all);
            m_down = pg::array_literal(m_scope->down);
        }
        // A reader role's sessions are read-only (serve-db init sets default_transaction_read_only).
        pg::Result r = m_c.query("SELECT current_setting('transaction_read_only') = 'on' OR NOT has_table_privilege('alerts', 'UPDATE') "
                                 "OR NOT has_table_privilege('alert_audit', 'INSERT'), current_user");
        m_read_only = r.text(0, 0) == "t";
        m_user = r.str(0, 1);
    }

    std::string name() const override { return m_name; }
    bool live() const override { return true; }

    RegionIndex regions() const override {
        pg::Result r = query("SELECT code, parent_code, level, name, population, tp_population, tp_households FROM regions "
                             "WHERE ($1::text[] IS NULL OR code = ANY($1::text[]))", {m_all});
        std::vector<RegionInfo> rows;
        rows.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) {
            RegionInfo g;
            g.code = r.str(i, 0);
            g.parent_code = r.str(i, 1);
            g.level = static_cast<Level>(std::clamp<std::int64_t>(r.integer(i, 2), 1, 5));
            g.name = r.str(i, 3);
            g.population = r.integer(i, 4);
            g.tp_population = r.integer(i, 5);
            g.tp_households = r.integer(i, 6);
            rows.push_back(std::move(g));
        }
        return RegionIndex::from_rows(std::move(rows));
    }

    std::optional<std::string> meta(std::string_view key) const override {
        pg::Result r = query("SELECT value FROM meta WHERE key = $1", {std::string(key)});
        if (r.rows() == 0) return std::nullopt;
        return r.str(0, 0);
    }

    // Indicator reads feed panels while they draw: a failure gives an empty answer (and last_error()),
    // the caller's cache is dropped when the connection is back.
    std::map<std::string, double, std::less<>> indicator_layer(std::string_view metric, std::string_view period) const override {
        std::map<std::string, double, std::less<>> out;
        try {
            pg::Result r = query("SELECT region_code, value FROM indicators WHERE metric = $1 AND period = $2 "
                                 "AND ($3::text[] IS NULL OR region_code = ANY($3::text[]))",
                                 {std::string(metric), std::string(period), m_all});
            for (int i = 0; i < r.rows(); ++i) out.emplace(r.str(i, 0), r.real(i, 1));
        } catch (const pg::PgError&) {
        }
        return out;
    }
    std::optional<double> indicator_value(std::string_view code, std::string_view metric, std::string_view period) const override {
        try {
            pg::Result r = query("SELECT value FROM indicators WHERE metric = $1 AND period = $2 AND region_code = $3 "
                                 "AND ($4::text[] IS NULL OR region_code = ANY($4::text[]))",
                                 {std::string(metric), std::string(period), std::string(code), m_all});
            if (r.rows() > 0) return r.real(0, 0);
        } catch (const pg::PgError&) {
        }
        return std::nullopt;
    }
    std::map<std::string, double> indicator_series(std::string_view code, std::string_view metric) const override {
        std::map<std::string, double> out;
        try {
            pg::Result r = query("SELECT period, value FROM indicators WHERE region_code = $1 AND metric = $2", {std::string(code), std::string(metric)});
            for (int i = 0; i < r.rows(); ++i) out.emplace(r.str(i, 0), r.real(i, 1));
        } catch (const pg::PgError&) {
        }
        return out;
    }
    // Distinct metrics and periods walked along the primary key (metric, period, region_code): one
    // index probe per value, not a scan of millions of rows.
    std::vector<std::string> periods() const override {
        pg::Result r = query(R"sql(
WITH RECURSIVE m(k) AS (SELECT min(metric) FROM indicators
                        UNION ALL SELECT (SELECT min(metric) FROM indicators WHERE metric > m.k) FROM m WHERE m.k IS NOT NULL),
p(metric, period) AS (SELECT k, (SELECT min(period) FROM indicators i WHERE i.metric = m.k) FROM m WHERE k IS NOT NULL
                      UNION ALL SELECT p.metric, (SELECT min(period) FROM indicators i WHERE i.metric = p.metric AND i.period > p.period)
                      FROM p WHERE p.period IS NOT NULL)
SELECT DISTINCT period FROM p WHERE period IS NOT NULL AND length(period) = 4 ORDER BY 1
)sql");
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(r.str(i, 0));
        return out;
    }
    std::vector<std::string> metrics() const override {
        pg::Result r = query("WITH RECURSIVE m(k) AS (SELECT min(metric) FROM indicators UNION ALL "
                             "SELECT (SELECT min(metric) FROM indicators WHERE metric > m.k) FROM m WHERE m.k IS NOT NULL) "
                             "SELECT k FROM m WHERE k IS NOT NULL");
        std::vector<std::string> found;
        for (int i = 0; i < r.rows(); ++i) found.push_back(r.str(i, 0));
        return metrics_in_catalogue_order(found);
    }

    std::vector<RuleResult> rule_results(const RuleFilter& filter) const override {
        const std::vector<std::string> wanted = filter_rule_ids(filter);
        pg::Result r = query("SELECT rule, region_code, period, status, value, target, reason FROM rule_results "
                             "WHERE rule = ANY($1::text[]) AND ($2::text IS NULL OR period = $2) AND ($3::text IS NULL OR region_code = $3) "
                             "AND ($4::int IS NULL OR region_code IN (SELECT code FROM regions WHERE level = $4::int)) "
                             "AND ($5::text[] IS NULL OR region_code = ANY($5::text[]))",
                             {pg::array_literal(wanted), filter.period, filter.region_code,
                              filter.level ? std::optional<std::string>(std::to_string(static_cast<int>(*filter.level))) : std::nullopt, m_all});
        std::vector<RuleResult> out;
        for (int i = 0; i < r.rows(); ++i) {
            RuleResult x;
            x.rule = r.str(i, 0);
            x.region_code = r.str(i, 1);
            x.period = r.str(i, 2);
            x.status = parse_status(r.text(i, 3)).value_or(RuleStatus::NoData);
            if (!r.null(i, 4)) x.value = r.real(i, 4);
            if (!r.null(i, 5)) x.target = r.real(i, 5);
            x.reason = r.str(i, 6);
            out.push_back(std::move(x));
        }
        sort_rule_results(out);
        return out;
    }

    std::vector<RegionRuleStatus> rule_status(std::string_view rule, Level level, std::string_view period) const override {
        const RuleInfo* info = find_rule(rule);
        if (!info) throw std::invalid_argument(fmt::format("rule '{}': unknown; expected R1…R16", rule));
        pg::Result r = query("SELECT g.code, r.status, r.value, r.target, r.reason FROM regions g "
                             "LEFT JOIN rule_results r ON r.region_code = g.code AND r.rule = $1 AND r.period = $2 "
                             "WHERE g.level = $3::int AND ($4::text[] IS NULL OR g.code = ANY($4::text[])) ORDER BY g.code COLLATE \"C\"",
                             {std::string(info->id), std::string(period), std::to_string(static_cast<int>(level)), m_all});
        std::vector<RegionRuleStatus> out;
        for (int i = 0; i < r.rows(); ++i) {
            if (r.null(i, 1)) {
                out.push_back(missing_rule_status(*info, level, r.str(i, 0)));
                continue;
            }
            RegionRuleStatus s;
            s.region_code = r.str(i, 0);
            s.status = parse_status(r.text(i, 1)).value_or(RuleStatus::NoData);
            if (!r.null(i, 2)) s.value = r.real(i, 2);
            if (!r.null(i, 3)) s.target = r.real(i, 3);
            s.reason = r.str(i, 4);
            out.push_back(std::move(s));
        }
        return out;
    }

    std::vector<RuleSummary> rule_summary(Level level, std::string_view period) const override {
        pg::Result r = query("SELECT r.rule, r.status, count(*) FROM rule_results r JOIN regions g ON g.code = r.region_code AND g.level = $1::int "
                             "WHERE r.period = $2 AND ($3::text[] IS NULL OR r.region_code = ANY($3::text[])) GROUP BY r.rule, r.status",
                             {std::to_string(static_cast<int>(level)), std::string(period), m_all});
        std::vector<RuleSummary> out;
        for (const auto& info : rule_catalogue()) {
            RuleSummary s;
            s.rule = info.id;
            bool any = false;
            for (int i = 0; i < r.rows(); ++i) {
                if (r.text(i, 0) != info.id) continue;
                any = true;
                s.add(parse_status(r.text(i, 1)).value_or(RuleStatus::NoData), r.integer(i, 2));
            }
            if (any) out.push_back(std::move(s));
        }
        return out;
    }

    std::string latest_rule_month(std::string_view rule, std::string_view year) const override {
        pg::Result r = query("SELECT max(period) FROM rule_results WHERE rule = $1 AND period LIKE $2 "
                             "AND ($3::text[] IS NULL OR region_code = ANY($3::text[]))",
                             {std::string(rule), std::string(year) + "-%", m_all});
        return r.rows() && !r.null(0, 0) ? r.str(0, 0) : std::string();
    }

    std::vector<Alert> read_alerts(const AlertFilter& f) const override {
        Params params = alert_params(f);
        params.push_back(f.limit ? std::optional<std::string>(std::to_string(f.limit)) : std::nullopt);
        pg::Result r = query(alert_select(f.household_detail) + k_alert_where + (f.newest_first ? "ORDER BY alert_id DESC" : "ORDER BY alert_id") + " LIMIT $7::bigint", params);
        std::vector<Alert> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(alert_from_row(r, i));
        return out;
    }
    std::vector<AlertCount> alert_counts_by_kind(const AlertFilter& f) const override {
        pg::Result r = query(std::string("SELECT kind, count(*), count(*) FILTER (WHERE status <> 'resolved') FROM alerts ") + k_alert_where +
                             "GROUP BY kind ORDER BY kind COLLATE \"C\"", alert_params(f));
        std::vector<AlertCount> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.integer(i, 1), r.integer(i, 2)});
        return out;
    }

    // Through GDAL's PostgreSQL driver (its own connection), within the scope as publish takes it:
    // projects of the region's counties or villages, sites of every county in scope.
    std::vector<Project> projects() const override {
        std::vector<Project> all = read_pg_projects(m_url, m_name);
        if (m_scope) {
            std::erase_if(all, [&](const Project& p) { return !in(m_scope->down, p.county_code) && !in(m_scope->down, p.village_code); });
        }
        std::sort(all.begin(), all.end(), [](const Project& a, const Project& b) { return a.fid < b.fid; });
        return all;
    }
    std::vector<Site> sites() const override {
        std::vector<Site> all = read_pg_sites(m_url, m_name);
        if (m_scope) std::erase_if(all, [&](const Site& s) { return !in(m_scope->all, s.county_code); });
        std::sort(all.begin(), all.end(), [](const Site& a, const Site& b) { return a.fid < b.fid; });
        return all;
    }
    std::vector<Region> regions_with_geometry(Level level) const override {
        return read_pg_regions(m_url, m_name, level, m_scope ? &m_scope->all : nullptr);
    }
    std::string regions_hash() const override {
        pg::Result r = query("SELECT count(*), md5(coalesce(string_agg(concat_ws('|', code, parent_code, level, name, population, md5(ST_AsEWKB(geom))), "
                             "',' ORDER BY code COLLATE \"C\"), '')) FROM regions WHERE level >= 3 AND ($1::text[] IS NULL OR code = ANY($1::text[]))",
                             {m_all});
        return fmt::format("pg|{}|{}|{}", r.str(0, 0), r.str(0, 1), m_scope ? m_scope->down.front() : std::string("all"));
    }

    AlertStatus step_alert(std::int64_t id, std::string_view role, std::string_view note) override {
        if (m_read_only) {
            throw AlertError(fmt::format("{}: 只读连接，预警未改动 (the connection is read-only — role {} may not change alerts; "
                                         "connect as the writer role to move them)", m_name, m_user));
        }
        check_connected();
        try {
            pg::PgTransaction tx(m_c);
            pg::Result r = m_c.query(alert_select(true) + "WHERE alert_id = $1 FOR UPDATE", {std::to_string(id)});
            if (r.rows() == 0) throw AlertError(fmt::format("预警 {}：不存在 (alert {} not found)", id, id));
            const Alert alert = alert_from_row(r, 0);
            if (alert.status == AlertStatus::Resolved) throw AlertError(fmt::format("预警 {}：已销号 (alert {} is resolved)", id, id));
            const auto next = static_cast<AlertStatus>(static_cast<int>(alert.status) + 1);
            check_alert_move(alert, next, role, note);
            m_c.query("INSERT INTO alert_audit(alert_id, at, role, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)",
                      {std::to_string(id), utc_now_iso(), std::string(role), std::string(alert_status_key(alert.status)),
                       std::string(alert_status_key(next)), std::string(note)});
            m_c.query("UPDATE alerts SET status = $1 WHERE alert_id = $2", {std::string(alert_status_key(next)), std::to_string(id)});
            if (next == AlertStatus::Resolved && alert.period.size() >= 4) {
                // The open_alerts rule shared with the bundle (data/policy/alerts.hpp): the region and those above it recounted.
                Params metric;
                for (auto& v : open_alerts_metric_params()) metric.emplace_back(std::move(v));
                m_c.query(std::string(open_alerts_metric_sql()), metric);
                m_c.query(std::string(open_alerts_recount_sql()), {alert.region_code, alert.period.substr(0, 4)});
            }
            tx.commit();
            return next;
        } catch (const pg::PgError& e) {
            note_failure(e);
            throw AlertError(e.what());
        }
    }
    bool read_only() const override { return m_read_only; }

    bool connected() const override { return m_connected; }
    void adopt(pg::Connection connection) override {
        m_c = std::move(connection);
        m_connected = true;
        m_error.clear();
    }
    const ChangeCounters& counters_at_open() const override { return m_counters; }
    bool has_change_counter() const override { return m_has_counter; }
    std::string last_error() const override { return m_error; }

private:
    static bool in(const std::vector<std::string>& codes, const std::string& code) {
        return std::find(codes.begin(), codes.end(), code) != codes.end();
    }
    Params alert_params(const AlertFilter& f) const {
        return {f.county_code, f.region_code, f.status ? std::optional<std::string>(std::string(alert_status_key(*f.status))) : std::nullopt,
                f.kind, f.period_prefix, m_all};
    }
    void check_connected() const {
        if (!m_connected) throw pg::PgError(fmt::format("{}: the connection was lost ({}); reconnecting", m_name, m_error));
    }
    void note_failure(const pg::PgError& e) const {
        m_error = e.what();
        if (PQstatus(m_c.raw()) != CONNECTION_OK) m_connected = false;
    }
    pg::Result query(const std::string& sql, const Params& params = {}) const {
        check_connected();
        try {
            return m_c.query(sql, params);
        } catch (const pg::PgError& e) {
            note_failure(e);
            throw;
        }
    }

    std::string m_url, m_name, m_user;
    mutable pg::Connection m_c;
    std::optional<pg::RegionScope> m_scope;
    std::optional<std::string> m_all, m_down;   // the scope as text[] literals; none: every region
    ChangeCounters m_counters;
    bool m_has_counter = false, m_read_only = true;
    mutable bool m_connected = true;
    mutable std::string m_error;
};

}  // namespace

std::unique_ptr<PgSource> open_pg_source(const std::string& url, const std::string& region) {
    return std::make_unique<PgSourceImpl>(url, region);
}

// ── ChangeWatch ─────────────────────────────────────────────────────────────────────────────────

ChangeWatch::ChangeWatch(std::string url, double poll_s, ChangeCounters baseline, std::function<void()> wake)
    : m_url(std::move(url)), m_poll_s(std::max(0.05, poll_s)), m_seen(std::move(baseline)), m_wake(std::move(wake)) {
    m_thread = std::thread([this] { run(); });
}

ChangeWatch::~ChangeWatch() {
    {
        std::lock_guard lock(m_mu);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

ChangeWatch::Report ChangeWatch::take() {
    std::lock_guard lock(m_mu);
    Report r;
    r.changed = std::move(m_changed);
    m_changed.clear();
    r.reachable = m_reachable;
    r.problem = m_problem;
    r.connection = std::move(m_fresh);
    m_fresh.reset();
    return r;
}

void ChangeWatch::want_connection() {
    {
        std::lock_guard lock(m_mu);
        m_want_connection = true;
    }
    m_cv.notify_all();
}

int ChangeWatch::polls() const {
    std::lock_guard lock(m_mu);
    return m_polls;
}

// One loop on its own thread:
//
//   (no connection) ─open + LISTEN─▶ connected ─read counters─▶ report the tables that differ
//        ▲   failed: unreachable(why)       │ wait: a NOTIFY, poll_s, want_connection() or stop
//        └────────── a query fails ◀────────┘
void ChangeWatch::run() {
    std::optional<pg::Connection> c;
    bool counter = true;
    auto wait = [&](double seconds) {
        // In slices, so stop and want_connection() are answered quickly; a NOTIFY ends the wait early.
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < end) {
            {
                std::unique_lock lock(m_mu);
                if (m_stop || (m_want_connection && c)) return;
            }
            if (c) {
                const int fd = PQsocket(c->raw());
                fd_set set;
                FD_ZERO(&set);
                FD_SET(fd, &set);
                timeval tv{0, 200000};
                if (::select(fd + 1, &set, nullptr, nullptr, &tv) > 0) {
                    if (!PQconsumeInput(c->raw())) return;  // the next query finds the connection lost
                    bool notified = false;
                    while (PGnotify* n = PQnotifies(c->raw())) {
                        notified = true;
                        PQfreemem(n);
                    }
                    if (notified) return;
                }
            } else {
                std::unique_lock lock(m_mu);
                m_cv.wait_for(lock, std::chrono::milliseconds(200));
            }
        }
    };
    auto set_state = [&](bool reachable, const std::string& problem) {
        bool news = false;
        {
            std::lock_guard lock(m_mu);
            news = reachable != m_reachable || problem != m_problem;
            m_reachable = reachable;
            m_problem = problem;
        }
        if (news && m_wake) m_wake();
    };
    for (;;) {
        {
            std::lock_guard lock(m_mu);
            if (m_stop) return;
        }
        try {
            if (!c) {
                c = pg::Connection::open(m_url, 5);
                counter = pg::has_change_counter(*c);
                c->exec("LISTEN onemap_changed");
                set_state(true, "");
            }
            bool want = false;
            {
                std::lock_guard lock(m_mu);
                want = m_want_connection;
            }
            if (want) {
                pg::Connection fresh = pg::Connection::open(m_url, 5);
                std::lock_guard lock(m_mu);
                m_fresh = std::move(fresh);
                m_want_connection = false;
            }
            std::set<std::string> changed;
            if (counter) {
                const ChangeCounters now = pg::change_counters(*c);
                for (const auto& [table, v] : now) {
                    const auto it = m_seen.find(table);
                    if (it == m_seen.end() || it->second != v) changed.insert(table);
                }
                for (const auto& [table, v] : m_seen) {
                    if (!now.count(table)) changed.insert(table);
                }
                m_seen = now;
            } else {
                c->exec("SELECT 1");
            }
            bool news = want;
            {
                std::lock_guard lock(m_mu);
                ++m_polls;
                if (!changed.empty()) {
                    m_changed.insert(changed.begin(), changed.end());
                    news = true;
                }
            }
            if (news && m_wake) m_wake();
        } catch (const pg::PgError& e) {
            c.reset();
            set_state(false, e.what());
        }
        wait(m_poll_s);
    }
}

}  // namespace onemap::data
