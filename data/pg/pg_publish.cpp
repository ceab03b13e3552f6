#include "pg_publish.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/writer_lock.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_lookup.hpp"
#include "data/bundle/features.hpp"
#include "data/pg/pg_schema.hpp"
#include "data/bundle/sql_statement.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_set>

namespace onemap::data {

namespace {

using Clock = std::chrono::steady_clock;

// Which rows of a table a snapshot takes: {all} every region (ancestors, the region, descendants),
// {down} the region and its descendants (bound_scope() turns them into parameters).
const char* scope_of(std::string_view table, bool households) {
    if (!households) {
        if (table == "households" || table.starts_with("household_") || table == "benefits" || table == "measures") return "false";
        if (table == "alerts") return "region_code = ANY({all}) AND household_id IS NULL";
        if (table == "alert_audit") return "alert_id IN (SELECT alert_id FROM alerts WHERE region_code = ANY({all}) AND household_id IS NULL)";
    }
    static const std::map<std::string_view, const char*> k_scope{
        {"meta", "key <> 'pg_schema_version'"},
        {"metrics", "true"},
        {"targets", "true"},
        {"featured_industries", "county_code = ANY({all})"},
        {"indicators", "region_code = ANY({all})"},
        {"rule_results", "region_code = ANY({all})"},
        {"households", "village_code = ANY({down})"},
        {"household_income", "household_id IN (SELECT household_id FROM households WHERE village_code = ANY({down}))"},
        {"household_months", "household_id IN (SELECT household_id FROM households WHERE village_code = ANY({down}))"},
        {"benefits", "household_id IN (SELECT household_id FROM households WHERE village_code = ANY({down}))"},
        {"measures", "household_id IN (SELECT household_id FROM households WHERE village_code = ANY({down}))"},
        {"alerts", "region_code = ANY({all}) AND (household_id IS NULL OR household_id IN "
                   "(SELECT household_id FROM households WHERE village_code = ANY({down})))"},
        {"alert_audit", "alert_id IN (SELECT alert_id FROM alerts WHERE region_code = ANY({all}) AND (household_id IS NULL OR "
                        "household_id IN (SELECT household_id FROM households WHERE village_code = ANY({down}))))"},
    };
    const auto it = k_scope.find(table);
    return it == k_scope.end() ? "false" : it->second;
}

// The scope's SQL with {all}/{down} as $1/$2 (only those it uses), and the parameters to bind.
std::pair<std::string, std::vector<std::optional<std::string>>> bound_scope(std::string sql, const std::string& all, const std::string& down) {
    std::vector<std::optional<std::string>> params;
    for (const auto& [token, value] : {std::pair<std::string, const std::string*>{"{all}", &all}, {"{down}", &down}}) {
        if (sql.find(token) == std::string::npos) continue;
        params.emplace_back(*value);
        const std::string ref = fmt::format("${}::text[]", params.size());
        for (std::size_t at; (at = sql.find(token)) != std::string::npos;) sql.replace(at, token.size(), ref);
    }
    return {std::move(sql), std::move(params)};
}

void fsync_file(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

PublishSummary publish_snapshot(pg::Connection& c, const std::string& region_code, const std::filesystem::path& out,
                                const std::function<void(const std::filesystem::path& work)>& prepare, bool households) {
    pg::require_schema(c);
    PublishSummary s;
    s.region_code = region_code;
    std::string region = region_code;
    s.source = c.name();
    const auto t0 = Clock::now();
    const std::filesystem::path dir = out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
    const std::filesystem::path work = dir / fmt::format(".{}.publish-{}.gpkg", out.filename().string(), ::getpid());
    struct Cleanup {
        const std::filesystem::path& p;
        bool keep = false;
        ~Cleanup() {
            if (keep) return;
            std::error_code ec;
            std::filesystem::remove(p, ec);
            std::filesystem::remove(std::filesystem::path(p.string() + "-journal"), ec);
        }
    } cleanup{work};
    std::filesystem::remove(work);

    pg::PgTransaction tx(c, "ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    s.snapshot = c.query("SELECT pg_current_snapshot()::text").str(0, 0);  // also fixes the snapshot for every read below
    if (region.empty()) {  // the whole database: its top region
        pg::Result r = c.query("SELECT code FROM regions WHERE parent_code = '' ORDER BY level, code LIMIT 1");
        if (r.rows() == 0) throw pg::PgError(fmt::format("{}: the database holds no regions", c.name()));
        region = s.region_code = r.str(0, 0);
    }
    const pg::RegionScope scope = pg::region_scope(c, region);
    const std::vector<std::string>& all = scope.all;
    const std::string all_lit = pg::array_literal(all), down_lit = pg::array_literal(scope.down);

    std::vector<Region> regions;
    c.for_each_batch(std::string(pg::k_region_select) + "WHERE code = ANY($1::text[]) ORDER BY code", 2000, [&](const pg::Result& r) {
        for (int i = 0; i < r.rows(); ++i) {
            Region g = pg::region_from_row(r, i);
            if (g.code == region) s.region_name = g.name;
            regions.push_back(std::move(g));
        }
    }, {all_lit});
    // Projects of the region's counties or villages; sites of every county in scope (a township's kiosk
    // shows its county's relocation sites).
    std::vector<Project> projects;
    {
        pg::Result r = c.query("SELECT fid, name, county_code, village_code, category, batch, farmer_linkage, operating, beneficiary_households, "
                               "investment, ST_AsBinary(geom) FROM projects WHERE county_code = ANY($1::text[]) OR village_code = ANY($1::text[]) "
                               "ORDER BY fid", {down_lit});
        for (int i = 0; i < r.rows(); ++i) {
            Project p;
            p.fid = r.integer(i, 0);
            p.name = r.str(i, 1);
            p.county_code = r.str(i, 2);
            p.village_code = r.str(i, 3);
            p.category = r.str(i, 4);
            p.batch = r.str(i, 5);
            p.farmer_linkage = r.integer(i, 6) != 0;
            p.operating = r.integer(i, 7) != 0;
            p.beneficiary_households = r.integer(i, 8);
            p.investment = r.real(i, 9);
            if (!r.null(i, 10)) {
                const auto wkb = pg::from_hex(r.text(i, 10));
                p.location = point_from_wkb(wkb.data(), wkb.size());
            }
            projects.push_back(std::move(p));
        }
    }
    std::vector<Site> sites;
    {
        pg::Result r = c.query("SELECT fid, name, county_code, households, persons, employed_households, ST_AsBinary(geom) FROM sites "
                               "WHERE county_code = ANY($1::text[]) ORDER BY fid", {all_lit});
        for (int i = 0; i < r.rows(); ++i) {
            Site t;
            t.fid = r.integer(i, 0);
            t.name = r.str(i, 1);
            t.county_code = r.str(i, 2);
            t.households = r.integer(i, 3);
            t.persons = r.integer(i, 4);
            t.employed_households = r.integer(i, 5);
            if (!r.null(i, 6)) {
                const auto wkb = pg::from_hex(r.text(i, 6));
                t.location = point_from_wkb(wkb.data(), wkb.size());
            }
            sites.push_back(std::move(t));
        }
    }
    s.rows.emplace_back("regions", static_cast<std::int64_t>(regions.size()));
    s.rows.emplace_back("projects", static_cast<std::int64_t>(projects.size()));
    s.rows.emplace_back("sites", static_cast<std::int64_t>(sites.size()));
    std::string bbox;  // the published region's extent: a screen frames its own region
    for (const Region& g : regions) {
        if (g.code != region) continue;
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const auto& poly : g.geometry)
            for (const auto& p : poly.outer) {
                x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
            }
        if (x0 <= x1) bbox = fmt::format("{:.6f},{:.6f},{:.6f},{:.6f}", x0, y0, x1, y1);
    }
    write_features(work, regions, projects, sites);
    regions.clear();
    {
        Bundle b = Bundle::initialise(work);
        b.exec("PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY");
        Transaction wtx(b);
        for (const pg::TableSpec& t : pg::attribute_tables()) {
            const std::string_view name = t.name;
            int ncols = 1;
            for (const char* p = t.columns; *p; ++p) ncols += *p == ',';
            std::string placeholders;
            for (int i = 0; i < ncols; ++i) placeholders += i ? ",?" : "?";
            sql::Statement ins(b, fmt::format("INSERT OR REPLACE INTO {}({}) VALUES ({})", t.name, t.columns, placeholders));
            std::int64_t rows = 0;
            const auto [where, params] = bound_scope(scope_of(name, households), all_lit, down_lit);
            c.for_each_batch(fmt::format("SELECT {} FROM {} WHERE {}", t.columns, t.name, where), 20000, [&](const pg::Result& r) {
                for (int i = 0; i < r.rows(); ++i) {
                    for (int k = 0; k < ncols; ++k) {
                        if (r.null(i, k)) {
                            ins.null(k + 1);
                            continue;
                        }
                        switch (r.type(k)) {
                            case 20: case 21: case 23: ins.integer(k + 1, r.integer(i, k)); break;   // int8, int2, int4
                            case 700: case 701: case 1700: ins.real(k + 1, r.real(i, k)); break;     // float4, float8, numeric
                            default: ins.text_static(k + 1, r.text(i, k));
                        }
                    }
                    ins.run_rebind();
                    ++rows;
                }
            }, params);
            if (name != "meta") s.rows.emplace_back(std::string(name), rows);
        }
        b.set_meta("snapshot_source", s.source);
        b.set_meta("snapshot_region", region);
        b.set_meta("snapshot_pg", s.snapshot);
        if (!bbox.empty()) b.set_meta("bbox", bbox);
        if (!households) b.set_meta("snapshot_households", "0");
        // After the copy: the snapshot's own households (none with --no-households), whatever meta came with it.
        store_household_card_glyphs(b);
        store_household_lookup_summary(b);
        wtx.commit();
    }
    tx.commit();
    s.seconds_read = std::chrono::duration<double>(Clock::now() - t0).count();
    if (prepare) {
        const auto t1 = Clock::now();
        prepare(work);
        s.seconds_prepare = std::chrono::duration<double>(Clock::now() - t1).count();
    }
    fsync_file(work);
    const WriterLock lock = WriterLock::acquire(out, 10.0);  // one writer: not under an import of `out`
    clear_journal_before_rename(out);
    std::filesystem::rename(work, out);
    cleanup.keep = true;
    s.bytes = std::filesystem::file_size(out);
    return s;
}

}  // namespace onemap::data
