// The monthly monitoring and the alert workflow: which alerts a month raises, that re-running raises
// nothing twice, that illegal transitions are refused, that audit rows are never updated or deleted,
// the ledger and the open_alerts indicator.
#include "data/policy/alerts.hpp"
#include "data/policy/monitoring.hpp"
#include "data/bundle/source.hpp"
#include "rules_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <sstream>

using namespace onemap;
using data::AlertStatus;
using test::TinyBundle;

namespace {

// Households that each trip one alert kind in 2025, plus one that trips none.
void populate(TinyBundle& t) {
    // 1: steady, fine — nothing.
    t.household(1, test::k_a1, 2, 1);
    t.months(1, 2025, 2000);
    t.measure(1, "就业", "2024-01");
    t.income(1, 2024, 24000);
    t.income(1, 2025, 24000);
    // 2: per-capita 12-month income 7,200 ≤ 7,600 → in the monitoring range.
    t.household(2, test::k_a1, 1, 1);
    t.months(2, 2025, 600);
    t.measure(2, "产业", "2024-01");
    t.income(2, 2024, 7200);
    t.income(2, 2025, 7200);
    // 3: May income falls from 3,000 to 1,700 (−43% > 40%) → income drop; April→… exactly −40% is not "beyond".
    t.household(3, test::k_a2, 2, 1);
    t.measure(3, "产业", "2024-01");
    t.income(3, 2024, 36000);
    for (int m = 1; m <= 12; ++m) {
        const double inc = m == 5 ? 1700 : m == 9 ? 1800 : 3000;  // Sep: 3,000 → 1,800 is exactly −40%
        t.month(3, fmt::format("2025-{:02d}", m), inc);
    }
    // 4: a 12,000 expense against ~36,000 income (33%) → expense jump.
    t.household(4, test::k_a2, 2, 1);
    t.measure(4, "产业", "2024-01");
    t.income(4, 2024, 36000);
    for (int m = 1; m <= 12; ++m) t.month(4, fmt::format("2025-{:02d}", m), 3000, m == 7 ? 12000 : 0);
    // 5: out of province Mar–May, no subsidy → R12; relocated with labour and nobody employed → R5;
    //    no development measure → R11.
    t.household(5, test::k_b1, 3, 2, false, true);
    t.income(5, 2024, 36000, 0);
    t.income(5, 2025, 36000, 0);
    for (int m = 1; m <= 12; ++m) t.month(5, fmt::format("2025-{:02d}", m), 3000, 0, m >= 3 && m <= 5 ? 1 : 0);
    // 6: village B2, no record for December → B2 not screened in 2025-12.
    t.household(6, test::k_b2, 2, 1);
    t.measure(6, "就业", "2024-01");
    t.income(6, 2024, 36000);
    for (int m = 1; m <= 11; ++m) t.month(6, fmt::format("2025-{:02d}", m), 3000);
}

std::int64_t alert_of(TinyBundle& t, const char* kind, int household) {
    return t.count(fmt::format("SELECT alert_id FROM alerts WHERE kind = '{}' AND household_id = {}", kind, household));
}

}  // namespace

TEST(Monitoring, RaisesEachKindOnceAndReRunningRaisesNothing) {
    TinyBundle t("monitor", {test::project(30, "410102", test::k_b1, "巩固提升", true, false)});
    populate(t);
    data::MonitoringOptions opt;
    opt.at = "2026-01-05T08:00:00Z";
    const auto r = data::run_monitoring(t.b(), opt);
    EXPECT_EQ(r.months.size(), 12u);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE household_id = 1"), 0);
    EXPECT_GT(alert_of(t, "income_in_range", 2), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'income_in_range' AND household_id = 2"), 1);  // once a year, not monthly
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'income_drop' AND household_id = 3"), 1);   // May only; Sep is exactly 40%
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'income_drop' AND household_id = 3 AND period = '2025-05'"), 1);
    EXPECT_GT(alert_of(t, "expense_jump", 4), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'expense_jump' AND household_id = 4 AND risk_category = '其他'"), 1);
    EXPECT_GT(alert_of(t, "transport_subsidy", 5), 0);
    EXPECT_GT(alert_of(t, "relocation_job", 5), 0);
    EXPECT_GT(alert_of(t, "no_development_measure", 5), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'not_screened' AND region_code = '410102001002' AND period = '2025-12'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'project_idle'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE county_code = ''"), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE household_id = 5 AND county_code = '410102'"), 3);
    // Every alert has exactly its "raised" audit row.
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts"), t.count("SELECT count(*) FROM alert_audit WHERE from_status IS NULL AND to_status = 'new'"));
    EXPECT_EQ(data::check_alert_invariants(t.b()), "");
    // open_alerts indicator: per village and rolled up.
    const auto total = t.count("SELECT count(*) FROM alerts");
    EXPECT_EQ(t.count("SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '41'"), total);
    EXPECT_EQ(t.count("SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '410101001001'"), 1);

    const auto again = data::run_monitoring(t.b(), opt);
    EXPECT_EQ(again.total_raised(), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts"), total);
}

TEST(Monitoring, GuessesTheRiskCategoryOfABigExpenseFromRecordedAid) {
    TinyBundle t("category");
    t.household(1, test::k_a1, 2, 1);
    t.household(2, test::k_a2, 2, 1);
    for (int id : {1, 2}) {
        t.measure(id, "就业", "2024-01");
        t.income(id, 2024, 36000);
        for (int m = 1; m <= 12; ++m) t.month(id, fmt::format("2025-{:02d}", m), 3000, m == 6 ? 15000 : 0);
    }
    t.benefit(1, 2025, "医疗救助", true);
    t.measure(2, "义务教育保障", "2025-02");
    data::run_monitoring(t.b(), {});
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'expense_jump' AND household_id = 1 AND risk_category = '因病'"), 1);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts WHERE kind = 'expense_jump' AND household_id = 2 AND risk_category = '因学'"), 1);
}

TEST(Monitoring, OneReadForRulesAndMonitoringGivesTheSameAsTwo) {
    TinyBundle a("shared-a"), b("shared-b");
    populate(a);
    populate(b);
    const auto both = data::check_and_monitor(a.b(), {}, {});
    const auto rules = data::evaluate_rules(b.b(), {});
    const auto mon = data::run_monitoring(b.b(), {});
    ASSERT_EQ(both.rules.results.size(), rules.results.size());
    for (std::size_t i = 0; i < rules.results.size(); ++i) {
        EXPECT_EQ(both.rules.results[i].status, rules.results[i].status) << rules.results[i].rule << " " << rules.results[i].region_code;
        EXPECT_EQ(both.rules.results[i].reason, rules.results[i].reason);
    }
    EXPECT_EQ(both.monitoring.raised, mon.raised);
    EXPECT_GT(both.monitoring.total_raised(), 5);
}

TEST(Monitoring, AFailedRunLeavesTheBundleAsItWas) {
    TinyBundle t("monitor-atomic");
    populate(t);
    t.exec("CREATE TRIGGER refuse AFTER INSERT ON alert_audit WHEN (SELECT count(*) FROM alert_audit) > 3 "
           "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    EXPECT_THROW(data::run_monitoring(t.b(), {}), data::BundleError);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts"), 0);
    EXPECT_EQ(t.count("SELECT count(*) FROM indicators WHERE metric = 'open_alerts'"), 0);
}

TEST(Monitoring, RefusesAReadOnlyBundleAndABadPeriod) {
    TinyBundle t("monitor-ro");
    populate(t);
    data::Bundle ro = data::Bundle::open(t.path(), data::OpenMode::ReadOnly);
    EXPECT_THROW(data::run_monitoring(ro, {}), data::BundleError);
    data::MonitoringOptions opt;
    opt.periods = {"2025-1"};
    EXPECT_THROW(data::run_monitoring(t.b(), opt), std::invalid_argument);
    EXPECT_EQ(t.count("SELECT count(*) FROM alerts"), 0);
}

TEST(AlertWorkflow, MovesOneStepAtATimeAndRefusesEverythingElse) {
    TinyBundle t("workflow");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto id = alert_of(t, "expense_jump", 4);
    ASSERT_GT(id, 0);
    const auto audit_rows = [&] { return t.count(fmt::format("SELECT count(*) FROM alert_audit WHERE alert_id = {}", id)); };

    // Skipping, going back, staying: refused, nothing written.
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::Resolved, "乡镇", "done"), data::AlertError);
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::MeasureAssigned, "乡镇", "x"), data::AlertError);
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::New, "乡镇", ""), data::AlertError);
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::Verified, "", ""), data::AlertError);               // no role
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::Verified, "村级网格员", "", "因穷"), data::AlertError);  // not a category
    EXPECT_THROW(data::move_alert(t.b(), 999999, AlertStatus::Verified, "村级网格员", ""), data::AlertError);
    EXPECT_EQ(audit_rows(), 1);
    EXPECT_EQ(data::find_alert(t.b(), id)->status, AlertStatus::New);

    data::move_alert(t.b(), id, AlertStatus::Verified, "村级网格员", "入户核实：住院", std::string("因病"), "2026-01-06T09:00:00Z");
    EXPECT_EQ(data::find_alert(t.b(), id)->risk_category, "因病");
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::Verified, "村级网格员", ""), data::AlertError);       // again
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::MeasureAssigned, "乡镇", ""), data::AlertError);     // measure needs a note
    EXPECT_THROW(data::move_alert(t.b(), id, AlertStatus::MeasureAssigned, "乡镇", "x", std::string("因学")), data::AlertError);
    data::move_alert(t.b(), id, AlertStatus::MeasureAssigned, "乡镇", "医疗救助 + 公益岗位");
    data::move_alert(t.b(), id, AlertStatus::Resolved, "县乡村振兴局", "收入稳定超过监测线6个月");
    for (auto to : {AlertStatus::New, AlertStatus::Verified, AlertStatus::MeasureAssigned, AlertStatus::Resolved}) {
        EXPECT_THROW(data::move_alert(t.b(), id, to, "县乡村振兴局", "again"), data::AlertError);
    }
    const auto audit = data::read_alert_audit(t.b(), id);
    ASSERT_EQ(audit.size(), 4u);
    EXPECT_FALSE(audit[0].from.has_value());
    EXPECT_EQ(audit[1].role, "村级网格员");
    EXPECT_EQ(audit[1].at, "2026-01-06T09:00:00Z");
    EXPECT_NE(audit[1].note.find("其他 → 因病"), std::string::npos);
    EXPECT_EQ(audit[3].to, AlertStatus::Resolved);
    EXPECT_EQ(data::check_alert_invariants(t.b()), "");
}

TEST(AlertWorkflow, TheBundleItselfRefusesAuditEditsAndIllegalStatusChanges) {
    TinyBundle t("triggers");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto id = alert_of(t, "expense_jump", 4);
    EXPECT_THROW(t.exec("UPDATE alert_audit SET note = 'changed'"), data::BundleError);
    EXPECT_THROW(t.exec("UPDATE alert_audit SET role = 'x' WHERE audit_id = 1"), data::BundleError);
    EXPECT_THROW(t.exec("DELETE FROM alert_audit"), data::BundleError);
    EXPECT_THROW(t.exec(fmt::format("DELETE FROM alerts WHERE alert_id = {}", id)), data::BundleError);
    // A legal step without its audit row is refused; an illegal one even with a row.
    EXPECT_THROW(t.exec(fmt::format("UPDATE alerts SET status = 'verified' WHERE alert_id = {}", id)), data::BundleError);
    EXPECT_THROW(t.exec(fmt::format("INSERT INTO alert_audit(alert_id, at, role, from_status, to_status) VALUES ({0}, 'now', 'x', 'new', 'resolved');"
                                    "UPDATE alerts SET status = 'resolved' WHERE alert_id = {0}", id)),
                 data::BundleError);
    EXPECT_EQ(data::find_alert(t.b(), id)->status, AlertStatus::New);
    EXPECT_EQ(t.count("SELECT count(*) FROM alert_audit WHERE note = 'changed'"), 0);
    // The invariant check notices a chain broken behind the triggers' back (an audit row for a step
    // that never happened).
    t.exec(fmt::format("INSERT INTO alert_audit(alert_id, at, role, from_status, to_status) VALUES ({}, 'now', 'x', 'verified', 'measure_assigned')", id));
    EXPECT_NE(data::check_alert_invariants(t.b(), id), "");
}

TEST(AlertLedger, CountyLedgerGroupedByRiskCategoryWithoutIdNumbers) {
    TinyBundle t("ledger");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto drop = alert_of(t, "income_drop", 3);
    data::move_alert(t.b(), drop, AlertStatus::Verified, "村级网格员", "");
    data::move_alert(t.b(), drop, AlertStatus::MeasureAssigned, "乡镇", "推荐就近就业");
    const auto rows = data::read_ledger(t.b(), "410101");
    ASSERT_FALSE(rows.empty());
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto pos = [](const std::string& c) {
            return std::find(std::begin(data::k_risk_categories), std::end(data::k_risk_categories), c) - std::begin(data::k_risk_categories);
        };
        EXPECT_LE(pos(rows[i - 1].risk_category), pos(rows[i].risk_category));
    }
    for (const auto& r : rows) EXPECT_EQ(r.county_code, "410101");
    std::ostringstream csv;
    data::write_ledger_csv(rows, csv);
    const std::string text = csv.str();
    EXPECT_EQ(text.rfind("\xEF\xBB\xBF县级代码,风险类型,村代码,户编号", 0), 0u);
    EXPECT_NE(text.find("推荐就近就业"), std::string::npos);  // the assigned measure
    EXPECT_EQ(text.find("hash"), std::string::npos);          // never the ID hash
    EXPECT_EQ(text.find("张*"), std::string::npos);           // nor names
    EXPECT_TRUE(data::read_ledger(t.b(), "410101", /*open_only=*/true).size() == rows.size());
    data::move_alert(t.b(), drop, AlertStatus::Resolved, "县乡村振兴局", "已就业");
    EXPECT_EQ(data::read_ledger(t.b(), "410101", true).size(), rows.size() - 1);
    // Resolving lowers the open_alerts indicator, for the village and every region above it.
    EXPECT_EQ(t.count("SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '410101001002'"), 1);
    const auto province = t.count("SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '41'");
    EXPECT_EQ(province, t.count("SELECT count(*) FROM alerts WHERE status <> 'resolved'"));
    data::write_open_alerts_indicator(t.b(), 2025);  // a full recount agrees
    EXPECT_EQ(t.count("SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '41'"), province);
}

// The open_alerts rule shared with PostgreSQL (data::open_alerts_recount_sql): resolving recounts the
// alert's region and every region above it from the alerts, whatever the indicator said before — a
// stale value is corrected, a missing row is written — and leaves other regions as they were.
TEST(AlertWorkflow, ResolvingRecountsOpenAlertsOfTheRegionAndThoseAbove) {
    TinyBundle t("open_alerts_rule");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto drop = alert_of(t, "income_drop", 3);  // in village A2 (410101001002)
    data::move_alert(t.b(), drop, AlertStatus::Verified, "村级网格员", "");
    data::move_alert(t.b(), drop, AlertStatus::MeasureAssigned, "乡镇", "推荐就近就业");
    auto value = [&](const std::string& code) {
        return t.count("SELECT coalesce((SELECT value FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code = '" + code +
                       "'), -1)");
    };
    const auto sibling = value(test::k_b1);
    t.exec("UPDATE indicators SET value = 99 WHERE metric = 'open_alerts' AND period = '2025' AND region_code IN ('41', '410101001')");
    t.exec("DELETE FROM indicators WHERE metric = 'open_alerts' AND period = '2025' AND region_code IN ('410101001002', '4101')");
    data::move_alert(t.b(), drop, AlertStatus::Resolved, "县乡村振兴局", "已就业");
    const auto open_below = [&](const std::string& code) {
        return t.count("SELECT count(*) FROM alerts WHERE status <> 'resolved' AND substr(period, 1, 4) = '2025' AND region_code LIKE '" + code + "%'");
    };
    for (const std::string code : {"410101001002", "410101001", "410101", "4101", "41"}) {
        EXPECT_EQ(value(code), open_below(code)) << code;
    }
    EXPECT_EQ(value(test::k_b1), sibling) << "another village is left as it was";
}

// A limited read takes the first raised alerts, or with newest_first (the wall's ticker) the latest.
TEST(AlertWorkflow, ALimitedReadTakesTheFirstOrTheNewestRaised) {
    TinyBundle t("alert_order");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto source = data::borrow_bundle_source(t.b());
    const auto all = source->alerts({});
    ASSERT_GE(all.size(), 3u);
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const data::Alert& a, const data::Alert& b) { return a.id < b.id; }));
    data::AlertFilter f;
    f.limit = 2;
    const auto first = source->alerts(f);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].id, all[0].id);
    EXPECT_EQ(first[1].id, all[1].id);
    f.newest_first = true;  // the wall's ticker
    const auto newest = source->alerts(f);
    ASSERT_EQ(newest.size(), 2u);
    EXPECT_EQ(newest[0].id, all.back().id);
    EXPECT_EQ(newest[1].id, all[all.size() - 2].id);
}

// The wall's source (withhold_household_detail): a household's alert comes without its subject,
// household id, detail or village — placed at its county — whatever the filter asks; other alerts
// whole. The desk's source (the default) reads them whole.
TEST(AlertWorkflow, AWallsSourceReadsNoHouseholdDetail) {
    TinyBundle t("wall_alerts");
    populate(t);
    data::run_monitoring(t.b(), {});
    const auto desk = data::borrow_bundle_source(t.b());
    const auto whole = desk->alerts({});
    ASSERT_GT(t.count("SELECT count(*) FROM alerts WHERE household_id IS NOT NULL AND detail <> ''"), 0);
    ASSERT_GT(t.count("SELECT count(*) FROM alerts WHERE household_id IS NULL"), 0) << "a village's alert (not screened) too";
    const auto wall = data::borrow_bundle_source(t.b());
    wall->withhold_household_detail();
    for (const bool asked : {true, false}) {
        data::AlertFilter f;
        f.household_detail = asked;
        const auto shown = wall->alerts(f);
        ASSERT_EQ(shown.size(), whole.size());
        for (std::size_t i = 0; i < shown.size(); ++i) {
            const data::Alert &a = shown[i], &w = whole[i];
            EXPECT_EQ(a.id, w.id);
            EXPECT_EQ(a.kind, w.kind);
            EXPECT_EQ(a.risk_category, w.risk_category);
            if (w.household_id) {
                EXPECT_EQ(a.household_id, std::nullopt) << a.id;
                EXPECT_EQ(a.subject, "household") << a.id;
                EXPECT_EQ(a.detail, "") << a.id;
                EXPECT_EQ(a.region_code, w.county_code) << "a household's alert is placed at its county, not its village";
            } else {
                EXPECT_EQ(std::tie(a.subject, a.region_code, a.detail), std::tie(w.subject, w.region_code, w.detail));
            }
        }
    }
    data::AlertFilter f;
    f.household_detail = false;
    for (const auto& a : desk->alerts(f)) EXPECT_EQ(a.household_id, std::nullopt) << "a filter may ask for less on any source";
    for (const auto& a : desk->alerts({})) {
        if (a.subject.rfind("household:", 0) == 0) {
            EXPECT_TRUE(a.household_id.has_value());
            EXPECT_FALSE(a.detail.empty()) << "the desk reads them whole";
        }
    }
}
