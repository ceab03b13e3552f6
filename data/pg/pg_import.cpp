// postgres_target: the importers' writes into the province's PostgreSQL database, each in one
// transaction (rows sent with COPY into a temporary table, then merged), all or nothing.
#include "data/bundle/bundle_swap.hpp"
#include "data/import/import_common.hpp"
#include "data/import/import_target.hpp"
#include "data/pg/pg.hpp"
#include "data/pg/pg_schema.hpp"

#include <fmt/format.h>

namespace onemap::data {

namespace {

using pg::Connection;
using pg::CopyIn;
using pg::PgTransaction;
using pg::copy_append;

class PostgresTarget final : public ImportTarget {
public:
    explicit PostgresTarget(std::string_view url) : m_c(Connection::open(url)) { pg::require_schema(m_c); }

    std::string name() const override { return m_c.name(); }
    bool exists() const override { return true; }

    std::vector<Region> regions() const override {
        std::vector<Region> out;
        PgTransaction tx(m_c, "ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        m_c.for_each_batch(std::string(pg::k_region_select) + "ORDER BY code", 2000, [&](const pg::Result& r) {
            for (int i = 0; i < r.rows(); ++i) {
                out.push_back(pg::region_from_row(r, i));
            }
        });
        tx.commit();
        return out;
    }

    std::unordered_map<std::string, int> region_levels() const override {
        std::unordered_map<std::string, int> out;
        pg::Result r = m_c.query("SELECT code, level FROM regions");
        for (int i = 0; i < r.rows(); ++i) out.emplace(r.str(i, 0), static_cast<int>(r.integer(i, 1)));
        return out;
    }

    std::optional<std::string> meta(std::string_view key) const override {
        pg::Result r = m_c.query("SELECT value FROM meta WHERE key = $1", {std::string(key)});
        if (r.rows() == 0) return std::nullopt;
        return r.str(0, 0);
    }

    void write_regions(Level level, const std::vector<Region>& regions, const std::string& source_file) override {
        PgTransaction tx(m_c);
        m_c.query("DELETE FROM regions WHERE level = $1", {std::to_string(static_cast<int>(level))});
        CopyIn copy(m_c, "COPY regions(code, parent_code, level, name, population, tp_population, tp_households, geom) FROM STDIN");
        for (const Region& r : regions) {
            std::string& o = copy.buffer();
            copy_append(o, r.code);
            o += '\t';
            copy_append(o, r.parent_code);
            o += fmt::format("\t{}\t", static_cast<int>(r.level));
            copy_append(o, r.name);
            o += fmt::format("\t{}\t{}\t{}\t", r.population, r.tp_population, r.tp_households);
            o += pg::ewkb_hex(to_wkb(r.geometry));
            copy.row_done();
        }
        copy.finish();
        kill_point("after-regions");
        mark_layer_real(fmt::format("regions.{}", level_key(level)));
        set_meta(fmt::format("source_regions_{}", level_key(level)), source_file);
        pg::Result box = m_c.query("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM regions) x");
        if (box.rows() == 1 && !box.null(0, 0)) {
            set_meta("bbox", fmt::format("{:.6f},{:.6f},{:.6f},{:.6f}", box.real(0, 0), box.real(0, 1), box.real(0, 2), box.real(0, 3)));
        }
        tx.commit();
    }

    void write_indicators(const std::vector<IndicatorRow>& rows) override {
        PgTransaction tx(m_c);
        m_c.exec("CREATE TEMP TABLE onemap_in_indicators (n bigint, region_code text, period text, metric text, value double precision) ON COMMIT DROP");
        CopyIn copy(m_c, "COPY onemap_in_indicators FROM STDIN");
        std::size_t n = 0;
        for (const IndicatorRow& r : rows) {
            std::string& o = copy.buffer();
            o += fmt::format("{}\t", n);
            copy_append(o, r.code);
            o += '\t';
            copy_append(o, r.period);
            o += '\t';
            copy_append(o, r.metric);
            o += fmt::format("\t{}", r.value);
            copy.row_done();
            if (++n == rows.size() / 2) kill_point("indicators-midway");
        }
        copy.finish();
        // DISTINCT ON: the file's last row for a key wins, as in the bundle (one statement cannot touch a row twice).
        m_c.exec("INSERT INTO indicators(region_code, period, metric, value) "
                 "SELECT DISTINCT ON (metric, period, region_code) region_code, period, metric, value FROM onemap_in_indicators "
                 "ORDER BY metric, period, region_code, n DESC "
                 "ON CONFLICT (metric, period, region_code) DO UPDATE SET value = excluded.value");
        mark_layer_real("indicators");
        tx.commit();
    }

    void write_households(const std::vector<HouseholdRow>& rows, const std::string& fingerprint, int iterations) override {
        PgTransaction tx(m_c);
        m_c.exec("CREATE TEMP TABLE onemap_in_households (id_hash text, village_code text, head_name_masked text, members bigint, labour bigint, "
                 "household_type text, fully_supported bigint, relocated bigint, second_factor_kind text, second_factor_salt text, "
                 "second_factor_hash text, contact_name text, contact_phone text) ON COMMIT DROP");
        CopyIn copy(m_c, "COPY onemap_in_households FROM STDIN");
        for (const HouseholdRow& h : rows) {
            std::string& o = copy.buffer();
            for (const std::string* s : {&h.id_hash, &h.village, &h.name_masked}) {
                copy_append(o, *s);
                o += '\t';
            }
            o += fmt::format("{}\t{}\t", h.members, h.labour);
            copy_append(o, h.type);
            o += fmt::format("\t{}\t{}\t", h.supported ? 1 : 0, h.relocated ? 1 : 0);
            copy_append(o, h.factor_kind);
            o += '\t';
            copy_append(o, h.salt);
            o += '\t';
            copy_append(o, h.factor_hash);
            for (const std::string* s : {&h.contact, &h.contact_phone}) {
                o += '\t';
                if (s->empty()) o += "\\N"; else copy_append(o, *s);  // \N: NULL in COPY's text format
            }
            copy.row_done();
        }
        copy.finish();
        m_c.exec("INSERT INTO households(id_hash, village_code, head_name_masked, members, labour, household_type, fully_supported, relocated, "
                 "second_factor_kind, second_factor_salt, second_factor_hash, contact_name, contact_phone) "
                 "SELECT id_hash, village_code, head_name_masked, members, labour, household_type, fully_supported, relocated, "
                 "second_factor_kind, second_factor_salt, second_factor_hash, contact_name, contact_phone FROM onemap_in_households "
                 "ON CONFLICT (id_hash) DO UPDATE SET village_code = excluded.village_code, head_name_masked = excluded.head_name_masked, "
                 "members = excluded.members, labour = excluded.labour, household_type = excluded.household_type, "
                 "fully_supported = excluded.fully_supported, relocated = excluded.relocated, "
                 "second_factor_kind = excluded.second_factor_kind, second_factor_salt = excluded.second_factor_salt, "
                 "second_factor_hash = excluded.second_factor_hash, contact_name = excluded.contact_name, contact_phone = excluded.contact_phone");
        set_meta("household_key_fingerprint", fingerprint);
        set_meta("second_factor_iterations", std::to_string(iterations));
        mark_layer_real("households");
        tx.commit();
    }

    void write_projects(const std::vector<Project>& projects) override {
        PgTransaction tx(m_c);
        m_c.exec("DELETE FROM projects");
        CopyIn copy(m_c, "COPY projects(name, county_code, village_code, category, batch, farmer_linkage, operating, "
                         "beneficiary_households, investment, geom) FROM STDIN");
        for (const Project& p : projects) {
            std::string& o = copy.buffer();
            for (const std::string* s : {&p.name, &p.county_code, &p.village_code, &p.category, &p.batch}) {
                copy_append(o, *s);
                o += '\t';
            }
            o += fmt::format("{}\t{}\t{}\t{}\t", p.farmer_linkage ? 1 : 0, p.operating ? 1 : 0, p.beneficiary_households, p.investment);
            o += pg::ewkb_hex(to_wkb(p.location));
            copy.row_done();
        }
        copy.finish();
        mark_layer_real("projects");
        tx.commit();
    }

    void write_sites(const std::vector<Site>& sites) override {
        PgTransaction tx(m_c);
        m_c.exec("DELETE FROM sites");
        CopyIn copy(m_c, "COPY sites(name, county_code, households, persons, employed_households, geom) FROM STDIN");
        for (const Site& s : sites) {
            std::string& o = copy.buffer();
            copy_append(o, s.name);
            o += '\t';
            copy_append(o, s.county_code);
            o += fmt::format("\t{}\t{}\t{}\t", s.households, s.persons, s.employed_households);
            o += pg::ewkb_hex(to_wkb(s.location));
            copy.row_done();
        }
        copy.finish();
        mark_layer_real("sites");
        tx.commit();
    }

private:
    void set_meta(std::string_view key, std::string_view value) {
        m_c.query("INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  {std::string(key), std::string(value)});
    }
    void mark_layer_real(const std::string& layer) {
        // Row locks first: concurrent importers update the layer lists one after another, none lost.
        m_c.exec("INSERT INTO meta(key, value) VALUES ('layers_real', ''), ('layers_synthetic', ''), ('synthetic', '0') ON CONFLICT (key) DO NOTHING");
        pg::Result r = m_c.query("SELECT key, value FROM meta WHERE key IN ('layers_real', 'layers_synthetic', 'synthetic') ORDER BY key FOR UPDATE");
        std::string real, synthetic;
        for (int i = 0; i < r.rows(); ++i) {
            if (r.text(i, 0) == "layers_real") real = r.str(i, 1);
            if (r.text(i, 0) == "layers_synthetic") synthetic = r.str(i, 1);
        }
        const auto [new_real, new_synthetic] = detail::layers_after_real(real, synthetic, layer);
        set_meta("layers_real", new_real);
        set_meta("layers_synthetic", new_synthetic);
        set_meta("synthetic", new_synthetic.empty() ? "0" : "1");
    }
    mutable Connection m_c;
};

}  // namespace

std::unique_ptr<ImportTarget> postgres_target(std::string_view url) { return std::make_unique<PostgresTarget>(url); }

}  // namespace onemap::data
