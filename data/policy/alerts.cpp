#include "alerts.hpp"

#include "data/bundle/bundle.hpp"
#include "data/household/household_snapshot.hpp"
#include "data/bundle/sql_statement.hpp"
#include "data/bundle/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <ctime>
#include <map>
#include <ostream>

namespace onemap::data {

namespace {

struct KindInfo {
    AlertKind kind;
    std::string_view key, name_zh, rule;
};
constexpr std::array<KindInfo, 12> k_kinds{{
    {AlertKind::IncomeInRange, "income_in_range", "收入处于监测范围", "R3"},
    {AlertKind::IncomeDrop, "income_drop", "收入骤减", ""},
    {AlertKind::ExpenseJump, "expense_jump", "支出骤增", ""},
    {AlertKind::TransportSubsidy, "transport_subsidy", "跨省务工交通补贴未落实", "R12"},
    {AlertKind::RelocationJob, "relocation_job", "搬迁户无人就业", "R5"},
    {AlertKind::NoDevelopmentMeasure, "no_development_measure", "有劳动力无开发式帮扶措施", "R11"},
    {AlertKind::NotScreened, "not_screened", "本月未排查", "R13"},
    {AlertKind::ProjectIdle, "project_idle", "帮扶项目闲置", "R10"},
    {AlertKind::ProjectNoLinkage, "project_no_linkage", "帮扶项目无联农带农机制", "R10"},
    {AlertKind::IntegrityJump, "integrity_jump", "收入跃升无据可查", "R16"},
    {AlertKind::IntegrityValue, "integrity_value", "数值不合理", "R16"},
    {AlertKind::IntegrityDuplicate, "integrity_duplicate", "疑似重复农户", "R16"},
}};

const KindInfo& kind_info(AlertKind k) {
    for (const auto& i : k_kinds) {
        if (i.kind == k) return i;
    }
    return k_kinds[0];
}

std::string now_iso() { return utc_now_iso(); }

int category_order(std::string_view c) {
    for (std::size_t i = 0; i < std::size(k_risk_categories); ++i) {
        if (k_risk_categories[i] == c) return static_cast<int>(i);
    }
    return 99;
}

Alert alert_from(const sql::Statement& st) {
    // Column order of alert_columns().
    Alert a;
    a.id = st.col_int(0);
    a.kind = st.col_text(1);
    a.rule = st.col_text(2);
    a.subject = st.col_text(3);
    a.region_code = st.col_text(4);
    a.county_code = st.col_text(5);
    if (!st.is_null(6)) a.household_id = st.col_int(6);
    if (!st.is_null(7)) a.project_fid = st.col_int(7);
    a.risk_category = st.col_text(8);
    a.severity = static_cast<int>(st.col_int(9));
    a.status = parse_alert_status(st.col_view(10)).value_or(AlertStatus::New);
    a.period = st.col_text(11);
    a.detail = st.col_text(12);
    a.raised_at = st.col_text(13);
    return a;
}

// The filter's conditions; bind_filter gives their values (an unset one matches everything).
constexpr std::string_view k_where =
    " WHERE (?1 IS NULL OR county_code = ?1) AND (?2 IS NULL OR region_code = ?2) AND (?3 IS NULL OR status = ?3)"
    " AND (?4 IS NULL OR kind = ?4) AND (?5 IS NULL OR substr(period, 1, length(?5)) = ?5)";

void bind_filter(sql::Statement& st, const AlertFilter& f) {
    if (f.county_code) st.text(1, *f.county_code);
    if (f.region_code) st.text(2, *f.region_code);
    if (f.status) st.text(3, alert_status_key(*f.status));
    if (f.kind) st.text(4, *f.kind);
    if (f.period_prefix) st.text(5, *f.period_prefix);
}

std::vector<AlertCount> count_by(const Bundle& bundle, const AlertFilter& filter, std::string_view column) {
    sql::Statement st(bundle, fmt::format("SELECT {0}, count(*), sum(status <> 'resolved') FROM alerts{1} GROUP BY {0} ORDER BY {0}",
                                          column, k_where));
    bind_filter(st, filter);
    std::vector<AlertCount> out;
    while (st.step()) out.push_back({st.col_text(0), st.col_int(1), st.col_int(2)});
    return out;
}

std::string csv(std::string_view s) { return csv_field(s); }

}  // namespace

std::string_view alert_columns(bool household_detail) {
    if (household_detail) {
        return "alert_id, kind, rule, subject, region_code, county_code, household_id, project_fid, risk_category, severity, status, period, detail, "
               "raised_at";
    }
    return "alert_id, kind, rule, CASE WHEN household_id IS NULL THEN subject ELSE 'household' END, "
           "CASE WHEN household_id IS NULL THEN region_code ELSE county_code END, county_code, NULL, project_fid, risk_category, severity, status, "
           "period, CASE WHEN household_id IS NULL THEN detail ELSE '' END, raised_at";
}

std::string_view alert_status_key(AlertStatus s) {
    switch (s) {
        case AlertStatus::New: return "new";
        case AlertStatus::Verified: return "verified";
        case AlertStatus::MeasureAssigned: return "measure_assigned";
        case AlertStatus::Resolved: return "resolved";
    }
    return "new";
}

std::string_view alert_status_name_zh(AlertStatus s) {
    switch (s) {
        case AlertStatus::New: return "新预警";
        case AlertStatus::Verified: return "已核实";
        case AlertStatus::MeasureAssigned: return "已落实措施";
        case AlertStatus::Resolved: return "已销号";
    }
    return "新预警";
}

std::optional<AlertStatus> parse_alert_status(std::string_view key) {
    for (auto s : {AlertStatus::New, AlertStatus::Verified, AlertStatus::MeasureAssigned, AlertStatus::Resolved}) {
        if (alert_status_key(s) == key) return s;
    }
    return std::nullopt;
}

bool is_legal_transition(AlertStatus from, AlertStatus to) { return static_cast<int>(to) == static_cast<int>(from) + 1; }

std::string_view alert_kind_key(AlertKind k) { return kind_info(k).key; }
std::string_view alert_kind_name_zh(AlertKind k) { return kind_info(k).name_zh; }
std::string_view alert_kind_rule(AlertKind k) { return kind_info(k).rule; }

std::optional<AlertKind> parse_alert_kind(std::string_view key) {
    for (const auto& i : k_kinds) {
        if (i.key == key) return i.kind;
    }
    return std::nullopt;
}

bool is_risk_category(std::string_view c) { return category_order(c) < 99; }

std::optional<Alert> find_alert(const Bundle& bundle, std::int64_t alert_id) {
    sql::Statement st(bundle, fmt::format("SELECT {} FROM alerts WHERE alert_id = ?", alert_columns(true)));
    st.integer(1, alert_id);
    if (!st.step()) return std::nullopt;
    return alert_from(st);
}

void check_alert_move(const Alert& alert, AlertStatus to, std::string_view role, std::string_view note,
                      const std::optional<std::string>& risk_category) {
    const std::int64_t alert_id = alert.id;
    if (role.empty()) throw AlertError(fmt::format("预警 {}：必须注明操作角色 (a role is required)", alert_id));
    if (!is_legal_transition(alert.status, to)) {
        throw AlertError(fmt::format("预警 {}：不能从“{}”改为“{}”；流程为 新预警→已核实→已落实措施→已销号 (illegal transition {} → {})",
                                     alert_id, alert_status_name_zh(alert.status), alert_status_name_zh(to),
                                     alert_status_key(alert.status), alert_status_key(to)));
    }
    if ((to == AlertStatus::MeasureAssigned || to == AlertStatus::Resolved) && note.empty()) {
        throw AlertError(fmt::format("预警 {}：“{}”须填写说明（{}）", alert_id, alert_status_name_zh(to),
                                     to == AlertStatus::MeasureAssigned ? "落实的帮扶措施" : "销号依据"));
    }
    if (risk_category) {
        if (to != AlertStatus::Verified) throw AlertError(fmt::format("预警 {}：风险类型只能在核实时更正", alert_id));
        if (!is_risk_category(*risk_category)) throw AlertError(fmt::format("预警 {}：“{}”不是标准风险类型", alert_id, *risk_category));
    }
}

void move_alert(Bundle& bundle, std::int64_t alert_id, AlertStatus to, std::string_view role, std::string_view note,
                std::optional<std::string> risk_category, std::string_view at) {
    const auto alert = find_alert(bundle, alert_id);
    if (!alert) throw AlertError(fmt::format("预警 {}：不存在 (alert {} not found)", alert_id, alert_id));
    check_alert_move(*alert, to, role, note, risk_category);
    const std::string when = at.empty() ? now_iso() : std::string(at);
    std::string full_note(note);
    if (risk_category && *risk_category != alert->risk_category) {
        full_note += fmt::format("{}风险类型更正：{} → {}", full_note.empty() ? "" : "；", alert->risk_category, *risk_category);
    }
    Transaction tx(bundle);
    {
        sql::Statement st(bundle, "INSERT INTO alert_audit(alert_id, at, role, from_status, to_status, note) VALUES (?,?,?,?,?,?)");
        st.integer(1, alert_id).text(2, when).text(3, role).text(4, alert_status_key(alert->status)).text(5, alert_status_key(to)).text(6, full_note).run();
    }
    {
        sql::Statement st(bundle, "UPDATE alerts SET status = ?, risk_category = coalesce(?, risk_category) WHERE alert_id = ?");
        st.text(1, alert_status_key(to));
        if (risk_category) st.text(2, *risk_category);
        st.integer(3, alert_id).run();
    }
    if (to == AlertStatus::Resolved && alert->period.size() >= 4) {
        // The open_alerts rule shared with PostgreSQL: the region and those above it recounted.
        {
            sql::Statement metric(bundle, std::string(open_alerts_metric_sql()));
            int i = 0;
            for (const auto& v : open_alerts_metric_params()) metric.text(++i, v);
            metric.run();
        }
        sql::Statement recount(bundle, std::string(open_alerts_recount_sql()));
        recount.text(1, alert->region_code).text(2, alert->period.substr(0, 4)).run();
    }
    assert(check_alert_invariants(bundle, alert_id).empty());
    tx.commit();
}

std::vector<Alert> read_alerts(const Bundle& bundle, const AlertFilter& filter) {
    sql::Statement st(bundle, fmt::format("SELECT {} FROM alerts{} ORDER BY alert_id{}{}", alert_columns(filter.household_detail), k_where,
                                          filter.newest_first ? " DESC" : "", filter.limit ? fmt::format(" LIMIT {}", filter.limit) : ""));
    bind_filter(st, filter);
    std::vector<Alert> out;
    while (st.step()) out.push_back(alert_from(st));
    return out;
}

std::vector<AlertAuditRow> read_alert_audit(const Bundle& bundle, std::int64_t alert_id) {
    sql::Statement st(bundle, "SELECT audit_id, alert_id, at, role, from_status, to_status, note FROM alert_audit WHERE alert_id = ? ORDER BY audit_id");
    st.integer(1, alert_id);
    std::vector<AlertAuditRow> out;
    while (st.step()) {
        AlertAuditRow r;
        r.audit_id = st.col_int(0);
        r.alert_id = st.col_int(1);
        r.at = st.col_text(2);
        r.role = st.col_text(3);
        if (!st.is_null(4)) r.from = parse_alert_status(st.col_view(4));
        r.to = parse_alert_status(st.col_view(5)).value_or(AlertStatus::New);
        r.note = st.col_text(6);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<AlertCount> count_alerts_by_kind(const Bundle& bundle, const AlertFilter& filter) { return count_by(bundle, filter, "kind"); }

std::vector<AlertCount> count_alerts_by_category(const Bundle& bundle, const AlertFilter& filter) {
    auto out = count_by(bundle, filter, "risk_category");
    std::stable_sort(out.begin(), out.end(), [](const AlertCount& a, const AlertCount& b) { return category_order(a.key) < category_order(b.key); });
    return out;
}

std::vector<LedgerRow> read_ledger(const Bundle& bundle, std::string_view county_code, bool open_only) {
    sql::Statement st(bundle, "SELECT county_code, risk_category, village_code, household_id, alert_id, kind, rule, severity, status, period, "
                              "detail, coalesce(measures, ''), coalesce(assigned_measure, '') FROM alert_ledger "
                              "WHERE county_code = ? AND (? = 0 OR status <> 'resolved') ORDER BY village_code, household_id, alert_id");
    st.text(1, county_code).integer(2, open_only);
    std::vector<LedgerRow> out;
    while (st.step()) {
        LedgerRow r;
        r.county_code = st.col_text(0);
        r.risk_category = st.col_text(1);
        r.village_code = st.col_text(2);
        r.household_id = st.col_int(3);
        r.alert_id = st.col_int(4);
        r.kind = st.col_text(5);
        r.rule = st.col_text(6);
        r.severity = static_cast<int>(st.col_int(7));
        r.status = parse_alert_status(st.col_view(8)).value_or(AlertStatus::New);
        r.period = st.col_text(9);
        r.detail = st.col_text(10);
        r.measures = st.col_text(11);
        r.assigned_measure = st.col_text(12);
        out.push_back(std::move(r));
    }
    std::stable_sort(out.begin(), out.end(), [](const LedgerRow& a, const LedgerRow& b) { return category_order(a.risk_category) < category_order(b.risk_category); });
    return out;
}

void write_ledger_csv(const std::vector<LedgerRow>& rows, std::ostream& out) {
    out << "\xEF\xBB\xBF";
    out << "县级代码,风险类型,村代码,户编号,预警编号,预警类型,规则,严重程度,状态,期间,预警说明,已有帮扶措施,落实措施\n";
    for (const auto& r : rows) {
        const auto kind = parse_alert_kind(r.kind);
        out << csv(r.county_code) << ',' << csv(r.risk_category) << ',' << csv(r.village_code) << ',' << r.household_id << ','
            << r.alert_id << ',' << csv(kind ? alert_kind_name_zh(*kind) : r.kind) << ',' << csv(r.rule) << ',' << r.severity << ','
            << csv(alert_status_name_zh(r.status)) << ',' << csv(r.period) << ',' << csv(r.detail) << ',' << csv(r.measures) << ','
            << csv(r.assigned_measure) << '\n';
    }
}

std::string_view open_alerts_metric_sql() {
    return "INSERT INTO metrics(key, name_zh, name_en, unit, direction, diverging) VALUES ($1, $2, $3, $4, $5, CAST($6 AS INTEGER)) "
           "ON CONFLICT (key) DO NOTHING";
}

std::vector<std::string> open_alerts_metric_params() {
    const Metric* m = find_metric("open_alerts");
    return {std::string(m->key), std::string(m->name_zh), std::string(m->name_en), std::string(m->unit), std::string(direction_key(m->direction)),
            m->diverging ? "1" : "0"};
}

// `up`: the alert's region and its ancestors; `open_up`: every open alert of the year, once for its
// region and once for each region above it (depth-limited, so a cycle in bad data cannot run away).
std::string_view open_alerts_recount_sql() {
    return R"sql(
WITH RECURSIVE up(code, depth) AS (
  SELECT CAST($1 AS TEXT), 0
  UNION ALL SELECT g.parent_code, up.depth + 1 FROM regions g JOIN up ON g.code = up.code WHERE g.parent_code <> '' AND up.depth < 8),
open_up(code, depth) AS (
  SELECT region_code, 0 FROM alerts WHERE status <> 'resolved' AND substr(period, 1, 4) = $2
  UNION ALL SELECT g.parent_code, o.depth + 1 FROM regions g JOIN open_up o ON g.code = o.code WHERE g.parent_code <> '' AND o.depth < 8)
INSERT INTO indicators(region_code, period, metric, value)
SELECT up.code, $2, 'open_alerts', count(o.code) FROM up LEFT JOIN open_up o ON o.code = up.code WHERE true GROUP BY up.code
ON CONFLICT (metric, period, region_code) DO UPDATE SET value = excluded.value
)sql";
}

void write_open_alerts_indicator(Bundle& bundle, int year) { snapshot::write_open_alerts_indicator_with(bundle, year, snapshot::load_regions(bundle)); }

void snapshot::write_open_alerts_indicator_with(Bundle& bundle, int year, const snapshot::Regions& regions) {
    std::vector<std::int64_t> open(regions.nodes.size(), 0);
    const std::string period = std::to_string(year);
    {
        sql::Statement st(bundle, "SELECT region_code, count(*) FROM alerts WHERE status <> 'resolved' AND substr(period, 1, 4) = ? GROUP BY region_code");
        st.text(1, period);
        while (st.step()) {
            const int i = regions.find(st.col_view(0));
            if (i >= 0) open[static_cast<std::size_t>(i)] += st.col_int(1);
        }
    }
    for (int i : regions.bottom_up) {
        const int p = regions.nodes[static_cast<std::size_t>(i)].parent;
        if (p >= 0) open[static_cast<std::size_t>(p)] += open[static_cast<std::size_t>(i)];
    }
    const Metric* m = find_metric("open_alerts");
    sql::Statement metric(bundle, "INSERT OR IGNORE INTO metrics(key, name_zh, name_en, unit, direction, diverging) VALUES (?,?,?,?,?,?)");
    metric.text(1, m->key).text(2, m->name_zh).text(3, m->name_en).text(4, m->unit).text(5, direction_key(m->direction)).integer(6, m->diverging).run();
    // Only what changes is written: a value that differs is updated in place (the indicators' index
    // by region stays as it is), a region without a row gets one, in code order.
    std::vector<std::optional<double>> stored(regions.nodes.size());
    {
        sql::Statement st(bundle, "SELECT region_code, value FROM indicators WHERE metric = 'open_alerts' AND period = ?");
        st.text(1, period);
        while (st.step()) {
            const int i = regions.find(st.col_view(0));
            if (i >= 0) stored[static_cast<std::size_t>(i)] = st.col_real(1);
        }
    }
    std::vector<std::size_t> order(regions.nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return regions.nodes[a].code < regions.nodes[b].code; });
    sql::Statement update(bundle, "UPDATE indicators SET value = ?3 WHERE metric = 'open_alerts' AND period = ?2 AND region_code = ?1");
    sql::Statement insert(bundle, "INSERT INTO indicators(region_code, period, metric, value) VALUES (?1, ?2, 'open_alerts', ?3)");
    for (std::size_t i : order) {
        const double value = static_cast<double>(open[i]);
        if (stored[i] && *stored[i] == value) continue;
        sql::Statement& st = stored[i] ? update : insert;
        st.text_static(1, regions.nodes[i].code).text_static(2, period).real(3, value).run_rebind();
    }
}

std::string check_alert_invariants(const Bundle& bundle, std::optional<std::int64_t> alert_id) {
    sql::Statement st(bundle, "SELECT a.alert_id, a.status, u.from_status, u.to_status FROM alerts a LEFT JOIN alert_audit u ON u.alert_id = a.alert_id "
                              "WHERE (?1 IS NULL OR a.alert_id = ?1) ORDER BY a.alert_id, u.audit_id");
    if (alert_id) st.integer(1, *alert_id);
    std::int64_t current = -1;
    int expected_next = 0;  // index of the next status in the chain
    std::string current_status;
    auto close = [&]() -> std::string {
        if (current < 0) return {};
        const auto s = parse_alert_status(current_status);
        if (!s) return fmt::format("alert {}: unknown status '{}'", current, current_status);
        if (expected_next != static_cast<int>(*s) + 1) {
            return fmt::format("alert {}: status {} but the audit chain reaches step {}", current, current_status, expected_next - 1);
        }
        return {};
    };
    while (st.step()) {
        const std::int64_t id = st.col_int(0);
        if (id != current) {
            if (auto why = close(); !why.empty()) return why;
            current = id;
            current_status = st.col_text(1);
            expected_next = 0;
        }
        if (st.is_null(3)) continue;  // no audit rows at all: caught by close()
        const auto to = parse_alert_status(st.col_view(3));
        const std::optional<AlertStatus> from = st.is_null(2) ? std::nullopt : parse_alert_status(st.col_view(2));
        if (!to || static_cast<int>(*to) != expected_next) return fmt::format("alert {}: audit row to '{}' out of order", id, st.col_text(3));
        if (expected_next == 0 ? from.has_value() : (!from || static_cast<int>(*from) != expected_next - 1)) {
            return fmt::format("alert {}: audit row {} → {} does not follow the previous step", id, st.col_text(2), st.col_text(3));
        }
        ++expected_next;
    }
    return close();
}

}  // namespace onemap::data
