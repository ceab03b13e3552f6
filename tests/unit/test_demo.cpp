#include "data/bundle/bundle.hpp"
#include "data/demo/demo.hpp"
#include "data/bundle/features.hpp"
#include "data/household/privacy.hpp"
#include "fixtures.hpp"
#include "gis/geos.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace onemap;
using namespace onemap::data;

namespace {

// A digest of every row of every table, in a stable order: equal digests, equal content.
std::string content_digest(const std::filesystem::path& p) {
    Bundle b = Bundle::open(p, OpenMode::ReadOnly);
    static const char* k_queries[] = {
        "SELECT code, parent_code, level, name, population, tp_population, tp_households, hex(geom) FROM regions ORDER BY code",
        "SELECT * FROM metrics ORDER BY key",
        "SELECT * FROM indicators ORDER BY metric, period, region_code",
        "SELECT * FROM households ORDER BY household_id",
        "SELECT * FROM household_income ORDER BY household_id, year",
        "SELECT * FROM household_months ORDER BY household_id, month",
        "SELECT * FROM benefits ORDER BY benefit_id",
        "SELECT * FROM measures ORDER BY measure_id",
        "SELECT name, county_code, village_code, category, batch, farmer_linkage, operating, beneficiary_households, investment, hex(geom) FROM projects ORDER BY fid",
        "SELECT name, county_code, households, persons, employed_households, hex(geom) FROM sites ORDER BY fid",
        "SELECT * FROM meta ORDER BY key",
    };
    std::string all;
    for (const char* q : k_queries) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(b.db(), q, -1, &st, nullptr), SQLITE_OK) << q;
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                const auto* t = sqlite3_column_text(st, c);
                all += t ? reinterpret_cast<const char*>(t) : "∅";
                all += '|';
            }
            all += '\n';
        }
        sqlite3_finalize(st);
        all = sha256_hex(all);  // keep it small as we go
    }
    return all;
}

double scalar(const Bundle& b, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(b.db(), sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    double v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

std::map<std::string, double> keyed(const Bundle& b, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(b.db(), sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::map<std::string, double> out;
    while (sqlite3_step(st) == SQLITE_ROW) out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
    return out;
}

std::filesystem::path generate(const std::string& name, std::uint64_t seed) {
    DemoOptions opt;
    opt.scale = DemoScale::Test;
    opt.seed = seed;
    opt.out = test::temp_dir() / name;
    opt.overwrite = true;
    generate_demo(opt);
    return opt.out;
}

}  // namespace

TEST(Demo, SameSeedSameContentInEveryTable) {
    const auto a = test::test_bundle();
    const auto b = generate("again-seed1.gpkg", 1);
    const auto c = generate("seed2.gpkg", 2);
    EXPECT_EQ(content_digest(a), content_digest(b));
    EXPECT_NE(content_digest(a), content_digest(c));
}

TEST(Demo, TestScaleHasTheAgreedShape) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    EXPECT_TRUE(b.synthetic());
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM regions WHERE level = 1"), 1);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM regions WHERE level = 2"), 1);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM regions WHERE level = 3"), 3);
    const double villages = scalar(b, "SELECT count(*) FROM regions WHERE level = 5");
    EXPECT_GE(villages, 200);
    EXPECT_LE(villages, 900);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM households"), 3000);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM regions WHERE code = '4102' AND name = '开封市'"), 1) << "real names and codes";
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM regions WHERE code = '410225' AND name = '兰考县'"), 1);
}

TEST(Demo, CodesExtendTheirParentsAndLevelsNest) {
    const auto regions = read_regions(test::test_bundle());
    std::map<std::string, const Region*> by_code;
    for (const auto& r : regions) by_code[r.code] = &r;
    for (const auto& r : regions) {
        if (r.level == Level::Province) {
            EXPECT_TRUE(r.parent_code.empty());
            continue;
        }
        ASSERT_TRUE(by_code.count(r.parent_code)) << r.code << " has no parent " << r.parent_code;
        const Region& parent = *by_code[r.parent_code];
        EXPECT_EQ(r.code.compare(0, parent.code.size(), parent.code), 0) << r.code << " does not extend " << parent.code;
        EXPECT_LT(static_cast<int>(parent.level), static_cast<int>(r.level));
        const std::size_t expected_len[] = {0, 2, 4, 6, 9, 12};
        EXPECT_EQ(r.code.size(), expected_len[static_cast<int>(r.level)]) << r.code;
    }
}

TEST(Demo, GeometryIsValidNestedAndWithoutGapsOrOverlaps) {
    const auto regions = read_regions(test::test_bundle());
    gis::GeosContext geos;
    std::map<std::string, gis::GeosGeometry> geom;
    std::map<std::string, double> area;
    std::map<std::string, std::vector<std::string>> children;
    for (const auto& r : regions) {
        auto g = geos.make(r.geometry);
        std::string why;
        EXPECT_TRUE(geos.is_valid(g, &why)) << r.code << ": " << why;
        EXPECT_GE(gis::vertex_count(r.geometry), r.level == Level::Village ? 8u : 20u) << r.code;
        area[r.code] = geos.area(g);
        geom.emplace(r.code, std::move(g));
        if (!r.parent_code.empty()) children[r.parent_code].push_back(r.code);
    }
    for (const auto& [parent, kids] : children) {
        double sum = 0;
        for (const auto& k : kids) {
            EXPECT_TRUE(geos.covers(geom.at(parent), geom.at(k))) << k << " is not inside " << parent;
            sum += area[k];
        }
        EXPECT_NEAR(sum, area[parent], 1e-9 * area[parent] + 1e-12) << "children of " << parent << " do not add up";
    }
    // No overlaps: the union of all villages has the area of their sum (and of the province).
    std::vector<gis::GeosGeometry> villages;
    double village_sum = 0;
    for (const auto& r : regions) {
        if (r.level != Level::Village) continue;
        villages.push_back(geos.make(r.geometry));
        village_sum += area[r.code];
    }
    const auto uni = geos.unary_union(std::move(villages));
    EXPECT_NEAR(geos.area(uni), village_sum, 1e-9 * village_sum);
    EXPECT_NEAR(area.at("41"), village_sum, 1e-9 * village_sum);
}

TEST(Demo, ProjectsAndSitesLieInsideTheirCounties) {
    const auto counties = read_regions(test::test_bundle(), Level::County);
    std::map<std::string, const Region*> by_code;
    for (const auto& c : counties) by_code[c.code] = &c;
    const auto projects = read_projects(test::test_bundle());
    const auto sites = read_sites(test::test_bundle());
    EXPECT_GE(projects.size(), 30u);
    EXPECT_GE(sites.size(), 1u);
    for (const auto& p : projects) {
        ASSERT_TRUE(by_code.count(p.county_code)) << p.name;
        EXPECT_TRUE(gis::contains(by_code[p.county_code]->geometry, p.location)) << p.name << " outside " << p.county_code;
        EXPECT_EQ(p.village_code.compare(0, 6, p.county_code), 0);
    }
    for (const auto& s : sites) {
        ASSERT_TRUE(by_code.count(s.county_code)) << s.name;
        EXPECT_TRUE(gis::contains(by_code[s.county_code]->geometry, s.location)) << s.name;
        EXPECT_GT(s.households, 0);
        EXPECT_LE(s.employed_households, s.households);
    }
}

TEST(Demo, VillageRingsLookDigitised) {
    std::size_t total = 0, n = 0, lo = 1u << 30, hi = 0;
    for (const auto& r : read_regions(test::test_bundle(), Level::Village)) {
        const auto v = gis::vertex_count(r.geometry);
        total += v;
        ++n;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const double mean = static_cast<double>(total) / static_cast<double>(n);
    EXPECT_GE(mean, 40) << "tens to a couple of hundred vertices per village ring";
    EXPECT_LE(mean, 250);
    EXPECT_LE(hi, 600u);
}

TEST(Demo, NeighboursShareBordersVertexForVertex) {
    // Every village vertex that lies on another village's boundary must be one of its vertices:
    // count how many villages use each vertex; shared borders mean most interior vertices are used twice.
    const auto regions = read_regions(test::test_bundle(), Level::Village);
    std::map<std::pair<double, double>, int> uses;
    for (const auto& r : regions) {
        for (const auto& poly : r.geometry) {
            for (const auto& p : poly.outer) ++uses[{p.x, p.y}];
        }
    }
    std::size_t shared = 0;
    for (const auto& [pt, n] : uses) shared += n >= 2;
    EXPECT_GT(static_cast<double>(shared) / static_cast<double>(uses.size()), 0.6);
}

TEST(Demo, IndicatorsAddUpFromHouseholdsToTheProvince) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    // Counties' tp_population and tp_households are the sums over their villages.
    for (const char* metric : {"tp_population", "tp_households", "below_line_population", "migrant_workers"}) {
        const auto county = keyed(b, fmt::format("SELECT region_code, value FROM indicators WHERE metric = '{}' AND period = '2024' "
                                                 "AND length(region_code) = 6", metric));
        const auto sums = keyed(b, fmt::format("SELECT substr(region_code, 1, 6), sum(value) FROM indicators WHERE metric = '{}' "
                                               "AND period = '2024' AND length(region_code) = 12 GROUP BY 1", metric));
        ASSERT_EQ(county.size(), 3u);
        for (const auto& [code, v] : county) EXPECT_DOUBLE_EQ(v, sums.at(code)) << metric << " " << code;
    }
    // Per-capita income of a county is the weighted mean over its households.
    const auto income = keyed(b, "SELECT region_code, value FROM indicators WHERE metric = 'tp_income_pc' AND period = '2025' AND length(region_code) = 6");
    const auto from_households = keyed(b, "SELECT substr(h.village_code, 1, 6), sum(i.wage + i.business + i.transfer + i.property) / sum(h.members) "
                                          "FROM households h JOIN household_income i USING (household_id) WHERE i.year = 2025 GROUP BY 1");
    for (const auto& [code, v] : income) EXPECT_NEAR(v, from_households.at(code), 1e-6) << code;
    // Rural income of a county is the population-weighted mean of its villages'.
    const auto rural = keyed(b, "SELECT region_code, value FROM indicators WHERE metric = 'rural_income_pc' AND period = '2025' AND length(region_code) = 6");
    const auto weighted = keyed(b, "SELECT substr(i.region_code, 1, 6), sum(i.value * r.population) / sum(r.population) FROM indicators i "
                                   "JOIN regions r ON r.code = i.region_code WHERE i.metric = 'rural_income_pc' AND i.period = '2025' "
                                   "AND r.level = 5 GROUP BY 1");
    for (const auto& [code, v] : rural) EXPECT_NEAR(v, weighted.at(code), 1e-6) << code;
    // The province equals the city equals the sum of the three counties at test scale.
    EXPECT_DOUBLE_EQ(scalar(b, "SELECT value FROM indicators WHERE metric='tp_population' AND period='2025' AND region_code='41'"),
                     scalar(b, "SELECT sum(value) FROM indicators WHERE metric='tp_population' AND period='2025' AND length(region_code)=6"));
    // Growth and gap are consistent with the levels they come from.
    const double tp24 = scalar(b, "SELECT value FROM indicators WHERE metric='tp_income_pc' AND period='2024' AND region_code='41'");
    const double tp25 = scalar(b, "SELECT value FROM indicators WHERE metric='tp_income_pc' AND period='2025' AND region_code='41'");
    EXPECT_NEAR(scalar(b, "SELECT value FROM indicators WHERE metric='tp_income_growth' AND period='2025' AND region_code='41'"),
                (tp25 / tp24 - 1) * 100, 1e-9);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM indicators WHERE metric='tp_income_growth' AND period='2022'"), 0) << "no 2021 data: no 2022 growth";
    // Monthly records of 2025 add up to the year.
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM (SELECT m.household_id, sum(m.income) s FROM household_months m GROUP BY 1) x "
                        "JOIN household_income i ON i.household_id = x.household_id AND i.year = 2025 "
                        "WHERE abs(x.s - (i.wage + i.business + i.transfer + i.property)) > 0.001"), 0);
}

TEST(Demo, StoresNoClearIdNumbers) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM households WHERE length(id_hash) <> 64"), 0);
    EXPECT_EQ(scalar(b, "SELECT count(*) FROM households WHERE head_name_masked NOT LIKE '%*%'"), 0);
    // The synthetic ID numbers of sample households appear nowhere in the file, but their keyed hash does.
    DemoOptions opt;
    opt.scale = DemoScale::Test;
    opt.seed = 1;
    opt.samples = 5;
    opt.out = test::temp_dir() / "samples.gpkg";
    opt.overwrite = true;
    const DemoReport report = generate_demo(opt);
    ASSERT_EQ(report.samples.size(), 5u);
    const std::string bytes = test::read_file(opt.out);
    const std::string key_hex = test::read_file(opt.out.string() + ".key").substr(0, 64);
    Key key;
    for (std::size_t i = 0; i < key_hex.size(); i += 2) key.push_back(static_cast<unsigned char>(std::stoi(key_hex.substr(i, 2), nullptr, 16)));
    for (const auto& s : report.samples) {
        EXPECT_TRUE(valid_id_number(s.id_number));
        EXPECT_EQ(bytes.find(s.id_number), std::string::npos) << "an ID number in clear in the bundle";
        EXPECT_EQ(scalar(b, "SELECT count(*) FROM households WHERE id_hash = '" + hmac_sha256_hex(key, s.id_number) + "'"), 1);
    }
    // The key file sits beside the bundle, readable by its owner only.
    const auto key_file = std::filesystem::path(test::test_bundle().string() + ".key");
    ASSERT_TRUE(std::filesystem::exists(key_file));
    EXPECT_EQ(std::filesystem::status(key_file).permissions() & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(Demo, RefusesToOverwriteWithoutForce) {
    DemoOptions opt;
    opt.scale = DemoScale::Test;
    opt.out = test::test_bundle();
    const std::string before = test::read_file(opt.out);
    EXPECT_THROW(generate_demo(opt), BundleError);
    EXPECT_EQ(test::read_file(opt.out), before);
}

TEST(DemoProvince, FullScaleHasHenansShapeAndVariety) {
    if (std::getenv("ONEMAP_SKIP_PROVINCE")) GTEST_SKIP() << "ONEMAP_SKIP_PROVINCE is set";
    DemoOptions opt;
    opt.scale = DemoScale::Province;
    opt.out = test::temp_dir() / "province.gpkg";
    opt.overwrite = true;
    const DemoReport r = generate_demo(opt);
    EXPECT_EQ(r.regions_per_level[1], 1);
    EXPECT_EQ(r.regions_per_level[2], 18);
    EXPECT_EQ(r.regions_per_level[3], 157) << "156 counties and the 航空港区 zone; 济源 is a city without counties";
    EXPECT_GE(r.regions_per_level[4], 2000);
    EXPECT_GE(r.regions_per_level[5], 40000);
    EXPECT_GE(r.households, 300000);
    EXPECT_GE(r.projects, 3000);
    EXPECT_GE(r.sites, 200);
    Bundle b = Bundle::open(opt.out, OpenMode::ReadOnly);
    EXPECT_GT(scalar(b, "SELECT count(*) FROM indicators WHERE metric='growth_gap' AND length(region_code)=6 AND value <= 0"), 0)
        << "some counties fail R1 in some years";
    EXPECT_GT(scalar(b, "SELECT count(*) FROM indicators WHERE metric='growth_gap' AND length(region_code)=6 AND value > 0"), 300);
    EXPECT_GT(scalar(b, "SELECT count(*) FROM indicators WHERE metric='below_line_population' AND length(region_code)=12 AND value > 0"), 0);
    EXPECT_GT(scalar(b, "SELECT count(*) FROM projects WHERE operating = 0"), 0) << "some projects idle";
    EXPECT_GT(scalar(b, "SELECT count(*) FROM households WHERE relocated = 1 AND labour > 0 AND employed_members = 0"), 0);
    EXPECT_GT(scalar(b, "SELECT count(*) FROM regions WHERE code LIKE '419001___' AND level = 4"), 0) << "济源's townships";
    const double income = scalar(b, "SELECT value FROM indicators WHERE metric='rural_income_pc' AND period='2022' AND region_code='41'");
    EXPECT_NEAR(income, 18697, 18697 * 0.08) << "rural income around the real provincial level";
    // Every geometry valid (sampled every 7th village to keep the test quick; all counties and cities).
    gis::GeosContext geos;
    std::size_t k = 0;
    for (const auto& reg : read_regions(opt.out)) {
        if (reg.level == Level::Village && (k++ % 7) != 0) continue;
        std::string why;
        EXPECT_TRUE(geos.is_valid(geos.make(reg.geometry), &why)) << reg.code << ": " << why;
    }
}
