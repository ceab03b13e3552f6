#include "targets.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/sql_statement.hpp"

#include <array>

namespace onemap::data {

namespace {
constexpr std::array<TargetDefault, 24> k_defaults{{
    {"R1.min_gap_pp", "*", 0, "R1 增速差须严格大于此值（百分点）"},
    {"R2.max_rural_to_tp", "2025", 1.1, "R2 到2025年 脱贫人口:农村居民 = 1:1.1 [V]"},
    {"R3.zero_from_year", "*", 2025, "R3 自该年起，兜底保障户以外无人在监测范围内"},
    {"R6.min_workers", "*", 2100000, "R6 脱贫人口务工规模 ≥ 210万人"},
    {"R7.min_certificates", "*", 100000, "R7 每年新增持证 ≥ 10万人"},
    {"R8.min_industry_share_pct", "2023", 60, "R8 衔接资金用于产业比例 ≥ 60%"},
    {"R8.min_industry_share_pct", "2024", 65, "R8 衔接资金用于产业比例 ≥ 65%"},
    {"R8.min_industry_share_pct", "2025", 70, "R8 衔接资金用于产业比例 ≥ 70%"},
    {"R9.min_industries", "*", 1, "R9 每县主导帮扶产业 1–3 个"},
    {"R9.max_industries", "*", 3, "R9 每县主导帮扶产业 1–3 个"},
    {"R12.min_consecutive_months", "*", 3, "R12 连续3个月"},
    {"R12.min_total_months", "*", 6, "R12 累计6个月"},
    {"R14.min_employment_points", "*", 100, "R14 每年认定100个就业帮扶示范点"},
    {"R15.min_village_subsidy", "*", 500000, "R15 每村扶持资金 ≥ 50万元"},
    {"R16.jump_pct", "*", 50, "R16 人均纯收入年增幅超过此值且无工作、措施或补贴可解释时标记"},
    {"R16.max_income_pc", "*", 200000, "R16 人均纯收入合理上限（元）"},
    {"monitoring_line", "2021", 6000, "监测范围 全国底线 2021 [V]"},
    {"monitoring_line", "2022", 6600, "监测范围 河南 2022 [U] 占位，待核实"},
    {"monitoring_line", "2023", 7000, "监测范围 河南 2023 [U] 占位，待核实"},
    {"monitoring_line", "2024", 7300, "监测范围 河南 2024 [U] 占位，待核实"},
    {"monitoring_line", "2025", 7600, "监测范围 河南 2025 [U] 占位，待核实"},
    {"monitor.drop_pct", "*", 40, "月收入环比降幅超过此值（%）预警"},
    {"monitor.expense_share_pct", "*", 25, "当月大额支出达到近12个月收入的此比例（%）预警"},
    {"monitor.severe_expense_share_pct", "*", 50, "达到此比例（%）为严重"},
}};
}  // namespace

std::span<const TargetDefault> default_targets() { return k_defaults; }

std::optional<double> Targets::get(std::string_view key, std::string_view period) const {
    auto find = [&](std::string_view p) -> std::optional<double> {
        auto it = m_values.find(std::pair<std::string, std::string>(key, p));
        if (it == m_values.end()) return std::nullopt;
        return it->second;
    };
    if (auto v = find(period)) return v;
    if (period.size() > 4 && period[4] == '-') {
        if (auto v = find(period.substr(0, 4))) return v;
    }
    return find("*");
}

void Targets::set(std::string_view key, std::string_view period, double value) {
    m_values[{std::string(key), std::string(period)}] = value;
}

Targets Targets::defaults() {
    Targets t;
    for (const auto& d : k_defaults) t.set(d.key, d.period, d.value);
    return t;
}

Targets load_targets(const Bundle& bundle) {
    if (!sql::has_table(bundle, "targets")) return Targets::defaults();
    // A key the table mentions is wholly the table's: its rows replace every default of that key.
    Targets from_table;
    std::map<std::string, bool, std::less<>> keys;
    sql::Statement st(bundle, "SELECT key, period, value FROM targets");
    while (st.step()) {
        from_table.set(st.col_view(0), st.col_view(1), st.col_real(2));
        keys[st.col_text(0)] = true;
    }
    Targets out;
    for (const auto& d : k_defaults) {
        if (!keys.count(d.key)) out.set(d.key, d.period, d.value);
    }
    for (const auto& [kp, v] : from_table.m_values) out.m_values[kp] = v;
    return out;
}

void write_default_targets(Bundle& bundle) {
    sql::Statement st(bundle, "INSERT OR IGNORE INTO targets(key, period, value, note) VALUES (?,?,?,?)");
    for (const auto& d : k_defaults) st.text(1, d.key).text(2, d.period).real(3, d.value).text(4, d.note).run();
}

}  // namespace onemap::data
