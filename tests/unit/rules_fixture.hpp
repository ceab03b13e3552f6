#pragma once
// A tiny hand-built bundle for the rules and monitoring tests, made through the real code path
// (write_features + Bundle::initialise), then filled row by row.
//
//   41 province ─ 4101 city ─┬─ 410101 county A ─ 410101001 township ─┬─ 410101001001 village A1
//                            │                                        └─ 410101001002 village A2
//                            └─ 410102 county B ─ 410102001 township ─┬─ 410102001001 village B1
//                                                                     └─ 410102001002 village B2
#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"

#include <sqlite3.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace onemap::test {

inline constexpr const char* k_a1 = "410101001001";
inline constexpr const char* k_a2 = "410101001002";
inline constexpr const char* k_b1 = "410102001001";
inline constexpr const char* k_b2 = "410102001002";

class TinyBundle {
public:
    explicit TinyBundle(const std::string& name, std::vector<data::Project> projects = {}) {
        m_path = std::filesystem::temp_directory_path() / fmt::format("onemap-test-{}-{}.gpkg", name, ::getpid());
        std::filesystem::remove(m_path);
        std::vector<data::Region> regions;
        auto add = [&](std::string code, std::string parent, data::Level level, std::string name, double x) {
            data::Region r;
            r.code = std::move(code);
            r.parent_code = std::move(parent);
            r.level = level;
            r.name = std::move(name);
            r.geometry = {gis::Polygon{{{x, 34}, {x + 0.1, 34}, {x + 0.1, 34.1}, {x, 34.1}}, {}}};
            regions.push_back(std::move(r));
        };
        add("41", "", data::Level::Province, "河南省", 113);
        add("4101", "41", data::Level::City, "郑州市", 113);
        add("410101", "4101", data::Level::County, "甲县", 113);
        add("410102", "4101", data::Level::County, "乙县", 113.2);
        add("410101001", "410101", data::Level::Township, "甲镇", 113);
        add("410102001", "410102", data::Level::Township, "乙镇", 113.2);
        add(k_a1, "410101001", data::Level::Village, "甲一村", 113);
        add(k_a2, "410101001", data::Level::Village, "甲二村", 113.1);
        add(k_b1, "410102001", data::Level::Village, "乙一村", 113.2);
        add(k_b2, "410102001", data::Level::Village, "乙二村", 113.3);
        data::write_features(m_path, regions, projects, {});
        { data::Bundle::initialise(m_path); }
        // the test's own file, written between the commands it runs: no writer lock held across them
        m_bundle = std::make_unique<data::Bundle>(data::Bundle::open(m_path, data::OpenMode::WorkCopy));
        exec("PRAGMA synchronous = OFF");  // test speed: hundreds of one-row inserts
        for (const auto& m : data::metric_catalogue()) {
            exec(fmt::format("INSERT INTO metrics VALUES ('{}', '{}', '{}', '{}', '{}', {})", m.key, m.name_zh, m.name_en, m.unit,
                             data::direction_key(m.direction), m.diverging ? 1 : 0));
        }
    }
    ~TinyBundle() {
        m_bundle.reset();
        std::filesystem::remove(m_path);
    }
    data::Bundle& b() { return *m_bundle; }
    const std::filesystem::path& path() const { return m_path; }
    void exec(const std::string& sql) { m_bundle->exec(sql); }

    void household(int id, const char* village, int members, int labour, bool fully_supported = false, bool relocated = false,
                   const char* name = nullptr) {
        exec(fmt::format("INSERT INTO households(household_id, id_hash, village_code, head_name_masked, members, labour, household_type, "
                         "fully_supported, relocated, employed_members, second_factor_salt, second_factor_hash) "
                         "VALUES ({0}, 'hash{0}', '{1}', '{2}', {3}, {4}, '一般脱贫户', {5}, {6}, 0, 's', 'h')",
                         id, village, name ? name : fmt::format("张*{}", id), members, labour, fully_supported, relocated));
    }
    // Annual income, all of it wages (simple to reason about).
    void income(int id, int year, double total, int employed = 1) {
        exec(fmt::format("INSERT INTO household_income VALUES ({}, {}, {}, 0, 0, 0, {})", id, year, total, employed));
    }
    void month(int id, const std::string& month, double income, double expense = 0, int out = 0) {
        exec(fmt::format("INSERT INTO household_months VALUES ({}, '{}', {}, {}, {})", id, month, income, expense, out));
    }
    void months(int id, int year, double income_each) {
        for (int m = 1; m <= 12; ++m) month(id, fmt::format("{}-{:02d}", year, m), income_each);
    }
    void benefit(int id, int year, const char* program, bool paid) {
        exec(fmt::format("INSERT INTO benefits(household_id, year, program, amount, paid_date, status) VALUES ({}, {}, '{}', 600, {}, '{}')",
                         id, year, program, paid ? fmt::format("'{}-06-01'", year) : "NULL", paid ? "paid" : "pending"));
    }
    void measure(int id, const char* family, const char* start) {
        exec(fmt::format("INSERT INTO measures(household_id, family, description, start_month) VALUES ({}, '{}', '测试措施', '{}')", id, family, start));
    }
    void indicator(const char* code, const char* period, const char* metric, double value) {
        exec(fmt::format("INSERT OR REPLACE INTO indicators VALUES ('{}', '{}', '{}', {})", code, period, metric, value));
    }
    std::int64_t count(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(m_bundle->db(), sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
        std::int64_t n = -1;
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return n;
    }

private:
    std::filesystem::path m_path;
    std::unique_ptr<data::Bundle> m_bundle;
};

inline data::Project project(std::int64_t households, const char* county, const char* village, const char* batch, bool linkage, bool operating) {
    data::Project p;
    p.name = "测试项目";
    p.county_code = county;
    p.village_code = village;
    p.category = "种植";
    p.batch = batch;
    p.farmer_linkage = linkage;
    p.operating = operating;
    p.beneficiary_households = households;
    p.location = {113.05, 34.05};
    return p;
}

}  // namespace onemap::test
