// The rules R1–R16 on hand-built bundles: each passes, fails, is not applicable and has no data;
// the boundary cases of issue 6 (equal growth fails R1; 3 consecutive months qualify for R12, 2 do
// not; 6 scattered months qualify).
#include "data/policy/rules.hpp"
#include "data/policy/targets.hpp"
#include "rules_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

using namespace onemap;
using data::RuleStatus;
using test::TinyBundle;

namespace {

const data::RuleResult& get(const data::RuleRun& run, std::string_view rule, std::string_view code, std::string_view period) {
    for (const auto& r : run.results) {
        if (r.rule == rule && r.region_code == code && r.period == period) return r;
    }
    static data::RuleResult none;
    ADD_FAILURE() << "no result " << rule << " " << code << " " << period;
    return none;
}

data::RuleRun run(TinyBundle& t, std::vector<std::string> rules, std::vector<std::string> periods = {}) {
    data::RuleOptions o;
    o.rules = std::move(rules);
    o.periods = std::move(periods);
    return data::evaluate_rules(t.b(), o);
}

}  // namespace

TEST(Rules, CatalogueHasSixteenRulesAndFindsThemByIdOrKey) {
    EXPECT_EQ(data::rule_catalogue().size(), 16u);
    ASSERT_NE(data::find_rule("r12"), nullptr);
    EXPECT_EQ(data::find_rule("r12")->id, "R12");
    EXPECT_EQ(data::find_rule("below-line")->id, "R3");
    EXPECT_EQ(data::find_rule("R17"), nullptr);
    EXPECT_EQ(data::find_rule("R1")->id, "R1");  // not R10…R16
}

TEST(Rules, R1GrowthGapStrictlyHigherEqualGrowthFailsMissingIsNoData) {
    TinyBundle t("r1");
    // County A: both grow exactly 10% → equal → fail.
    t.indicator("410101", "2024", "tp_income_pc", 10000);
    t.indicator("410101", "2025", "tp_income_pc", 11000);
    t.indicator("410101", "2024", "rural_income_pc", 20000);
    t.indicator("410101", "2025", "rural_income_pc", 22000);
    // County B: 15% against 10% → pass.
    t.indicator("410102", "2024", "tp_income_pc", 10000);
    t.indicator("410102", "2025", "tp_income_pc", 11500);
    t.indicator("410102", "2024", "rural_income_pc", 20000);
    t.indicator("410102", "2025", "rural_income_pc", 22000);
    // City: rural income missing → no data.
    t.indicator("4101", "2024", "tp_income_pc", 10000);
    t.indicator("4101", "2025", "tp_income_pc", 12000);
    auto r = run(t, {"R1"});
    EXPECT_EQ(get(r, "R1", "410101", "2025").status, RuleStatus::Fail);
    EXPECT_NEAR(*get(r, "R1", "410101", "2025").value, 0.0, 1e-9);
    EXPECT_NE(get(r, "R1", "410101", "2025").reason.find("未高于"), std::string::npos);
    EXPECT_EQ(get(r, "R1", "410102", "2025").status, RuleStatus::Pass);
    EXPECT_NEAR(*get(r, "R1", "410102", "2025").value, 5.0, 1e-9);
    EXPECT_EQ(get(r, "R1", "4101", "2025").status, RuleStatus::NoData);
    EXPECT_FALSE(get(r, "R1", "4101", "2025").value.has_value());
    // R1 is for cities and counties only.
    for (const auto& x : r.results) EXPECT_TRUE(x.region_code.size() == 4 || x.region_code.size() == 6) << x.region_code;

    // No 脱贫人口 → not applicable.
    t.indicator("4101", "2025", "tp_population", 0);
    r = run(t, {"R1"});
    EXPECT_EQ(get(r, "R1", "4101", "2025").status, RuleStatus::NotApplicable);
}

TEST(Rules, R2RatioReachesTargetOnlyInTheTargetYear) {
    TinyBundle t("r2");
    t.indicator("41", "2025", "tp_income_pc", 20000);
    t.indicator("41", "2025", "rural_income_pc", 22000);  // 1 : 1.1 exactly → reaches the target
    t.indicator("41", "2024", "tp_income_pc", 10000);
    t.indicator("41", "2024", "rural_income_pc", 15000);
    t.indicator("41", "2023", "rural_income_pc", 15000);  // 2023 tp missing
    auto r = run(t, {"R2"}, {"all"});
    EXPECT_EQ(get(r, "R2", "41", "2025").status, RuleStatus::Pass);
    EXPECT_NEAR(*get(r, "R2", "41", "2025").value, 1.1, 1e-12);
    EXPECT_EQ(get(r, "R2", "41", "2024").status, RuleStatus::NotApplicable);
    EXPECT_NE(get(r, "R2", "41", "2024").reason.find("1∶1.50"), std::string::npos);
    EXPECT_EQ(get(r, "R2", "41", "2023").status, RuleStatus::NoData);
    t.indicator("41", "2025", "rural_income_pc", 24000);
    r = run(t, {"R2"}, {"2025"});
    EXPECT_EQ(get(r, "R2", "41", "2025").status, RuleStatus::Fail);
}

TEST(Rules, R3BelowLineFallsYearOnYearAndIsZeroBy2025OutsideFullySupported) {
    TinyBundle t("r3");
    // Lines (defaults): 2023 7,000, 2024 7,300, 2025 7,600 yuan per person.
    t.household(1, test::k_a1, 2, 1);  // below in 2023, above in 2024 → A1 falls → pass
    t.income(1, 2023, 2 * 6000);
    t.income(1, 2024, 2 * 9000);
    t.household(2, test::k_a2, 1, 1);  // below both years → count does not fall → fail
    t.income(2, 2023, 6000);
    t.income(2, 2024, 7300);           // exactly on the line is inside the range
    t.household(3, test::k_b1, 3, 1);  // no 2023 record → no data
    t.income(3, 2024, 30000);
    // B2 has no households → not applicable.
    auto r = run(t, {"R3"}, {"2024"});
    EXPECT_EQ(get(r, "R3", test::k_a1, "2024").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R3", test::k_a2, "2024").status, RuleStatus::Fail);
    EXPECT_EQ(*get(r, "R3", test::k_a2, "2024").value, 1);
    EXPECT_EQ(*get(r, "R3", test::k_a2, "2024").target, 1);
    EXPECT_EQ(get(r, "R3", test::k_b1, "2024").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R3", test::k_b2, "2024").status, RuleStatus::NotApplicable);
    // County A: 2 people → 1 person: falls → pass; county B: no data (never pass); province: no data.
    EXPECT_EQ(get(r, "R3", "410101", "2024").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R3", "410102", "2024").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R3", "41", "2024").status, RuleStatus::NoData);

    // 2025: a fully supported household below the line is allowed; anyone else is not.
    t.household(4, test::k_b2, 2, 0, /*fully_supported=*/true);
    t.income(4, 2025, 2 * 7000);
    t.income(1, 2025, 2 * 9000);
    t.income(2, 2025, 7601);
    t.income(3, 2025, 3 * 7600);
    r = run(t, {"R3"}, {"2025"});
    EXPECT_EQ(get(r, "R3", test::k_b2, "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R3", test::k_a2, "2025").status, RuleStatus::Pass);  // 7,601 > 7,600
    EXPECT_EQ(get(r, "R3", test::k_b1, "2025").status, RuleStatus::Fail);  // 7,600 is not above 7,600
    EXPECT_EQ(*get(r, "R3", "41", "2025").value, 3);

    // The line is configuration: raise 2025's and household 2 is inside the range.
    t.exec("INSERT INTO targets(key, period, value) VALUES ('monitoring_line', '2025', 8000)");
    r = run(t, {"R3"}, {"2025"});
    EXPECT_EQ(get(r, "R3", test::k_a2, "2025").status, RuleStatus::Fail);
    // … and a year without a configured line is no data, never pass.
    r = run(t, {"R3"}, {"2024"});
    EXPECT_EQ(get(r, "R3", test::k_a1, "2024").status, RuleStatus::NoData);
}

TEST(Rules, R4RelocatedIncomeGrowsAtLeastAsFast) {
    TinyBundle t("r4");
    t.household(1, test::k_a1, 1, 1, false, /*relocated=*/true);
    t.income(1, 2024, 10000);
    t.income(1, 2025, 11000);  // +10%
    t.household(2, test::k_a2, 1, 1);
    t.income(2, 2024, 10000);
    t.income(2, 2025, 11000);  // +10%: equal is "at least as fast" → pass in county A
    t.household(3, test::k_b1, 1, 1, false, true);
    t.income(3, 2024, 10000);
    t.income(3, 2025, 10500);  // +5%
    t.household(4, test::k_b2, 1, 1);
    t.income(4, 2024, 10000);
    t.income(4, 2025, 12000);  // +20% → county B fails
    auto r = run(t, {"R4"});
    EXPECT_EQ(get(r, "R4", "410101", "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R4", "410102", "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R4", "41", "2025").status, RuleStatus::Fail);
    t.exec("UPDATE households SET relocated = 0 WHERE household_id = 3");
    r = run(t, {"R4"});
    EXPECT_EQ(get(r, "R4", "410102", "2025").status, RuleStatus::NotApplicable);
}

TEST(Rules, R5RelocationHouseholdsWithLabourHaveSomeoneEmployed) {
    TinyBundle t("r5");
    t.household(1, test::k_a1, 3, 2, false, true);
    t.income(1, 2025, 30000, /*employed=*/1);  // pass
    t.household(2, test::k_a2, 3, 2, false, true);
    t.income(2, 2025, 30000, /*employed=*/0);  // fail
    t.household(3, test::k_b1, 3, 2, false, true);  // no 2025 record → no data
    t.income(3, 2024, 30000, 1);
    t.household(4, test::k_b2, 2, 0, true, true);  // no labour → n/a
    t.income(4, 2025, 15000, 0);
    auto r = run(t, {"R5"}, {"2025"});
    EXPECT_EQ(get(r, "R5", test::k_a1, "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R5", test::k_a2, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R5", test::k_b1, "2025").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R5", test::k_b2, "2025").status, RuleStatus::NotApplicable);
    EXPECT_EQ(get(r, "R5", "410101", "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R5", "410102", "2025").status, RuleStatus::NoData);
}

TEST(Rules, R11LabourNeedsADevelopmentMeasureStartedByTheYearsEnd) {
    TinyBundle t("r11");
    t.household(1, test::k_a1, 3, 2);
    t.measure(1, "就业", "2024-05");  // pass
    t.household(2, test::k_a2, 3, 2);
    t.measure(2, "健康", "2024-05");  // not development-type → fail
    t.household(3, test::k_b1, 3, 2);
    t.measure(3, "产业", "2026-01");  // starts after 2025 → fail
    t.household(4, test::k_b2, 1, 0, true);  // no labour → n/a
    for (int id = 1; id <= 4; ++id) t.income(id, 2025, 20000);
    auto r = run(t, {"R11"});
    EXPECT_EQ(get(r, "R11", test::k_a1, "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R11", test::k_a2, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R11", test::k_b1, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R11", test::k_b2, "2025").status, RuleStatus::NotApplicable);
    EXPECT_EQ(*get(r, "R11", "41", "2025").value, 2);
}

TEST(Rules, R12ThreeConsecutiveOrSixScatteredMonthsQualifyTwoDoNot) {
    TinyBundle t("r12");
    auto year_of_months = [&](int id, std::initializer_list<int> out_months) {
        for (int m = 1; m <= 12; ++m) {
            const bool out = std::find(out_months.begin(), out_months.end(), m) != out_months.end();
            t.month(id, fmt::format("2025-{:02d}", m), 3000, 0, out ? 1 : 0);
        }
    };
    t.household(1, test::k_a1, 3, 2);
    year_of_months(1, {3, 4, 5});  // 3 consecutive, no subsidy → fail
    t.household(2, test::k_a2, 3, 2);
    year_of_months(2, {3, 4, 7, 8, 11});  // runs of 2, 5 in total → does not qualify → n/a
    t.household(3, test::k_b1, 3, 2);
    year_of_months(3, {1, 3, 5, 7, 9, 11});  // 6 scattered → qualifies; paid → pass
    t.benefit(3, 2025, "跨省务工交通补贴", true);
    t.household(4, test::k_b2, 3, 2);  // labour, no monthly records at all → no data
    auto r = run(t, {"R12"}, {"2025"});
    EXPECT_EQ(get(r, "R12", test::k_a1, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R12", test::k_a2, "2025").status, RuleStatus::NotApplicable);
    EXPECT_EQ(get(r, "R12", test::k_b1, "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R12", test::k_b2, "2025").status, RuleStatus::NoData);
    // A pending payment is not paid.
    t.benefit(1, 2025, "跨省务工交通补贴", false);
    r = run(t, {"R12"}, {"2025"});
    EXPECT_EQ(get(r, "R12", test::k_a1, "2025").status, RuleStatus::Fail);
    EXPECT_NE(get(r, "R12", test::k_a1, "2025").reason.find("待发放 1"), std::string::npos);
    // 6 scattered months without a subsidy fail too.
    t.exec("DELETE FROM benefits WHERE household_id = 3");
    r = run(t, {"R12"}, {"2025"});
    EXPECT_EQ(get(r, "R12", test::k_b1, "2025").status, RuleStatus::Fail);
}

TEST(Rules, R13EveryVillageScreenedEveryMonth) {
    TinyBundle t("r13");
    t.household(1, test::k_a1, 2, 1);
    t.household(2, test::k_a1, 2, 1);
    t.household(3, test::k_b1, 2, 1);
    t.month(1, "2025-03", 1000);
    t.month(2, "2025-03", 1000);
    t.month(3, "2025-02", 1000);  // B1 screened in February only
    // By default only the latest month (March) is checked.
    auto r = run(t, {"R13"});
    EXPECT_EQ(r.computed.size(), 1u);
    EXPECT_EQ(get(r, "R13", test::k_b1, "2025-03").status, RuleStatus::Fail);
    r = run(t, {"R13"}, {"2025"});
    EXPECT_EQ(get(r, "R13", test::k_a1, "2025-03").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R13", test::k_b1, "2025-03").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R13", test::k_b1, "2025-02").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R13", test::k_a1, "2025-02").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R13", test::k_a2, "2025-03").status, RuleStatus::NotApplicable);
    EXPECT_EQ(get(r, "R13", "410102", "2025-03").status, RuleStatus::Fail);
    EXPECT_EQ(*get(r, "R13", "41", "2025-03").value, 1);  // one village unscreened
    // A year asked for without any monthly records is no data, not pass.
    r = run(t, {"R13"}, {"2024"});
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].status, RuleStatus::NoData);
}

TEST(Rules, R16FlagsUnexplainedJumpsImplausibleValuesAndDuplicates) {
    TinyBundle t("r16");
    t.household(1, test::k_a1, 2, 1);  // income doubles, nothing explains it → flagged
    t.income(1, 2024, 20000, 1);
    t.income(1, 2025, 40000, 1);
    t.household(2, test::k_a2, 2, 1);  // doubles, but a measure started in 2025 → explained
    t.income(2, 2024, 20000, 1);
    t.income(2, 2025, 40000, 1);
    t.measure(2, "产业", "2025-04");
    t.household(3, test::k_b1, 2, 1, false, false, "李*");  // two identical households → duplicates
    t.household(4, test::k_b1, 2, 1, false, false, "李*");
    t.income(3, 2025, 20000);
    t.income(4, 2025, 20000);
    t.household(5, test::k_b2, 2, 1);  // employed more than members → implausible
    t.income(5, 2025, 20000, 3);
    auto r = run(t, {"R16"}, {"2025"});
    EXPECT_EQ(get(r, "R16", test::k_a1, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R16", test::k_a2, "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R16", test::k_b1, "2025").status, RuleStatus::Fail);
    EXPECT_EQ(*get(r, "R16", test::k_b1, "2025").value, 2);
    EXPECT_EQ(get(r, "R16", test::k_b2, "2025").status, RuleStatus::Fail);
    EXPECT_NE(get(r, "R16", "41", "2025").reason.find("收入跃升无据 1"), std::string::npos);
}

TEST(Rules, R6R7R8MinimumsAndYearsWithoutTarget) {
    TinyBundle t("r678");
    t.indicator("41", "2025", "migrant_workers", 2100000);  // ≥ target → pass
    t.indicator("41", "2025", "new_certificates", 99999);   // fail
    t.indicator("410101", "2025", "industry_fund_share", 70);
    t.indicator("410102", "2025", "industry_fund_share", 69.9);
    t.indicator("410101", "2022", "industry_fund_share", 50);  // no target for 2022 → n/a
    auto r = run(t, {"R6", "R7", "R8"}, {"all"});
    EXPECT_EQ(get(r, "R6", "41", "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R7", "41", "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R8", "410101", "2025").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R8", "410102", "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R8", "41", "2025").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R8", "410101", "2022").status, RuleStatus::NotApplicable);
    EXPECT_EQ(get(r, "R6", "41", "2022").status, RuleStatus::NoData);
}

TEST(Rules, TheRemainingStatusesOfEachRule) {
    TinyBundle t("statuses");
    // R4 no data: a relocated household without last year's income.
    t.household(1, test::k_a1, 1, 1, false, true);
    t.income(1, 2025, 10000);
    // R6 fail / R7 pass / R7 no data in 2024; R6 n.a. once its target is removed for 2024.
    t.indicator("41", "2025", "migrant_workers", 2099999);
    t.indicator("41", "2025", "new_certificates", 100000);
    t.indicator("41", "2024", "migrant_workers", 2200000);
    auto r = run(t, {"R4", "R6", "R7", "R14", "R15", "R16"}, {"2024", "2025"});
    EXPECT_EQ(get(r, "R4", "410101", "2025").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R6", "41", "2025").status, RuleStatus::Fail);
    EXPECT_EQ(get(r, "R6", "41", "2024").status, RuleStatus::Pass);
    EXPECT_EQ(get(r, "R7", "41", "2025").status, RuleStatus::Pass);  // ≥ 100,000
    EXPECT_EQ(get(r, "R7", "41", "2024").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R14", "41", "2025").status, RuleStatus::NoData);  // no source table: never pass
    EXPECT_EQ(get(r, "R15", "41", "2025").status, RuleStatus::NoData);
    EXPECT_EQ(get(r, "R16", test::k_a2, "2025").status, RuleStatus::NotApplicable);  // no households
    EXPECT_EQ(get(r, "R16", test::k_a1, "2025").status, RuleStatus::Pass);
    t.exec("INSERT INTO targets(key, period, value) VALUES ('R6.min_workers', '2025', 2000000)");
    r = run(t, {"R6"}, {"2024", "2025"});
    EXPECT_EQ(get(r, "R6", "41", "2025").status, RuleStatus::Pass);          // the table's target
    EXPECT_EQ(get(r, "R6", "41", "2024").status, RuleStatus::NotApplicable);  // the key's defaults are replaced: no 2024 target
}

TEST(Rules, R9AndR10FromIndustriesAndProjects) {
    // (Feature tables are not updated with plain SQLite here: GeoPackage's R-tree triggers need
    // SpatiaLite functions. Each case gets its own bundle.)
    {
        TinyBundle t("r910", {test::project(50, "410101", test::k_a1, "巩固提升", true, true),
                              test::project(50, "410101", test::k_a2, "巩固提升", false, true)});
        auto r = run(t, {"R9", "R10"}, {"2025"});
        EXPECT_EQ(get(r, "R9", "410101", "2025").status, RuleStatus::NoData);  // no industry list at all
        EXPECT_EQ(get(r, "R10", "410101", "2025").status, RuleStatus::Fail);    // an operating project without linkage
        EXPECT_EQ(get(r, "R10", "410102", "2025").status, RuleStatus::NotApplicable);
        EXPECT_EQ(get(r, "R10", "41", "2025").status, RuleStatus::Fail);
        t.exec("INSERT INTO featured_industries VALUES ('410101', '花生'), ('410101', '食用菌'), "
               "('410102', 'a'), ('410102', 'b'), ('410102', 'c'), ('410102', 'd')");
        r = run(t, {"R9"}, {"2025"});
        EXPECT_EQ(get(r, "R9", "410101", "2025").status, RuleStatus::Pass);
        EXPECT_EQ(get(r, "R9", "410102", "2025").status, RuleStatus::Fail);  // 4 > 3
    }
    {
        TinyBundle t("r10b", {test::project(50, "410101", test::k_a1, "巩固提升", true, true),
                              test::project(50, "410102", test::k_b1, "盘活闲置", false, false)});  // idle, being revived
        auto r = run(t, {"R10"}, {"2025"});
        EXPECT_EQ(get(r, "R10", "410101", "2025").status, RuleStatus::Pass);
        EXPECT_EQ(get(r, "R10", "410102", "2025").status, RuleStatus::Pass);
    }
    {
        TinyBundle t("r10c", {test::project(50, "410101", test::k_a1, "巩固提升", true, false),   // idle but "operating normally"
                              test::project(50, "410102", test::k_b1, "其他", true, true)});       // not one of the four batches
        auto r = run(t, {"R10"}, {"2025"});
        EXPECT_EQ(get(r, "R10", "410101", "2025").status, RuleStatus::Fail);
        EXPECT_EQ(get(r, "R10", "410102", "2025").status, RuleStatus::Fail);
    }
}

TEST(Rules, WriteReplacesThePeriodsComputedAndFeedsTheMapLayer) {
    TinyBundle t("write");
    t.indicator("410101", "2024", "tp_income_pc", 10000);
    t.indicator("410101", "2025", "tp_income_pc", 11000);
    t.indicator("410101", "2024", "rural_income_pc", 20000);
    t.indicator("410101", "2025", "rural_income_pc", 21000);
    auto r = run(t, {"R1"});
    data::write_rule_results(t.b(), r);
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results WHERE rule = 'R1' AND period = '2025'"), 3);  // the city and its 2 counties
    EXPECT_GT(t.count("SELECT count(*) FROM targets WHERE key = 'monitoring_line'"), 0);  // defaults written, editable
    data::RuleFilter f;
    f.level = data::Level::County;
    f.rules = {"R1"};
    const auto stored = data::read_rule_results(t.b(), f);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].region_code, "410101");
    EXPECT_EQ(stored[0].status, RuleStatus::Pass);
    EXPECT_EQ(stored[1].status, RuleStatus::NoData);
    // The desk panel: one region, one period.
    data::RuleFilter one;
    one.region_code = "410101";
    one.period = "2025";
    const auto panel = data::read_rule_results(t.b(), one);
    ASSERT_EQ(panel.size(), 1u);
    EXPECT_EQ(panel[0].rule, "R1");
    EXPECT_NE(panel[0].reason.find("脱贫人口人均纯收入增速"), std::string::npos);
    // Wall tiles: counts per rule at a level.
    const auto tiles = data::summarise_rule_results(t.b(), data::Level::County, "2025");
    ASSERT_EQ(tiles.size(), 1u);
    EXPECT_EQ(tiles[0].rule, "R1");
    EXPECT_EQ(tiles[0].pass, 1);
    EXPECT_EQ(tiles[0].no_data, 1);
    EXPECT_EQ(tiles[0].fail, 0);
    // Map layer: counties from the table; villages n/a (R1 is not a village rule); R3 at villages not computed → no data.
    auto layer = data::rule_status_for_level(t.b(), "R1", data::Level::County, "2025");
    ASSERT_EQ(layer.size(), 2u);
    EXPECT_EQ(layer[0].status, RuleStatus::Pass);
    layer = data::rule_status_for_level(t.b(), "R1", data::Level::Village, "2025");
    ASSERT_EQ(layer.size(), 4u);
    EXPECT_EQ(layer[0].status, RuleStatus::NotApplicable);
    layer = data::rule_status_for_level(t.b(), "R3", data::Level::Village, "2025");
    EXPECT_EQ(layer[0].status, RuleStatus::NoData);
}

TEST(Rules, EveryResultIsWrittenWhateverTheBatching) {
    TinyBundle t("batches");
    t.household(1, test::k_a1, 2, 1);
    t.months(1, 2025, 1000);
    t.income(1, 2025, 12000);
    const auto r = run(t, {}, {"all"});
    ASSERT_GT(r.results.size(), 130u);  // more than two batches of 64, and a remainder
    data::write_rule_results(t.b(), r);
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results"), static_cast<std::int64_t>(r.results.size()));
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results WHERE rule = 'R13' AND period = '2025-12' AND region_code = '410101001001' AND status = 'pass'"), 1);
}

// Two years of both incomes for a region: R1 can be computed there.
void growth_figures(TinyBundle& t, const char* code) {
    t.indicator(code, "2024", "tp_income_pc", 10000);
    t.indicator(code, "2025", "tp_income_pc", 11000);
    t.indicator(code, "2024", "rural_income_pc", 20000);
    t.indicator(code, "2025", "rural_income_pc", 21000);
}

TEST(Rules, ARerunWritesOnlyTheRowsThatChange) {
    TinyBundle t("rerun");
    growth_figures(t, "410101");
    data::write_rule_results(t.b(), run(t, {"R1"}));
    ASSERT_EQ(t.count("SELECT count(*) FROM rule_results WHERE rule = 'R1' AND period = '2025'"), 3);
    // A row of a region no longer in the bundle, and one of a period not computed again.
    t.exec("INSERT INTO rule_results VALUES ('R1', '410199', '2025', 'pass', 1, 0, 'gone')");
    t.exec("INSERT INTO rule_results VALUES ('R1', '410101', '2023', 'fail', 1, 0, 'kept')");
    growth_figures(t, "410102");  // 410102: no data → a result
    t.exec("CREATE TABLE written (what TEXT, code TEXT)");
    t.exec("CREATE TRIGGER log_insert AFTER INSERT ON rule_results BEGIN INSERT INTO written VALUES ('insert', NEW.region_code); END");
    t.exec("CREATE TRIGGER log_update AFTER UPDATE ON rule_results BEGIN INSERT INTO written VALUES ('update', NEW.region_code); END");
    t.exec("CREATE TRIGGER log_delete AFTER DELETE ON rule_results BEGIN INSERT INTO written VALUES ('delete', OLD.region_code); END");
    const auto r = run(t, {"R1"});
    data::write_rule_results(t.b(), r);
    EXPECT_EQ(t.count("SELECT count(*) FROM written"), 2);
    EXPECT_EQ(t.count("SELECT count(*) FROM written WHERE what = 'update' AND code = '410102'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM written WHERE what = 'delete' AND code = '410199'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results WHERE region_code = '410102' AND period = '2025' AND status = 'pass'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results WHERE period = '2023' AND reason = 'kept'"), 1);
    // The table holds exactly the results, as a fresh write would leave it.
    ASSERT_EQ(t.count("SELECT count(*) FROM rule_results WHERE period = '2025'"), static_cast<std::int64_t>(r.results.size()));
    for (const auto& res : r.results) {
        EXPECT_EQ(t.count(fmt::format("SELECT count(*) FROM rule_results WHERE rule = '{}' AND period = '{}' AND region_code = '{}' AND status = '{}' "
                                      "AND reason = '{}' AND value IS {} AND target IS {}",
                                      res.rule, res.period, res.region_code, data::status_key(res.status), res.reason,
                                      res.value ? fmt::format("{:.17g}", *res.value) : "NULL", res.target ? fmt::format("{:.17g}", *res.target) : "NULL")),
                  1)
            << res.region_code;
    }
}

TEST(Rules, AFailedWriteLeavesTheBundleAsItWas) {
    TinyBundle t("atomic");
    growth_figures(t, "410101");
    data::write_rule_results(t.b(), run(t, {"R1"}));
    const auto before = t.count("SELECT count(*) FROM rule_results");
    const auto targets_before = t.count("SELECT count(*) FROM targets");
    const auto stored_before = t.count("SELECT count(*) FROM rule_results WHERE region_code = '410102' AND status = 'no_data'");
    t.exec("DELETE FROM targets");
    // 410102 now has its figures: its row changes (a write only touches rows that change).
    growth_figures(t, "410102");  // no data → a result
    t.exec("CREATE TRIGGER refuse BEFORE INSERT ON rule_results WHEN NEW.region_code = '410102' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    t.exec("CREATE TRIGGER refuse_update BEFORE UPDATE ON rule_results WHEN NEW.region_code = '410102' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    EXPECT_THROW(data::write_rule_results(t.b(), run(t, {"R1"})), data::BundleError);
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results"), before);  // every change of the write was rolled back
    EXPECT_EQ(t.count("SELECT count(*) FROM rule_results WHERE region_code = '410102' AND status = 'no_data'"), stored_before);
    EXPECT_EQ(stored_before, 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM targets"), 0);
    EXPECT_GT(targets_before, 0);
}

TEST(Rules, DefaultIsTheCurrentYearAllIsEveryPeriod) {
    TinyBundle t("periods");
    t.indicator("41", "2024", "migrant_workers", 1);
    t.indicator("41", "2025", "migrant_workers", 1);
    EXPECT_EQ(run(t, {"R6"}).computed.size(), 1u);
    EXPECT_EQ(run(t, {"R6"}).results.at(0).period, "2025");
    EXPECT_EQ(run(t, {"R6"}, {"all"}).computed.size(), 2u);
}

TEST(Rules, BrokenHouseholdRowsAreNamedByTableRowAndRule) {
    TinyBundle t("broken");
    t.household(1, test::k_a1, 2, 1);
    t.month(1, "2025-13", 100);
    t.household(2, "999", 2, 1);
    t.month(2, "2025-01", 100);
    const auto r = run(t, {"R13"}, {"2025"});
    EXPECT_EQ(r.skipped_total, 2);
    ASSERT_EQ(r.skipped_rows.size(), 2u);
    const std::string all = r.skipped_rows[0] + "\n" + r.skipped_rows[1];
    EXPECT_NE(all.find("household_months (household_id 1, month '2025-13'): month must be YYYY-MM"), std::string::npos) << all;
    EXPECT_NE(all.find("households (household_id 2, village_code '999'): not a village in regions"), std::string::npos) << all;
}

TEST(Rules, UnknownRuleOrBadPeriodIsRefusedByName) {
    TinyBundle t("args");
    try {
        run(t, {"R99"});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("R99"), std::string::npos);
    }
    EXPECT_THROW(run(t, {"R1"}, {"25"}), std::invalid_argument);
    EXPECT_THROW(run(t, {"R1"}, {"2025-13"}), std::invalid_argument);
}

TEST(Targets, TableRowsReplaceAKeysDefaults) {
    TinyBundle t("targets");
    auto tg = data::load_targets(t.b());
    EXPECT_EQ(tg.get("R8.min_industry_share_pct", "2024"), 65);
    EXPECT_EQ(tg.get("R8.min_industry_share_pct", "2022"), std::nullopt);
    EXPECT_EQ(tg.get("monitoring_line", "2025-06"), 7600);  // a month falls back to its year
    t.exec("INSERT INTO targets(key, period, value) VALUES ('R8.min_industry_share_pct', '*', 50)");
    tg = data::load_targets(t.b());
    EXPECT_EQ(tg.get("R8.min_industry_share_pct", "2024"), 50);  // the table's '*' replaces every default of the key
    EXPECT_EQ(tg.get("R6.min_workers", "2025"), 2100000);
}

TEST(CheckCommand, StrictExitsNonZeroOnFailureAndCsvHasAHeader) {
    TinyBundle t("cli");
    t.indicator("410101", "2024", "tp_income_pc", 10000);
    t.indicator("410101", "2025", "tp_income_pc", 10500);
    t.indicator("410101", "2024", "rural_income_pc", 20000);
    t.indicator("410101", "2025", "rural_income_pc", 22000);  // fails R1
    const std::string bundle = t.path().string();
    const std::string out = bundle + ".out";
    auto sh = [&](const std::string& args) {
        const int rc = std::system(fmt::format("{} check --bundle {} {} > {} 2>&1", ONEMAP_BINARY, bundle, args, out).c_str());
        return WEXITSTATUS(rc);
    };
    EXPECT_EQ(sh("--rule R1 --strict"), 1);
    EXPECT_EQ(sh("--rule R1"), 0);
    EXPECT_EQ(sh("--rule R2 --strict"), 0);  // no R2 data: no data is not a failure, nor a pass
    EXPECT_EQ(sh("--rule R1 --level county --format csv"), 0);
    std::ifstream in(out);
    std::string header, line;
    std::getline(in, header);
    EXPECT_EQ(header, "rule,region_code,region_name,level,period,status,value,target,reason");
    int rows = 0;
    while (std::getline(in, line)) ++rows;
    EXPECT_EQ(rows, 2);  // the two counties
    EXPECT_EQ(sh("--rule R77"), 2);
    EXPECT_EQ(sh("--rule R1 --format json --level city"), 0);
    std::filesystem::remove(out);
}
