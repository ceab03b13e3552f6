// The real public files in ../shared/data (see its README). Skipped with a message when absent.
#include "data/bundle/features.hpp"
#include "data/import/import_boundaries.hpp"
#include "gis/vector_source.hpp"

#include "import_fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "data/bundle/region_codes.hpp"
#include "data/bundle/table_values.hpp"

using namespace onemap;

namespace {

std::filesystem::path shared_data() {
    // The tests run from the build tree; the data lies next to the repository (../shared/data).
    for (auto p : {std::filesystem::path(ONEMAP_SOURCE_DIR) / ".." / "shared" / "data", std::filesystem::path("/work/shared/data")}) {
        if (std::filesystem::exists(p / "README.md")) return p;
    }
    return {};
}

#define NEED(file)                                                                          \
    const auto data_dir = shared_data();                                                    \
    if (data_dir.empty() || !std::filesystem::exists(data_dir / (file)))                    \
        GTEST_SKIP() << "../shared/data/" << (file) << " absent: real-data test skipped";

data::ImportSummary import(const std::filesystem::path& bundle, const std::filesystem::path& src, data::Level level,
                           const std::string& layer = {}, bool gcj = false) {
    data::BoundaryImportOptions o;
    o.source.path = src.string();
    o.source.layer = layer;
    o.source.from_gcj02 = gcj;
    o.level = level;
    return data::import_boundaries(bundle, o);
}

std::int64_t count(const data::ImportSummary& s, const std::string& key) {
    auto it = s.by_reason.find(key);
    return it == s.by_reason.end() ? 0 : it->second;
}

double outside_km2(const data::ImportSummary& s) {
    double total = 0;
    for (const auto& i : s.items) {
        if (i.reason == "outside its parent") total += std::stod(i.found) / 1e6;
    }
    return total;
}

}  // namespace

TEST(RealData, TiandituThreeLevelsClean) {
    NEED("tianditu-henan/tianditu_henan.gpkg");
    const auto dir = test::case_dir("real_tianditu");
    const auto src = data_dir / "tianditu-henan/tianditu_henan.gpkg";
    const auto bundle = dir / "henan.gpkg";
    EXPECT_EQ(import(bundle, src, data::Level::Province, "henan_province").imported, 1);
    EXPECT_EQ(import(bundle, src, data::Level::City, "henan_city").imported, 18);
    const auto s = import(bundle, src, data::Level::County, "henan_district");
    EXPECT_EQ(s.read, 157);
    EXPECT_EQ(s.imported, 156);  // 济源 419001 stays the city-level unit it already is
    EXPECT_EQ(count(s, "skipped: city-level unit listed as a county (not duplicated)"), 1);
    EXPECT_EQ(s.rejected, 0);
    EXPECT_EQ(count(s, "warning: overlapping neighbours"), 0) << data::to_text(s);
    EXPECT_EQ(count(s, "warning: gap between neighbours"), 0) << data::to_text(s);
    EXPECT_EQ(count(s, "warning: outside its parent"), 0) << data::to_text(s);
    EXPECT_EQ(count(s, "warning: not a current county code"), 0);
    EXPECT_EQ(data::read_regions(bundle).size(), 1u + 18u + 156u);
}

TEST(RealData, OfficialStyleGbkShapefileInGaussKruger) {
    NEED("official-style/henan_county_gk114.shp");
    const auto dir = test::case_dir("real_official_style");
    const auto s = import(dir / "henan.gpkg", data_dir / "official-style/henan_county_gk114.shp", data::Level::County);
    EXPECT_EQ(s.imported, 156) << data::to_text(s);
    EXPECT_TRUE(std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) { return n.find("GB18030 — detected") != std::string::npos; }));
    EXPECT_TRUE(std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) { return n.find("EPSG:4547") != std::string::npos; }));
    std::map<std::string, std::string> names;
    gis::Box box;
    for (const auto& r : data::read_regions(dir / "henan.gpkg")) {
        names[r.code] = r.name;
        box.expand(gis::bounds(r.geometry));
    }
    EXPECT_EQ(names["410102"], "中原区");
    EXPECT_EQ(names["411502"], "浉河区");  // a character outside GB2312, inside GBK
    EXPECT_NEAR(box.min_x, 110.35, 0.01);   // same extent as the Tianditu data, in degrees
    EXPECT_NEAR(box.max_y, 36.37, 0.01);
}

// Issue 27, case 2, with the real file: its .prj says EPSG:4547; --s-srs EPSG:4546 (CM 111E) would put
// the province ~270 km west. Refused, naming EPSG:4547.
TEST(RealData, OfficialStyleFileReadInTheWrongZoneIsRefused) {
    NEED("official-style/henan_county_gk114.shp");
    const auto dir = test::case_dir("real_official_wrong_zone");
    data::BoundaryImportOptions o;
    o.source.path = (data_dir / "official-style/henan_county_gk114.shp").string();
    o.source.s_srs = "EPSG:4546";
    o.level = data::Level::County;
    try {
        data::import_boundaries(dir / "henan.gpkg", o);
        FAIL() << "imported in the wrong zone";
    } catch (const data::ImportError& e) {
        EXPECT_NE(std::string(e.what()).find("--s-srs EPSG:4547"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "henan.gpkg"));
}

TEST(RealData, DatavWebMapDataRepairedReportedAndUnshifted) {
    NEED("datav-henan/henan_county_datav_merged.geojson");
    const auto dir = test::case_dir("real_datav");
    const auto tianditu = data_dir / "tianditu-henan/tianditu_henan.gpkg";
    if (!std::filesystem::exists(tianditu)) GTEST_SKIP() << "needs the Tianditu cities as parents";
    const auto bundle = dir / "henan.gpkg";
    ASSERT_TRUE(import(bundle, tianditu, data::Level::City, "henan_city").committed);
    const auto src = data_dir / "datav-henan/henan_county_datav_merged.geojson";
    const auto shifted = import(bundle, src, data::Level::County);
    EXPECT_EQ(shifted.read, 158);
    EXPECT_EQ(count(shifted, "repaired: invalid ring repaired"), 6) << data::to_text(shifted);
    EXPECT_GT(count(shifted, "warning: overlapping neighbours"), 50);
    EXPECT_EQ(count(shifted, "warning: not a current county code"), 5);  // 吉利区, 孟津县, 偃师市, 长垣市, 淮阳区
    EXPECT_TRUE(std::any_of(shifted.notes.begin(), shifted.notes.end(), [](const std::string& n) { return n.find("--from-gcj02") != std::string::npos; }));
    const auto unshifted = import(bundle, src, data::Level::County, "", true);
    // Undoing GCJ-02 brings the counties much closer to the official city borders.
    EXPECT_LT(outside_km2(unshifted), 0.7 * outside_km2(shifted)) << outside_km2(unshifted) << " vs " << outside_km2(shifted);
    for (const auto& r : data::read_regions(bundle, data::Level::County)) {
        auto g = r.geometry;
        EXPECT_GT(gis::signed_area(g[0].outer), 0) << r.code << ": outer rings counter-clockwise after import";
    }
}

TEST(RealData, GbkPointsWithAndWithoutCodePageMark) {
    NEED("gbk-points/derived_ldid0_nocpg/city_points_gbk_ldid0.shp");
    struct Sink : gis::FeatureSink {
        gis::SourceInfo info;
        std::vector<gis::SourceFeature> rows;
        void begin(const gis::SourceInfo& i) override { info = i; }
        void feature(gis::SourceFeature&& f) override { rows.push_back(std::move(f)); }
    };
    Sink ldid0, ldid77;
    gis::read_source({(data_dir / "gbk-points/derived_ldid0_nocpg/city_points_gbk_ldid0.shp").string(), "", "", "", false, false}, ldid0);
    gis::read_source({(data_dir / "gbk-points/original_ldid77_nocpg/地级市点位数据.shp").string(), "", "", "", false, false}, ldid77);
    EXPECT_EQ(ldid0.rows.size(), 341u);
    EXPECT_EQ(ldid77.rows.size(), 341u);
    EXPECT_NE(ldid0.info.encoding_source.find("detected"), std::string::npos) << ldid0.info.encoding_source;
    EXPECT_NE(ldid77.info.encoding_source.find("LDID 77"), std::string::npos) << ldid77.info.encoding_source;
    EXPECT_EQ(ldid0.info.fields, ldid77.info.fields);  // Chinese field names decode the same either way
    for (std::size_t i = 0; i < ldid0.rows.size(); ++i) {
        ASSERT_EQ(ldid0.rows[i].values, ldid77.rows[i].values) << "row " << i;
        EXPECT_TRUE(ldid0.rows[i].undecodable.empty());
        EXPECT_EQ(ldid0.rows[i].kind, gis::GeometryKind::Point);
    }
}

TEST(RealData, StatisticalCodeHierarchyMatchesOurRules) {
    NEED("codes/henan_villages.csv");
    // code,name,parentCode,… — the parent is the third column in the streets file and the third in
    // the villages file; names are quoted and contain no commas.
    auto check_file = [&](const std::filesystem::path& file, data::Level level, std::size_t expected_rows) {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line);
        std::size_t rows = 0, bad = 0;
        while (std::getline(in, line)) {
            std::vector<std::string> cols;
            std::stringstream ss(line);
            for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
            ASSERT_GE(cols.size(), 3u) << line;
            ++rows;
            const auto code = data::normalise_code(cols[0], level);
            if (!code || *code != cols[0] || data::derived_parent(*code, level) != cols[2] || data::normalise_any_code(cols[0]) != cols[0]) {
                if (++bad < 5) ADD_FAILURE() << file.filename() << ": " << line;
            }
        }
        EXPECT_EQ(rows, expected_rows);
        EXPECT_EQ(bad, 0u);
    };
    check_file(data_dir / "codes/henan_streets.csv", data::Level::Township, 2586);
    check_file(data_dir / "codes/henan_villages.csv", data::Level::Village, 52378);
    // 济源's townships hang under 419001, the city-level unit (the statistical list calls its city 4190).
    EXPECT_EQ(data::derived_parent("419001001", data::Level::Township), "419001");
}
