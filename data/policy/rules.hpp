#pragma once
// The plan's targets as checkable rules R1–R16 (../shared/domain/POLICY.md), computed per region and
// period into the bundle's `rule_results` table, for `onemap check`, the map's rule-status layer
// and the desk's info panel.
//
//   bundle (indicators, households, months, measures, benefits, projects) + targets (data/policy/targets.hpp)
//        └─ evaluate_rules() ──▶ RuleRun (results + time per rule) ── write_rule_results() ──▶ rule_results
//                                                                      read_rule_results() ◀──┘
//                                                                      rule_status_for_level() (map layer)
//
// A result is pass, fail, not applicable or no data. "No data" is never pass; "higher than" is
// strictly higher. Where a rule counts households (R3 R5 R11 R12 R16) a region fails when any
// household fails, has no data when any has none, and is n.a. when none is concerned.
//
// How each rule reads the bundle (levels: P province, C city, K county, T township, V village):
//   R1  CK    indicators tp_income_pc / rural_income_pc this year and last (or the *_growth rows);
//             value = gap in percentage points, pass only when gap > R1.min_gap_pp (equal fails)
//   R2  P     indicators; value = rural ÷ tp (shown 1 : x); pass when x ≤ R2.max_rural_to_tp; n.a. in
//             years without a target row (the plan sets 2025)
//   R3  all   household_income; a person is inside the range when income per person ≤ the year's
//             monitoring_line ("above" is strictly higher); before R3.zero_from_year the count must fall
//             (0 and 0 passes), from then on be 0 outside 兜底保障户 (fully_supported)
//   R4  PCK   household_income of relocated vs all households, same households both years; equal passes
//   R5  all   relocated households with labour: household_income.employed of the year > 0
//   R6 R7 R8  indicators migrant_workers, new_certificates, industry_fund_share against their targets
//   R9  K     featured_industries table (no rows at all → no data)
//   R10 PCK   projects: operating ones need farmer_linkage; every one one of the four batches; an idle
//             one must be 盘活闲置 or 依法处置
//   R11 all   households with labour: a development-type measure (产业 就业 金融 公益岗位) started by
//             the end of the year
//   R12 all   household_months of the year: a run of ≥ 3 recorded consecutive months out of province or
//             ≥ 6 in total qualifies; needs a paid 跨省务工交通补贴 benefit of that year (pending ≠ paid)
//   R13 all   monthly: a village is screened when every household has that month's record; above the
//             village the value is the number of unscreened villages
//   R14 R15   no source table in the bundle yet → no data
//   R16 all   per household and year: income per person up > R16.jump_pct with no more members
//             employed, no measure started this year or last and no benefit paid; implausible values;
//             duplicates (same village, masked name, size, labour and incomes)
#include "data/policy/catalogue.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

class Bundle;

enum class RuleStatus { Pass, Fail, NotApplicable, NoData };
std::string_view status_key(RuleStatus s);      // "pass" | "fail" | "na" | "no_data"
std::string_view status_name_zh(RuleStatus s);  // 达标 | 未达标 | 不适用 | 无数据
std::optional<RuleStatus> parse_status(std::string_view key);

struct RuleInfo {
    std::string_view id;        // "R1"
    std::string_view key;       // "growth-gap"
    std::string_view name_zh;   // 增速差
    std::string_view text_zh;   // the rule in one line
    unsigned levels;            // bit (1 << level) for each level the rule is computed at
    bool monthly;               // periods are 'YYYY-MM' (R13), else 'YYYY'
    bool applies_at(Level l) const { return (levels >> static_cast<int>(l)) & 1u; }
};
std::span<const RuleInfo> rule_catalogue();
const RuleInfo* find_rule(std::string_view id_or_key);  // "R3", "r3" or "below-line"; nullptr when unknown

struct RuleResult {
    std::string rule;          // "R1"
    std::string region_code;
    std::string period;
    RuleStatus status = RuleStatus::NoData;
    std::optional<double> value;
    std::optional<double> target;
    std::string reason;        // one line, Chinese
};

struct RuleOptions {
    std::vector<std::string> rules;    // ids; empty: all
    // 'YYYY' or 'YYYY-MM' ('YYYY' includes its months for R13); empty: the bundle's current year (the
    // latest year with household or indicator data) and, for R13, its latest month with records;
    // {"all"}: every period each rule has data for.
    std::vector<std::string> periods;
};

struct RuleTiming {
    std::string rule;
    double seconds = 0;
    std::size_t results = 0;
};

struct RuleRun {
    std::vector<RuleResult> results;
    std::vector<RuleTiming> timings;           // one per rule evaluated, catalogue order
    double seconds_loading = 0;                // reading regions and household records, shared by the rules
    std::vector<std::pair<std::string, std::string>> computed;  // (rule, period) pairs evaluated
    // Household rows left out because they are broken, named by table, row and rule (first 20).
    std::vector<std::string> skipped_rows;
    std::int64_t skipped_total = 0;
};

// Compute (reads only). Throws BundleError for an unreadable bundle, std::invalid_argument for an
// unknown rule id or a malformed period (the message names it).
RuleRun evaluate_rules(const Bundle& bundle, const RuleOptions& options);
// Replace the rule_results rows of every (rule, period) in run.computed with run.results, and write
// the default targets the bundle lacks; one transaction — on error the bundle is as it was.
void write_rule_results(Bundle& bundle, const RuleRun& run);

struct RuleFilter {
    std::vector<std::string> rules;       // empty: all
    std::optional<std::string> period;
    std::optional<Level> level;
    std::optional<std::string> region_code;
};
// Stored results, ordered by rule (catalogue order), period, region code.
std::vector<RuleResult> read_rule_results(const Bundle& bundle, const RuleFilter& filter);
// For every store of results: the catalogue ids a filter names (all when none; throws
// std::invalid_argument naming an unknown one), and the order above.
std::vector<std::string> filter_rule_ids(const RuleFilter& filter);
void sort_rule_results(std::vector<RuleResult>& results);

// The map's rule-status layer: one entry per region of `level` (ordered by code) for `rule` and
// `period`. A region without a stored row is n.a. where the rule does not apply at that level, and
// no data where it does.
struct RegionRuleStatus {
    std::string region_code;
    RuleStatus status = RuleStatus::NoData;
    std::optional<double> value, target;
    std::string reason;
};
std::vector<RegionRuleStatus> rule_status_for_level(const Bundle& bundle, std::string_view rule, Level level,
                                                    std::string_view period);
// The entry for a region without a stored row (n.a. or no data, as above), for every store.
RegionRuleStatus missing_rule_status(const RuleInfo& info, Level level, std::string region_code);

// The wall's tiles: per rule, how many regions of `level` pass, fail, are n.a. or have no data in
// `period` (for R13 give a month), from the stored results. Catalogue order; rules with no stored
// row at that level and period are left out.
struct RuleSummary {
    std::string rule;
    std::int64_t pass = 0, fail = 0, not_applicable = 0, no_data = 0;
    void add(RuleStatus status, std::int64_t n);
};
std::vector<RuleSummary> summarise_rule_results(const Bundle& bundle, Level level, std::string_view period);

// Names and levels of every region, for reports (code → name, level).
struct RegionLabel {
    std::string code, name;
    Level level = Level::Village;
};
std::vector<RegionLabel> read_region_labels(const Bundle& bundle);

}  // namespace onemap::data
