#include "data/bundle/bundle.hpp"
#include "data/bundle/features.hpp"
#include "data/bundle/render_cache.hpp"
#include "fixtures.hpp"

#include <sqlite3.h>
#include <gdal.h>
#include <ogr_api.h>
#include <fmt/format.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <thread>

using namespace onemap;
using namespace onemap::data;

namespace {

std::filesystem::path fresh(const std::string& name) {
    auto p = test::temp_dir() / name;
    std::filesystem::remove(p);
    return p;
}

Region square_region(std::string code, std::string parent, Level level, double x0) {
    Region r;
    r.code = std::move(code);
    r.parent_code = std::move(parent);
    r.level = level;
    r.name = "测试" + r.code;
    r.population = 1234;
    r.geometry = {gis::Polygon{{{x0, 34}, {x0 + 0.1, 34}, {x0 + 0.1, 34.1}, {x0, 34.1}}, {}}};
    return r;
}

std::filesystem::path make_bundle(const std::string& name) {
    const auto p = fresh(name);
    Project pr;
    pr.name = "王庄村光伏电站";
    pr.county_code = "410225";
    pr.batch = "巩固提升";
    pr.location = {114.9, 34.8};
    Site s;
    s.name = "幸福家园";
    s.county_code = "410225";
    s.households = 12;
    s.location = {114.95, 34.85};
    write_features(p, {square_region("41", "", Level::Province, 114), square_region("4102", "41", Level::City, 114.2)}, {pr}, {s});
    Bundle::initialise(p);
    return p;
}

}  // namespace

TEST(Bundle, SchemaRoundTrip) {
    const auto p = make_bundle("roundtrip.gpkg");
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        EXPECT_EQ(b.schema_version(), k_schema_version);
        b.set_meta("synthetic", "1");
        b.exec("INSERT INTO metrics VALUES ('tp_income_pc', '脱贫人口人均纯收入', 'x', '元', 'higher', 0);"
               "INSERT INTO indicators VALUES ('4102', '2025', 'tp_income_pc', 15000.5)");
    }
    Bundle b = Bundle::open(p, OpenMode::ReadOnly);
    EXPECT_TRUE(b.read_only());
    EXPECT_TRUE(b.synthetic());
    EXPECT_EQ(b.meta("schema_version"), std::to_string(k_schema_version));
    EXPECT_FALSE(b.meta("no such key").has_value());
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(b.db(), "SELECT value FROM indicators WHERE region_code = '4102'", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_DOUBLE_EQ(sqlite3_column_double(st, 0), 15000.5);
    sqlite3_finalize(st);

    const auto regions = read_regions(p);
    ASSERT_EQ(regions.size(), 2u);
    EXPECT_EQ(regions[1].code, "4102");
    EXPECT_EQ(regions[1].parent_code, "41");
    EXPECT_EQ(regions[1].level, Level::City);
    EXPECT_EQ(regions[1].name, "测试4102");
    EXPECT_EQ(regions[1].population, 1234);
    ASSERT_EQ(regions[1].geometry.size(), 1u);
    EXPECT_EQ(regions[1].geometry[0].outer.size(), 4u);
    EXPECT_DOUBLE_EQ(regions[1].geometry[0].outer[2].x, 114.3);
    EXPECT_EQ(read_regions(p, Level::Province).size(), 1u);
    const auto projects = read_projects(p);
    ASSERT_EQ(projects.size(), 1u);
    EXPECT_EQ(projects[0].name, "王庄村光伏电站");
    EXPECT_DOUBLE_EQ(projects[0].location.x, 114.9);
    const auto sites = read_sites(p);
    ASSERT_EQ(sites.size(), 1u);
    EXPECT_EQ(sites[0].households, 12);
}

// The feature tables are written by GDAL and read back through SQLite and GEOS (no GDAL): parts,
// holes and coordinates come back exactly; a bad row is named.
TEST(Bundle, FeaturesReadBackExactlyAndABadRowIsNamed) {
    const auto p = fresh("features-read.gpkg");
    Region r = square_region("410225", "4102", Level::County, 114.5);
    r.geometry[0].holes.push_back({{114.52, 34.02}, {114.52, 34.05}, {114.55, 34.05}, {114.55, 34.02}});
    r.geometry.push_back(gis::Polygon{{{115.0, 34.0}, {115.0 + 1.0 / 3, 34.0}, {115.1, 34.0 + 1e-9}}, {}});
    r.tp_population = 77;
    r.tp_households = 21;
    Site empty;
    empty.name = "无坐标";
    write_features(p, {square_region("41", "", Level::Province, 114), r}, {}, {empty});
    Bundle::initialise(p);

    const auto regions = read_regions(p, Level::County);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_EQ(regions[0].tp_population, 77);
    EXPECT_EQ(regions[0].tp_households, 21);
    ASSERT_EQ(regions[0].geometry.size(), 2u);
    EXPECT_EQ(regions[0].geometry[0].outer, r.geometry[0].outer);
    EXPECT_EQ(regions[0].geometry[0].holes, r.geometry[0].holes);
    EXPECT_EQ(regions[0].geometry[1].outer, r.geometry[1].outer) << "to the bit";
    EXPECT_TRUE(read_projects(p).empty());
    ASSERT_EQ(read_sites(p).size(), 1u);
    EXPECT_EQ(read_sites(p)[0].name, "无坐标");

    const auto expect_error = [&](const std::function<void()>& read, const std::vector<std::string>& words) {
        try {
            read();
            ADD_FAILURE() << "no error";
        } catch (const BundleError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(p.filename().string()), std::string::npos) << what;
            for (const auto& w : words) EXPECT_NE(what.find(w), std::string::npos) << w << " in: " << what;
        }
    };
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        // GDAL's R-tree triggers call SQL functions only GDAL registers
        b.exec("DROP TRIGGER IF EXISTS rtree_regions_geom_update1; DROP TRIGGER IF EXISTS rtree_regions_geom_update2;"
               "DROP TRIGGER IF EXISTS rtree_regions_geom_update3; DROP TRIGGER IF EXISTS rtree_regions_geom_update4;"
               "DROP TRIGGER IF EXISTS rtree_regions_geom_update5; DROP TRIGGER IF EXISTS rtree_regions_geom_update6;"
               "DROP TRIGGER IF EXISTS rtree_regions_geom_update7");
        b.exec("UPDATE regions SET geom = X'47500001E6100000010300' WHERE code = '410225'");
    }
    expect_error([&] { read_regions(p); }, {"regions, code 410225", "malformed WKB"});
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        b.exec("UPDATE regions SET geom = X'0103000000' WHERE code = '410225'");
    }
    expect_error([&] { read_regions(p); }, {"regions, code 410225", "not a GeoPackage geometry"});
    {  // a point where a polygon belongs: GP header (no envelope) + WKB Point(114, 34)
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        b.exec("UPDATE regions SET geom = X'47500001E6100000' || X'0101000000' || X'0000000000805C40' || X'0000000000004140' "
               "WHERE code = '410225'");
    }
    expect_error([&] { read_regions(p, Level::County); }, {"regions, code 410225", "expected a (multi)polygon, got Point"});
    EXPECT_EQ(read_regions(p, Level::Province).size(), 1u) << "only the rows read are checked";
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        b.exec("DELETE FROM gpkg_geometry_columns WHERE table_name = 'projects'");
    }
    expect_error([&] { read_projects(p); }, {"no 'projects' layer"});
    EXPECT_THROW(read_regions(test::temp_dir() / "no-such.gpkg"), BundleError);
}

TEST(Bundle, RegionCodesAreUnique) {
    const auto p = make_bundle("unique.gpkg");
    Bundle b = Bundle::open(p, OpenMode::ReadWrite);
    EXPECT_THROW(b.exec("INSERT INTO regions(code, parent_code, level, name) VALUES ('4102', '41', 2, 'dup')"), BundleError);
}

TEST(Bundle, ReadOnlyRefusesWrites) {
    const auto p = make_bundle("readonly.gpkg");
    const std::string before = test::read_file(p);
    {
        Bundle b = Bundle::open(p, OpenMode::ReadOnly);
        EXPECT_THROW(b.set_meta("x", "y"), BundleError);
        EXPECT_THROW(b.exec("DELETE FROM meta"), BundleError);
    }
    EXPECT_EQ(test::read_file(p), before);
}

TEST(Bundle, TransactionRollsBackUnlessCommitted) {
    const auto p = make_bundle("tx.gpkg");
    Bundle b = Bundle::open(p, OpenMode::ReadWrite);
    {
        Transaction tx(b);
        b.set_meta("temporary", "1");
    }
    EXPECT_FALSE(b.meta("temporary").has_value());
    {
        Transaction tx(b);
        b.set_meta("kept", "1");
        tx.commit();
    }
    EXPECT_EQ(b.meta("kept"), "1");
}

TEST(Bundle, MigrationStepsRunInOrderAndAtomically) {
    const auto p = make_bundle("migrate.gpkg");
    Bundle b = Bundle::open(p, OpenMode::ReadWrite);
    const Migration steps[] = {{1, "CREATE TABLE later_v2 (x INTEGER);"}, {2, "ALTER TABLE later_v2 ADD COLUMN y TEXT;"}};
    b.migrate(steps, 3);
    EXPECT_EQ(b.schema_version(), 3);
    EXPECT_NO_THROW(b.exec("INSERT INTO later_v2 (x, y) VALUES (1, 'a')"));

    const auto q = make_bundle("migrate-broken.gpkg");
    Bundle c = Bundle::open(q, OpenMode::ReadWrite);
    const Migration broken[] = {{1, "CREATE TABLE half_done (x INTEGER);"}, {2, "THIS IS NOT SQL;"}};
    EXPECT_THROW(c.migrate(broken, 3), BundleError);
    EXPECT_EQ(c.schema_version(), 1) << "a failed migration leaves the bundle as it was";
    EXPECT_THROW(c.exec("SELECT * FROM half_done"), BundleError);
    EXPECT_THROW(c.migrate({}, 2), BundleError) << "no path from v1 to v2";
}

TEST(Bundle, RefusesWhatIsNotABundle) {
    const auto missing = test::temp_dir() / "does-not-exist.gpkg";
    try {
        Bundle::open(missing, OpenMode::ReadOnly);
        FAIL() << "expected BundleError";
    } catch (const BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("does-not-exist.gpkg"), std::string::npos) << "message names the file";
    }
    const auto text = fresh("notes.gpkg");
    std::ofstream(text) << "这不是数据包 just some text\n";
    EXPECT_THROW(Bundle::open(text, OpenMode::ReadOnly), BundleError);

    const auto plain = fresh("plain.sqlite");
    sqlite3* db = nullptr;
    sqlite3_open(plain.string().c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        Bundle::open(plain, OpenMode::ReadOnly);
        FAIL() << "expected BundleError";
    } catch (const BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("not an onemap bundle"), std::string::npos) << e.what();
    }
}

TEST(Bundle, RefusesNewerSchemaWithoutTouchingIt) {
    const auto p = make_bundle("newer.gpkg");
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        b.set_meta("schema_version", std::to_string(k_schema_version + 1));
    }
    const std::string before = test::read_file(p);
    for (auto mode : {OpenMode::ReadOnly, OpenMode::ReadWrite}) {
        try {
            Bundle::open(p, mode);
            FAIL() << "expected BundleError";
        } catch (const BundleError& e) {
            EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(test::read_file(p), before);
}

TEST(Bundle, RefusesTruncatedFileWithoutTouchingIt) {
    const auto p = fresh("truncated.gpkg");
    std::filesystem::copy_file(test::test_bundle(), p);
    std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
    const std::string before = test::read_file(p);
    try {
        Bundle::open(p, OpenMode::ReadOnly);
        FAIL() << "expected BundleError";
    } catch (const BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("truncated.gpkg"), std::string::npos);
    }
    EXPECT_EQ(test::read_file(p), before);
}

// The GUI reads LODs on a thread of its own while the drawing thread may read one too (one connection).
TEST(RenderCache, ABlobIsReadFromTwoThreadsAtOnce) {
    const auto p = make_bundle("blob-threads.gpkg");
    std::vector<std::uint8_t> data(k_render_cache_part + 200000);  // two parts
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 13 + i / 1013);
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        store_render_cache(b, "scene/v1", "hash-1", data);
    }
    const auto blob = RenderCacheBlob::open(p, "scene/v1", "hash-1");
    ASSERT_NE(blob, nullptr);
    std::atomic<int> wrong{0}, failed{0};
    const auto reader = [&](std::uint64_t seed) {
        for (int i = 0; i < 40; ++i) {
            const std::uint64_t offset = (seed * 7919 + static_cast<std::uint64_t>(i) * 104729) % (data.size() - 70000);
            try {
                const auto got = blob->read(offset, 70000);
                if (!std::equal(got.begin(), got.end(), data.begin() + static_cast<std::ptrdiff_t>(offset))) ++wrong;
            } catch (const std::exception&) {
                ++failed;
            }
        }
    };
    std::thread a(reader, 1), b(reader, 2);
    a.join();
    b.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(wrong.load(), 0);
}

TEST(RenderCache, ABlobIsReadInPiecesAndAReplacedOneIsRefused) {
    const auto p = make_bundle("blob-pieces.gpkg");
    std::vector<std::uint8_t> data(2 * k_render_cache_part + 300000);  // three parts
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + i / 977);
    {
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        store_render_cache(b, "scene/v1", "hash-1", data);
    }
    EXPECT_EQ(RenderCacheBlob::open(p, "scene/v1", "hash-2"), nullptr);  // stale
    EXPECT_EQ(RenderCacheBlob::open(p, "other", "hash-1"), nullptr);     // absent
    const auto blob = RenderCacheBlob::open(p, "scene/v1", "hash-1");
    ASSERT_NE(blob, nullptr);
    EXPECT_EQ(blob->size(), data.size());
    const auto piece = blob->read(250000, 1234);
    EXPECT_TRUE(std::equal(piece.begin(), piece.end(), data.begin() + 250000));
    const std::uint64_t across = k_render_cache_part - 100;  // a read across the first two parts
    const auto spanning = blob->read(across, 300);
    EXPECT_TRUE(std::equal(spanning.begin(), spanning.end(), data.begin() + static_cast<std::ptrdiff_t>(across)));
    EXPECT_EQ(blob->read(0, data.size()), data);
    {
        const Bundle b = Bundle::open(p, OpenMode::ReadOnly);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(b.db(), "SELECT group_concat(key, ' ') FROM (SELECT key FROM render_cache ORDER BY key)", -1, &st, nullptr);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "scene/v1 scene/v1#0001 scene/v1#0002");
        sqlite3_finalize(st);
    }
    EXPECT_EQ(blob->read(0, 16), std::vector<std::uint8_t>(data.begin(), data.begin() + 16));
    EXPECT_THROW(blob->read(data.size() - 10, 11), BundleError);
    {  // the same blob stored again by another program (a new row): still readable
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        b.exec("DELETE FROM render_cache");
        b.exec("INSERT INTO render_cache(key, content_hash, data) VALUES ('filler', 'x', x'00')");
        store_render_cache(b, "scene/v1", "hash-1", data);
    }
    EXPECT_EQ(blob->read(250000, 1234), piece);
    {  // a smaller blob stored later leaves no stale parts behind
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        store_render_cache(b, "scene/v0", "h", std::vector<std::uint8_t>(k_render_cache_part + 10, 1));
        store_render_cache(b, "scene/v0", "h", std::vector<std::uint8_t>(5, 2));
        const auto small = RenderCacheBlob::open(p, "scene/v0", "h");
        ASSERT_NE(small, nullptr);
        EXPECT_EQ(small->size(), 5u);
        EXPECT_EQ(small->read(0, 5), std::vector<std::uint8_t>(5, 2));
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(b.db(), "SELECT count(*) FROM render_cache WHERE key LIKE 'scene/v0%'", -1, &st, nullptr);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        EXPECT_EQ(sqlite3_column_int(st, 0), 1);
        sqlite3_finalize(st);
    }
    {  // holding the reader open takes no lock: another program can still write the file
        Bundle b = Bundle::open(p, OpenMode::ReadWrite);
        store_render_cache(b, "scene/v1", "hash-2", data);
    }
    try {
        blob->read(0, 16);
        ADD_FAILURE() << "a read of a replaced blob succeeded";
    } catch (const BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("replaced"), std::string::npos) << e.what();
    }
}

// The render cache's key is stored so that a start does not read the regions table for it, and any
// change of a region by any program drops it: the key is the stored one only while it is the
// computed one.
TEST(RenderCache, StoredRegionsFingerprintGoesWhenAnyProgramChangesTheRegions) {
    const auto path = make_bundle("fingerprint.gpkg");
    Bundle b = Bundle::open(path, OpenMode::ReadWrite);
    EXPECT_FALSE(regions_fingerprint_stored(b)) << "a new bundle has none";
    const std::string computed = compute_regions_fingerprint(b);
    EXPECT_EQ(regions_fingerprint(b), computed);
    EXPECT_EQ(store_regions_fingerprint(b), computed);
    EXPECT_TRUE(regions_fingerprint_stored(b));
    b.set_meta("regions_fingerprint", "planted");  // what is read is what is stored
    EXPECT_EQ(regions_fingerprint(b), "planted");
    // every change through GDAL, as an editor (QGIS, ogr2ogr) would make it: the table's GeoPackage
    // triggers need GDAL's SQL functions
    auto edit = [&](const std::function<void(OGRLayerH)>& change) {
        GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr);
        ASSERT_NE(ds, nullptr);
        OGRLayerH layer = GDALDatasetGetLayerByName(ds, "regions");
        ASSERT_NE(layer, nullptr);
        change(layer);
        GDALClose(ds);
    };
    auto feature_of = [](OGRLayerH layer, const char* code) {
        OGR_L_SetAttributeFilter(layer, fmt::format("code = '{}'", code).c_str());
        OGR_L_ResetReading(layer);
        return OGR_L_GetNextFeature(layer);
    };
    const struct {
        const char* what;
        std::function<void(OGRLayerH)> change;
    } changes[] = {
        {"a new name", [&](OGRLayerH l) {
             OGRFeatureH f = feature_of(l, "4102");
             OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "name"), "改名");
             EXPECT_EQ(OGR_L_SetFeature(l, f), OGRERR_NONE);
             OGR_F_Destroy(f);
         }},
        {"a new outline", [&](OGRLayerH l) {
             OGRFeatureH f = feature_of(l, "4102");
             OGRGeometryH g = nullptr;
             char wkt[] = "MULTIPOLYGON (((114.2 34,114.35 34,114.35 34.1,114.2 34.1,114.2 34)))";
             char* p = wkt;
             OGR_G_CreateFromWkt(&p, nullptr, &g);
             OGR_F_SetGeometryDirectly(f, g);
             EXPECT_EQ(OGR_L_SetFeature(l, f), OGRERR_NONE);
             OGR_F_Destroy(f);
         }},
        {"a new region", [&](OGRLayerH l) {
             OGRFeatureH f = feature_of(l, "4102");
             OGR_F_SetFID(f, OGRNullFID);
             OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "code"), "4103");
             EXPECT_EQ(OGR_L_CreateFeature(l, f), OGRERR_NONE);
             OGR_F_Destroy(f);
         }},
        {"a region deleted", [&](OGRLayerH l) {
             OGRFeatureH f = feature_of(l, "4103");
             EXPECT_EQ(OGR_L_DeleteFeature(l, OGR_F_GetFID(f)), OGRERR_NONE);
             OGR_F_Destroy(f);
         }},
    };
    for (const auto& c : changes) {
        store_regions_fingerprint(b);
        ASSERT_TRUE(regions_fingerprint_stored(b));
        edit(c.change);
        EXPECT_FALSE(regions_fingerprint_stored(b)) << c.what;
        EXPECT_EQ(regions_fingerprint(b), compute_regions_fingerprint(b)) << c.what;
    }
    EXPECT_NE(compute_regions_fingerprint(b), computed) << "the geometry changed";
    // a stored value without its triggers (a program re-created the table) is not trusted
    store_regions_fingerprint(b);
    b.exec("DROP TRIGGER regions_fingerprint_update");
    b.set_meta("regions_fingerprint", "planted");
    EXPECT_FALSE(regions_fingerprint_stored(b));
    EXPECT_EQ(regions_fingerprint(b), compute_regions_fingerprint(b));
    // and a read-only bundle stores nothing
    Bundle ro = Bundle::open(path, OpenMode::ReadOnly);
    EXPECT_THROW(store_regions_fingerprint(ro), BundleError);
}
