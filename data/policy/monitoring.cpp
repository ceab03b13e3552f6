#include "monitoring.hpp"

#include "data/policy/alerts.hpp"
#include "data/bundle/bundle.hpp"
#include "data/household/household_snapshot.hpp"
#include "data/policy/rules.hpp"
#include "data/bundle/sql_statement.hpp"
#include "data/bundle/text_format.hpp"
#include "data/policy/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <ctime>
#include <optional>
#include <set>
#include <stdexcept>

namespace onemap::data {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Candidate {
    AlertKind kind;
    std::string period, subject, region_code, county_code;
    std::optional<std::int64_t> household_id, project_fid;
    std::string_view category;
    int severity = 1;
    std::string detail;
};

std::string now_iso() { return utc_now_iso(); }

// The county a region reports to: the nearest ancestor at county level, or the city for villages
// of a city without counties (济源).
std::vector<int> county_of(const snapshot::Regions& regions) {
    std::vector<int> out(regions.nodes.size(), -1);
    for (std::size_t i = 0; i < regions.nodes.size(); ++i) {
        int r = static_cast<int>(i);
        while (r >= 0 && regions.nodes[static_cast<std::size_t>(r)].level > Level::County) r = regions.nodes[static_cast<std::size_t>(r)].parent;
        out[i] = r;
    }
    return out;
}

// Income of the 12 months ending with `month`; when a month is missing, the previous calendar
// year's income (the identification rule looks back a year). nullopt when neither exists.
std::optional<double> income_12(const snapshot::Households& hh, std::size_t h, int month) {
    double sum = 0;
    bool complete = true;
    for (int m = month - 11; m <= month && complete; ++m) {
        const auto* r = hh.month_of(h, m);
        if (r) sum += r->income; else complete = false;
    }
    if (complete) return sum;
    if (const auto* y = hh.income_of(h, snapshot::year_of(month) - 1)) return y->total();
    return std::nullopt;
}

std::string_view category_for_income(const snapshot::HouseholdRow& row, const snapshot::IncomeRow* income) {
    if (row.labour == 0) return "缺劳动力";
    if ((income && income->employed == 0) || row.employed_members == 0) return "因务工就业不稳";
    return "其他";
}

// A big expense's likely cause from what is recorded: medical aid or a health measure → 因病;
// schooling aid or an education measure → 因学; else 其他. The village verifies and corrects it.
std::string_view category_for_expense(const snapshot::Households& hh, std::size_t h, int year) {
    bool medical = false, schooling = false;
    for (const auto& b : hh.benefits[h]) {
        if (b.year != year && b.year != year - 1) continue;
        medical = medical || b.medical;
        schooling = schooling || b.schooling;
    }
    if (medical || hh.health_measure[h]) return "因病";
    if (schooling || hh.education_measure[h]) return "因学";
    return "其他";
}

}  // namespace

MonitoringReport run_monitoring(Bundle& bundle, const MonitoringOptions& options) { return run_monitoring_with(bundle, options, nullptr, nullptr); }

MonitoringReport run_monitoring_with(Bundle& bundle, const MonitoringOptions& options, const snapshot::Regions* pre_regions,
                                     const snapshot::Households* pre_households) {
    if (bundle.read_only()) throw BundleError(fmt::format("{}: opened read-only; monitoring writes alerts", bundle.path().string()));
    MonitoringReport report;
    auto t0 = Clock::now();
    const Targets targets = load_targets(bundle);
    snapshot::Regions own_regions;
    if (!pre_regions) own_regions = snapshot::load_regions(bundle);
    const snapshot::Regions& regions = pre_regions ? *pre_regions : own_regions;
    const std::vector<int> county = county_of(regions);

    for (const auto& p : options.periods) {
        const bool year = p.size() == 4 && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!year && snapshot::month_index(p) < 0) throw std::invalid_argument(fmt::format("period '{}': expected YYYY or YYYY-MM", p));
    }
    // One pass over the monthly records: every month present (the 12 before a month are needed for
    // its 12-month income), then the months asked for.
    snapshot::Households own_households;
    if (!pre_households) own_households = snapshot::load_households(bundle, regions, snapshot::k_all_months, snapshot::k_all_months);
    const snapshot::Households& hh = pre_households ? *pre_households : own_households;
    report.skipped_rows = hh.skipped;
    report.skipped_total = hh.skipped_total;
    std::vector<int> months;
    for (int m : hh.present_months) {
        bool wanted = options.periods.empty();
        for (const auto& p : options.periods) wanted = wanted || p == snapshot::month_key(m) || p == std::to_string(snapshot::year_of(m));
        if (wanted) months.push_back(m);
    }
    // A month asked for explicitly is evaluated even without records (every village then unscreened).
    for (const auto& p : options.periods) {
        const int m = snapshot::month_index(p);
        if (m >= 0 && std::find(months.begin(), months.end(), m) == months.end()) months.push_back(m);
    }
    std::sort(months.begin(), months.end());
    for (int m : months) report.months.push_back(snapshot::month_key(m));
    if (months.empty()) return report;
    report.seconds_loading = since(t0);
    t0 = Clock::now();

    std::set<int> years;
    for (int m : months) years.insert(snapshot::year_of(m));
    const double drop = targets.get("monitor.drop_pct", "*").value_or(40) / 100.0;
    const int min_run = static_cast<int>(targets.get("R12.min_consecutive_months", "*").value_or(3));
    const int min_total = static_cast<int>(targets.get("R12.min_total_months", "*").value_or(6));

    struct YearTargets {
        std::optional<double> line;
        double expense_share = 25, severe_expense_share = 50;
    };
    const int first_year = *years.begin();
    std::vector<YearTargets> year_targets;  // looked up once per year, not per household-month
    for (int y = first_year; y <= *years.rbegin(); ++y) {
        const std::string ys = std::to_string(y);
        year_targets.push_back({targets.get("monitoring_line", ys), targets.get("monitor.expense_share_pct", ys).value_or(25),
                                targets.get("monitor.severe_expense_share_pct", ys).value_or(50)});
    }
    std::vector<snapshot::IntegrityLimits> limits;
    for (int y = *years.begin(); y <= *years.rbegin(); ++y) limits.push_back(snapshot::integrity_limits(targets, y));
    std::vector<Candidate> out;
    auto household_alert = [&](AlertKind kind, std::size_t h, std::string period, std::string_view category, int severity, std::string detail) {
        const auto& row = hh.rows[h];
        Candidate c{kind, std::move(period), fmt::format("household:{}", row.id), row.village_code,
                    county[static_cast<std::size_t>(row.village)] >= 0 ? regions.nodes[static_cast<std::size_t>(county[static_cast<std::size_t>(row.village)])].code : "",
                    row.id, std::nullopt, category, severity, std::move(detail)};
        out.push_back(std::move(c));
    };
    std::vector<std::int64_t> village_households(regions.nodes.size(), 0);
    std::vector<std::vector<std::int64_t>> village_screened(months.size(), std::vector<std::int64_t>(regions.nodes.size(), 0));

    for (std::size_t h = 0; h < hh.rows.size(); ++h) {
        const auto& row = hh.rows[h];
        if (row.village < 0) continue;  // a household outside the known villages cannot be placed on the ledger
        ++village_households[static_cast<std::size_t>(row.village)];
        std::set<int> in_range_years;
        for (std::size_t k = 0; k < months.size(); ++k) {
            const int m = months[k];
            const int y = snapshot::year_of(m);
            const std::string ys = std::to_string(y);
            const auto* cur = hh.month_of(h, m);
            if (cur) ++village_screened[k][static_cast<std::size_t>(row.village)];
            const auto inc12 = income_12(hh, h, m);
            const YearTargets& yt = year_targets[static_cast<std::size_t>(y - first_year)];
            const auto& line = yt.line;
            if (inc12 && line && !in_range_years.count(y) && *inc12 / std::max(1, row.members) <= *line) {
                in_range_years.insert(y);
                const double pc = *inc12 / std::max(1, row.members);
                household_alert(AlertKind::IncomeInRange, h, ys, category_for_income(row, hh.income_of(h, y - 1)), row.fully_supported ? 1 : (pc < *line * 0.8 ? 3 : 2),
                                fmt::format("{} 近12个月人均纯收入 {:.0f} 元，不高于监测线 {:.0f} 元{}", snapshot::month_key(m), pc, *line,
                                            row.fully_supported ? "（兜底保障户）" : ""));
            }
            const auto* prev = hh.month_of(h, m - 1);
            if (cur && prev && prev->income > 0 && cur->income < prev->income * (1 - drop)) {
                const double fall = (1 - cur->income / prev->income) * 100;
                household_alert(AlertKind::IncomeDrop, h, snapshot::month_key(m), row.labour > 0 ? "因务工就业不稳" : "其他",
                                cur->income <= 0 ? 3 : 2, fmt::format("月收入环比下降 {:.0f}%（{:.0f} → {:.0f} 元）", fall, prev->income, cur->income));
            }
            if (cur && cur->expense > 0 && inc12 && *inc12 > 0) {
                const double share = cur->expense / *inc12 * 100;
                const double lo = yt.expense_share, hi = yt.severe_expense_share;
                if (share >= lo) {
                    const std::string_view category = category_for_expense(hh, h, y);
                    household_alert(AlertKind::ExpenseJump, h, snapshot::month_key(m), category, share >= hi ? 3 : 2,
                                    fmt::format("当月大额支出 {:.0f} 元，占近12个月收入 {:.0f}%（风险类型{}，待核实）", cur->expense, share,
                                                category == "其他" ? "未能推断" : "据已有救助或措施推断"));
                }
            }
        }
        for (int y : years) {
            const std::string ys = std::to_string(y);
            bool pending = false;
            if (snapshot::transport_subsidy(hh, h, y, min_run, min_total, &pending) == snapshot::Check::Fail) {
                const auto mm = snapshot::migrant_months(hh, h, y, min_run, min_total);
                household_alert(AlertKind::TransportSubsidy, h, ys, "其他", pending ? 1 : 2,
                                fmt::format("{} 年跨省务工累计 {} 个月、最长连续 {} 个月，交通补贴{}", y, mm.total, mm.longest_run, pending ? "待发放" : "未发放"));
            }
            if (snapshot::relocation_job(hh, h, y) == snapshot::Check::Fail) {
                household_alert(AlertKind::RelocationJob, h, ys, "因务工就业不稳", 3, fmt::format("易地搬迁户，劳动力 {} 人，{} 年无人就业", row.labour, y));
            }
            if (snapshot::development_measure(hh, h, y) == snapshot::Check::Fail) {
                household_alert(AlertKind::NoDevelopmentMeasure, h, ys, "其他", 2, fmt::format("劳动力 {} 人，截至 {} 年底无产业、就业、金融或公益岗位帮扶措施", row.labour, y));
            }
            const unsigned f = snapshot::integrity_flags(hh, h, y, limits[static_cast<std::size_t>(y - *years.begin())]);
            if (f & snapshot::k_unexplained_jump) {
                household_alert(AlertKind::IntegrityJump, h, ys, "其他", 1, fmt::format("{} 年收入较上年增幅超过 {:.0f}%，无新增就业、帮扶措施或补贴发放可解释", y,
                                                                                       targets.get("R16.jump_pct", ys).value_or(50)));
            }
            if (f & snapshot::k_implausible) household_alert(AlertKind::IntegrityValue, h, ys, "其他", 1, fmt::format("{} 年数据存在不合理数值（人数、劳动力、收入或支出）", y));
            if (f & snapshot::k_duplicate) household_alert(AlertKind::IntegrityDuplicate, h, ys, "其他", 1, "同村同名（脱敏）同人口且收入完全相同，疑似重复录入");
        }
    }
    for (std::size_t k = 0; k < months.size(); ++k) {
        for (std::size_t v = 0; v < regions.nodes.size(); ++v) {
            if (village_households[v] == 0 || village_screened[k][v] == village_households[v]) continue;
            const auto& node = regions.nodes[v];
            out.push_back({AlertKind::NotScreened, snapshot::month_key(months[k]), "village:" + node.code, node.code,
                           county[v] >= 0 ? regions.nodes[static_cast<std::size_t>(county[v])].code : "", std::nullopt, std::nullopt, "其他", 2,
                           fmt::format("{} 户中 {} 户未录入本月监测", village_households[v], village_households[v] - village_screened[k][v])});
        }
    }
    if (sql::has_table(bundle, "projects")) {
        const std::string ys = std::to_string(*years.rbegin());
        sql::Statement st(bundle, "SELECT fid, county_code, village_code, batch, farmer_linkage, operating FROM projects ORDER BY fid");
        while (st.step()) {
            const std::int64_t fid = st.col_int(0);
            std::string region = st.col_text(2);
            if (regions.find(region) < 0) region = st.col_text(1);
            const int r = regions.find(region);
            const std::string county_code = r >= 0 && county[static_cast<std::size_t>(r)] >= 0 ? regions.nodes[static_cast<std::size_t>(county[static_cast<std::size_t>(r)])].code : st.col_text(1);
            const std::string batch = st.col_text(3);
            const bool linkage = st.col_int(4) != 0, operating = st.col_int(5) != 0;
            if (!operating) {
                const bool sorted = batch == k_project_batches[2] || batch == k_project_batches[3];
                out.push_back({AlertKind::ProjectIdle, ys, fmt::format("project:{}", fid), region, county_code, std::nullopt, fid, "因产业项目失败",
                               sorted ? 1 : 2, fmt::format("项目闲置，当前分类“{}”{}", batch, sorted ? "" : "，未纳入盘活或处置")});
            }
            if (operating && !linkage) {
                out.push_back({AlertKind::ProjectNoLinkage, ys, fmt::format("project:{}", fid), region, county_code, std::nullopt, fid, "因产业项目失败", 2,
                               "运营中的帮扶项目未建立联农带农机制"});
            }
        }
    }
    report.seconds_evaluating = since(t0);

    t0 = Clock::now();
    const std::string at = options.at.empty() ? now_iso() : options.at;
    bundle.exec("PRAGMA cache_size = -262144");  // 256 MiB: a province raises about 100,000 alerts
    Transaction tx(bundle);
    {
        // The alerts go in batches of k_batch rows per statement. A new alert takes the next alert_id
        // (alerts are never deleted, so ids only grow): every id above the largest one before this
        // run is an alert raised now, and its audit row (∅ → new) is written for it by one statement,
        // in the same transaction.
        std::int64_t max_before = 0;
        {
            sql::Statement st(bundle, "SELECT coalesce(max(alert_id), 0) FROM alerts");
            if (st.step()) max_before = st.col_int(0);
        }
        constexpr std::int64_t k_ids_grow = std::int64_t{1} << 62;  // far from the largest id, where SQLite would pick ids at random
        if (max_before >= k_ids_grow) throw BundleError(fmt::format("{}: alert ids are exhausted (largest {})", bundle.path().string(), max_before));
        constexpr std::size_t k_batch = 32, k_columns = 12;
        auto insert_sql = [](std::size_t rows) {
            std::string q = "INSERT OR IGNORE INTO alerts(kind, rule, subject, region_code, county_code, household_id, project_fid, "
                            "risk_category, severity, status, period, detail, raised_at) VALUES ";
            for (std::size_t i = 0; i < rows; ++i) q += i ? ",(?,?,?,?,?,?,?,?,?,'new',?,?,?)" : "(?,?,?,?,?,?,?,?,?,'new',?,?,?)";
            return q;
        };
        sql::Statement batch(bundle, insert_sql(k_batch));
        sql::Statement one(bundle, insert_sql(1));
        auto bind = [&](sql::Statement& ins, int base, const Candidate& c) {
            ins.text_static(base + 1, alert_kind_key(c.kind)).text_static(base + 2, alert_kind_rule(c.kind)).text_static(base + 3, c.subject);
            ins.text_static(base + 4, c.region_code).text_static(base + 5, c.county_code);
            if (c.household_id) ins.integer(base + 6, *c.household_id); else ins.null(base + 6);
            if (c.project_fid) ins.integer(base + 7, *c.project_fid); else ins.null(base + 7);
            ins.text_static(base + 8, c.category).integer(base + 9, c.severity).text_static(base + 10, c.period).text_static(base + 11, c.detail);
            ins.text_static(base + 12, at);
        };
        std::size_t i = 0;
        for (; i + k_batch <= out.size(); i += k_batch) {
            for (std::size_t k = 0; k < k_batch; ++k) bind(batch, static_cast<int>(k * k_columns), out[i + k]);
            batch.run_rebind();
        }
        for (; i < out.size(); ++i) {
            bind(one, 0, out[i]);
            one.run_rebind();
        }
        sql::Statement audit(bundle, "INSERT INTO alert_audit(alert_id, at, role, from_status, to_status, note) "
                                     "SELECT alert_id, ?2, 'system', NULL, 'new', ?3 FROM alerts WHERE alert_id > ?1 ORDER BY alert_id");
        audit.integer(1, max_before).text(2, at).text(3, "onemap monitor 自动预警").run();
        std::map<std::string, std::int64_t> candidates;
        for (const Candidate& c : out) ++candidates[std::string(alert_kind_key(c.kind))];
        sql::Statement raised(bundle, "SELECT kind, count(*) FROM alerts WHERE alert_id > ? GROUP BY kind");
        raised.integer(1, max_before);
        while (raised.step()) report.raised[raised.col_text(0)] = raised.col_int(1);
        for (const auto& [kind, n] : candidates) {
            const auto it = report.raised.find(kind);
            const std::int64_t fresh = it == report.raised.end() ? 0 : it->second;
            if (n > fresh) report.existing[kind] = n - fresh;
        }
    }
    for (int y : years) snapshot::write_open_alerts_indicator_with(bundle, y, regions);
    assert(check_alert_invariants(bundle).empty());  // debug builds: every alert's audit chain matches its status
    tx.commit();
    report.seconds_writing = since(t0);
    return report;
}

CheckAndMonitorReport check_and_monitor(Bundle& bundle, const RuleOptions& rule_options, const MonitoringOptions& monitoring_options) {
    CheckAndMonitorReport out;
    const auto t0 = Clock::now();
    const snapshot::Regions regions = snapshot::load_regions(bundle);
    const snapshot::Households hh = snapshot::load_households(bundle, regions, snapshot::k_all_months, snapshot::k_all_months);
    out.seconds_loading = since(t0);
    out.rules = evaluate_rules_with(bundle, rule_options, &regions, &hh);
    out.monitoring = run_monitoring_with(bundle, monitoring_options, &regions, &hh);
    return out;
}

}  // namespace onemap::data
