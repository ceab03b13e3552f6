#pragma once
// Private to data/: the bundle's regions and household records read once into memory, and the
// per-household checks that both the rules (data/policy/rules.hpp) and the monitoring
// (data/policy/monitoring.hpp) are built from — so a rule's count and its alerts never disagree.
//
//   regions ─┐
//   households ─ household_income[h][year] ─ household_months[h][month] ─ measures ─ benefits
//            └─▶ Snapshot ──▶ per-household checks (R3 R5 R11 R12 R16) ──▶ counts per village,
//                                                                         rolled up to the province
// Months are integers: year * 12 + (month − 1).
#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/policy/targets.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onemap::data::snapshot {

int month_index(std::string_view yyyy_mm);  // -1 when not 'YYYY-MM'
std::string month_key(int month);           // "2025-03"
inline int year_of(int month) { return month / 12; }

struct RegionNode {
    std::string code, parent_code, name;
    Level level = Level::Village;
    int parent = -1;  // index, -1 for the top
};

struct Regions {
    std::vector<RegionNode> nodes;
    std::unordered_map<std::string, int> index;
    std::vector<int> bottom_up;  // indexes ordered village → province, for roll-ups
    int find(std::string_view code) const;
};

Regions load_regions(const Bundle& bundle);

struct HouseholdRow {
    std::int64_t id = 0;
    int village = -1;  // region index; -1 when the village code is not in regions
    std::string village_code, type, head_masked;
    int members = 1, labour = 0, employed_members = 0;
    bool fully_supported = false, relocated = false;
};

struct IncomeRow {
    double wage = 0, business = 0, transfer = 0, property = 0;
    int employed = 0;
    bool present = false;
    double total() const { return wage + business + transfer + property; }
};

struct MonthRow {
    double income = 0, expense = 0;
    int out = 0;
    bool present = false;
};

struct BenefitRow {
    int year = 0;
    bool transport = false;  // 跨省务工交通补贴
    bool paid = false;
    bool medical = false;    // 医疗救助 …
    bool schooling = false;  // 雨露计划, 助学 …
};

inline constexpr int k_no_month = std::numeric_limits<int>::max();

struct Households {
    std::vector<HouseholdRow> rows;  // ordered by household_id
    int first_year = 0, n_years = 0;
    std::vector<int> years;          // years with at least one household_income row, ascending
    std::vector<IncomeRow> income;   // [h * n_years + (year − first_year)]
    int first_month = 0, n_months = 0;
    std::vector<MonthRow> months;    // [h * n_months + (month − first_month)]
    std::vector<int> first_dev_month;                  // earliest development-type measure, k_no_month if none
    std::vector<std::vector<int>> measure_months;      // start months of every measure
    std::vector<char> health_measure, education_measure;  // has a 健康 / 教育 measure (for guessing a risk category)
    std::vector<std::vector<BenefitRow>> benefits;
    std::vector<char> duplicate;                       // R16: same village, masked name, size and income as another
    std::vector<int> present_months;                   // months with at least one record in the bundle, ascending
    // Rows that could not be used, each named by table, row and the rule broken (the first 20), and
    // how many there were in all. Orphan rows (household not in households) and malformed months.
    std::vector<std::string> skipped;
    std::int64_t skipped_total = 0;
    void skip(std::string why) {
        if (skipped.size() < 20) skipped.push_back(std::move(why));
        ++skipped_total;
    }

    const IncomeRow* income_of(std::size_t h, int year) const;  // nullptr when absent
    const MonthRow* month_of(std::size_t h, int month) const;
    bool has_year(int year) const { return year >= first_year && year < first_year + n_years; }
};

inline constexpr int k_all_months = -2;
inline constexpr int k_max_months = 60;  // months kept in memory at most (the latest ones)

// Read the households with their income years and monthly records. Months: [first_month,
// last_month]; k_all_months for both: every month present (at most the latest k_max_months);
// -1 for both: none. One pass over household_months either way (it has no index by month).
Households load_households(const Bundle& bundle, const Regions& regions, int first_month, int last_month);

// The years of household_income present in the bundle.
std::vector<int> income_years(const Bundle& bundle);

enum class Check { NotApplicable, Pass, Fail, NoData };

// R3: per-capita net income of `year` inside the monitoring range (≤ line). Pass = above the line.
Check above_line(const Households& hh, std::size_t h, int year, double line);
// R5: relocated with labour → someone employed in `year`.
Check relocation_job(const Households& hh, std::size_t h, int year);
// R11: labour → a development-type measure started by the end of `year`.
Check development_measure(const Households& hh, std::size_t h, int year);

// R12: out-of-province months of `year`.
struct MigrantMonths {
    int longest_run = 0, total = 0, first_qualifying_month = -1;
    bool any_month_data = false;
};
MigrantMonths migrant_months(const Households& hh, std::size_t h, int year, int min_run, int min_total);
// Not applicable when the household does not qualify; Fail when no subsidy was paid for `year`.
Check transport_subsidy(const Households& hh, std::size_t h, int year, int min_run, int min_total, bool* pending = nullptr);

// R16 flags for `year`.
enum IntegrityFlag : unsigned { k_implausible = 1, k_unexplained_jump = 2, k_duplicate = 4 };
struct IntegrityLimits {
    double max_income_pc = 200000;  // R16.max_income_pc
    double jump = 0.5;              // R16.jump_pct / 100
};
IntegrityLimits integrity_limits(const Targets& targets, int year);
unsigned integrity_flags(const Households& hh, std::size_t h, int year, const IntegrityLimits& limits);

// data/policy/alerts.hpp's write_open_alerts_indicator with the regions already read.
void write_open_alerts_indicator_with(Bundle& bundle, int year, const Regions& regions);

}  // namespace onemap::data::snapshot

namespace onemap::data {
struct RuleOptions;
struct RuleRun;
struct MonitoringOptions;
struct MonitoringReport;
// The rules and the monitoring on records already read (check_and_monitor reads them once for
// both); nullptr: read them from the bundle.
RuleRun evaluate_rules_with(const Bundle& bundle, const RuleOptions& options, const snapshot::Regions* regions,
                            const snapshot::Households* households);
MonitoringReport run_monitoring_with(Bundle& bundle, const MonitoringOptions& options, const snapshot::Regions* regions,
                                     const snapshot::Households* households);
}  // namespace onemap::data
