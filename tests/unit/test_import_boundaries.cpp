// Boundary import, one fixture folder per case (made here with GDAL).
#include "import_fixtures.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/features.hpp"
#include "data/import/import_boundaries.hpp"
#include "data/bundle/info.hpp"
#include "gis/boundary_check.hpp"
#include "gis/geos.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <csignal>

#include <algorithm>
#include <map>

#include <cpl_conv.h>

using namespace onemap;
using onemap::test::box_wkt;
using onemap::test::case_dir;
using onemap::test::write_layer;
using onemap::test::FeatureSpec;
using onemap::test::FieldSpec;

namespace {

const std::vector<FieldSpec> k_land_survey = {{"XZQDM"}, {"XZQMC"}};

data::ImportSummary import(const std::filesystem::path& bundle, const std::filesystem::path& src, data::Level level,
                           const std::string& s_srs = {}, const std::string& encoding = {}, bool allow_partial = false) {
    data::BoundaryImportOptions o;
    o.allow_partial = allow_partial;
    o.source.path = src.string();
    o.source.s_srs = s_srs;
    o.source.encoding = encoding;
    o.level = level;
    o.threads = 1;
    return data::import_boundaries(bundle, o);
}

std::int64_t count(const data::ImportSummary& s, const std::string& key) {
    auto it = s.by_reason.find(key);
    return it == s.by_reason.end() ? 0 : it->second;
}

bool notes_contain(const data::ImportSummary& s, const std::string& text) {
    return std::any_of(s.notes.begin(), s.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

// Two neighbouring counties of Zhengzhou, 0.1° boxes.
std::vector<FeatureSpec> two_counties(bool gbk) {
    auto name = [&](const std::string& s) { return gbk ? test::to_gbk(s) : s; };
    return {{{"410102", name("中原区")}, box_wkt(113.5, 34.7, 113.6, 34.8)},
            {{"410103", name("二七区")}, box_wkt(113.6, 34.7, 113.7, 34.8)}};
}

// A lon/lat box as a WKT polygon in CGCS2000 / 3-degree GK CM 114E (EPSG:4547), its eastings plus
// `prefix` (a zone prefix such as 38e6, or 0).
std::string gk114_box(double x0, double y0, double x1, double y1, double prefix) {
    OGRSpatialReference geo, gk;
    geo.importFromEPSG(4490);
    geo.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    gk.importFromEPSG(4547);
    gk.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&geo, &gk));
    double xs[] = {x0, x1, x1, x0}, ys[] = {y0, y0, y1, y1};
    ct->Transform(4, xs, ys);
    std::string wkt = "POLYGON((";
    for (int i = 0; i <= 4; ++i) wkt += std::to_string(xs[i % 4] + prefix) + " " + std::to_string(ys[i % 4]) + (i < 4 ? "," : "))");
    return wkt;
}

}  // namespace

TEST(ImportBoundaries, Case01GbkShapefileWithoutCpgIsDetected) {
    const auto dir = case_dir("01_gbk_no_cpg");
    write_layer(dir / "county.shp", "ESRI Shapefile", 4490, k_land_survey, two_counties(true), {"ENCODING="});
    std::filesystem::remove(dir / "county.cpg");  // GDAL leaves an empty one; desktop GIS writes none
    ASSERT_FALSE(std::filesystem::exists(dir / "county.cpg"));
    const auto s = import(dir / "bundle.gpkg", dir / "county.shp", data::Level::County);
    EXPECT_TRUE(s.committed);
    EXPECT_EQ(s.imported, 2);
    EXPECT_TRUE(notes_contain(s, "GB18030")) << data::to_text(s);
    EXPECT_TRUE(notes_contain(s, "detected"));
    const auto regions = data::read_regions(dir / "bundle.gpkg");
    ASSERT_EQ(regions.size(), 2u);
    EXPECT_EQ(regions[0].name, "中原区");
    EXPECT_EQ(regions[1].name, "二七区");
    EXPECT_EQ(regions[0].parent_code, "4101");
}

TEST(ImportBoundaries, Case02CpgIsHonouredAndAWrongOneNeverGivesMojibake) {
    const auto dir = case_dir("02_with_cpg");
    write_layer(dir / "utf8.shp", "ESRI Shapefile", 4490, k_land_survey, two_counties(false), {"ENCODING=UTF-8"});
    ASSERT_TRUE(std::filesystem::exists(dir / "utf8.cpg"));
    auto s = import(dir / "a.gpkg", dir / "utf8.shp", data::Level::County);
    EXPECT_TRUE(notes_contain(s, ".cpg")) << data::to_text(s);
    EXPECT_EQ(data::read_regions(dir / "a.gpkg")[0].name, "中原区");

    // GBK bytes behind a .cpg that claims UTF-8: the names do not decode and are reported, not garbled.
    write_layer(dir / "lying.shp", "ESRI Shapefile", 4490, k_land_survey, two_counties(true), {"ENCODING="});
    test::write_text(dir / "lying.cpg", "UTF-8\n");
    s = import(dir / "b.gpkg", dir / "lying.shp", data::Level::County);
    EXPECT_EQ(count(s, "rejected: name does not decode"), 2) << data::to_text(s);
    EXPECT_FALSE(s.committed);
    EXPECT_FALSE(std::filesystem::exists(dir / "b.gpkg"));
    // --encoding overrides the .cpg.
    s = import(dir / "c.gpkg", dir / "lying.shp", data::Level::County, "", "GBK");
    EXPECT_EQ(s.imported, 2);
    EXPECT_EQ(data::read_regions(dir / "c.gpkg")[1].name, "二七区");
}

TEST(ImportBoundaries, Case03NoPrjIsRefusedWithCandidatesUnlessSsrsGiven) {
    const auto dir = case_dir("03_no_prj");
    write_layer(dir / "county.shp", "ESRI Shapefile", 0, k_land_survey, two_counties(false), {"ENCODING=UTF-8"});
    ASSERT_FALSE(std::filesystem::exists(dir / "county.prj"));
    try {
        import(dir / "bundle.gpkg", dir / "county.shp", data::Level::County);
        FAIL() << "expected a refusal";
    } catch (const gis::SourceError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("no coordinate reference system"), std::string::npos) << what;
        EXPECT_NE(what.find("EPSG:4490"), std::string::npos) << what;
        EXPECT_NE(what.find("--s-srs"), std::string::npos) << what;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "bundle.gpkg"));
    const auto s = import(dir / "bundle.gpkg", dir / "county.shp", data::Level::County, "EPSG:4490");
    EXPECT_EQ(s.imported, 2);
}

// Issue 27, case 2: a wrong --s-srs zone moves a county file ~270 km and used to land without a word.
// Features away from Henan's outline are refused, naming the CRS that puts them in Henan; --force
// imports them where they are, with a warning.
TEST(ImportBoundaries, AWrongGaussKrugerZoneIsRefusedNamingTheRightOne) {
    const auto dir = case_dir("27_wrong_zone");
    auto ring = [](double x0, double y0, double x1, double y1) { return gk114_box(x0, y0, x1, y1, 0); };  // Zhengzhou's own zone, no prefix
    // three counties of western Henan: read in CM 111E they land in Shaanxi
    const std::vector<FeatureSpec> features = {{{"411281", "义马市"}, ring(111.8, 34.7, 111.95, 34.8)},
                                               {{"411282", "灵宝市"}, ring(110.6, 34.3, 111.0, 34.6)},
                                               {{"411221", "渑池县"}, ring(111.6, 34.7, 111.8, 34.9)}};
    write_layer(dir / "gk.shp", "ESRI Shapefile", 4547, k_land_survey, features, {"ENCODING=UTF-8"});
    try {
        import(dir / "bundle.gpkg", dir / "gk.shp", data::Level::County, "EPSG:4546");
        FAIL() << "a file read in the wrong zone was imported";
    } catch (const data::ImportError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("away from Henan"), std::string::npos) << what;
        EXPECT_NE(what.find("overriding the file's own EPSG:4547"), std::string::npos) << what;
        EXPECT_NE(what.find("--s-srs EPSG:4547"), std::string::npos) << "the CRS that fits: " << what;
        EXPECT_NE(what.find("--force"), std::string::npos) << what;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "bundle.gpkg")) << "nothing imported";
    // its own .prj: imported, in Henan
    auto s = import(dir / "bundle.gpkg", dir / "gk.shp", data::Level::County);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 3);
    EXPECT_EQ(count(s, "warning: features away from Henan (--force)"), 0);
    // --force: where they are, with a warning
    data::BoundaryImportOptions o;
    o.source.path = (dir / "gk.shp").string();
    o.source.s_srs = "EPSG:4546";
    o.level = data::Level::County;
    o.threads = 1;
    o.force_placement = true;
    s = data::import_boundaries(dir / "forced.gpkg", o);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(count(s, "warning: features away from Henan (--force)"), 1) << data::to_text(s);
    EXPECT_LT(gis::bounds(data::read_regions(dir / "forced.gpkg")[0].geometry).min_x, 109.5) << "where the wrong zone puts them";
}

TEST(ImportBoundaries, Case04GaussKrugerWithZonePrefix) {
    const auto dir = case_dir("04_gk_zone_prefix");
    // Corners in CGCS2000 / 3-degree GK CM 114E (EPSG:4547), then the zone prefix 38 added to the eastings.
    auto ring = [](double x0, double y0, double x1, double y1) { return gk114_box(x0, y0, x1, y1, 38e6); };
    const std::vector<FeatureSpec> features = {{{"410102", "中原区"}, ring(113.9, 34.7, 114.0, 34.8)}};
    write_layer(dir / "gk.shp", "ESRI Shapefile", 4547, k_land_survey, features, {"ENCODING=UTF-8"});
    const auto s = import(dir / "bundle.gpkg", dir / "gk.shp", data::Level::County);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_TRUE(notes_contain(s, "zone prefix 38")) << data::to_text(s);
    const auto b = gis::bounds(data::read_regions(dir / "bundle.gpkg")[0].geometry);
    EXPECT_NEAR(b.min_x, 113.9, 1e-6);
    EXPECT_NEAR(b.max_y, 34.8, 1e-6);

    // Without a .prj the message names the zone-prefixed CRS.
    write_layer(dir / "gk_noprj.shp", "ESRI Shapefile", 0, k_land_survey, features, {"ENCODING=UTF-8"});
    try {
        import(dir / "other.gpkg", dir / "gk_noprj.shp", data::Level::County);
        FAIL();
    } catch (const gis::SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("EPSG:4526"), std::string::npos) << e.what();
    }
    // Metres read as degrees: refused, saying so.
    try {
        import(dir / "other.gpkg", dir / "gk_noprj.shp", data::Level::County, "EPSG:4490");
        FAIL();
    } catch (const gis::SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("metres"), std::string::npos) << e.what();
    }
}

TEST(ImportBoundaries, Case05BowTieIsRepairedAndReported) {
    const auto dir = case_dir("05_bowtie");
    const std::vector<FeatureSpec> features = {
        {{"410102", "中原区"}, "POLYGON((113.5 34.7,113.6 34.8,113.6 34.7,113.5 34.8,113.5 34.7))"},
        {{"410103", "二七区"}, ""},  // NULL geometry
    };
    write_layer(dir / "bowtie.gpkg", "GPKG", 4490, k_land_survey, features);
    const auto s = import(dir / "bundle.gpkg", dir / "bowtie.gpkg", data::Level::County);
    EXPECT_EQ(count(s, "repaired: invalid ring repaired"), 1) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: empty or NULL geometry"), 1);
    const auto it = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.outcome == data::Outcome::Repaired; });
    ASSERT_NE(it, s.items.end());
    EXPECT_NE(it->found.find("Self-intersection"), std::string::npos);
    EXPECT_NE(it->found.find("lon 113.55"), std::string::npos) << it->found;
    EXPECT_EQ(it->item, "feature 1");
    auto stored = data::read_regions(dir / "bundle.gpkg");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_FALSE(gis::repair_polygons(stored[0].geometry).was_invalid);
    EXPECT_NEAR(gis::area(stored[0].geometry), 0.005, 1e-9);  // both triangles kept
}

TEST(ImportBoundaries, Case06DuplicateAndNonExtendingCodesAreRejected) {
    const auto dir = case_dir("06_duplicate_codes");
    const std::vector<FeatureSpec> features = {
        {{"410102", "中原区", "4101"}, box_wkt(113.5, 34.7, 113.6, 34.8)},
        {{"410102", "中原区", "4101"}, box_wkt(113.6, 34.7, 113.7, 34.8)},
        {{"410103", "二七区", "4102"}, box_wkt(113.7, 34.7, 113.8, 34.8)},  // parent 4102: 410103 does not extend it
        {{"4101", "郑州市", "41"}, box_wkt(113.8, 34.7, 113.9, 34.8)},      // a city code in a county layer
    };
    write_layer(dir / "dup.geojson", "GeoJSON", 4490, {{"adcode"}, {"name"}, {"parent_adcode"}}, features);
    const auto s = import(dir / "bundle.gpkg", dir / "dup.geojson", data::Level::County);
    EXPECT_EQ(s.imported, 1) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: duplicate code"), 1);
    EXPECT_EQ(count(s, "rejected: code does not extend its parent's code"), 1);
    EXPECT_EQ(count(s, "rejected: code not of this level"), 1);
    const auto dup = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.reason == "duplicate code"; });
    EXPECT_EQ(dup->item, "feature 2");
    EXPECT_NE(dup->expected.find("feature 1"), std::string::npos);
}

TEST(ImportBoundaries, CountiesWhoseParentIsTheProvinceHangDirectlyUnderIt) {
    // A data set without a city level (the peer renderers' benchmark province): counties name 410000.
    const auto dir = case_dir("06b_counties_under_province");
    const auto bundle = dir / "bundle.gpkg";
    write_layer(dir / "counties.gpkg", "GPKG", 4326, {{"code"}, {"name"}, {"parent_code"}},
                {{{"410001", "甲县", "410000"}, box_wkt(113.5, 34.7, 113.6, 34.8)},
                 {{"410102", "中原区", "41"}, box_wkt(113.6, 34.7, 113.7, 34.8)},
                 {{"420101", "乙县", "410000"}, box_wkt(113.7, 34.7, 113.8, 34.8)},   // not in that province
                 {{"410103", "二七区", "4101"}, box_wkt(113.8, 34.7, 113.9, 34.8)}});  // a city parent, as before
    // Into a bundle that holds regions but not the province: refused, naming the province.
    write_layer(dir / "town.gpkg", "GPKG", 4326, k_land_survey, {{{"410001001", "甲镇"}, box_wkt(113.5, 34.7, 113.6, 34.8)}});
    const auto other = dir / "other.gpkg";
    ASSERT_TRUE(import(other, dir / "town.gpkg", data::Level::Township).committed);
    auto s = import(other, dir / "counties.gpkg", data::Level::County);
    EXPECT_EQ(count(s, "rejected: parent not in the bundle"), 2) << data::to_text(s);

    write_layer(dir / "province.gpkg", "GPKG", 4326, {{"code"}, {"name"}, {"parent_code"}},
                {{{"410000", "河南省", ""}, box_wkt(113.4, 34.6, 114.0, 34.9)}});
    ASSERT_TRUE(import(bundle, dir / "province.gpkg", data::Level::Province).committed);
    s = import(bundle, dir / "counties.gpkg", data::Level::County);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 3) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: code does not extend its parent's code"), 1) << data::to_text(s);
    EXPECT_TRUE(notes_contain(s, "2 counties name the province as their parent")) << data::to_text(s);
    std::map<std::string, std::string> parent;
    for (const auto& r : data::read_regions(bundle, data::Level::County)) parent[r.code] = r.parent_code;
    EXPECT_EQ(parent.at("410001"), "41");
    EXPECT_EQ(parent.at("410102"), "41");
    EXPECT_EQ(parent.at("410103"), "4101");
    EXPECT_FALSE(parent.contains("420101"));
}

TEST(ImportBoundaries, Case07OverlappingNeighboursAreReportedWithLocation) {
    const auto dir = case_dir("07_overlap");
    const std::vector<FeatureSpec> features = {
        {{"410102", "中原区"}, box_wkt(113.5, 34.7, 113.62, 34.8)},
        {{"410103", "二七区"}, box_wkt(113.6, 34.7, 113.7, 34.8)},
        {{"410104", "管城回族区"}, box_wkt(113.7, 34.7, 113.8, 34.8)},  // touches 410103 only
    };
    write_layer(dir / "overlap.gpkg", "GPKG", 4490, k_land_survey, features);
    const auto s = import(dir / "bundle.gpkg", dir / "overlap.gpkg", data::Level::County);
    EXPECT_EQ(count(s, "warning: overlapping neighbours"), 1) << data::to_text(s);
    const auto it = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.reason == "overlapping neighbours"; });
    ASSERT_NE(it, s.items.end());
    EXPECT_NE(it->found.find("410103"), std::string::npos);
    EXPECT_NE(it->found.find("lon 113.61"), std::string::npos) << it->found;
    EXPECT_EQ(s.imported, 3);  // reported, not rejected
}

TEST(ImportBoundaries, Case08VillageOutsideItsTownship) {
    const auto dir = case_dir("08_village_outside_township");
    write_layer(dir / "town.gpkg", "GPKG", 4490, k_land_survey, {{{"410102001", "林山寨街道"}, box_wkt(113.5, 34.7, 113.6, 34.8)}});
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "town.gpkg", data::Level::Township).committed);
    const std::vector<FeatureSpec> villages = {
        {{"410102001001", "甲村"}, box_wkt(113.5, 34.7, 113.55, 34.75)},
        {{"410102001002", "乙村"}, box_wkt(113.55, 34.7, 113.65, 34.75)},  // half outside
        {{"410103001001", "丙村"}, box_wkt(113.5, 34.75, 113.55, 34.8)},   // township 410103001 not in the bundle
    };
    write_layer(dir / "village.gpkg", "GPKG", 4490, k_land_survey, villages);
    const auto s = import(dir / "bundle.gpkg", dir / "village.gpkg", data::Level::Village);
    EXPECT_EQ(count(s, "warning: outside its parent"), 1) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: parent not in the bundle"), 1);
    const auto it = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.reason == "outside its parent"; });
    ASSERT_NE(it, s.items.end());
    EXPECT_NE(it->item.find("410102001002"), std::string::npos);
    EXPECT_NE(it->found.find("410102001"), std::string::npos);
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg", data::Level::Village).size(), 2u);
}

TEST(ImportBoundaries, ReplacingALevelKeepsOthersAndUpdatesMeta) {
    const auto dir = case_dir("09_replace_level");
    write_layer(dir / "a.gpkg", "GPKG", 4490, k_land_survey, two_counties(false));
    write_layer(dir / "town.gpkg", "GPKG", 4490, k_land_survey, {{{"410102001", "林山寨街道"}, box_wkt(113.5, 34.7, 113.6, 34.8)}});
    write_layer(dir / "b.gpkg", "GPKG", 4490, k_land_survey, {{{"410103", "二七区"}, box_wkt(113.6, 34.7, 113.7, 34.8)}});
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "a.gpkg", data::Level::County).committed);
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "town.gpkg", data::Level::Township).committed);
    {  // pretend a demo bundle: synthetic regions, a render cache
        data::Bundle b = data::Bundle::open(dir / "bundle.gpkg", data::OpenMode::ReadWrite);
        b.set_meta("layers_real", "");
        b.set_meta("layers_synthetic", "regions,indicators");
        b.exec("INSERT INTO render_cache(key, content_hash, data) VALUES ('k', 'h', x'00')");
    }
    const auto s = import(dir / "bundle.gpkg", dir / "b.gpkg", data::Level::County, {}, {}, true);  // one county for two: asked for
    ASSERT_TRUE(s.committed);
    // The township's county 410102 is gone: the lower level is checked against the new one.
    EXPECT_EQ(count(s, "warning: lower level: parent missing"), 1) << data::to_text(s);
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg", data::Level::County).size(), 1u);
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg", data::Level::Township).size(), 1u);
    data::Bundle b = data::Bundle::open(dir / "bundle.gpkg", data::OpenMode::ReadOnly);
    EXPECT_EQ(b.meta("layers_real"), "regions.county");
    EXPECT_EQ(b.meta("layers_synthetic"), "indicators,regions.province,regions.city,regions.township,regions.village");
    EXPECT_EQ(b.meta("synthetic"), "1");
    const std::string screen = data::to_text(data::read_info(dir / "bundle.gpkg"));  // `onemap info` says which layers are real
    EXPECT_NE(screen.find("部分演示数据 (partly synthetic)"), std::string::npos) << screen;
    EXPECT_NE(screen.find("真实图层 real      regions.county"), std::string::npos) << screen;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), "SELECT count(*) FROM render_cache", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
}

TEST(ImportBoundaries, Case11KilledImportLeavesTheBundleByteForByte) {
    const auto dir = case_dir("11_killed_import");
    write_layer(dir / "a.gpkg", "GPKG", 4490, k_land_survey, two_counties(false));
    write_layer(dir / "b.gpkg", "GPKG", 4490, k_land_survey, {{{"410103", "二七区"}, box_wkt(113.6, 34.7, 113.7, 34.8)}});
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "a.gpkg", data::Level::County).committed);
    const std::string before = test::read_bytes(dir / "bundle.gpkg");
    for (const char* point : {"after-regions", "before-rename"}) {
        const std::string cmd = std::string("ONEMAP_TEST_KILL_AT=") + point + " " + ONEMAP_BINARY + " import boundaries " + (dir / "b.gpkg").string() +
                                " --level county --allow-partial --bundle " + (dir / "bundle.gpkg").string() + " >/dev/null 2>&1";
        const int status = std::system(cmd.c_str());
        const bool killed = (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) || (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL);
        EXPECT_TRUE(killed) << point << ": status " << status;
        EXPECT_EQ(test::read_bytes(dir / "bundle.gpkg"), before) << point;
    }
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg").size(), 2u);
    // A killed import into a bundle that did not exist leaves no bundle.
    const std::string cmd = std::string("ONEMAP_TEST_KILL_AT=after-regions ") + ONEMAP_BINARY + " import boundaries " + (dir / "b.gpkg").string() +
                            " --level county --bundle " + (dir / "new.gpkg").string() + " >/dev/null 2>&1";
    std::system(cmd.c_str());
    EXPECT_FALSE(std::filesystem::exists(dir / "new.gpkg"));
    // Without the hook the same command lands whole.
    const std::string ok = std::string(ONEMAP_BINARY) + " import boundaries " + (dir / "b.gpkg").string() + " --level county --allow-partial --bundle " +
                           (dir / "bundle.gpkg").string() + " --report " + (dir / "report.csv").string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(ok.c_str()), 0);
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg").size(), 1u);
    EXPECT_TRUE(std::filesystem::exists(dir / "report.csv"));
    // …and the CLI rebuilt the render cache for the new boundaries.
    data::Bundle b = data::Bundle::open(dir / "bundle.gpkg", data::OpenMode::ReadOnly);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), "SELECT count(*) FROM render_cache", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_GE(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
}

TEST(ImportBoundaries, Case12FlatGeobufKmlAndZippedShapefileWithTruncatedNames) {
    const auto dir = case_dir("12_formats");
    const std::vector<FieldSpec> web = {{"district_adcode"}, {"district_name"}, {"city_adcode"}};
    const std::vector<FeatureSpec> features = {{{"410102", "中原区", "410100"}, box_wkt(113.5, 34.7, 113.6, 34.8)},
                                               {{"410103", "二七区", "410100"}, box_wkt(113.6, 34.7, 113.7, 34.8)}};
    write_layer(dir / "c.fgb", "FlatGeobuf", 4490, web, features);
    write_layer(dir / "c.kml", "LIBKML", 4326, web, features);
    write_layer(dir / "c.shp", "ESRI Shapefile", 4490, web, features, {"ENCODING=UTF-8"});  // names laundered to 10 bytes
    {  // zip the shapefile with GDAL's own zip writer
        void* zip = CPLCreateZip((dir / "c.zip").string().c_str(), nullptr);
        ASSERT_NE(zip, nullptr);
        for (const char* ext : {"shp", "shx", "dbf", "prj", "cpg"}) {
            const std::string bytes = test::read_bytes(dir / (std::string("c.") + ext));
            ASSERT_EQ(CPLCreateFileInZip(zip, (std::string("c.") + ext).c_str(), nullptr), CE_None);
            ASSERT_EQ(CPLWriteFileInZip(zip, bytes.data(), static_cast<int>(bytes.size())), CE_None);
            CPLCloseFileInZip(zip);
        }
        CPLCloseZip(zip);
    }
    for (const char* file : {"c.fgb", "c.kml", "c.zip"}) {
        const auto bundle = dir / (std::string(file) + ".gpkg");
        const auto s = import(bundle, dir / file, data::Level::County);
        EXPECT_EQ(s.imported, 2) << file << "\n" << data::to_text(s);
        const auto regions = data::read_regions(bundle);
        ASSERT_EQ(regions.size(), 2u) << file;
        EXPECT_EQ(regions[0].name, "中原区") << file;
        EXPECT_EQ(regions[0].parent_code, "4101") << file;
        EXPECT_NEAR(gis::bounds(regions[1].geometry).max_x, 113.7, 1e-9) << file;
    }
}

// Issue 23, case 3: a damaged source used to replace a whole level with exit 0 (157 counties became
// 51 from a .dbf cut short; a half-truncated .shp imported 97 and "rejected" 59 as NULL geometry).
namespace {
std::vector<FeatureSpec> many_counties(int n) {
    std::vector<FeatureSpec> out;
    for (int i = 0; i < n; ++i) {
        const double x = 113.0 + 0.05 * (i % 8), y = 34.0 + 0.05 * (i / 8);
        out.push_back({{fmt::format("4101{:02d}", i + 1), fmt::format("测试县{}", i + 1)}, box_wkt(x, y, x + 0.05, y + 0.05)});
    }
    return out;
}
void cut_to(const std::filesystem::path& p, double fraction) {
    std::filesystem::resize_file(p, static_cast<std::uintmax_t>(static_cast<double>(std::filesystem::file_size(p)) * fraction));
}
std::string refusal(const std::filesystem::path& bundle, const std::filesystem::path& src) {
    try {
        import(bundle, src, data::Level::County);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(imported)";
}
}  // namespace

TEST(ImportBoundaries, AShapefileWithItsDbfCutShortIsRefused) {
    const auto dir = case_dir("23_dbf_cut_short");
    write_layer(dir / "whole.shp", "ESRI Shapefile", 4490, k_land_survey, many_counties(40));
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "whole.shp", data::Level::County).committed);
    const std::string before = test::read_bytes(dir / "bundle.gpkg");
    write_layer(dir / "cut.shp", "ESRI Shapefile", 4490, k_land_survey, many_counties(40));
    cut_to(dir / "cut.dbf", 0.4);
    const std::string why = refusal(dir / "bundle.gpkg", dir / "cut.shp");
    EXPECT_NE(why.find("damaged or cut short"), std::string::npos) << why;
    EXPECT_NE(why.find("cut.shp"), std::string::npos) << "names the file: " << why;
    EXPECT_NE(why.find(".dbf"), std::string::npos) << "says what to check: " << why;
    EXPECT_EQ(test::read_bytes(dir / "bundle.gpkg"), before) << "the bundle's 40 counties stay";
    // and through the command line: a non-zero exit
    const std::string cmd = std::string(ONEMAP_BINARY) + " import boundaries " + (dir / "cut.shp").string() + " --level county --bundle " +
                            (dir / "bundle.gpkg").string() + " >/dev/null 2>&1";
    EXPECT_NE(std::system(cmd.c_str()), 0);
    EXPECT_EQ(test::read_bytes(dir / "bundle.gpkg"), before);
}

TEST(ImportBoundaries, AShapefileWithItsShpCutInHalfIsRefused) {
    const auto dir = case_dir("23_shp_cut_short");
    write_layer(dir / "whole.shp", "ESRI Shapefile", 4490, k_land_survey, many_counties(40));
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "whole.shp", data::Level::County).committed);
    const std::string before = test::read_bytes(dir / "bundle.gpkg");
    write_layer(dir / "cut.shp", "ESRI Shapefile", 4490, k_land_survey, many_counties(40));
    cut_to(dir / "cut.shp", 0.5);
    const std::string why = refusal(dir / "bundle.gpkg", dir / "cut.shp");
    EXPECT_NE(why.find("damaged or cut short"), std::string::npos) << why;
    EXPECT_EQ(test::read_bytes(dir / "bundle.gpkg"), before);
}

TEST(ImportBoundaries, ALevelIsNotShrunkUnlessAskedTo) {
    const auto dir = case_dir("23_shrink");
    write_layer(dir / "all.gpkg", "GPKG", 4490, k_land_survey, many_counties(10));
    write_layer(dir / "some.gpkg", "GPKG", 4490, k_land_survey, many_counties(4));
    ASSERT_TRUE(import(dir / "bundle.gpkg", dir / "all.gpkg", data::Level::County).committed);
    const std::string why = refusal(dir / "bundle.gpkg", dir / "some.gpkg");
    EXPECT_NE(why.find("would replace the 10 county regions"), std::string::npos) << why;
    EXPECT_NE(why.find("with 4"), std::string::npos) << why;
    EXPECT_NE(why.find("--allow-partial"), std::string::npos) << why;
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg", data::Level::County).size(), 10u);
    const auto s = import(dir / "bundle.gpkg", dir / "some.gpkg", data::Level::County, {}, {}, true);
    ASSERT_TRUE(s.committed);
    EXPECT_EQ(data::read_regions(dir / "bundle.gpkg", data::Level::County).size(), 4u);
    EXPECT_TRUE(import(dir / "bundle.gpkg", dir / "all.gpkg", data::Level::County).committed) << "growing a level needs no flag";
}
