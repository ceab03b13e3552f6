#pragma once
// Alerts raised by the monthly monitoring (data/policy/monitoring.hpp), their workflow, and the ledger
// (一户一策) that a county works from.
//
// An alert's status is a state machine:
//
//            raise             verify               assign a measure               resolve
//   (none) ───────▶ new ───────────▶ verified ───────────────▶ measure_assigned ───────────▶ resolved
//
// No other move exists: no skipping a step, no going back, nothing after resolved. Every move
// appends one row to alert_audit (time, role, note) and then changes alerts.status, in one
// transaction. The bundle itself refuses what the code must never do (triggers in the schema): an
// illegal move, a move without its audit row, any UPDATE or DELETE of alert_audit, deleting an alert.
//
// Invariant (check_alert_invariants, run in debug builds after every move): the audit rows of each
// alert, in audit_id order, are exactly (∅→new), (new→verified), … up to its current status.
#include "data/policy/catalogue.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

class Bundle;

enum class AlertStatus { New, Verified, MeasureAssigned, Resolved };
std::string_view alert_status_key(AlertStatus s);       // "new" | "verified" | "measure_assigned" | "resolved"
std::string_view alert_status_name_zh(AlertStatus s);   // 新预警 | 已核实 | 已落实措施 | 已销号
std::optional<AlertStatus> parse_alert_status(std::string_view key);
bool is_legal_transition(AlertStatus from, AlertStatus to);  // exactly one step forward

enum class AlertKind {
    IncomeInRange,         // R3: 12-month per-capita income inside the monitoring range
    IncomeDrop,            // month-on-month income fall beyond the threshold
    ExpenseJump,           // big rigid expense (illness, schooling, disaster)
    TransportSubsidy,      // R12
    RelocationJob,         // R5
    NoDevelopmentMeasure,  // R11
    NotScreened,           // R13, a village
    ProjectIdle,           // R10, a project
    ProjectNoLinkage,      // R10, a project
    IntegrityJump,         // R16
    IntegrityValue,        // R16
    IntegrityDuplicate,    // R16
};
std::string_view alert_kind_key(AlertKind k);      // "income_in_range" …
std::string_view alert_kind_name_zh(AlertKind k);  // 收入处于监测范围 …
std::string_view alert_kind_rule(AlertKind k);     // "R3" …, "" for the monitoring-only kinds
std::optional<AlertKind> parse_alert_kind(std::string_view key);

// The standard risk categories (FACTS.md), in display order.
inline constexpr std::string_view k_risk_categories[] = {"因病", "因学", "因残", "因自然灾害", "因意外事故",
                                                         "因产业项目失败", "因务工就业不稳", "缺劳动力", "其他"};
bool is_risk_category(std::string_view c);

struct Alert {
    std::int64_t id = 0;
    std::string kind, rule, subject, region_code, county_code;
    std::optional<std::int64_t> household_id, project_fid;
    std::string risk_category;
    int severity = 1;  // 1 关注, 2 预警, 3 严重
    AlertStatus status = AlertStatus::New;
    std::string period, detail, raised_at;
};

struct AlertAuditRow {
    std::int64_t audit_id = 0, alert_id = 0;
    std::string at, role;
    std::optional<AlertStatus> from;  // empty: the alert being raised
    AlertStatus to = AlertStatus::New;
    std::string note;
};

// A refused workflow step, worded for the official: names the alert and the rule broken.
class AlertError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Move one alert one step (resolving lowers the open_alerts indicator of its region and those above). `role` (e.g. 村级网格员, 乡镇, 县乡村振兴局) must be non-empty; the
// measure_assigned and resolved steps need a note (the measure; how it was resolved).
// `risk_category`, on the verify step only, corrects the category the monitoring guessed.
// `at` is an ISO 8601 time, empty for now. Throws AlertError; the bundle is then as it was.
void move_alert(Bundle& bundle, std::int64_t alert_id, AlertStatus to, std::string_view role, std::string_view note,
                std::optional<std::string> risk_category = std::nullopt, std::string_view at = {});

// The checks move_alert makes before it writes (role, one step forward, the note, the category), for
// every store of alerts (the bundle, PostgreSQL). Throws AlertError.
void check_alert_move(const Alert& alert, AlertStatus to, std::string_view role, std::string_view note,
                      const std::optional<std::string>& risk_category = std::nullopt);

struct AlertFilter {
    std::optional<std::string> county_code;
    std::optional<std::string> region_code;
    std::optional<AlertStatus> status;
    std::optional<std::string> kind;
    std::optional<std::string> period_prefix;  // "2025" or "2025-03"
    std::size_t limit = 0;                     // 0: all
    bool newest_first = false;                 // by alert id, the latest raised first (else the first raised first)
    // false: a household's alert is read without what concerns the household — subject 'household',
    // no household id, no detail, placed at its county (region_code = county_code) — what a screen
    // read from across a room may show (the wall); the desk's workflow reads them whole.
    bool household_detail = true;
};
// The alert columns in Alert's order as SQL both SQLite and PostgreSQL read (see household_detail).
std::string_view alert_columns(bool household_detail);
std::vector<Alert> read_alerts(const Bundle& bundle, const AlertFilter& filter);
std::optional<Alert> find_alert(const Bundle& bundle, std::int64_t alert_id);
std::vector<AlertAuditRow> read_alert_audit(const Bundle& bundle, std::int64_t alert_id);

// Counts per (kind, status) and per (risk category) — what a screen or log may show.
struct AlertCount {
    std::string key;
    std::int64_t total = 0, open = 0;
};
std::vector<AlertCount> count_alerts_by_kind(const Bundle& bundle, const AlertFilter& filter);
std::vector<AlertCount> count_alerts_by_category(const Bundle& bundle, const AlertFilter& filter);

// The ledger (一户一策) of one county: household alerts grouped by risk category (standard order),
// then village and household. Reads the alert_ledger view. household_id and village only; never
// ID numbers or names.
struct LedgerRow {
    std::string county_code, risk_category, village_code;
    std::int64_t household_id = 0, alert_id = 0;
    std::string kind, rule;
    int severity = 1;
    AlertStatus status = AlertStatus::New;
    std::string period, detail, measures, assigned_measure;
};
std::vector<LedgerRow> read_ledger(const Bundle& bundle, std::string_view county_code, bool open_only = false);
// CSV (UTF-8 with BOM, for spreadsheet programs), one header line in Chinese.
void write_ledger_csv(const std::vector<LedgerRow>& rows, std::ostream& out);

// The open_alerts indicator (metric 'open_alerts', period 'YYYY'): alerts of that year not yet
// resolved, per village and rolled up to every level. Runs inside the caller's transaction.
void write_open_alerts_indicator(Bundle& bundle, int year);

// The rule every store of alerts follows when one is resolved (the bundle's move_alert, PostgreSQL's
// step in data/pg/pg_source.cpp): the open_alerts indicator of the alert's region and of every region
// above it is counted again from the alerts of that year not resolved — a row is written where none
// was, a stale value is corrected, other regions are left as they are. One SQL text each, which
// SQLite and PostgreSQL both run, all parameters as text:
//   open_alerts_metric_sql():  the metric's catalogue row where missing; $1…$6 open_alerts_metric_params()
//   open_alerts_recount_sql(): $1 the alert's region code, $2 the year ('YYYY')
std::string_view open_alerts_metric_sql();
std::vector<std::string> open_alerts_metric_params();
std::string_view open_alerts_recount_sql();

// The state-machine invariant above, over every alert (or one). Returns an empty string when it
// holds, else what is wrong (alert id and the broken rule).
std::string check_alert_invariants(const Bundle& bundle, std::optional<std::int64_t> alert_id = std::nullopt);

}  // namespace onemap::data
