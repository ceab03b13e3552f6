#pragma once
// The monthly monitoring (动态监测): from the households' monthly records, raise the alerts that the
// ledger (data/policy/alerts.hpp) works from.
//
//   household_months (12-month income, month-on-month, big expenses, months out of province)
//   households, household_income, measures, benefits, projects, targets (monitoring line, thresholds)
//        └─ run_monitoring(period) ──▶ alerts (+ one audit row each: ∅ → new, role 'system')
//                                   ──▶ indicators: open_alerts per region for each year touched
//
// Re-running is safe: an alert is unique by (kind, period, subject), so an existing one — whatever its
// status — is left alone and nothing is raised twice. Alerts are never deleted. The whole run is one
// transaction: on error the bundle is as it was.
//
// Keys for period: month alerts use 'YYYY-MM' (income drop, expense jump, village not screened); the
// household's yearly conditions use 'YYYY' (in the monitoring range, R5, R11, R12, R16, projects), so
// a household below the line is one alert a year, not twelve.
#include "data/policy/rules.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onemap::data {

class Bundle;

struct MonitoringOptions {
    std::vector<std::string> periods;  // 'YYYY' or 'YYYY-MM'; empty: every month with records
    std::string at;                    // ISO time to record; empty: now
};

struct MonitoringReport {
    std::vector<std::string> months;                 // months evaluated
    std::map<std::string, std::int64_t> raised;      // new alerts per kind
    std::map<std::string, std::int64_t> existing;    // already present, left alone
    double seconds_loading = 0, seconds_evaluating = 0, seconds_writing = 0;
    std::vector<std::string> skipped_rows;  // broken rows left out, named by table, row and rule (first 20)
    std::int64_t skipped_total = 0;
    std::int64_t total_raised() const {
        std::int64_t n = 0;
        for (const auto& [k, v] : raised) n += v;
        return n;
    }
};

// Throws BundleError (unreadable or read-only bundle) or std::invalid_argument (malformed period).
MonitoringReport run_monitoring(Bundle& bundle, const MonitoringOptions& options);

// The nightly job: evaluate the rules (data/policy/rules.hpp; the caller writes them with
// write_rule_results) and run the monitoring, reading the household records once for both.
struct CheckAndMonitorReport {
    RuleRun rules;
    MonitoringReport monitoring;
    double seconds_loading = 0;  // the shared read; rules.seconds_loading and monitoring.seconds_loading add the rest
};
CheckAndMonitorReport check_and_monitor(Bundle& bundle, const RuleOptions& rule_options, const MonitoringOptions& monitoring_options);

}  // namespace onemap::data
