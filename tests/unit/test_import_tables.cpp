// Table imports (indicators, households, projects, sites) and export; fixtures made here.
#include "fixtures.hpp"
#include "import_fixtures.hpp"
#include "data/bundle/region_index.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/export.hpp"
#include "data/bundle/features.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_key.hpp"
#include "data/household/household_lookup.hpp"
#include "data/household/lookup_guard.hpp"
#include "data/import/import_boundaries.hpp"
#include "data/import/import_tables.hpp"
#include "data/household/privacy.hpp"

#include <cpl_vsi.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <csignal>

#include <algorithm>

using namespace onemap;
using onemap::test::box_wkt;
using onemap::test::case_dir;
using onemap::test::write_layer;

namespace {

// A small bundle: two counties, a township and two villages, imported like any other file.
std::filesystem::path make_bundle(const std::filesystem::path& dir) {
    const auto bundle = dir / "bundle.gpkg";
    auto import = [&](const char* name, data::Level level, const std::vector<test::FeatureSpec>& features) {
        write_layer(dir / name, "GPKG", 4490, {{"XZQDM"}, {"XZQMC"}}, features);
        data::BoundaryImportOptions o;
        o.source.path = (dir / name).string();
        o.level = level;
        o.threads = 1;
        ASSERT_TRUE(data::import_boundaries(bundle, o).committed);
    };
    import("county.gpkg", data::Level::County,
           {{{"410102", "中原区"}, box_wkt(113.5, 34.7, 113.6, 34.8)}, {{"410103", "二七区"}, box_wkt(113.6, 34.7, 113.7, 34.8)}});
    import("town.gpkg", data::Level::Township, {{{"410102001", "林山寨街道"}, box_wkt(113.5, 34.7, 113.6, 34.8)}});
    import("village.gpkg", data::Level::Village,
           {{{"410102001001", "甲村"}, box_wkt(113.5, 34.7, 113.55, 34.8)}, {{"410102001002", "乙村"}, box_wkt(113.55, 34.7, 113.6, 34.8)}});
    return bundle;
}

data::ImportSummary import(const std::filesystem::path& bundle, const std::filesystem::path& src, data::TableKind kind,
                           const std::string& key = {}) {
    data::TableImportOptions o;
    o.kind = kind;
    o.source.path = src.string();
    o.key_file = key;
    o.second_factor_iterations = 10;
    o.threads = 1;
    return data::import_table(bundle, o);
}

std::map<std::string, double> indicators(const std::filesystem::path& bundle) {
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), "SELECT region_code || '/' || period || '/' || metric, value FROM indicators", -1, &st, nullptr);
    std::map<std::string, double> out;
    while (sqlite3_step(st) == SQLITE_ROW) out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
    return out;
}

std::int64_t count(const data::ImportSummary& s, const std::string& key) {
    auto it = s.by_reason.find(key);
    return it == s.by_reason.end() ? 0 : it->second;
}

// A valid 18-character ID number (GB 11643 check digit) for a test person.
std::string id_number(int n) {
    const std::string first17 = "41010219800101" + std::to_string(100 + n);
    return first17 + data::id_check_character(first17);
}

}  // namespace

TEST(ImportTables, Case09XlsxWithChineseHeaders) {
    const auto dir = case_dir("09_xlsx_chinese_headers");
    const auto bundle = make_bundle(dir);
    write_layer(dir / "indicators.xlsx", "XLSX", 0, {{"区划代码"}, {"2024年脱贫人口人均纯收入", OFTReal}, {"2024年脱贫户数", OFTInteger}, {"备注"}},
                {{{"410102", "16520.5", "1200", "好"}, ""}, {{"410103", "17000", "", ""}, ""}, {{"410199", "1", "1", ""}, ""}}, {}, wkbNone);
    const auto s = import(bundle, dir / "indicators.xlsx", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    const auto rows = indicators(bundle);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/tp_income_pc"), 16520.5);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/tp_households"), 1200);
    EXPECT_DOUBLE_EQ(rows.at("410103/2024/tp_income_pc"), 17000);
    EXPECT_FALSE(rows.contains("410103/2024/tp_households"));  // empty cell: missing, never 0
    EXPECT_EQ(count(s, "rejected: region code not in the bundle"), 2);  // both cells of 410199
    const auto it = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.outcome == data::Outcome::Rejected; });
    EXPECT_EQ(it->item, "row 4");  // as the spreadsheet numbers it (header = row 1)
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    EXPECT_NE(b.meta("layers_real")->find("indicators"), std::string::npos);
}

TEST(ImportTables, Case10CsvNumberFormatsLongAndWideGbk) {
    const auto dir = case_dir("10_csv_number_formats");
    const auto bundle = make_bundle(dir);
    // Long, UTF-8 with BOM, Chinese metric names.
    test::write_text(dir / "long.csv",
                     "\xEF\xBB\xBF" "代码,年份,指标,数值\n"
                     "410102,2024,脱贫人口人均纯收入,\"1,234\"\n"
                     "410102,2024,人均工资性收入,1 234.5\n"
                     "410102,2024,衔接资金用于产业比例,12.5%\n"
                     "410102,2024,脱贫户数,１２３４\n"
                     "410103,2024,脱贫人口人均纯收入,—\n"
                     "410103,2024,人均工资性收入,/\n"
                     "410103,2024,人均转移性收入,\n"
                     "410103,2024年,脱贫人口数,-5\n"
                     "410103,2024-13,脱贫人口数,5\n");
    auto s = import(bundle, dir / "long.csv", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    auto rows = indicators(bundle);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/tp_income_pc"), 1234);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/wage_income_pc"), 1234.5);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/industry_fund_share"), 12.5);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/tp_households"), 1234);
    EXPECT_EQ(rows.size(), 4u);  // the three missing values wrote nothing
    EXPECT_EQ(count(s, "rejected: value implausible for its metric"), 1) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: period invalid"), 1);

    // Wide, GBK (no BOM, as Excel saves "CSV" on a Chinese Windows), period from a column.
    test::write_text(dir / "wide.csv", test::to_gbk("区划代码,年度,农村居民人均可支配收入,脱贫人口人均纯收入增速\n"
                                                    "410102000000,2025,\"20 100\",8.5%\n"
                                                    "410103,2025,--,7\n"));
    s = import(bundle, dir / "wide.csv", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_TRUE(std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) { return n.find("GB18030") != std::string::npos; }));
    rows = indicators(bundle);
    EXPECT_DOUBLE_EQ(rows.at("410102/2025/rural_income_pc"), 20100);
    EXPECT_DOUBLE_EQ(rows.at("410102/2025/tp_income_growth"), 8.5);
    EXPECT_DOUBLE_EQ(rows.at("410103/2025/tp_income_growth"), 7);
    EXPECT_FALSE(rows.contains("410103/2025/rural_income_pc"));
}

// Issue 23 case 8: a wide table's row with two bad values is one rejected row; the report keeps both.
TEST(ImportTables, RejectedCountsRowsOfAWideTableNotCells) {
    const auto dir = case_dir("10a_rejected_rows");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "wide.csv", "区划代码,年度,农村居民人均可支配收入,脱贫人口人均纯收入增速\n"
                                       "410102,2025,-5,-300\n"   // both values implausible: one row
                                       "410103,2025,abc,7\n"     // one value
                                       "410102001,2025,18000,6\n");
    const data::ImportSummary s = import(bundle, dir / "wide.csv", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.rejected, 2) << data::to_text(s);
    EXPECT_EQ(s.rejected_values, 3) << data::to_text(s);
    EXPECT_NE(data::to_text(s).find("rejected 2 (3 values)"), std::string::npos) << data::to_text(s);
    EXPECT_EQ(std::count_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.outcome == data::Outcome::Rejected; }), 3);
}

TEST(ImportTables, ColumnsMappedToMetricsFromAGeoPackageLayer) {
    const auto dir = case_dir("10b_columns_mapped");
    const auto bundle = make_bundle(dir);
    // A polygon layer whose attribute columns carry no metric names (as GIS tools write them), one of
    // them beside a column that is named by its metric.
    write_layer(dir / "villages.gpkg", "GPKG", 4326,
                {{"code"}, {"name"}, {"income", OFTReal}, {"growth", OFTReal}, {"tp_households", OFTInteger}},
                {{{"410102001001", "甲村", "9123.4", "-2.5", "40"}, box_wkt(113.5, 34.7, 113.55, 34.8)},
                 {{"410102001002", "乙村", "", "4.25", "12"}, box_wkt(113.55, 34.7, 113.6, 34.8)},
                 {{"410102001099", "丙村", "8000", "1", "3"}, box_wkt(113.55, 34.7, 113.6, 34.8)},
                 {{"410102001001", "甲村", "-5", "", ""}, box_wkt(113.5, 34.7, 113.55, 34.8)}});
    data::TableImportOptions o;
    o.kind = data::TableKind::Indicators;
    o.source.path = (dir / "villages.gpkg").string();
    o.period = "2024";
    o.threads = 1;
    o.columns = {{"INCOME", "脱贫人口人均纯收入"}, {"growth", "2023年tp_income_growth"}};  // column names case-insensitive; a year in the metric wins
    const auto s = data::import_table(bundle, o);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    const auto rows = indicators(bundle);
    EXPECT_DOUBLE_EQ(rows.at("410102001001/2024/tp_income_pc"), 9123.4);
    EXPECT_DOUBLE_EQ(rows.at("410102001001/2023/tp_income_growth"), -2.5);
    EXPECT_DOUBLE_EQ(rows.at("410102001002/2023/tp_income_growth"), 4.25);
    EXPECT_FALSE(rows.contains("410102001002/2024/tp_income_pc"));    // NULL: missing, never 0
    EXPECT_DOUBLE_EQ(rows.at("410102001001/2024/tp_households"), 40);  // recognised beside the mapped columns
    EXPECT_EQ(count(s, "rejected: region code not in the bundle"), 3) << data::to_text(s);  // 410102001099, each of its cells
    EXPECT_EQ(count(s, "rejected: value implausible for its metric"), 1) << data::to_text(s);  // income -5
    EXPECT_TRUE(std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) { return n.find("income→tp_income_pc@2024") != std::string::npos; }))
        << data::to_text(s);

    // Bad mappings are refused whole, naming the option, and change nothing.
    const std::string before = test::read_bytes(bundle);
    auto refused = [&](std::vector<std::pair<std::string, std::string>> columns, const std::string& words) {
        o.columns = std::move(columns);
        try {
            data::import_table(bundle, o);
            ADD_FAILURE() << "accepted: " << words;
        } catch (const data::ImportError& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    refused({{"revenue", "tp_income_pc"}}, "--column revenue=tp_income_pc: no column 'revenue'");
    refused({{"income", "income"}}, "'income' is not a metric key or Chinese name");
    refused({{"income", "tp_income_pc"}, {"Income", "wage_income_pc"}}, "column 'income' is mapped twice");
    EXPECT_EQ(test::read_bytes(bundle), before);
}

TEST(ImportTables, ACodeTheBundleHoldsAsTypedIsThatRegion) {
    // 410100 is the padded form of the city 4101 (GB/T 2260), but a data set may number a county so
    // (the peer renderers' synthetic province does): imported by level, the bundle holds the county.
    const auto dir = case_dir("10c_code_as_held");
    const auto bundle = dir / "bundle.gpkg";
    write_layer(dir / "county.gpkg", "GPKG", 4490, {{"XZQDM"}, {"XZQMC"}},
                {{{"410100", "甲县"}, box_wkt(113.5, 34.7, 113.6, 34.8)}, {{"410102", "中原区"}, box_wkt(113.6, 34.7, 113.7, 34.8)}});
    data::BoundaryImportOptions b;
    b.source.path = (dir / "county.gpkg").string();
    b.level = data::Level::County;
    b.threads = 1;
    ASSERT_TRUE(data::import_boundaries(bundle, b).committed);
    test::write_text(dir / "indicators.csv", "code,year,tp_income_pc\n410100,2024,9000\n4101,2024,8000\n410102000000,2024,7000\n");
    auto s = import(bundle, dir / "indicators.csv", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    const auto rows = indicators(bundle);
    EXPECT_DOUBLE_EQ(rows.at("410100/2024/tp_income_pc"), 9000);
    EXPECT_DOUBLE_EQ(rows.at("410102/2024/tp_income_pc"), 7000);  // padding still stripped
    EXPECT_EQ(count(s, "rejected: region code not in the bundle"), 1) << data::to_text(s);  // the city 4101: not there
    test::write_text(dir / "projects.csv", "name,county_code,lon,lat\n甲项目,410100,113.55,34.75\n乙项目,4101,113.55,34.75\n");
    s = import(bundle, dir / "projects.csv", data::TableKind::Projects);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: county code not in the bundle"), 1) << data::to_text(s);
    const auto projects = data::read_projects(bundle);
    ASSERT_EQ(projects.size(), 1u);
    EXPECT_EQ(projects[0].county_code, "410100");
}

TEST(ImportTables, HouseholdsAreHashedMaskedAndNeverLogged) {
    const auto dir = case_dir("12_households");
    const auto bundle = make_bundle(dir);
    const auto key_file = dir / "household.key";
    const data::Key key = data::generate_key();
    data::save_key_file(key_file, key);
    EXPECT_THROW(data::save_key_file(key_file, key), data::ImportError);  // never overwritten
    EXPECT_EQ(data::load_key_file(key_file), key);
    std::string bad_id = id_number(2);
    bad_id.back() = bad_id.back() == '0' ? '1' : '0';
    test::write_text(dir / "households.csv",
                     "户主姓名,身份证号,村代码,家庭人口数,劳动力人数,户类型,联系电话\n"
                     "张三丰," + id_number(1) + ",410102001001,4,2,一般脱贫户,13800001234\n"
                     "李四," + bad_id + ",410102001001,3,1,一般脱贫户,13800005678\n"
                     "王五," + id_number(3) + ",410102001099,3,1,一般脱贫户,13800005678\n"
                     "赵六," + id_number(4) + ",410102001002,2,3,脱贫不稳定户,13800005678\n"
                     "欧阳娜娜," + id_number(5) + ",410102001002,5,2,边缘易致贫户,13900009999\n"
                     "钱七,4.10102198001E+17,410102001002,5,2,边缘易致贫户,13900009999\n");
    const auto s = import(bundle, dir / "households.csv", data::TableKind::Households, key_file.string());
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 2);
    EXPECT_EQ(count(s, "rejected: ID number invalid"), 1);
    EXPECT_EQ(count(s, "rejected: village code not in the bundle"), 1);
    EXPECT_EQ(count(s, "rejected: labour implausible"), 1);
    EXPECT_EQ(count(s, "rejected: ID number stored as a number"), 1);
    data::write_report_csv(s, dir / "report.csv");
    const std::string report = test::read_bytes(dir / "report.csv") + data::to_text(s);
    const std::string bytes = test::read_bytes(bundle);
    for (int i = 1; i <= 5; ++i) {
        EXPECT_EQ(bytes.find(id_number(i)), std::string::npos) << "clear ID number in the bundle";
        EXPECT_EQ(report.find(id_number(i)), std::string::npos) << "ID number in the report";
    }
    EXPECT_EQ(report.find(bad_id), std::string::npos);
    for (const char* name : {"张三丰", "李四", "王五", "赵六", "欧阳娜娜", "钱七"}) {
        EXPECT_EQ(bytes.find(name), std::string::npos) << name;
        EXPECT_EQ(report.find(name), std::string::npos) << name;
    }
    EXPECT_EQ(report.find("13800001234"), std::string::npos);
    data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), "SELECT head_name_masked, village_code FROM households WHERE id_hash = ?", -1, &st, nullptr);
    const std::string hash = data::hmac_sha256_hex(key, id_number(1));
    sqlite3_bind_text(st, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "张*丰");
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), "410102001001");
    sqlite3_finalize(st);
    EXPECT_EQ(b.meta("household_key_fingerprint"), data::key_fingerprint(key));
    // The import stores the card's characters for the kiosk's font atlas: the masked names' and the
    // types', never a whole name.
    EXPECT_TRUE(data::household_card_glyphs_stored(b));
    const std::string glyphs = data::household_card_glyphs(b);
    EXPECT_EQ(glyphs, data::scan_household_card_glyphs(b));
    for (const char* c : {"张", "丰", "欧", "娜", "一", "边"}) EXPECT_NE(glyphs.find(c), std::string::npos) << c;
    EXPECT_EQ(glyphs.find("赵"), std::string::npos) << "a rejected row adds nothing";
    EXPECT_EQ(glyphs.find("张*丰"), std::string::npos);

    // Another key is refused: the households already there would become unfindable.
    const auto other = dir / "other.key";
    data::save_key_file(other, data::generate_key());
    EXPECT_THROW(import(bundle, dir / "households.csv", data::TableKind::Households, other.string()), data::ImportError);

    // Issue 23 case 11: one PBKDF2 count per bundle. Its households use 10 rounds (as a demo's use
    // 32): an import asking for more is refused, not weakened to 10; the bundle stays as it was.
    data::TableImportOptions stronger;
    stronger.kind = data::TableKind::Households;
    stronger.source.path = (dir / "households.csv").string();
    stronger.key_file = key_file.string();
    stronger.second_factor_iterations = 20000;
    stronger.threads = 1;
    const std::string before = test::read_bytes(bundle);
    try {
        data::import_table(bundle, stronger);
        ADD_FAILURE() << "an import into a bundle of weaker hashes went ahead";
    } catch (const data::ImportError& e) {
        EXPECT_NE(std::string(e.what()).find("10 PBKDF2 rounds (a demo bundle's), fewer than the 20000"), std::string::npos) << e.what();
    }
    EXPECT_EQ(test::read_bytes(bundle), before);
}

TEST(ImportTables, HouseholdsWithAPinAndAContactPersonAreFoundByTheKioskLookUp) {
    const auto dir = case_dir("12b_households_pin");
    const auto bundle = make_bundle(dir);
    const auto key_file = dir / "household.key";
    data::save_key_file(key_file, data::generate_key());
    test::write_text(dir / "households.csv",
                     "户主姓名,身份证号,村代码,家庭人口数,联系电话,查询密码,帮扶责任人,帮扶责任人电话\n"
                     "张三丰," + id_number(1) + ",410102001001,4,13800001234,,刘干部,0371-1234567\n"
                     "李四," + id_number(2) + ",410102001001,3,,80417,刘干部,0371-1234567\n"
                     "王五," + id_number(3) + ",410102001002,3,,12,,\n");
    const auto s = import(bundle, dir / "households.csv", data::TableKind::Households, key_file.string());
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 2);
    EXPECT_EQ(count(s, "rejected: PIN invalid"), 1);
    const std::string bytes = test::read_bytes(bundle);
    EXPECT_EQ(bytes.find("80417"), std::string::npos) << "the PIN itself is never stored";

    auto guard = data::LookupGuard::open(dir / "guard.db");
    const data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    data::HouseholdLookup lookup(b, data::load_key_file(key_file), guard);
    ASSERT_TRUE(lookup.available()) << lookup.unavailable_reason();
    EXPECT_EQ(lookup.factor_kind(), "mixed") << "one household by phone, one by PIN";
    const auto by_pin = lookup.look_up(id_number(2), "80417");
    ASSERT_EQ(by_pin.outcome, data::LookupOutcome::Found);
    EXPECT_EQ(by_pin.card->head_masked, "李*");
    EXPECT_EQ(by_pin.card->contact_name, "刘干部");
    EXPECT_EQ(by_pin.card->contact_phone, "0371-1234567");
    EXPECT_EQ(lookup.look_up(id_number(2), "5678").outcome, data::LookupOutcome::WrongFactor) << "not the phone when a PIN was issued";
    EXPECT_EQ(lookup.look_up(id_number(1), "1234").outcome, data::LookupOutcome::Found) << "the phone's last four";
}

TEST(ImportTables, ProjectsFromLonLatAndSitesFromAPointLayerThenExport) {
    const auto dir = case_dir("13_projects_sites_export");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "projects.csv",
                     "项目名称,县代码,村代码,产业类别,四个一批,带动户数,总投资,经度,纬度\n"
                     "食用菌大棚,410102,410102001001,种植,巩固提升,35,\"1,200\",113.52,34.75\n"
                     "光伏电站,,410102001002,光伏,盘活闲置,10,300,113.57,34.72\n"
                     "坏坐标,410102,,加工,巩固提升,1,1,34.75,113.52\n"
                     "未知县,410199,,加工,巩固提升,1,1,113.52,34.75\n");
    auto s = import(bundle, dir / "projects.csv", data::TableKind::Projects);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 2);
    EXPECT_EQ(count(s, "rejected: location outside China"), 1);
    EXPECT_EQ(count(s, "rejected: county code not in the bundle"), 1);
    const auto projects = data::read_projects(bundle);
    ASSERT_EQ(projects.size(), 2u);
    EXPECT_EQ(projects[1].county_code, "410102");  // derived from the village
    EXPECT_DOUBLE_EQ(projects[0].investment, 1200);

    write_layer(dir / "sites.gpkg", "GPKG", 4490, {{"安置点名称"}, {"county_code"}, {"安置户数", OFTInteger}},
                {{{"幸福社区", "410103", "120"}, "POINT(113.65 34.75)"}, {{"无坐标", "410103", "3"}, ""}}, {}, wkbPoint);
    s = import(bundle, dir / "sites.gpkg", data::TableKind::Sites);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(count(s, "rejected: not a point"), 1);
    const auto sites = data::read_sites(bundle);
    ASSERT_EQ(sites.size(), 1u);
    EXPECT_EQ(sites[0].households, 120);
    EXPECT_NEAR(sites[0].location.x, 113.65, 1e-9);

    // Export, and read the exports back.
    for (const auto& [format, out] : std::vector<std::pair<data::ExportFormat, std::string>>{
             {data::ExportFormat::GeoPackage, "out.gpkg"}, {data::ExportFormat::Shapefile, "shp"}, {data::ExportFormat::GeoJSON, "json"},
             {data::ExportFormat::Csv, "csv"}}) {
        const auto files = data::export_bundle({bundle, dir / out, format, {}});
        EXPECT_FALSE(files.empty());
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "shp" / "regions.cpg"));
    EXPECT_EQ(data::read_regions(dir / "out.gpkg").size(), 5u);  // same layout as a bundle
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpenEx((dir / "shp" / "regions.shp").string().c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(ds->GetLayer(0)->GetFeatureCount(), 5);
    bool found = false;
    for (auto& f : *ds->GetLayer(0)) found = found || std::string(f->GetFieldAsString("name")) == "林山寨街道";
    EXPECT_TRUE(found) << "UTF-8 names survive the Shapefile (.cpg)";
    GDALClose(ds);
    EXPECT_NE(test::read_bytes(dir / "csv" / "regions.csv").find("MULTIPOLYGON"), std::string::npos);
    EXPECT_THROW(data::export_bundle({bundle, dir / "hh", data::ExportFormat::Csv, {"households"}}), data::ImportError);
}

TEST(ImportTables, Case11KilledIndicatorImportLeavesTheBundleByteForByte) {
    const auto dir = case_dir("11_killed_table_import");
    const auto bundle = make_bundle(dir);
    std::string csv = "code,period,metric,value\n";
    for (int y = 2001; y <= 2040; ++y) csv += "410102," + std::to_string(y) + ",tp_income_pc,1000\n";
    test::write_text(dir / "long.csv", csv);
    const std::string before = test::read_bytes(bundle);
    const std::string cmd = std::string("ONEMAP_TEST_KILL_AT=indicators-midway ") + ONEMAP_BINARY + " import indicators " + (dir / "long.csv").string() +
                            " --bundle " + bundle.string() + " >/dev/null 2>&1";
    const int status = std::system(cmd.c_str());
    EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) || (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL)) << status;
    EXPECT_EQ(test::read_bytes(bundle), before);
    EXPECT_TRUE(indicators(bundle).empty());
    const std::string ok = std::string(ONEMAP_BINARY) + " import indicators " + (dir / "long.csv").string() + " --bundle " + bundle.string() + " >/dev/null";
    EXPECT_EQ(std::system(ok.c_str()), 0);
    EXPECT_EQ(indicators(bundle).size(), 40u);
}

// Issue 23, case 7: what `onemap export --format csv` writes, `onemap import` reads back — an
// official exports, corrects a spreadsheet and imports it again.
TEST(ImportTables, ExportedCsvImportsBackTheSame) {
    const auto dir = case_dir("23_round_trip");
    const auto original = dir / "original.gpkg";
    std::filesystem::copy_file(test::test_bundle(), original);
    auto r = test::run_onemap("export --bundle " + original.string() + " --format csv --out " + (dir / "csv").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto again = dir / "again.gpkg";
    std::filesystem::copy_file(test::test_bundle(), again);
    for (const char* table : {"projects", "sites", "indicators"}) {
        r = test::run_onemap(std::string("import ") + table + " " + (dir / "csv" / (std::string(table) + ".csv")).string() + " --bundle " +
                             again.string());
        EXPECT_EQ(r.exit_code, 0) << table << ": " << r.err << r.out;
    }
    const auto p0 = data::read_projects(original), p1 = data::read_projects(again);
    ASSERT_EQ(p1.size(), p0.size());
    ASSERT_FALSE(p0.empty());
    for (std::size_t i = 0; i < p0.size(); ++i) {
        EXPECT_EQ(p1[i].name, p0[i].name);
        EXPECT_EQ(p1[i].county_code, p0[i].county_code);
        EXPECT_NEAR(p1[i].location.x, p0[i].location.x, 1e-6);
        EXPECT_NEAR(p1[i].location.y, p0[i].location.y, 1e-6);
    }
    const auto s0 = data::read_sites(original), s1 = data::read_sites(again);
    ASSERT_EQ(s1.size(), s0.size());
    for (std::size_t i = 0; i < s0.size(); ++i) {
        EXPECT_EQ(s1[i].name, s0[i].name);
        EXPECT_NEAR(s1[i].location.x, s0[i].location.x, 1e-6);
    }
    // Regions: one CSV of every level, its CRS in regions.prj (no --s-srs); a level at a time, the
    // other levels' rows skipped, not rejected.
    EXPECT_TRUE(std::filesystem::exists(dir / "csv" / "regions.prj"));
    for (const char* level : {"county", "township", "village"}) {
        r = test::run_onemap(std::string("import boundaries ") + (dir / "csv" / "regions.csv").string() + " --level " + level + " --bundle " +
                             again.string());
        EXPECT_EQ(r.exit_code, 0) << level << ": " << r.err << r.out;
        EXPECT_NE((r.out + r.err).find("rejected 0"), std::string::npos) << level << ": " << r.out << r.err;
        EXPECT_NE((r.out + r.err).find("skipped: another level"), std::string::npos) << level << ": " << r.out << r.err;
    }
    for (const data::Level level : {data::Level::County, data::Level::Township, data::Level::Village}) {
        const auto g0 = data::read_regions(original, level), g1 = data::read_regions(again, level);
        ASSERT_EQ(g1.size(), g0.size());
        for (std::size_t i = 0; i < g0.size(); ++i) {
            EXPECT_EQ(g1[i].code, g0[i].code);
            EXPECT_EQ(g1[i].name, g0[i].name);
            EXPECT_EQ(g1[i].parent_code, g0[i].parent_code);
        }
    }
}

// Issue 23, case 5: a UTF-8 file with one stray row used to be read whole as GB18030 (王五 → 鐜嬩簲).
TEST(ImportTables, AUtf8FileWithAStrayRowIsRefusedWithTheLine) {
    const auto dir = case_dir("23_mixed_encoding");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "projects.csv", "项目名称,县代码,经度,纬度\n食用菌大棚,410102,113.52,34.75\n" + test::to_gbk("光伏电站") +
                                               ",410102,113.57,34.72\n养牛场,410102,113.55,34.73\n");
    try {
        import(bundle, dir / "projects.csv", data::TableKind::Projects);
        FAIL() << "a mixed file was imported";
    } catch (const std::exception& e) {
        const std::string why = e.what();
        EXPECT_NE(why.find("mixed text encodings"), std::string::npos) << why;
        EXPECT_NE(why.find("line 3"), std::string::npos) << "the row to fix: " << why;
    }
    EXPECT_TRUE(data::read_projects(bundle).empty()) << "nothing imported";
    // all GBK is still GBK
    test::write_text(dir / "gbk.csv", test::to_gbk("项目名称,县代码,经度,纬度\n食用菌大棚,410102,113.52,34.75\n光伏电站,410102,113.57,34.72\n"));
    const auto s = import(bundle, dir / "gbk.csv", data::TableKind::Projects);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(data::read_projects(bundle).at(1).name, "光伏电站");
}

// Issue 23, case 8: the smaller ways wrong data landed quietly.
TEST(ImportTables, ADuplicatedValueIsReportedAndTheLaterKept) {
    const auto dir = case_dir("23_duplicate");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "indicators.csv", "code,year,metric,value\n410102,2024,tp_income_pc,9000\n410102,2024,tp_income_pc,9500\n");
    const auto s = import(bundle, dir / "indicators.csv", data::TableKind::Indicators);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 1);
    EXPECT_EQ(count(s, "warning: duplicate value: the later row is kept"), 1) << data::to_text(s);
    const data::Bundle b = data::Bundle::open(bundle, data::OpenMode::ReadOnly);
    EXPECT_EQ(data::Indicators(b).value("410102", "tp_income_pc", "2024").value_or(0), 9500);
}

TEST(ImportTables, ANulByteInACsvIsRefusedWithTheLine) {
    const auto dir = case_dir("23_nul");
    const auto bundle = make_bundle(dir);
    const char raw[] = "项目名称,县代码,经度,纬度\n食用菌大棚,410102,113.52,34.75\n光伏\0电站,410102,113.57,34.72\n";
    test::write_text(dir / "projects.csv", std::string(raw, sizeof raw - 1));
    try {
        import(bundle, dir / "projects.csv", data::TableKind::Projects);
        FAIL() << "imported";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("line 3 holds a NUL byte"), std::string::npos) << e.what();
    }
}

TEST(ImportTables, AnImportIntoADamagedBundleIsRefused) {
    const auto dir = case_dir("23_damaged_target");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "projects.csv", "项目名称,县代码,经度,纬度\n食用菌大棚,410102,113.52,34.75\n");
    {  // damage the middle third, keeping the length (the header stays, so it opens)
        const auto size = std::filesystem::file_size(bundle);
        std::fstream f(bundle, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 3));
        const std::string junk(size / 3, '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    const std::string before = test::read_bytes(bundle);
    try {
        import(bundle, dir / "projects.csv", data::TableKind::Projects);
        FAIL() << "imported into a damaged bundle";
    } catch (const data::BundleError& e) {
        EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
    }
    EXPECT_EQ(test::read_bytes(bundle), before);
}

TEST(ImportTables, AnUnknownEncodingIsRefusedBeforeAnyRow) {
    const auto dir = case_dir("23_encoding_nope");
    const auto bundle = make_bundle(dir);
    test::write_text(dir / "indicators.csv", "code,year,metric,value\n410102,2024,tp_income_pc,9000\n");
    const std::string before = test::read_bytes(bundle);
    const auto r = test::run_onemap("import indicators " + (dir / "indicators.csv").string() + " --bundle " + bundle.string() + " --encoding NOPE");
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--encoding NOPE: not an encoding"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_bytes(bundle), before);
    const auto missing_key = test::run_onemap("import households " + (dir / "indicators.csv").string() + " --bundle " + bundle.string());
    EXPECT_EQ(missing_key.exit_code, 106) << "CLI11's code for a missing required option (docs/import.md)";
    EXPECT_NE(missing_key.err.find("--key is required"), std::string::npos) << missing_key.err;
}

// Issue 23, case 6: a sheet whose cells are all text (as the docs recommend for ID columns) was
// refused ("headers: Field1…"): GDAL took it for a sheet without a header. The header row is found:
// the first full row of text among the first rows.
TEST(ImportTables, AnAllTextSheetFindsItsHeader) {
    const auto dir = case_dir("23_xlsx_text");
    const auto bundle = make_bundle(dir);
    write_layer(dir / "projects.xlsx", "XLSX", 0, {{"项目名称"}, {"县代码"}, {"经度"}, {"纬度"}},
                {{{"食用菌大棚", "410102", "113.52", "34.75"}, ""}, {{"光伏电站", "410199", "113.57", "34.72"}, ""}}, {}, wkbNone);
    const auto s = import(bundle, dir / "projects.xlsx", data::TableKind::Projects);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 1);
    const auto projects = data::read_projects(bundle);
    ASSERT_EQ(projects.size(), 1u);
    EXPECT_EQ(projects[0].name, "食用菌大棚");
    const auto it = std::find_if(s.items.begin(), s.items.end(), [](const data::ReportItem& i) { return i.outcome == data::Outcome::Rejected; });
    ASSERT_NE(it, s.items.end());
    EXPECT_EQ(it->item, "row 3") << "as the spreadsheet numbers it (header = row 1)";
}

// A sheet as offices make them: a title row (merged across the table in Excel) above the header.
// GDAL writes no such sheet, so the .xlsx is put together here, part by part, through /vsizip/.
TEST(ImportTables, ASheetWithATitleRowAboveItsHeaderImports) {
    const auto dir = case_dir("23_xlsx_title");
    const auto bundle = make_bundle(dir);
    const std::string xlsx = (dir / "projects.xlsx").string();
    std::filesystem::remove(xlsx);
    auto cell = [](const char* ref, const std::string& text) {
        return fmt::format(R"(<c r="{}" t="inlineStr"><is><t>{}</t></is></c>)", ref, text);
    };
    const std::string rows =
        "<row r=\"1\">" + cell("A1", "2025年中原区产业帮扶项目台账") + "</row>"
        "<row r=\"2\">" + cell("A2", "项目名称") + cell("B2", "县代码") + cell("C2", "经度") + cell("D2", "纬度") + "</row>"
        "<row r=\"3\">" + cell("A3", "食用菌大棚") + cell("B3", "410102") + cell("C3", "113.52") + cell("D3", "34.75") + "</row>"
        "<row r=\"4\">" + cell("A4", "光伏电站") + cell("B4", "410103") + cell("C4", "113.65") + cell("D4", "34.72") + "</row>";
    const std::vector<std::pair<std::string, std::string>> parts = {
        {"[Content_Types].xml",
         R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
         R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
         R"(<Default Extension="xml" ContentType="application/xml"/>)"
         R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>)"
         R"(<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)"},
        {"_rels/.rels",
         R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
         R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)"},
        {"xl/workbook.xml",
         R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
         R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
        {"xl/_rels/workbook.xml.rels",
         R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
         R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)"},
        {"xl/worksheets/sheet1.xml",
         R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" + rows +
             "</sheetData></worksheet>"},
    };
    for (const auto& [name, text] : parts) {
        VSILFILE* f = VSIFOpenL(("/vsizip/" + xlsx + "/" + name).c_str(), "wb");
        ASSERT_NE(f, nullptr) << name;
        ASSERT_EQ(VSIFWriteL(text.data(), 1, text.size(), f), text.size());
        VSIFCloseL(f);
    }
    const auto s = import(bundle, xlsx, data::TableKind::Projects);
    ASSERT_TRUE(s.committed) << data::to_text(s);
    EXPECT_EQ(s.imported, 2) << data::to_text(s);
    EXPECT_EQ(s.rejected, 0) << data::to_text(s);
    const auto projects = data::read_projects(bundle);
    ASSERT_EQ(projects.size(), 2u);
    EXPECT_EQ(projects[0].name, "食用菌大棚");
    EXPECT_EQ(projects[1].county_code, "410103");
}
