// PostgreSQL/PostGIS: serve-db init, import --pg, publish, the roles — against a real throw-away
// cluster that the ctest fixture pg_cluster starts (tests/pg/pg_cluster.sh) and stops.
#include "data/bundle/bundle.hpp"
#include "data/bundle/features.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_key.hpp"
#include "data/pg/pg.hpp"
#include "data/pg/pg_publish.hpp"
#include "data/pg/pg_schema.hpp"
#include "data/pg/pg_source.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "data/bundle/sql_statement.hpp"
#include "tests/pg/pg_support.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

using namespace onemap;
namespace fs = std::filesystem;

namespace {

fs::path work_root() { return fs::temp_directory_path() / ("onemap-pg-" + std::to_string(::getpid())); }

// The work folders are removed when every test passed, kept for inspection otherwise.
class WorkCleanup : public ::testing::Environment {
public:
    void TearDown() override {
        if (::testing::UnitTest::GetInstance()->Passed()) {
            std::error_code ec;
            fs::remove_all(work_root(), ec);
        }
    }
};
::testing::Environment* const k_cleanup = ::testing::AddGlobalTestEnvironment(new WorkCleanup);

fs::path work_dir(const std::string& name) {
    const fs::path dir = work_root() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}


std::int64_t bundle_count(const fs::path& bundle, const std::string& sql) {
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    data::sql::Statement st(b, sql);
    return st.step() ? st.col_int(0) : -1;
}

// A digest of the tables an import may touch, to prove "unchanged".
std::string pg_digest(data::pg::Connection& c) {
    return c.query("SELECT (SELECT md5(coalesce(string_agg(region_code || period || metric || value::text, ',' ORDER BY metric, period, region_code), '')) FROM indicators) || "
                   "(SELECT md5(coalesce(string_agg(key || '=' || value, ',' ORDER BY key), '')) FROM meta) || "
                   "(SELECT count(*)::text FROM projects)").str(0, 0);
}

bool same_ring(const gis::Ring& a, const gis::Ring& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].x != b[i].x || a[i].y != b[i].y) return false;
    return true;
}

// Bit-exact: every vertex of every ring.
bool same_geometry(const gis::MultiPolygon& a, const gis::MultiPolygon& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t p = 0; p < a.size(); ++p) {
        if (!same_ring(a[p].outer, b[p].outer) || a[p].holes.size() != b[p].holes.size()) return false;
        for (std::size_t h = 0; h < a[p].holes.size(); ++h)
            if (!same_ring(a[p].holes[h], b[p].holes[h])) return false;
    }
    return true;
}

}  // namespace

TEST(Postgres, InitCreatesSchemaRolesAndIsIdempotent) {
    const std::string url = fresh_db("t_init");
    ASSERT_FALSE(url.empty());
    const CliRun first = run("serve-db init --pg '" + url + "'");
    ASSERT_EQ(first.rc, 0) << first.out;
    EXPECT_NE(first.out.find("created tables"), std::string::npos) << first.out;
    data::pg::Connection c = data::pg::Connection::open(url);
    for (const char* t : {"meta", "regions", "projects", "sites", "metrics", "indicators", "households", "household_income", "household_months",
                          "benefits", "measures", "targets", "rule_results", "featured_industries", "alerts", "alert_audit"}) {
        EXPECT_EQ(c.query("SELECT to_regclass($1) IS NOT NULL", {std::string(t)}).str(0, 0), "t") << t;
    }
    EXPECT_EQ(c.query("SELECT Find_SRID('public', 'regions', 'geom')").str(0, 0), "4490");
    EXPECT_EQ(c.query("SELECT type FROM geometry_columns WHERE f_table_name = 'regions'").str(0, 0), "MULTIPOLYGON");
    EXPECT_EQ(c.query("SELECT value FROM meta WHERE key = 'pg_schema_version'").str(0, 0), "1");
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'regions' AND indexdef LIKE '%gist%'"), 1);
    EXPECT_EQ(c.query("SELECT has_table_privilege('onemap_reader', 'indicators', 'SELECT')").str(0, 0), "t");
    EXPECT_EQ(c.query("SELECT has_table_privilege('onemap_reader', 'indicators', 'INSERT')").str(0, 0), "f");
    EXPECT_EQ(c.query("SELECT has_table_privilege('onemap_writer', 'indicators', 'INSERT')").str(0, 0), "t");
    EXPECT_EQ(c.query("SELECT has_table_privilege('onemap_writer', 'alert_audit', 'UPDATE')").str(0, 0), "f");
    const CliRun again = run("serve-db init --pg '" + url + "'");
    ASSERT_EQ(again.rc, 0) << again.out;
    EXPECT_NE(again.out.find("already initialised"), std::string::npos) << again.out;
}

TEST(Postgres, ReadOnlyRoleCannotWrite) {
    const std::string url = loaded_db("t_roles");
    ASSERT_FALSE(url.empty());
    data::pg::Connection reader = data::pg::Connection::open(with_db(url, "t_roles", "onemap_reader"));
    EXPECT_GT(pg_count(reader, "SELECT count(*) FROM indicators"), 0);  // it can read
    try {
        reader.exec("BEGIN READ WRITE; INSERT INTO indicators(region_code, period, metric, value) VALUES ('41', '2030', 'tp_households', 1)");
        ADD_FAILURE() << "the reader role inserted a row";
    } catch (const data::pg::PgError& e) {
        EXPECT_NE(std::string(e.what()).find("permission denied"), std::string::npos) << e.what();
    }
    reader.exec("ROLLBACK");
    EXPECT_THROW(reader.exec("DELETE FROM households"), data::pg::PgError);
    // The writer can (and the import through it works: see the import tests).
    data::pg::Connection writer = data::pg::Connection::open(with_db(url, "t_roles", "onemap_writer"));
    writer.exec("INSERT INTO indicators(region_code, period, metric, value) VALUES ('41', '2030', 'tp_households', 1)");
    EXPECT_THROW(writer.exec("UPDATE alert_audit SET note = 'x'"), data::pg::PgError);
}

TEST(Postgres, PublishRoundTripEqualsTheSource) {
    const std::string url = loaded_db("t_roundtrip");
    ASSERT_FALSE(url.empty());
    const fs::path dir = work_dir("roundtrip");
    const fs::path out = dir / "all.gpkg";
    const CliRun pub = run("publish --pg '" + with_db(url, "t_roundtrip", "onemap_reader") + "' --region 41 --out '" + out.string() + "'");
    ASSERT_EQ(pub.rc, 0) << pub.out;
    const fs::path src = test_bundle();
    for (const char* t : {"regions", "projects", "sites", "metrics", "indicators", "households", "household_income", "household_months", "benefits",
                          "measures", "targets", "rule_results", "featured_industries", "alerts", "alert_audit"}) {
        EXPECT_EQ(bundle_count(out, std::string("SELECT count(*) FROM ") + t), bundle_count(src, std::string("SELECT count(*) FROM ") + t)) << t;
    }
    for (const char* q : {"SELECT sum(value) FROM indicators WHERE metric = 'tp_income_pc'",
                          "SELECT sum(members) FROM households", "SELECT sum(wage + business + transfer + property) FROM household_income",
                          "SELECT sum(amount) FROM benefits", "SELECT sum(household_id) FROM household_months"}) {
        data::Bundle a = data::Bundle::open(src, data::OpenMode::ReadOnly), b = data::Bundle::open(out, data::OpenMode::ReadOnly);
        data::sql::Statement sa(a, q), sb(b, q);
        ASSERT_TRUE(sa.step() && sb.step());
        EXPECT_EQ(sa.col_real(0), sb.col_real(0)) << q;  // exact: doubles travel as their shortest exact text
    }
    {  // one household's look-up data, field by field
        data::Bundle a = data::Bundle::open(src, data::OpenMode::ReadOnly), b = data::Bundle::open(out, data::OpenMode::ReadOnly);
        const char* q = "SELECT id_hash, village_code, head_name_masked, second_factor_salt, second_factor_hash, site_id FROM households ORDER BY household_id LIMIT 1 OFFSET 17";
        data::sql::Statement sa(a, q), sb(b, q);
        ASSERT_TRUE(sa.step() && sb.step());
        for (int i = 0; i < 6; ++i) EXPECT_EQ(sa.col_text(i), sb.col_text(i)) << i;
        EXPECT_EQ(b.meta("household_key_fingerprint"), a.meta("household_key_fingerprint"));
        EXPECT_EQ(b.meta("synthetic"), a.meta("synthetic"));
        EXPECT_EQ(b.meta("snapshot_region"), "41");
        // The card's characters travel as the snapshot's own set, stored for the kiosk's font atlas.
        EXPECT_TRUE(data::household_card_glyphs_stored(b));
        EXPECT_EQ(data::household_card_glyphs(b), data::scan_household_card_glyphs(a));
    }
    const auto ra = data::read_regions(src), rb = data::read_regions(out);
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); ++i) {
        EXPECT_EQ(ra[i].code, rb[i].code);
        EXPECT_EQ(ra[i].name, rb[i].name);
        EXPECT_EQ(ra[i].population, rb[i].population);
        EXPECT_TRUE(same_geometry(ra[i].geometry, rb[i].geometry)) << "geometry of " << ra[i].code << " changed on the way";
    }
    const auto pa = data::read_projects(src), pb = data::read_projects(out);
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        EXPECT_EQ(pa[i].fid, pb[i].fid);
        EXPECT_EQ(pa[i].name, pb[i].name);
        EXPECT_EQ(pa[i].location.x, pb[i].location.x);
        EXPECT_EQ(pa[i].location.y, pb[i].location.y);
    }
    // The manifest beside it describes exactly this file, for `onemap sync`.
    const data::SnapshotManifest m = data::read_snapshot_manifest(data::manifest_path(out));
    EXPECT_EQ(m.region, "41");
    EXPECT_EQ(m.source.find("postgresql://onemap_reader@"), 0u) << m.source;
    EXPECT_NO_THROW(data::verify_snapshot(out, m));
    // The render cache was built before the rename: the published bundle opens fast on a kiosk.
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM render_cache"), 1);
    // No temporary file is left behind.
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.path().filename().string().starts_with(".") ? 1000 : 1;
    EXPECT_EQ(files, 2u);  // all.gpkg and all.gpkg.manifest.json
}

TEST(Postgres, PublishCountyHoldsItsAncestorsDescendantsAndOnlyItsHouseholds) {
    const std::string url = loaded_db("t_county");
    ASSERT_FALSE(url.empty());
    const fs::path out = work_dir("county") / "qixian.gpkg";
    const CliRun pub = run("publish --pg '" + url + "' --region 410221 --out '" + out.string() + "' --no-prepare");
    ASSERT_EQ(pub.rc, 0) << pub.out;
    const fs::path src = test_bundle();
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM regions WHERE code IN ('41', '4102', '410221')"), 3);
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM regions WHERE level = 3"), 1);  // not the other counties
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM regions WHERE level >= 4"),
              bundle_count(src, "SELECT count(*) FROM regions WHERE level >= 4 AND code LIKE '410221%'"));
    const std::int64_t households = bundle_count(out, "SELECT count(*) FROM households");
    EXPECT_GT(households, 0);
    EXPECT_EQ(households, bundle_count(src, "SELECT count(*) FROM households WHERE village_code LIKE '410221%'"));
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM households WHERE village_code NOT LIKE '410221%'"), 0);
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM household_income WHERE household_id NOT IN (SELECT household_id FROM households)"), 0);
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM indicators WHERE region_code NOT IN (SELECT code FROM regions)"), 0);
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM indicators WHERE region_code = '41'"),
              bundle_count(src, "SELECT count(*) FROM indicators WHERE region_code = '41'"));
    EXPECT_EQ(bundle_count(out, "SELECT count(*) FROM projects WHERE county_code <> '410221'"), 0);
    EXPECT_LT(fs::file_size(out), fs::file_size(src));
    {  // the county's households' characters, stored: no more than the province's
        const data::Bundle b = data::Bundle::open(out, data::OpenMode::ReadOnly), a = data::Bundle::open(src, data::OpenMode::ReadOnly);
        EXPECT_TRUE(data::household_card_glyphs_stored(b));
        const std::string county = data::household_card_glyphs(b), province = data::scan_household_card_glyphs(a);
        EXPECT_EQ(county, data::scan_household_card_glyphs(b));
        EXPECT_LE(county.size(), province.size());
        EXPECT_FALSE(county.empty());
    }
    // A wall's snapshot: no people's data at all.
    const fs::path wall = out.parent_path() / "wall.gpkg";
    const CliRun w = run("publish --pg '" + url + "' --region 410221 --no-households --out '" + wall.string() + "' --no-prepare");
    ASSERT_EQ(w.rc, 0) << w.out;
    for (const char* t : {"households", "household_income", "household_months", "benefits", "measures"}) {
        EXPECT_EQ(bundle_count(wall, std::string("SELECT count(*) FROM ") + t), 0) << t;
    }
    EXPECT_EQ(bundle_count(wall, "SELECT count(*) FROM alerts WHERE household_id IS NOT NULL"), 0);
    EXPECT_EQ(data::household_card_glyphs(data::Bundle::open(wall, data::OpenMode::ReadOnly)), "") << "no card, no characters";
    EXPECT_EQ(bundle_count(wall, "SELECT count(*) FROM indicators"), bundle_count(out, "SELECT count(*) FROM indicators"));
    const CliRun bad = run("publish --pg '" + url + "' --region 419999 --out '" + out.string() + "' --no-prepare");
    EXPECT_EQ(bad.rc, 2);
    EXPECT_NE(bad.out.find("no region with code 419999"), std::string::npos) << bad.out;
    EXPECT_TRUE(fs::exists(out));  // the previous snapshot is still there
}

TEST(Postgres, ImportLandsWholeAndABadFileOrAKillLeavesTheDatabaseUnchanged) {
    const std::string url = loaded_db("t_import");
    ASSERT_FALSE(url.empty());
    const std::string writer = with_db(url, "t_import", "onemap_writer");
    data::pg::Connection c = data::pg::Connection::open(url);
    const fs::path dir = work_dir("import");
    {
        std::ofstream f(dir / "good.csv");
        f << "region_code,period,metric,value\n410221,2025,tp_households,4321\n410222,2025,tp_households,1234\n"
             "410221,2025,tp_income_pc,20000.5\n999999,2025,tp_households,1\n";
    }
    const CliRun good = run("import indicators '" + (dir / "good.csv").string() + "' --pg '" + writer + "'");
    ASSERT_EQ(good.rc, 0) << good.out;
    EXPECT_NE(good.out.find("region code not in the bundle"), std::string::npos) << good.out;  // the same messages as for a bundle
    EXPECT_EQ(c.query("SELECT value FROM indicators WHERE region_code = '410221' AND period = '2025' AND metric = 'tp_households'").real(0, 0), 4321);
    EXPECT_EQ(c.query("SELECT value FROM indicators WHERE region_code = '410221' AND period = '2025' AND metric = 'tp_income_pc'").real(0, 0), 20000.5);
    EXPECT_NE(c.query("SELECT value FROM meta WHERE key = 'layers_real'").str(0, 0).find("indicators"), std::string::npos);

    const std::string before = pg_digest(c);
    {  // every row rejected: nothing written, exit 3
        std::ofstream f(dir / "bad.csv");
        f << "region_code,period,metric,value\n999999,2025,tp_households,1\n410221,20x5,tp_households,2\n";
    }
    const CliRun bad = run("import indicators '" + (dir / "bad.csv").string() + "' --pg '" + writer + "'");
    EXPECT_EQ(bad.rc, 3) << bad.out;
    EXPECT_EQ(pg_digest(c), before);
    {  // not a table at all
        std::ofstream f(dir / "junk.csv");
        f << "foo;bar\n1;2\n";
    }
    const CliRun junk = run("import indicators '" + (dir / "junk.csv").string() + "' --pg '" + writer + "'");
    EXPECT_EQ(junk.rc, 2) << junk.out;
    EXPECT_NE(junk.out.find("the database is unchanged"), std::string::npos) << junk.out;
    EXPECT_EQ(pg_digest(c), before);
    {  // killed in the middle of sending the rows: the server rolls the transaction back
        std::ofstream f(dir / "many.csv");
        f << "region_code,period,metric,value\n";
        for (int i = 0; i < 2000; ++i) f << "410221," << 2030 + (i % 20) << ",tp_households," << i << "\n";
    }
    const CliRun killed = run("import indicators '" + (dir / "many.csv").string() + "' --pg '" + writer + "'", "ONEMAP_TEST_KILL_AT=indicators-midway");
    EXPECT_EQ(killed.rc, 128 + SIGKILL) << killed.out;
    for (int i = 0; i < 50; ++i) {  // the server notices the closed connection at once; give it a moment
        if (pg_count(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = 't_import' AND usename = 'onemap_writer'") == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(pg_digest(c), before);
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM indicators WHERE period >= '2030'"), 0);
    // Then the same file without the kill lands whole.
    const CliRun whole = run("import indicators '" + (dir / "many.csv").string() + "' --pg '" + writer + "'");
    ASSERT_EQ(whole.rc, 0) << whole.out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM indicators WHERE period >= '2030' AND region_code = '410221'"), 20);  // last row per key wins
    EXPECT_EQ(c.query("SELECT value FROM indicators WHERE region_code = '410221' AND period = '2030'").real(0, 0), 1980);

    {  // projects through a point table: replaced as a whole, then published with the snapshot
        std::ofstream f(dir / "projects.csv");
        f << "name,county_code,lon,lat,category,investment\n香菇大棚,410221,114.78,34.55,种植,120\n光伏电站,410222,114.43,34.47,光伏,80\n";
    }
    const CliRun proj = run("import projects '" + (dir / "projects.csv").string() + "' --pg '" + writer + "'");
    ASSERT_EQ(proj.rc, 0) << proj.out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM projects"), 2);
    EXPECT_EQ(c.query("SELECT ST_AsText(geom) FROM projects WHERE name = '香菇大棚'").str(0, 0), "POINT(114.78 34.55)");
}

// Several offices import at once: every import lands whole, none waits forever, nothing is lost.
TEST(Postgres, ConcurrentImportersAllLand) {
    const std::string url = loaded_db("t_many");
    ASSERT_FALSE(url.empty());
    const std::string writer = with_db(url, "t_many", "onemap_writer");
    data::pg::Connection c = data::pg::Connection::open(url);
    data::pg::Result villages = c.query("SELECT code FROM regions WHERE level = 5 ORDER BY code");
    const fs::path dir = work_dir("many");
    constexpr int k_importers = 4;
    for (int k = 0; k < k_importers; ++k) {
        std::ofstream f(dir / ("i" + std::to_string(k) + ".csv"));
        f << "region_code,period,metric,value\n";
        for (int i = 0; i < villages.rows(); ++i) f << villages.str(i, 0) << "," << 2060 + k << ",tp_households," << i << "\n";
    }
    std::vector<std::thread> threads;
    std::vector<CliRun> results(k_importers);
    for (int k = 0; k < k_importers; ++k) {
        threads.emplace_back([&, k] {
            results[static_cast<std::size_t>(k)] = run("import indicators '" + (dir / ("i" + std::to_string(k) + ".csv")).string() + "' --pg '" + writer + "'");
        });
    }
    for (auto& t : threads) t.join();
    for (int k = 0; k < k_importers; ++k) EXPECT_EQ(results[static_cast<std::size_t>(k)].rc, 0) << results[static_cast<std::size_t>(k)].out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM indicators WHERE period >= '2060'"), k_importers * villages.rows());
    EXPECT_EQ(pg_count(c, "SELECT count(DISTINCT period) FROM indicators WHERE period >= '2060'"), k_importers);
    const std::string real = c.query("SELECT value FROM meta WHERE key = 'layers_real'").str(0, 0);
    EXPECT_NE(real.find("indicators"), std::string::npos) << real;
    EXPECT_EQ(real.find("indicators"), real.rfind("indicators")) << "listed twice: " << real;
}

TEST(Postgres, ImportHouseholdsChecksTheDatabasesKeyAndHashesAsForABundle) {
    const std::string url = loaded_db("t_households");
    ASSERT_FALSE(url.empty());
    data::pg::Connection c = data::pg::Connection::open(url);
    const std::string village = c.query("SELECT code FROM regions WHERE level = 5 ORDER BY code LIMIT 1").str(0, 0);
    const fs::path dir = work_dir("households");
    auto id_number = [](int n) {
        const std::string first17 = "41022119800101" + std::to_string(100 + n);
        return first17 + data::id_check_character(first17);
    };
    {
        std::ofstream f(dir / "households.csv");
        f << "户主姓名,身份证号,村代码,家庭人口数,劳动力人数,户类型,联系电话\n"
          << "张三丰," << id_number(1) << "," << village << ",4,2,一般脱贫户,13800001234\n"
          << "李四," << id_number(2) << "," << village << ",3,1,脱贫不稳定户,13800005678\n";
    }
    const std::int64_t before = pg_count(c, "SELECT count(*) FROM households");
    // Another key than the one the database's households were hashed with: refused, nothing written.
    const fs::path other = dir / "other.key";
    data::save_key_file(other, data::generate_key());
    const CliRun refused = run("import households '" + (dir / "households.csv").string() + "' --key '" + other.string() + "' --pg '" + url + "'");
    EXPECT_EQ(refused.rc, 2) << refused.out;
    EXPECT_NE(refused.out.find("hashed with another key"), std::string::npos) << refused.out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM households"), before);
    // The database's own key (the demo's, beside the fixture bundle): two new households, hashed.
    const fs::path key = test_bundle().string() + ".key";
    // Its households are the demo's, with the demo's 32 PBKDF2 rounds: real ones are not added to them.
    const CliRun weak = run("import households '" + (dir / "households.csv").string() + "' --key '" + key.string() + "' --pg '" + url + "'");
    EXPECT_EQ(weak.rc, 2) << weak.out;
    EXPECT_NE(weak.out.find("a demo bundle's"), std::string::npos) << weak.out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM households"), before);
    EXPECT_NE(run("import households '" + (dir / "households.csv").string() + "' --key '" + key.string() + "' --pg '" + url +
                  "' --second-factor-iterations 10").rc, 0) << "fewer than 10000 rounds";
    // A real database's count: the import hashes with it.
    c.query("UPDATE meta SET value = '20000' WHERE key = 'second_factor_iterations'");
    const CliRun ok = run("import households '" + (dir / "households.csv").string() + "' --key '" + key.string() + "' --pg '" + url + "'");
    ASSERT_EQ(ok.rc, 0) << ok.out;
    EXPECT_EQ(ok.out.find(id_number(1)), std::string::npos) << "ID number in the output";
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM households"), before + 2);
    const std::string hash = data::hmac_sha256_hex(data::load_key_file(key), id_number(1));
    EXPECT_EQ(c.query("SELECT head_name_masked FROM households WHERE id_hash = $1", {hash}).str(0, 0), "张*丰");
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM households WHERE id_hash LIKE '%" + id_number(1) + "%' OR head_name_masked = '张三丰'"), 0);
}

TEST(Postgres, ImportBoundariesIntoPostgresChecksAgainstWhatItHolds) {
    const std::string url = loaded_db("t_boundaries");
    ASSERT_FALSE(url.empty());
    data::pg::Connection c = data::pg::Connection::open(url);
    const fs::path dir = work_dir("boundaries");
    // The test bundle's counties as a file of their own (a GeoPackage layer with code/name columns).
    const fs::path counties = dir / "counties.gpkg";
    data::write_features(counties, data::read_regions(test_bundle(), data::Level::County), {}, {});
    const std::int64_t before = pg_count(c, "SELECT count(*) FROM regions WHERE level = 3");
    const CliRun imp = run("import boundaries '" + counties.string() + "' --layer regions --level county --pg '" + url + "'");
    ASSERT_EQ(imp.rc, 0) << imp.out;
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM regions WHERE level = 3"), before);
    EXPECT_NE(c.query("SELECT value FROM meta WHERE key = 'layers_real'").str(0, 0).find("regions.county"), std::string::npos);
    EXPECT_EQ(pg_count(c, "SELECT count(*) FROM regions WHERE level = 3 AND NOT ST_IsValid(geom)"), 0);
}

// Publish while a writer commits batches: every batch inserts 10 indicator rows and then moves
// meta.test_batches to its number, in one transaction. A snapshot sees whole batches only and a
// counter that matches them; reading the tables at different moments (meta is read first, the
// indicators later) would show more rows than the counter says.
TEST(Postgres, PublishDuringConcurrentWritesIsOneSnapshot) {
    const std::string url = loaded_db("t_concurrent");
    ASSERT_FALSE(url.empty());
    std::vector<std::string> codes;  // ten villages: a batch's rows differ by region
    {
        data::pg::Connection c = data::pg::Connection::open(url);
        data::pg::Result r = c.query("SELECT code FROM regions WHERE level = 5 ORDER BY code LIMIT 10");
        for (int i = 0; i < r.rows(); ++i) codes.push_back(r.str(i, 0));
    }
    ASSERT_EQ(codes.size(), 10u);
    std::atomic<int> batches{0};
    std::atomic<bool> stop{false};
    std::string writer_error;
    std::thread writer([&] {
        try {
            data::pg::Connection w = data::pg::Connection::open(with_db(url, "t_concurrent", "onemap_writer"));
            for (int k = 1; !stop; ++k) {
                data::pg::PgTransaction tx(w);
                for (int i = 0; i < 10; ++i) {
                    w.query("INSERT INTO indicators(region_code, period, metric, value) VALUES ($1, $2, 'tp_households', $3)",
                            {codes[static_cast<std::size_t>(i)], fmt::format("b{:07d}", k), std::to_string(i)});
                }
                w.query("INSERT INTO meta(key, value) VALUES ('test_batches', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        {std::to_string(k)});
                tx.commit();
                batches = k;
            }
        } catch (const std::exception& e) {
            writer_error = e.what();
        }
    });
    while (batches < 5 && writer_error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const fs::path dir = work_dir("concurrent");
    data::pg::Connection c = data::pg::Connection::open(with_db(url, "t_concurrent", "onemap_reader"));
    std::vector<std::pair<int, int>> seen;  // (counter, batches before, after)
    for (int round = 0; round < 3; ++round) {
        const int before = batches;
        const fs::path out = dir / ("snap" + std::to_string(round) + ".gpkg");
        data::publish_snapshot(c, "41", out);
        const int after = batches;
        data::Bundle b = data::Bundle::open(out, data::OpenMode::ReadOnly);
        const int counter = std::stoi(b.meta("test_batches").value_or("0"));
        // Periods "b0000001"…: fixed width, so text order is number order however fast the writer runs.
        const std::int64_t rows = bundle_count(out, "SELECT count(*) FROM indicators WHERE period LIKE 'b%'");
        const std::int64_t top = bundle_count(out, "SELECT coalesce(max(CAST(substr(period, 2) AS INTEGER)), 0) FROM indicators WHERE period LIKE 'b%'");
        EXPECT_EQ(rows, 10 * counter) << "round " << round << ": " << rows << " rows for counter " << counter;
        EXPECT_EQ(top, counter) << "round " << round;
        EXPECT_GE(counter, before) << "round " << round;
        EXPECT_LE(counter, after + 1) << "round " << round;
        seen.emplace_back(counter, after);
    }
    stop = true;
    writer.join();
    EXPECT_TRUE(writer_error.empty()) << writer_error;
    EXPECT_GT(seen.back().first, seen.front().first) << "the writer made no progress during the publishes";
}

TEST(Postgres, PasswordsNeverLeaveTheUrlAndAnUnreachableServerFailsFast) {
    EXPECT_EQ(data::pg::redact("postgresql://writer:s3cret@db.example:5433/henan"), "postgresql://writer@db.example:5433/henan");
    EXPECT_EQ(data::pg::redact("host=db user=w password=s3cret dbname=henan").find("s3cret"), std::string::npos);
    const std::string url = loaded_db("t_secret");
    ASSERT_FALSE(url.empty());
    // trust auth ignores the password, so it is accepted here; it must appear nowhere.
    const std::string secret_url = "postgresql://onemap_reader:s3cret-pw@" + url.substr(url.find('@') + 1);
    const fs::path out = work_dir("secret") / "k.gpkg";
    const CliRun pub = run("publish --pg '" + secret_url + "' --region 410222 --out '" + out.string() + "' --no-prepare");
    ASSERT_EQ(pub.rc, 0) << pub.out;
    EXPECT_EQ(pub.out.find("s3cret"), std::string::npos) << pub.out;
    for (const auto& e : fs::directory_iterator(out.parent_path())) {
        std::ifstream in(e.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_EQ(bytes.find("s3cret"), std::string::npos) << e.path();
    }
    // A port where nothing listens, and an address nothing answers: both fail within the connect timeout.
    for (const char* dead : {"postgresql://postgres@127.0.0.1:1/x", "postgresql://postgres@10.255.255.1:5432/x?connect_timeout=2"}) {
        const auto t0 = std::chrono::steady_clock::now();
        EXPECT_THROW(data::pg::Connection::open(dead, 2), data::pg::PgError) << dead;
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 8.0) << dead;
    }
    const CliRun desk = run("desk --pg postgresql://postgres:pw@127.0.0.1:1/x", "XDG_CACHE_HOME=" + out.parent_path().string());
    EXPECT_EQ(desk.rc, 2) << desk.out;
    EXPECT_NE(desk.out.find("cannot connect"), std::string::npos) << desk.out;
    EXPECT_EQ(desk.out.find(":pw@"), std::string::npos) << desk.out;
}

// ── desk and wall --pg: the live source ──────────────────────────────────────────────────────────

namespace {

void expect_same_alerts(std::vector<data::Alert> a, std::vector<data::Alert> b) {
    auto by_id = [](const data::Alert& x, const data::Alert& y) { return x.id < y.id; };
    std::sort(a.begin(), a.end(), by_id);
    std::sort(b.begin(), b.end(), by_id);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(std::tie(a[i].id, a[i].kind, a[i].rule, a[i].subject, a[i].region_code, a[i].county_code, a[i].household_id, a[i].project_fid,
                           a[i].risk_category, a[i].severity, a[i].status, a[i].period, a[i].detail, a[i].raised_at),
                  std::tie(b[i].id, b[i].kind, b[i].rule, b[i].subject, b[i].region_code, b[i].county_code, b[i].household_id, b[i].project_fid,
                           b[i].risk_category, b[i].severity, b[i].status, b[i].period, b[i].detail, b[i].raised_at))
            << "alert " << a[i].id;
    }
}

void expect_same_rules(const std::vector<data::RuleResult>& a, const std::vector<data::RuleResult>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(std::tie(a[i].rule, a[i].region_code, a[i].period, a[i].status, a[i].value, a[i].target, a[i].reason),
                  std::tie(b[i].rule, b[i].region_code, b[i].period, b[i].status, b[i].value, b[i].target, b[i].reason))
            << a[i].rule << " " << a[i].region_code << " " << a[i].period;
    }
}

}  // namespace

TEST(Postgres, LiveSourceGivesWhatTheBundleSourceGives) {
    const std::string url = loaded_db("t_source");
    ASSERT_FALSE(url.empty());
    const auto bundle = data::open_bundle_source(test_bundle());
    const auto pg = data::open_pg_source(with_db(url, "t_source", "onemap_reader"));
    EXPECT_TRUE(pg->live());
    EXPECT_EQ(pg->name().find("postgresql://onemap_reader@"), 0u) << pg->name();
    EXPECT_EQ(pg->meta("synthetic"), bundle->meta("synthetic"));
    EXPECT_EQ(pg->meta("no such key"), std::nullopt);

    // Regions: every level, codes, names, parents, populations and children.
    const data::RegionIndex rb = bundle->regions(), rp = pg->regions();
    ASSERT_EQ(rp.size(), rb.size());
    ASSERT_GT(rb.size(), 100u);
    for (int level = 1; level <= 5; ++level) {
        const auto lb = rb.layer(static_cast<data::Level>(level)), lp = rp.layer(static_cast<data::Level>(level));
        ASSERT_EQ(lb.size(), lp.size()) << "level " << level;
        for (std::size_t i = 0; i < lb.size(); ++i) {
            EXPECT_EQ(std::tie(lb[i]->code, lb[i]->parent_code, lb[i]->name, lb[i]->population, lb[i]->tp_population, lb[i]->children),
                      std::tie(lp[i]->code, lp[i]->parent_code, lp[i]->name, lp[i]->population, lp[i]->tp_population, lp[i]->children));
        }
    }
    // Periods, metrics and every indicator value (bit-exact), series of a few regions.
    const auto periods = bundle->periods();
    ASSERT_FALSE(periods.empty());
    EXPECT_EQ(pg->periods(), periods);
    EXPECT_EQ(pg->metrics(), bundle->metrics());
    std::size_t values = 0;
    for (const auto& metric : bundle->metrics()) {
        for (const auto& period : periods) {
            const auto a = bundle->indicator_layer(metric, period), b = pg->indicator_layer(metric, period);
            EXPECT_EQ(a, b) << metric << " " << period;
            values += a.size();
        }
    }
    EXPECT_GT(values, 1000u);
    for (const char* code : {"41", "410221", "410221001"}) {
        EXPECT_EQ(pg->indicator_series(code, "tp_income_pc"), bundle->indicator_series(code, "tp_income_pc")) << code;
        for (const auto& period : periods)
            EXPECT_EQ(pg->indicator_value(code, "tp_income_growth", period), bundle->indicator_value(code, "tp_income_growth", period)) << code;
        EXPECT_FALSE(bundle->indicator_series(code, "tp_income_pc").empty()) << code;
    }
    // Rule results, the map's rule layer, the wall's summary, the monthly rule's latest month.
    const auto all_rules = bundle->rule_results({});
    EXPECT_GT(all_rules.size(), 100u);
    expect_same_rules(all_rules, pg->rule_results({}));
    data::RuleFilter one;
    one.region_code = "410221";
    one.period = periods.back();
    expect_same_rules(bundle->rule_results(one), pg->rule_results(one));
    one = {};
    one.level = data::Level::County;
    one.rules = {"R1", "r3"};
    expect_same_rules(bundle->rule_results(one), pg->rule_results(one));
    EXPECT_THROW(pg->rule_results({{"R99"}, {}, {}, {}}), std::invalid_argument);
    for (const auto& info : data::rule_catalogue()) {
        const std::string period = info.monthly ? bundle->latest_rule_month(info.id, periods.back()) : periods.back();
        EXPECT_EQ(pg->latest_rule_month(info.id, periods.back()), bundle->latest_rule_month(info.id, periods.back())) << info.id;
        for (const auto level : {data::Level::County, data::Level::Village}) {
            const auto a = bundle->rule_status(info.id, level, period), b = pg->rule_status(info.id, level, period);
            ASSERT_EQ(a.size(), b.size()) << info.id;
            for (std::size_t i = 0; i < a.size(); ++i) {
                EXPECT_EQ(std::tie(a[i].region_code, a[i].status, a[i].value, a[i].target, a[i].reason),
                          std::tie(b[i].region_code, b[i].status, b[i].value, b[i].target, b[i].reason)) << info.id << " " << a[i].region_code;
            }
        }
    }
    const auto sa = bundle->rule_summary(data::Level::County, periods.back()), sb = pg->rule_summary(data::Level::County, periods.back());
    ASSERT_EQ(sa.size(), sb.size());
    EXPECT_FALSE(sa.empty());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        EXPECT_EQ(std::tie(sa[i].rule, sa[i].pass, sa[i].fail, sa[i].not_applicable, sa[i].no_data),
                  std::tie(sb[i].rule, sb[i].pass, sb[i].fail, sb[i].not_applicable, sb[i].no_data));
    }
    // Alerts: all, and through each filter; counts by kind.
    const auto alerts = bundle->alerts({});
    EXPECT_GT(alerts.size(), 100u);
    expect_same_alerts(alerts, pg->alerts({}));
    data::AlertFilter af;
    af.county_code = "410221";
    af.status = data::AlertStatus::New;
    af.period_prefix = periods.back();
    expect_same_alerts(bundle->alerts(af), pg->alerts(af));
    af = {};
    af.kind = alerts.front().kind;
    af.region_code = alerts.front().region_code;
    expect_same_alerts(bundle->alerts(af), pg->alerts(af));
    af = {};
    af.limit = 7;
    EXPECT_EQ(pg->alerts(af).size(), 7u);
    af.newest_first = true;  // the wall's ticker: the same seven on both sources, the latest raised first
    const auto newest = pg->alerts(af);
    ASSERT_EQ(newest.size(), 7u);
    EXPECT_EQ(newest.front().id, std::max_element(alerts.begin(), alerts.end(), [](const auto& a, const auto& b) { return a.id < b.id; })->id);
    const auto newest_b = bundle->alerts(af);
    ASSERT_EQ(newest_b.size(), 7u);
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(newest[i].id, newest_b[i].id);
    // A wall's source (withhold_household_detail): the same on both, no household's subject, id, detail or village.
    {
        const auto wall_b = data::open_bundle_source(test_bundle());
        const auto wall_p = data::open_pg_source(with_db(url, "t_source", "onemap_reader"));
        wall_b->withhold_household_detail();
        wall_p->withhold_household_detail();
        auto wa = wall_p->alerts({});
        expect_same_alerts(wall_b->alerts({}), wa);
        auto whole = alerts;
        auto by_id = [](const data::Alert& x, const data::Alert& y) { return x.id < y.id; };
        std::sort(wa.begin(), wa.end(), by_id);
        std::sort(whole.begin(), whole.end(), by_id);
        ASSERT_EQ(wa.size(), whole.size());
        std::size_t households = 0;
        for (std::size_t i = 0; i < wa.size(); ++i) {
            if (!whole[i].household_id) continue;
            ++households;
            EXPECT_EQ(std::make_tuple(wa[i].household_id, wa[i].subject, wa[i].detail, wa[i].region_code),
                      std::make_tuple(std::optional<std::int64_t>(), std::string("household"), std::string(), whole[i].county_code))
                << whole[i].id;
        }
        EXPECT_GT(households, 0u);
    }
    const auto ca = bundle->alert_counts_by_kind({}), cb = pg->alert_counts_by_kind({});
    ASSERT_EQ(ca.size(), cb.size());
    for (std::size_t i = 0; i < ca.size(); ++i) EXPECT_EQ(std::tie(ca[i].key, ca[i].total, ca[i].open), std::tie(cb[i].key, cb[i].total, cb[i].open));
    // Projects and sites (through GDAL's PostgreSQL driver), and village geometry, bit-exact.
    const auto pa = bundle->projects(), pb = pg->projects();
    ASSERT_EQ(pa.size(), pb.size());
    EXPECT_FALSE(pa.empty());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        EXPECT_EQ(std::tie(pa[i].fid, pa[i].name, pa[i].county_code, pa[i].village_code, pa[i].category, pa[i].batch, pa[i].farmer_linkage,
                           pa[i].operating, pa[i].beneficiary_households, pa[i].investment, pa[i].location.x, pa[i].location.y),
                  std::tie(pb[i].fid, pb[i].name, pb[i].county_code, pb[i].village_code, pb[i].category, pb[i].batch, pb[i].farmer_linkage,
                           pb[i].operating, pb[i].beneficiary_households, pb[i].investment, pb[i].location.x, pb[i].location.y));
    }
    const auto ta = bundle->sites(), tb = pg->sites();
    ASSERT_EQ(ta.size(), tb.size());
    for (std::size_t i = 0; i < ta.size(); ++i) {
        EXPECT_EQ(std::tie(ta[i].fid, ta[i].name, ta[i].county_code, ta[i].persons, ta[i].location.x, ta[i].location.y),
                  std::tie(tb[i].fid, tb[i].name, tb[i].county_code, tb[i].persons, tb[i].location.x, tb[i].location.y));
    }
    const auto va = bundle->regions_with_geometry(data::Level::Village), vb = pg->regions_with_geometry(data::Level::Village);
    ASSERT_EQ(va.size(), vb.size());
    for (std::size_t i = 0; i < va.size(); ++i) {
        EXPECT_EQ(va[i].code, vb[i].code);
        EXPECT_TRUE(same_geometry(va[i].geometry, vb[i].geometry)) << va[i].code;
    }
    // The scene's content hash: stable while nothing changes, moved by a region's geometry or name.
    const std::string h = pg->regions_hash();
    EXPECT_EQ(pg->regions_hash(), h);
    data::pg::Connection writer = data::pg::Connection::open(with_db(url, "t_source", "onemap_writer"));
    writer.exec("UPDATE regions SET name = name || '村' WHERE code = '410221001001'");
    EXPECT_NE(pg->regions_hash(), h);
}

TEST(Postgres, LiveSourceOfOneRegionHoldsItsAncestorsAndDescendantsOnly) {
    const std::string url = loaded_db("t_source_region");
    ASSERT_FALSE(url.empty());
    const auto pg = data::open_pg_source(url, "410221");
    const data::RegionIndex r = pg->regions();
    const auto src = data::open_bundle_source(test_bundle());
    const data::RegionIndex all = src->regions();
    std::size_t expected = 2;  // 41 and 4102 above it
    for (const auto level : {data::Level::County, data::Level::Township, data::Level::Village}) {
        for (const auto* g : all.layer(level)) expected += g->code.rfind("410221", 0) == 0;
    }
    EXPECT_EQ(r.size(), expected);
    EXPECT_NE(r.find("41"), nullptr);
    EXPECT_NE(r.find("4102"), nullptr);
    EXPECT_EQ(r.find("410222"), nullptr) << "a neighbouring county is not shown";
    for (const auto& v : pg->regions_with_geometry(data::Level::Village)) EXPECT_EQ(v.code.rfind("410221", 0), 0u) << v.code;
    EXPECT_EQ(pg->indicator_layer("tp_income_pc", pg->periods().back()).count("410222"), 0u);
    EXPECT_FALSE(pg->indicator_value("410222", "tp_income_pc", pg->periods().back()).has_value()) << "nor is its value";
    EXPECT_TRUE(pg->indicator_value("410221", "tp_income_pc", pg->periods().back()).has_value());
    for (const auto& a : pg->alerts({})) EXPECT_EQ(a.region_code.rfind("410221", 0) == 0 || a.region_code == "41" || a.region_code == "4102", true) << a.region_code;
    for (const auto& p : pg->projects()) EXPECT_TRUE(p.county_code == "410221" || p.village_code.rfind("410221", 0) == 0) << p.county_code;
    EXPECT_THROW(data::open_pg_source(url, "419999"), data::pg::PgError);
}

TEST(Postgres, ChangeCounterMovesOnWritesAndTheReaderCannotMoveAlerts) {
    const std::string url = loaded_db("t_changes");
    ASSERT_FALSE(url.empty());
    data::pg::Connection writer = data::pg::Connection::open(with_db(url, "t_changes", "onemap_writer"));
    ASSERT_TRUE(data::pg::has_change_counter(writer));
    using Counter = std::pair<std::int64_t, std::int64_t>;
    auto at = [](const data::ChangeCounters& c, const char* table) { return c.count(table) ? c.at(table) : Counter{}; };
    const auto c0 = data::pg::change_counters(writer);
    writer.exec("INSERT INTO indicators(region_code, period, metric, value) VALUES ('41', '2031', 'tp_households', 1)");
    const auto c1 = data::pg::change_counters(writer);
    EXPECT_NE(at(c1, "indicators"), at(c0, "indicators"));
    EXPECT_EQ(at(c1, "alerts"), at(c0, "alerts")) << "alerts untouched";
    writer.exec("UPDATE indicators SET value = 2 WHERE region_code = '41' AND period = '2031'");
    const auto c2 = data::pg::change_counters(writer);
    EXPECT_NE(c2.at("indicators"), c1.at("indicators"));
    writer.exec("BEGIN; UPDATE indicators SET value = 3 WHERE region_code = '41' AND period = '2031'; ROLLBACK");
    EXPECT_EQ(data::pg::change_counters(writer).at("indicators"), c2.at("indicators")) << "a rolled-back write is no change";
    writer.exec("UPDATE alerts SET detail = detail WHERE alert_id = 1");
    const auto c3 = data::pg::change_counters(writer);
    EXPECT_NE(at(c3, "alerts"), at(c2, "alerts"));
    // init again: the counter and its triggers stay as they are (idempotent; its meta statement counts
    // as a write of meta, which no screen reloads anything for).
    const CliRun again = run("serve-db init --pg '" + url + "'");
    EXPECT_EQ(again.rc, 0) << again.out;
    auto c4 = data::pg::change_counters(writer);
    c4.erase("meta");
    auto c3_no_meta = c3;
    c3_no_meta.erase("meta");
    EXPECT_EQ(c4, c3_no_meta);

    // ChangeWatch: a commit is reported (NOTIFY or the next poll) with the table's name.
    std::atomic<int> wakes{0};
    data::ChangeWatch watch(with_db(url, "t_changes", "onemap_reader"), 0.2, data::pg::change_counters(writer), [&] { ++wakes; });
    writer.exec("UPDATE indicators SET value = 4 WHERE region_code = '41' AND period = '2031'");
    std::set<std::string> seen;
    for (int i = 0; i < 100 && !seen.count("indicators"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto r = watch.take();
        EXPECT_TRUE(r.reachable) << r.problem;
        seen.insert(r.changed.begin(), r.changed.end());
    }
    EXPECT_TRUE(seen.count("indicators")) << "the watch saw the write";
    EXPECT_FALSE(seen.count("alerts"));
    EXPECT_GT(wakes.load(), 0);
    // A lost connection (the server ends the watch's session) is reported, then the watch reconnects.
    data::pg::Connection admin = data::pg::Connection::open(url);
    admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 't_changes' AND usename = 'onemap_reader'");
    bool back = false;
    for (int i = 0; i < 200 && !back; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        writer.exec("UPDATE alerts SET detail = detail WHERE alert_id = 1");
        back = watch.take().changed.count("alerts") > 0;
    }
    EXPECT_TRUE(back) << "after a lost connection the watch reconnects and reports again";

    // The reader role: a read-only source that refuses alert steps, clearly, and changes nothing.
    const auto reader = data::open_pg_source(with_db(url, "t_changes", "onemap_reader"));
    EXPECT_TRUE(reader->read_only());
    const std::int64_t id = pg_count(writer, "SELECT min(alert_id) FROM alerts WHERE status = 'new'");
    try {
        reader->step_alert(id, "县级乡村振兴部门", "");
        ADD_FAILURE() << "the reader moved an alert";
    } catch (const data::AlertError& e) {
        EXPECT_NE(std::string(e.what()).find("read-only"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("onemap_reader"), std::string::npos) << e.what();
    }
    EXPECT_EQ(writer.query("SELECT status FROM alerts WHERE alert_id = $1", {std::to_string(id)}).str(0, 0), "new");
    // The writer role: one step, with its audit row; a step needing a note is refused without one.
    const auto source = data::open_pg_source(with_db(url, "t_changes", "onemap_writer"));
    EXPECT_FALSE(source->read_only());
    const std::int64_t audits = pg_count(writer, "SELECT count(*) FROM alert_audit WHERE alert_id = " + std::to_string(id));
    EXPECT_EQ(source->step_alert(id, "县级乡村振兴部门", ""), data::AlertStatus::Verified);
    EXPECT_EQ(writer.query("SELECT status FROM alerts WHERE alert_id = $1", {std::to_string(id)}).str(0, 0), "verified");
    EXPECT_EQ(pg_count(writer, "SELECT count(*) FROM alert_audit WHERE alert_id = " + std::to_string(id)), audits + 1);
    EXPECT_THROW(source->step_alert(id, "县级乡村振兴部门", ""), data::AlertError) << "measure_assigned needs a note";
    EXPECT_EQ(writer.query("SELECT status FROM alerts WHERE alert_id = $1", {std::to_string(id)}).str(0, 0), "verified");
    EXPECT_EQ(source->step_alert(id, "县级乡村振兴部门", "帮扶措施"), data::AlertStatus::MeasureAssigned);
    EXPECT_THROW(source->step_alert(987654321, "县级乡村振兴部门", "x"), data::AlertError);
}

// Resolving an alert keeps the open_alerts indicator by the same rule on both stores
// (data::open_alerts_recount_sql): from the same seed, with the same stale and missing rows, the
// bundle and the database end with the same value for every region, the true count where recounted.
TEST(Postgres, ResolvingAnAlertKeepsOpenAlertsAsTheBundleDoes) {
    const std::string url = loaded_db("t_open_alerts");
    ASSERT_FALSE(url.empty());
    const fs::path bundle_path = work_dir("open_alerts") / "copy.gpkg";
    fs::copy_file(test_bundle(), bundle_path);
    data::pg::Connection admin = data::pg::Connection::open(url);
    const std::int64_t id = pg_count(admin, "SELECT min(alert_id) FROM alerts WHERE status = 'new' AND household_id IS NOT NULL");
    ASSERT_GT(id, 0);
    const data::pg::Result a = admin.query("SELECT region_code, county_code, substr(period, 1, 4) FROM alerts WHERE alert_id = $1", {std::to_string(id)});
    const std::string village = a.str(0, 0), county = a.str(0, 1), year = a.str(0, 2);
    // The same damage on both: the village's row missing, the county's stale.
    const std::string damage = "DELETE FROM indicators WHERE metric = 'open_alerts' AND period = '" + year + "' AND region_code = '" + village +
                               "'; UPDATE indicators SET value = 999 WHERE metric = 'open_alerts' AND period = '" + year + "' AND region_code = '" +
                               county + "'";
    admin.exec(damage);
    {
        data::Bundle b = data::Bundle::open(bundle_path, data::OpenMode::ReadWrite);
        b.exec(damage);
    }
    const auto bundle = data::open_bundle_source(bundle_path);
    const auto pg = data::open_pg_source(with_db(url, "t_open_alerts", "onemap_writer"));
    for (data::Source* s : {static_cast<data::Source*>(bundle.get()), static_cast<data::Source*>(pg.get())}) {
        EXPECT_EQ(s->step_alert(id, "县级乡村振兴部门", ""), data::AlertStatus::Verified) << s->name();
        EXPECT_EQ(s->step_alert(id, "县级乡村振兴部门", "帮扶措施"), data::AlertStatus::MeasureAssigned) << s->name();
        EXPECT_EQ(s->step_alert(id, "县级乡村振兴部门", "已销号"), data::AlertStatus::Resolved) << s->name();
    }
    const auto on_bundle = bundle->indicator_layer("open_alerts", year), on_pg = pg->indicator_layer("open_alerts", year);
    ASSERT_FALSE(on_bundle.empty());
    EXPECT_EQ(on_pg.size(), on_bundle.size());
    for (const auto& [code, v] : on_bundle) {
        const auto it = on_pg.find(code);
        ASSERT_NE(it, on_pg.end()) << code << " has open_alerts in the bundle only";
        EXPECT_EQ(it->second, v) << code;
    }
    // The recounted regions hold the true count.
    for (const std::string& code : {village, county}) {
        const auto open = pg_count(admin, "WITH RECURSIVE down(code) AS (SELECT '" + code + "'::text UNION ALL SELECT g.code FROM regions g JOIN down "
                                          "ON g.parent_code = down.code) SELECT count(*) FROM alerts WHERE status <> 'resolved' AND substr(period, 1, 4) = '" +
                                          year + "' AND region_code IN (SELECT code FROM down)");
        ASSERT_TRUE(on_pg.count(code)) << code;
        EXPECT_EQ(on_pg.at(code), static_cast<double>(open)) << code;
    }
}
