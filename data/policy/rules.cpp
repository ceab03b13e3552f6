#include "rules.hpp"

#include "data/bundle/bundle.hpp"
#include "data/household/household_snapshot.hpp"
#include "data/bundle/sql_statement.hpp"
#include "data/policy/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace onemap::data {

namespace {

constexpr unsigned lv(Level l) { return 1u << static_cast<int>(l); }
constexpr unsigned k_all = lv(Level::Province) | lv(Level::City) | lv(Level::County) | lv(Level::Township) | lv(Level::Village);
constexpr unsigned k_pcc = lv(Level::Province) | lv(Level::City) | lv(Level::County);

constexpr std::array<RuleInfo, 16> k_rules{{
    {"R1", "growth-gap", "增速差", "各省辖市、县脱贫人口人均纯收入增速高于当地农村居民人均可支配收入增速", lv(Level::City) | lv(Level::County), false},
    {"R2", "income-ratio", "收入比", "到2025年全省脱贫人口与农村居民人均收入之比达到目标（1∶1.1）", lv(Level::Province), false},
    {"R3", "below-line", "监测范围内人数", "监测范围内的脱贫人口逐年减少；到2025年兜底保障户以外无人在监测范围内", k_all, false},
    {"R4", "relocation-sync", "搬迁同步增长", "易地搬迁脱贫人口人均纯收入增速不低于全体脱贫人口", k_pcc, false},
    {"R5", "relocation-job", "搬迁户就业", "有劳动力的搬迁家庭每户至少一人就业", k_all, false},
    {"R6", "migrant-scale", "务工规模", "全省脱贫人口务工规模每年稳定在210万人以上", lv(Level::Province), false},
    {"R7", "new-certificates", "新增持证", "每年脱贫人口新增持证10万人以上", lv(Level::Province), false},
    {"R8", "industry-share", "衔接资金产业占比", "中央衔接资金用于产业比例 2023/2024/2025 年不低于 60%/65%/70%", lv(Level::Province) | lv(Level::County), false},
    {"R9", "featured-industries", "主导产业", "每县培育1–3个主导帮扶产业", lv(Level::County), false},
    {"R10", "project-ledger", "项目台账", "运营中的帮扶项目均有联农带农机制，且纳入“四个一批”分类", k_pcc, false},
    {"R11", "development-measure", "开发式帮扶", "有劳动能力的脱贫人口均有开发式帮扶措施", k_all, false},
    {"R12", "transport-subsidy", "务工交通补贴", "跨省务工连续3个月或累计6个月及以上的应补尽补", k_all, false},
    {"R13", "monthly-screening", "按月排查", "每村每月排查，收入骤减、支出骤增的农户纳入台账", k_all, true},
    {"R14", "demo-points", "示范点", "每年认定100个就业帮扶示范点；到2025年400个康养旅游示范村", lv(Level::Province), false},
    {"R15", "collective-economy", "村集体经济", "扶持村集体经济每村不低于50万元", lv(Level::Province), false},
    {"R16", "data-integrity", "数据真实性", "杜绝“数字增收”：无工作、措施或补贴可解释的收入跃升、不合理数值、重复农户", k_all, false},
}};

constexpr double k_eps = 1e-9;  // "strictly higher" ignores differences below this (floating-point noise)

using Clock = std::chrono::steady_clock;

RuleResult make_result(std::string_view rule, std::string_view code, std::string_view period) {
    RuleResult r;
    r.rule = rule;
    r.region_code = code;
    r.period = period;
    return r;
}

std::string num(double v, int decimals = 0) {
    // 12,345 / 12,345.6: thousands separators for readability.
    std::string s = fmt::format("{:.{}f}", std::abs(v), decimals);
    const auto dot = s.find('.');
    std::string head = s.substr(0, dot), tail = dot == std::string::npos ? "" : s.substr(dot);
    std::string out;
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (i > 0 && (head.size() - i) % 3 == 0) out += ',';
        out += head[i];
    }
    return (v < 0 ? "-" : "") + out + tail;
}

bool is_year(std::string_view p) {
    return p.size() == 4 && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Everything the rules read, loaded once per run.
struct Context {
    Context(const Bundle& b, const snapshot::Regions* pre_regions)
        : bundle(b), targets(load_targets(b)), regions(pre_regions ? *pre_regions : (own_regions = snapshot::load_regions(b))) {
        by_code.resize(regions.nodes.size());
        for (std::size_t i = 0; i < by_code.size(); ++i) by_code[i] = static_cast<int>(i);
        std::sort(by_code.begin(), by_code.end(), [&](int a, int c) {
            return regions.nodes[static_cast<std::size_t>(a)].code < regions.nodes[static_cast<std::size_t>(c)].code;
        });
    }
    const Bundle& bundle;
    Targets targets;
    snapshot::Regions own_regions;  // when not given a loaded one
    const snapshot::Regions& regions;
    snapshot::Households own_hh;
    const snapshot::Households* hh_ptr = &own_hh;
    const snapshot::Households& hh() const { return *hh_ptr; }
    std::unordered_map<std::string, double> indicators;  // metric|period|code, province to county only
    std::set<int> indicator_years;
    std::vector<int> income_years, months;

    std::optional<double> indicator(std::string_view metric, int year, std::string_view code) const {
        auto it = indicators.find(fmt::format("{}|{}|{}", metric, year, code));
        if (it == indicators.end()) return std::nullopt;
        return it->second;
    }
    // Regions at these levels, ordered by code: results then go into rule_results in key order.
    std::vector<int> regions_at(unsigned levels) const {
        std::vector<int> out;
        for (int i : by_code) {
            if ((levels >> static_cast<int>(regions.nodes[static_cast<std::size_t>(i)].level)) & 1u) out.push_back(i);
        }
        return out;
    }
    std::vector<int> by_code;
};

// Roll per-village tallies up to every ancestor.
template <class T>
void roll_up(const snapshot::Regions& regions, std::vector<T>& per_region) {
    for (int i : regions.bottom_up) {
        const int p = regions.nodes[static_cast<std::size_t>(i)].parent;
        if (p >= 0) per_region[static_cast<std::size_t>(p)].add(per_region[static_cast<std::size_t>(i)]);
    }
}

struct Tally {
    std::int64_t concerned = 0, failing = 0, unknown = 0, pending = 0;
    std::int64_t a = 0, b = 0, c = 0;  // rule-specific breakdowns
    void add(const Tally& o) {
        concerned += o.concerned;
        failing += o.failing;
        unknown += o.unknown;
        pending += o.pending;
        a += o.a;
        b += o.b;
        c += o.c;
    }
};

// Household counting rules: tally every household's check per village, roll up, and word it.
void count_rule(Context& ctx, const RuleInfo& info, const std::string& period,
                const std::function<snapshot::Check(std::size_t h, Tally& t)>& check,
                const std::function<std::string(const Tally&, RuleStatus)>& word, std::vector<RuleResult>& out) {
    std::vector<Tally> tally(ctx.regions.nodes.size());
    for (std::size_t h = 0; h < ctx.hh().rows.size(); ++h) {
        const int v = ctx.hh().rows[h].village;
        if (v < 0) continue;
        Tally& t = tally[static_cast<std::size_t>(v)];
        switch (check(h, t)) {
            case snapshot::Check::NotApplicable: break;
            case snapshot::Check::Pass: ++t.concerned; break;
            case snapshot::Check::Fail: ++t.concerned; ++t.failing; break;
            case snapshot::Check::NoData: ++t.concerned; ++t.unknown; break;
        }
    }
    roll_up(ctx.regions, tally);
    for (int i : ctx.regions_at(info.levels)) {
        const Tally& t = tally[static_cast<std::size_t>(i)];
        RuleResult r = make_result(std::string(info.id), ctx.regions.nodes[static_cast<std::size_t>(i)].code, period);
        r.status = t.failing > 0 ? RuleStatus::Fail : t.unknown > 0 ? RuleStatus::NoData : t.concerned == 0 ? RuleStatus::NotApplicable : RuleStatus::Pass;
        if (r.status != RuleStatus::NotApplicable) {
            r.value = static_cast<double>(t.failing);
            r.target = 0;
        }
        r.reason = word(t, r.status);
        out.push_back(std::move(r));
    }
}

// ── R1 growth gap, from the regions' indicators ────────────────────────────────────────────────
void rule_r1(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    const auto min_gap = ctx.targets.get("R1.min_gap_pp", period);
    for (int i : ctx.regions_at(info.levels)) {
        const std::string& code = ctx.regions.nodes[static_cast<std::size_t>(i)].code;
        RuleResult r = make_result("R1", code, period);
        const auto pop = ctx.indicator("tp_population", year, code);
        const auto tp = ctx.indicator("tp_income_pc", year, code), tp0 = ctx.indicator("tp_income_pc", year - 1, code);
        const auto ru = ctx.indicator("rural_income_pc", year, code), ru0 = ctx.indicator("rural_income_pc", year - 1, code);
        std::optional<double> tp_g, ru_g;
        if (tp && tp0 && *tp0 > 0) tp_g = (*tp / *tp0 - 1) * 100;
        else if (auto g = ctx.indicator("tp_income_growth", year, code)) tp_g = g;
        if (ru && ru0 && *ru0 > 0) ru_g = (*ru / *ru0 - 1) * 100;
        else if (auto g = ctx.indicator("rural_income_growth", year, code)) ru_g = g;
        if (pop && *pop <= 0) {
            r.status = RuleStatus::NotApplicable;
            r.reason = "无脱贫人口";
        } else if (!min_gap) {
            r.status = RuleStatus::NoData;
            r.reason = fmt::format("未配置目标值 R1.min_gap_pp（{}）", period);
        } else if (!tp_g || !ru_g) {
            r.status = RuleStatus::NoData;
            r.reason = !tp_g ? fmt::format("缺少 {}、{} 年脱贫人口人均纯收入", year - 1, year)
                             : fmt::format("缺少 {}、{} 年农村居民人均可支配收入", year - 1, year);
        } else {
            const double gap = *tp_g - *ru_g;
            r.value = gap;
            r.target = *min_gap;
            r.status = gap > *min_gap + k_eps ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = fmt::format("脱贫人口人均纯收入增速 {:.2f}% {}农村居民 {:.2f}%（差 {:+.2f} 个百分点）", *tp_g,
                                   r.status == RuleStatus::Pass ? "高于" : "未高于", *ru_g, gap);
        }
        out.push_back(std::move(r));
    }
}

// ── R2 income ratio, province ───────────────────────────────────────────────────────────────────
void rule_r2(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    for (int i : ctx.regions_at(info.levels)) {
        const std::string& code = ctx.regions.nodes[static_cast<std::size_t>(i)].code;
        RuleResult r = make_result("R2", code, period);
        const auto tp = ctx.indicator("tp_income_pc", year, code), ru = ctx.indicator("rural_income_pc", year, code);
        const auto target = ctx.targets.get("R2.max_rural_to_tp", period);
        if (!tp || !ru || *tp <= 0) {
            r.status = RuleStatus::NoData;
            r.reason = fmt::format("缺少 {} 年脱贫人口人均纯收入或农村居民人均可支配收入", year);
        } else {
            const double x = *ru / *tp;
            r.value = x;
            if (!target) {
                r.status = RuleStatus::NotApplicable;
                r.reason = fmt::format("本年度无目标值（当前 脱贫人口∶农村居民 = 1∶{:.2f}）", x);
            } else {
                r.target = *target;
                r.status = x <= *target + k_eps ? RuleStatus::Pass : RuleStatus::Fail;
                r.reason = fmt::format("脱贫人口∶农村居民 = 1∶{:.2f}，目标 1∶{:.2f}", x, *target);
            }
        }
        out.push_back(std::move(r));
    }
}

// ── R6 R7 R8: an indicator against a minimum ───────────────────────────────────────────────────
void rule_minimum(Context& ctx, const RuleInfo& info, int year, std::string_view metric, std::string_view target_key,
                  std::string_view what, std::string_view unit, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    const auto target = ctx.targets.get(target_key, period);
    for (int i : ctx.regions_at(info.levels)) {
        const std::string& code = ctx.regions.nodes[static_cast<std::size_t>(i)].code;
        RuleResult r = make_result(std::string(info.id), code, period);
        const auto v = ctx.indicator(metric, year, code);
        if (!target) {
            r.status = RuleStatus::NotApplicable;
            r.value = v;
            r.reason = fmt::format("{} 年无目标值", year);
        } else if (!v) {
            r.status = RuleStatus::NoData;
            r.target = target;
            r.reason = fmt::format("缺少 {} 年{}", year, what);
        } else {
            r.value = v;
            r.target = target;
            r.status = *v + k_eps >= *target ? RuleStatus::Pass : RuleStatus::Fail;
            const int dec = unit == "%" ? 1 : 0;
            r.reason = fmt::format("{} {}{}，目标不低于 {}{}", what, num(*v, dec), unit, num(*target, dec), unit);
        }
        out.push_back(std::move(r));
    }
}

// ── R3 below the monitoring line ───────────────────────────────────────────────────────────────
void rule_r3(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    const auto line = ctx.targets.get("monitoring_line", period), line0 = ctx.targets.get("monitoring_line", std::to_string(year - 1));
    const int zero_from = static_cast<int>(ctx.targets.get("R3.zero_from_year", period).value_or(2025));
    const bool final_year = year >= zero_from;
    struct T {
        std::int64_t households = 0, unknown = 0, in_range = 0, in_range_before = 0, in_range_not_supported = 0;
        void add(const T& o) {
            households += o.households;
            unknown += o.unknown;
            in_range += o.in_range;
            in_range_before += o.in_range_before;
            in_range_not_supported += o.in_range_not_supported;
        }
    };
    std::vector<T> tally(ctx.regions.nodes.size());
    if (line && (final_year || line0)) {
        for (std::size_t h = 0; h < ctx.hh().rows.size(); ++h) {
            const auto& row = ctx.hh().rows[h];
            if (row.village < 0) continue;
            T& t = tally[static_cast<std::size_t>(row.village)];
            ++t.households;
            const auto now = snapshot::above_line(ctx.hh(), h, year, *line);
            const auto before = final_year ? snapshot::Check::Pass : snapshot::above_line(ctx.hh(), h, year - 1, *line0);
            if (now == snapshot::Check::NoData || before == snapshot::Check::NoData) {
                ++t.unknown;
                continue;
            }
            if (now == snapshot::Check::Fail) {
                t.in_range += row.members;
                if (!row.fully_supported) t.in_range_not_supported += row.members;
            }
            if (before == snapshot::Check::Fail) t.in_range_before += row.members;
        }
        roll_up(ctx.regions, tally);
    }
    for (int i : ctx.regions_at(info.levels)) {
        const T& t = tally[static_cast<std::size_t>(i)];
        RuleResult r = make_result("R3", ctx.regions.nodes[static_cast<std::size_t>(i)].code, period);
        if (!line || (!final_year && !line0)) {
            r.status = RuleStatus::NoData;
            r.reason = fmt::format("未配置 {} 年监测线（targets.monitoring_line）", !line ? year : year - 1);
        } else if (t.households == 0) {
            r.status = RuleStatus::NotApplicable;
            r.reason = "无脱贫户";
        } else if (t.unknown > 0) {
            r.status = RuleStatus::NoData;
            r.reason = fmt::format("{} 户缺少 {} 年收入记录", t.unknown, final_year ? fmt::format("{}", year) : fmt::format("{}、{}", year - 1, year));
        } else if (final_year) {
            r.value = static_cast<double>(t.in_range_not_supported);
            r.target = 0;
            r.status = t.in_range_not_supported == 0 ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = t.in_range_not_supported == 0
                           ? fmt::format("兜底保障户以外无人在监测范围内（监测线 {} 元）", num(*line))
                           : fmt::format("兜底保障户以外仍有 {} 人在监测范围内（监测线 {} 元）", num(static_cast<double>(t.in_range_not_supported)), num(*line));
        } else {
            r.value = static_cast<double>(t.in_range);
            r.target = static_cast<double>(t.in_range_before);
            const bool both_zero = t.in_range == 0 && t.in_range_before == 0;
            r.status = both_zero || t.in_range < t.in_range_before ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = both_zero ? "连续两年无人在监测范围内"
                                 : fmt::format("监测范围内 {} 人，上年 {} 人，{}", num(static_cast<double>(t.in_range)),
                                               num(static_cast<double>(t.in_range_before)),
                                               t.in_range < t.in_range_before ? "逐年减少" : "未减少");
        }
        out.push_back(std::move(r));
    }
}

// ── R4 relocated income grows at least as fast ─────────────────────────────────────────────────
void rule_r4(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    struct T {
        double all_now = 0, all_before = 0, all_members = 0, re_now = 0, re_before = 0, re_members = 0;
        std::int64_t relocated = 0, unknown = 0;
        void add(const T& o) {
            all_now += o.all_now;
            all_before += o.all_before;
            all_members += o.all_members;
            re_now += o.re_now;
            re_before += o.re_before;
            re_members += o.re_members;
            relocated += o.relocated;
            unknown += o.unknown;
        }
    };
    std::vector<T> tally(ctx.regions.nodes.size());
    for (std::size_t h = 0; h < ctx.hh().rows.size(); ++h) {
        const auto& row = ctx.hh().rows[h];
        if (row.village < 0) continue;
        T& t = tally[static_cast<std::size_t>(row.village)];
        const auto* now = ctx.hh().income_of(h, year);
        const auto* before = ctx.hh().income_of(h, year - 1);
        if (row.relocated) ++t.relocated;
        if (!now || !before) {
            ++t.unknown;
            continue;
        }
        t.all_now += now->total();
        t.all_before += before->total();
        t.all_members += row.members;
        if (row.relocated) {
            t.re_now += now->total();
            t.re_before += before->total();
            t.re_members += row.members;
        }
    }
    roll_up(ctx.regions, tally);
    for (int i : ctx.regions_at(info.levels)) {
        const T& t = tally[static_cast<std::size_t>(i)];
        RuleResult r = make_result("R4", ctx.regions.nodes[static_cast<std::size_t>(i)].code, period);
        if (t.relocated == 0) {
            r.status = RuleStatus::NotApplicable;
            r.reason = "无易地搬迁脱贫户";
        } else if (t.unknown > 0 || t.re_before <= 0 || t.all_before <= 0) {
            r.status = RuleStatus::NoData;
            r.reason = fmt::format("{} 户缺少 {}、{} 年收入记录", t.unknown, year - 1, year);
        } else {
            // Members are current, so per-capita growth equals total growth of the same households.
            const double re_g = (t.re_now / t.re_before - 1) * 100, all_g = (t.all_now / t.all_before - 1) * 100;
            r.value = re_g;
            r.target = all_g;
            r.status = re_g + k_eps >= all_g ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = fmt::format("易地搬迁脱贫人口人均纯收入增速 {:.2f}% {}全体脱贫人口 {:.2f}%", re_g,
                                   r.status == RuleStatus::Pass ? "不低于" : "低于", all_g);
        }
        out.push_back(std::move(r));
    }
}

// ── R9 featured industries per county ──────────────────────────────────────────────────────────
void rule_r9(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    std::map<std::string, std::int64_t> per_county;
    bool any = false;
    if (sql::has_table(ctx.bundle, "featured_industries")) {
        sql::Statement st(ctx.bundle, "SELECT county_code, count(*) FROM featured_industries GROUP BY county_code");
        while (st.step()) {
            per_county[st.col_text(0)] = st.col_int(1);
            any = true;
        }
    }
    const auto lo = ctx.targets.get("R9.min_industries", period), hi = ctx.targets.get("R9.max_industries", period);
    for (int i : ctx.regions_at(info.levels)) {
        const std::string& code = ctx.regions.nodes[static_cast<std::size_t>(i)].code;
        RuleResult r = make_result("R9", code, period);
        if (!any) {
            r.status = RuleStatus::NoData;
            r.reason = "数据包中无主导帮扶产业清单（featured_industries）";
        } else if (!lo || !hi) {
            r.status = RuleStatus::NoData;
            r.reason = "未配置目标值 R9.min_industries / R9.max_industries";
        } else {
            const auto n = per_county.count(code) ? per_county[code] : 0;
            r.value = static_cast<double>(n);
            r.target = *hi;
            r.status = n >= *lo && n <= *hi ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = fmt::format("主导帮扶产业 {} 个，要求 {}–{} 个", n, *lo, *hi);
        }
        out.push_back(std::move(r));
    }
}

// ── R10 projects: linkage and the four batches ─────────────────────────────────────────────────
void rule_r10(Context& ctx, const RuleInfo& info, int year, std::vector<RuleResult>& out) {
    const std::string period = std::to_string(year);
    std::vector<Tally> tally(ctx.regions.nodes.size());
    if (sql::has_table(ctx.bundle, "projects")) {
        sql::Statement st(ctx.bundle, "SELECT county_code, batch, farmer_linkage, operating FROM projects");
        while (st.step()) {
            const int c = ctx.regions.find(st.col_view(0));
            if (c < 0) continue;
            Tally& t = tally[static_cast<std::size_t>(c)];
            const std::string_view batch = st.col_view(1);
            const bool linkage = st.col_int(2) != 0, operating = st.col_int(3) != 0;
            const bool classified = std::find(std::begin(k_project_batches), std::end(k_project_batches), batch) != std::end(k_project_batches);
            const bool idle_unsorted = !operating && (batch == k_project_batches[0] || batch == k_project_batches[1]);
            ++t.concerned;
            const bool fails = !classified || (operating && !linkage) || idle_unsorted;
            if (fails) ++t.failing;
            if (operating && !linkage) ++t.a;
            if (!classified) ++t.b;
            if (idle_unsorted) ++t.c;
        }
    }
    roll_up(ctx.regions, tally);
    for (int i : ctx.regions_at(info.levels)) {
        const Tally& t = tally[static_cast<std::size_t>(i)];
        RuleResult r = make_result("R10", ctx.regions.nodes[static_cast<std::size_t>(i)].code, period);
        if (t.concerned == 0) {
            r.status = RuleStatus::NotApplicable;
            r.reason = "无帮扶项目";
        } else {
            r.value = static_cast<double>(t.failing);
            r.target = 0;
            r.status = t.failing == 0 ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = t.failing == 0 ? fmt::format("帮扶项目 {} 个，均有联农带农机制并已分类", t.concerned)
                                      : fmt::format("帮扶项目 {} 个，{} 个不合规：运营中无联农带农机制 {}、未纳入“四个一批” {}、闲置未纳入盘活或处置 {}",
                                                    t.concerned, t.failing, t.a, t.b, t.c);
        }
        out.push_back(std::move(r));
    }
}

// ── R13 monthly screening ──────────────────────────────────────────────────────────────────────
void rule_r13(Context& ctx, const RuleInfo& info, int month, std::vector<RuleResult>& out) {
    const std::string period = snapshot::month_key(month);
    // Per village: households, and households with this month's record.
    struct T {
        std::int64_t households = 0, screened = 0, villages = 0, villages_unscreened = 0;
        void add(const T& o) {
            villages += o.villages;
            villages_unscreened += o.villages_unscreened;
        }
    };
    std::vector<T> tally(ctx.regions.nodes.size());
    for (std::size_t h = 0; h < ctx.hh().rows.size(); ++h) {
        const int v = ctx.hh().rows[h].village;
        if (v < 0) continue;
        ++tally[static_cast<std::size_t>(v)].households;
        if (ctx.hh().month_of(h, month)) ++tally[static_cast<std::size_t>(v)].screened;
    }
    for (auto& t : tally) {
        if (t.households > 0) {
            t.villages = 1;
            t.villages_unscreened = t.screened < t.households;
        }
    }
    roll_up(ctx.regions, tally);
    for (int i : ctx.regions_at(info.levels)) {
        const auto& node = ctx.regions.nodes[static_cast<std::size_t>(i)];
        const T& t = tally[static_cast<std::size_t>(i)];
        RuleResult r = make_result("R13", node.code, period);
        if (t.villages == 0) {
            r.status = RuleStatus::NotApplicable;
            r.reason = "无脱贫户";
        } else if (node.level == Level::Village) {
            r.value = static_cast<double>(t.households - t.screened);
            r.target = 0;
            r.status = t.screened == t.households ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = t.screened == t.households ? fmt::format("{} 户均已录入本月监测", t.households)
                                                  : fmt::format("{} 户中 {} 户未录入本月监测", t.households, t.households - t.screened);
        } else {
            r.value = static_cast<double>(t.villages_unscreened);
            r.target = 0;
            r.status = t.villages_unscreened == 0 ? RuleStatus::Pass : RuleStatus::Fail;
            r.reason = t.villages_unscreened == 0 ? fmt::format("{} 个村均已完成本月排查", t.villages)
                                                  : fmt::format("{} 个村中 {} 个村本月未完成排查", t.villages, t.villages_unscreened);
        }
        out.push_back(std::move(r));
    }
}

void rule_no_source(Context& ctx, const RuleInfo& info, int year, std::string_view why, std::vector<RuleResult>& out) {
    for (int i : ctx.regions_at(info.levels)) {
        RuleResult r = make_result(std::string(info.id), ctx.regions.nodes[static_cast<std::size_t>(i)].code, std::to_string(year));
        r.status = RuleStatus::NoData;
        r.reason = std::string(why);
        out.push_back(std::move(r));
    }
}

std::vector<int> parse_years(const std::vector<std::string>& periods, bool& any_month) {
    std::set<int> years;
    any_month = false;
    for (const auto& p : periods) {
        if (is_year(p)) {
            years.insert(std::stoi(p));
        } else if (snapshot::month_index(p) >= 0) {
            years.insert(snapshot::year_of(snapshot::month_index(p)));
            any_month = true;
        } else {
            throw std::invalid_argument(fmt::format("period '{}': expected YYYY or YYYY-MM", p));
        }
    }
    return {years.begin(), years.end()};
}

}  // namespace

std::string_view status_key(RuleStatus s) {
    switch (s) {
        case RuleStatus::Pass: return "pass";
        case RuleStatus::Fail: return "fail";
        case RuleStatus::NotApplicable: return "na";
        case RuleStatus::NoData: return "no_data";
    }
    return "no_data";
}

std::string_view status_name_zh(RuleStatus s) {
    switch (s) {
        case RuleStatus::Pass: return "达标";
        case RuleStatus::Fail: return "未达标";
        case RuleStatus::NotApplicable: return "不适用";
        case RuleStatus::NoData: return "无数据";
    }
    return "无数据";
}

std::optional<RuleStatus> parse_status(std::string_view key) {
    for (auto s : {RuleStatus::Pass, RuleStatus::Fail, RuleStatus::NotApplicable, RuleStatus::NoData}) {
        if (status_key(s) == key) return s;
    }
    return std::nullopt;
}

std::span<const RuleInfo> rule_catalogue() { return k_rules; }

const RuleInfo* find_rule(std::string_view id) {
    for (const auto& r : k_rules) {
        if (r.key == id || (id.size() == r.id.size() && (id[0] == 'R' || id[0] == 'r') && id.substr(1) == r.id.substr(1))) return &r;
    }
    return nullptr;
}

RuleRun evaluate_rules(const Bundle& bundle, const RuleOptions& options) { return evaluate_rules_with(bundle, options, nullptr, nullptr); }

RuleRun evaluate_rules_with(const Bundle& bundle, const RuleOptions& options, const snapshot::Regions* regions,
                            const snapshot::Households* households) {
    std::vector<const RuleInfo*> rules;
    for (const auto& id : options.rules) {
        const RuleInfo* r = find_rule(id);
        if (!r) throw std::invalid_argument(fmt::format("rule '{}': unknown; expected R1…R16", id));
        if (std::find(rules.begin(), rules.end(), r) == rules.end()) rules.push_back(r);
    }
    if (rules.empty()) {
        for (const auto& r : k_rules) rules.push_back(&r);
    }
    std::sort(rules.begin(), rules.end());  // catalogue order (the array is contiguous)
    const bool all_periods = options.periods.size() == 1 && options.periods[0] == "all";
    bool asked_month = false;
    std::vector<int> asked_years = all_periods ? std::vector<int>{} : parse_years(options.periods, asked_month);

    RuleRun run;
    auto t0 = Clock::now();
    Context ctx(bundle, regions);
    {
        sql::Statement st(bundle, "SELECT metric, period, region_code, value FROM indicators WHERE metric IN "
                                  "('tp_income_pc', 'rural_income_pc', 'tp_income_growth', 'rural_income_growth', 'tp_population', "
                                  "'migrant_workers', 'new_certificates', 'industry_fund_share') AND length(period) = 4 AND length(region_code) <= 6");
        while (st.step()) {
            ctx.indicators.emplace(fmt::format("{}|{}|{}", st.col_view(0), st.col_view(1), st.col_view(2)), st.col_real(3));
            ctx.indicator_years.insert(std::stoi(st.col_text(1)));
        }
    }
    const bool need_households = std::any_of(rules.begin(), rules.end(), [](const RuleInfo* r) {
        return r->id == "R3" || r->id == "R4" || r->id == "R5" || r->id == "R11" || r->id == "R12" || r->id == "R13" || r->id == "R16";
    });
    // Household records: every month kept (at most the latest k_max_months) — household_months has
    // no index by month, so reading a few months costs the same pass as reading them all.
    if (households) {
        ctx.hh_ptr = households;
    } else if (need_households) {
        ctx.own_hh = snapshot::load_households(bundle, ctx.regions, snapshot::k_all_months, snapshot::k_all_months);
    }
    if (households || need_households) {
        ctx.months = ctx.hh().present_months;
        ctx.income_years = ctx.hh().years;
        run.skipped_rows = ctx.hh().skipped;
        run.skipped_total = ctx.hh().skipped_total;
    } else {
        ctx.income_years = snapshot::income_years(bundle);
    }
    const int latest = std::max(ctx.income_years.empty() ? 0 : ctx.income_years.back(),
                                ctx.indicator_years.empty() ? 0 : *ctx.indicator_years.rbegin());
    const bool current_only = !all_periods && options.periods.empty();
    if (current_only && latest > 0) asked_years = {latest};  // default: the bundle's current year
    // Months to evaluate for R13.
    std::vector<int> r13_months;
    const int current = latest > 0 ? latest : (ctx.months.empty() ? 0 : snapshot::year_of(ctx.months.back()));
    int current_month = -1;  // default: R13 for the latest month of the current year only
    for (int m : ctx.months) {
        if (snapshot::year_of(m) == current) current_month = m;
    }
    for (int m : ctx.months) {
        if (all_periods || (current_only && m == current_month)) {
            r13_months.push_back(m);
            continue;
        }
        for (const auto& p : options.periods) {
            if (p == snapshot::month_key(m) || (is_year(p) && std::stoi(p) == snapshot::year_of(m))) {
                r13_months.push_back(m);
                break;
            }
        }
    }
    run.seconds_loading = std::chrono::duration<double>(Clock::now() - t0).count();

    std::set<int> month_years;
    for (int m : ctx.months) month_years.insert(snapshot::year_of(m));
    auto years_for = [&](const RuleInfo& r) -> std::vector<int> {
        if (!asked_years.empty()) return asked_years;
        std::vector<int> ys;
        const std::string_view id = r.id;
        if (id == "R1") {
            for (int y : ctx.indicator_years) if (ctx.indicator_years.count(y - 1)) ys.push_back(y);
        } else if (id == "R2" || id == "R6" || id == "R7" || id == "R8") {
            ys.assign(ctx.indicator_years.begin(), ctx.indicator_years.end());
        } else if (id == "R3" || id == "R4") {
            for (std::size_t k = 1; k < ctx.income_years.size(); ++k) ys.push_back(ctx.income_years[k]);
        } else if (id == "R5" || id == "R11" || id == "R16") {
            ys = ctx.income_years;
        } else if (id == "R12") {
            ys.assign(month_years.begin(), month_years.end());
        } else if (latest > 0) {
            ys.push_back(latest);  // R9 R10 R14 R15: the bundle's current state
        }
        return ys;
    };

    const int min_run = static_cast<int>(ctx.targets.get("R12.min_consecutive_months", "*").value_or(3));
    const int min_total = static_cast<int>(ctx.targets.get("R12.min_total_months", "*").value_or(6));
    // Each rule into its own part; R13 (a result per region and month, the most work) on a second
    // thread while this one does the others — they only read `ctx`. The rules that read the bundle
    // (R9, R10) stay on this thread, the bundle's.
    struct Part {
        std::vector<RuleResult> results;
        std::vector<std::pair<std::string, std::string>> computed;
        double seconds = 0;
    };
    std::vector<Part> parts(rules.size());
    auto evaluate = [&](std::size_t k) {
        const RuleInfo* info = rules[k];
        const auto t1 = Clock::now();
        const std::string_view id = info->id;
        auto& out = parts[k].results;
        auto& computed = parts[k].computed;
        if (id == "R13") {
            out.reserve(ctx.regions_at(info->levels).size() * r13_months.size());
            for (int m : r13_months) {
                rule_r13(ctx, *info, m, out);
                computed.emplace_back("R13", snapshot::month_key(m));
            }
            for (int y : asked_years) {  // a year asked for that has no monthly records at all
                if (std::none_of(r13_months.begin(), r13_months.end(), [&](int m) { return snapshot::year_of(m) == y; })) {
                    RuleResult r{"R13", "41", std::to_string(y), RuleStatus::NoData, std::nullopt, std::nullopt,
                                 fmt::format("{} 年无月度监测记录", y)};
                    for (const auto& n : ctx.regions.nodes) if (n.level == Level::Province) r.region_code = n.code;
                    out.push_back(std::move(r));
                    computed.emplace_back("R13", std::to_string(y));
                }
            }
        } else {
            for (int y : years_for(*info)) {
                const std::string period = std::to_string(y);
                computed.emplace_back(std::string(id), period);
                if (id == "R1") rule_r1(ctx, *info, y, out);
                else if (id == "R2") rule_r2(ctx, *info, y, out);
                else if (id == "R3") rule_r3(ctx, *info, y, out);
                else if (id == "R4") rule_r4(ctx, *info, y, out);
                else if (id == "R6") rule_minimum(ctx, *info, y, "migrant_workers", "R6.min_workers", "脱贫人口务工人数", "人", out);
                else if (id == "R7") rule_minimum(ctx, *info, y, "new_certificates", "R7.min_certificates", "新增持证人数", "人", out);
                else if (id == "R8") rule_minimum(ctx, *info, y, "industry_fund_share", "R8.min_industry_share_pct", "衔接资金用于产业比例", "%", out);
                else if (id == "R9") rule_r9(ctx, *info, y, out);
                else if (id == "R10") rule_r10(ctx, *info, y, out);
                else if (id == "R14") rule_no_source(ctx, *info, y, "数据包中无示范点图层（就业帮扶示范点、康养旅游示范村）", out);
                else if (id == "R15") rule_no_source(ctx, *info, y, "数据包中无村集体经济扶持资金数据", out);
                else if (id == "R5") {
                    count_rule(ctx, *info, period, [&](std::size_t h, Tally&) { return snapshot::relocation_job(ctx.hh(), h, y); },
                               [&](const Tally& t, RuleStatus s) {
                                   if (s == RuleStatus::NotApplicable) return std::string("无有劳动力的搬迁户");
                                   if (s == RuleStatus::NoData && t.failing == 0) return fmt::format("{} 户搬迁户缺少 {} 年就业记录", t.unknown, y);
                                   return fmt::format("有劳动力的搬迁户 {} 户，{} 户无人就业", t.concerned, t.failing);
                               }, out);
                } else if (id == "R11") {
                    count_rule(ctx, *info, period, [&](std::size_t h, Tally&) { return snapshot::development_measure(ctx.hh(), h, y); },
                               [&](const Tally& t, RuleStatus s) {
                                   if (s == RuleStatus::NotApplicable) return std::string("无有劳动力的脱贫户");
                                   return fmt::format("有劳动力的脱贫户 {} 户，{} 户无开发式帮扶措施", t.concerned, t.failing);
                               }, out);
                } else if (id == "R12") {
                    count_rule(ctx, *info, period,
                               [&](std::size_t h, Tally& t) {
                                   bool pending = false;
                                   const auto c = snapshot::transport_subsidy(ctx.hh(), h, y, min_run, min_total, &pending);
                                   if (c == snapshot::Check::Fail && pending) ++t.pending;
                                   return c;
                               },
                               [&](const Tally& t, RuleStatus s) {
                                   if (s == RuleStatus::NotApplicable) return fmt::format("{} 年无符合条件的跨省务工脱贫户", y);
                                   if (s == RuleStatus::NoData && t.failing == 0) return fmt::format("{} 户缺少 {} 年月度务工记录", t.unknown, y);
                                   return fmt::format("应补 {} 户，未补 {} 户（其中待发放 {} 户）", t.concerned - t.unknown, t.failing, t.pending);
                               }, out);
                } else if (id == "R16") {
                    const auto limits = snapshot::integrity_limits(ctx.targets, y);
                    count_rule(ctx, *info, period,
                               [&](std::size_t h, Tally& t) {
                                   const unsigned f = snapshot::integrity_flags(ctx.hh(), h, y, limits);
                                   if (f & snapshot::k_unexplained_jump) ++t.a;
                                   if (f & snapshot::k_implausible) ++t.b;
                                   if (f & snapshot::k_duplicate) ++t.c;
                                   return f ? snapshot::Check::Fail : snapshot::Check::Pass;
                               },
                               [&](const Tally& t, RuleStatus s) {
                                   if (s == RuleStatus::NotApplicable) return std::string("无脱贫户");
                                   if (s == RuleStatus::Pass) return fmt::format("{} 户均未发现异常", t.concerned);
                                   return fmt::format("{} 户存在疑点：收入跃升无据 {}、数值不合理 {}、疑似重复 {}", t.failing, t.a, t.b, t.c);
                               }, out);
                }
            }
        }
        parts[k].seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    };
    std::size_t offloaded = rules.size();
    for (std::size_t k = 0; k < rules.size(); ++k) {
        if (rules[k]->id == "R13") offloaded = k;
    }
    std::exception_ptr worker_error;
    std::thread worker;
    if (offloaded < rules.size() && rules.size() > 1) {
        worker = std::thread([&] {
            try {
                evaluate(offloaded);
            } catch (...) {
                worker_error = std::current_exception();
            }
        });
    } else {
        offloaded = rules.size();
    }
    struct Join {
        std::thread& t;
        ~Join() { if (t.joinable()) t.join(); }
    } join{worker};
    for (std::size_t k = 0; k < rules.size(); ++k) {
        if (k != offloaded) evaluate(k);
    }
    if (worker.joinable()) worker.join();
    if (worker_error) std::rethrow_exception(worker_error);
    std::size_t total = 0;
    for (const Part& p : parts) total += p.results.size();
    run.results.reserve(total);
    for (std::size_t k = 0; k < rules.size(); ++k) {
        Part& p = parts[k];
        run.timings.push_back({std::string(rules[k]->id), p.seconds, p.results.size()});
        std::move(p.results.begin(), p.results.end(), std::back_inserter(run.results));
        std::move(p.computed.begin(), p.computed.end(), std::back_inserter(run.computed));
        p = {};
    }
    return run;
}

void write_rule_results(Bundle& bundle, const RuleRun& run) {
    bundle.exec("PRAGMA cache_size = -262144");  // 256 MiB: a province writes about a million rows
    // The results in key order (rule, period, region_code). They come in blocks of one (rule, period),
    // each already ordered by region code, so ordering the blocks is enough (a block out of order is
    // sorted). In key order, new rows append to the table's b-tree instead of splitting pages in its
    // middle, and each (rule, period) can be merged with the rows already stored.
    using Key = std::pair<std::string_view, std::string_view>;  // (rule, period)
    struct Block {
        Key key;
        std::size_t begin = 0, end = 0;  // into `sorted`
    };
    std::vector<const RuleResult*> sorted;
    sorted.reserve(run.results.size());
    std::vector<Block> blocks;
    {
        std::vector<Block> raw;  // runs of one (rule, period) in the order computed
        for (std::size_t i = 0; i < run.results.size(); ++i) {
            const RuleResult& r = run.results[i];
            const Key k{r.rule, r.period};
            if (raw.empty() || raw.back().key != k) raw.push_back({k, i, i});
            raw.back().end = i + 1;
        }
        for (const auto& [rule, period] : run.computed) raw.push_back({Key{rule, period}, 0, 0});  // computed, maybe without a result
        std::stable_sort(raw.begin(), raw.end(), [](const Block& x, const Block& y) { return x.key < y.key; });
        for (const Block& r : raw) {
            if (blocks.empty() || blocks.back().key != r.key) blocks.push_back({r.key, sorted.size(), sorted.size()});
            for (std::size_t i = r.begin; i < r.end; ++i) sorted.push_back(&run.results[i]);
            blocks.back().end = sorted.size();
        }
        for (const Block& b : blocks) {
            auto by_code = [](const RuleResult* x, const RuleResult* y) { return x->region_code < y->region_code; };
            if (!std::is_sorted(sorted.begin() + static_cast<std::ptrdiff_t>(b.begin), sorted.begin() + static_cast<std::ptrdiff_t>(b.end), by_code)) {
                std::stable_sort(sorted.begin() + static_cast<std::ptrdiff_t>(b.begin), sorted.begin() + static_cast<std::ptrdiff_t>(b.end), by_code);
            }
        }
    }

    Transaction tx(bundle);
    write_default_targets(bundle);
    // Rows go in batches of k_batch per statement: the per-statement cost (cursors, halt) is paid
    // once per batch instead of once per row.
    constexpr std::size_t k_batch = 64;
    auto insert_sql = [](std::size_t rows) {
        std::string q = "INSERT INTO rule_results(rule, region_code, period, status, value, target, reason) VALUES ";
        for (std::size_t i = 0; i < rows; ++i) q += i ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)";
        return q;
    };
    sql::Statement batch(bundle, insert_sql(k_batch));
    sql::Statement one(bundle, insert_sql(1));
    auto bind = [](sql::Statement& st, int base, const RuleResult& r) {
        st.text_static(base + 1, r.rule).text_static(base + 2, r.region_code).text_static(base + 3, r.period).text_static(base + 4, status_key(r.status));
        st.real(base + 5, r.value).real(base + 6, r.target).text_static(base + 7, r.reason);
    };
    std::vector<const RuleResult*> pending;  // inserts, in key order
    auto flush = [&](bool all) {
        std::size_t i = 0;
        for (; i + k_batch <= pending.size(); i += k_batch) {
            for (std::size_t k = 0; k < k_batch; ++k) bind(batch, static_cast<int>(k * 7), *pending[i + k]);
            batch.run_rebind();
        }
        for (; all && i < pending.size(); ++i) {
            bind(one, 0, *pending[i]);
            one.run_rebind();
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(i));
    };
    // A rerun (the nightly job) finds most rows as they were: each (rule, period) computed is merged
    // with the stored rows, so that only new rows are inserted, changed ones updated and rows of
    // regions no longer computed deleted. The table ends exactly as a delete-and-insert would leave it.
    struct Stored {
        std::string region_code, status, reason;
        std::optional<double> value, target;
    };
    std::vector<Stored> stored;
    sql::Statement read(bundle, "SELECT region_code, status, value, target, reason FROM rule_results WHERE rule = ?1 AND period = ?2 ORDER BY region_code");
    sql::Statement update(bundle, "UPDATE rule_results SET status = ?4, value = ?5, target = ?6, reason = ?7 WHERE rule = ?1 AND period = ?3 AND region_code = ?2");
    sql::Statement erase(bundle, "DELETE FROM rule_results WHERE rule = ?1 AND period = ?2 AND region_code = ?3");
    for (const Block& b : blocks) {
        stored.clear();
        read.reset();
        read.text_static(1, b.key.first).text_static(2, b.key.second);
        while (read.step()) stored.push_back({read.col_text(0), read.col_text(1), read.col_text(4), read.col_opt_real(2), read.col_opt_real(3)});
        read.reset();
        std::size_t k = 0;
        for (std::size_t i = b.begin; i < b.end; ++i) {
            const RuleResult& r = *sorted[i];
            for (; k < stored.size() && stored[k].region_code < r.region_code; ++k) {
                erase.text_static(1, b.key.first).text_static(2, b.key.second).text_static(3, stored[k].region_code).run_rebind();
            }
            if (k < stored.size() && stored[k].region_code == r.region_code) {
                const Stored& was = stored[k++];
                if (was.status != status_key(r.status) || was.value != r.value || was.target != r.target || was.reason != r.reason) {
                    bind(update, 0, r);
                    update.run_rebind();
                }
                continue;
            }
            pending.push_back(&r);
            if (pending.size() >= k_batch) flush(false);
        }
        for (; k < stored.size(); ++k) {
            erase.text_static(1, b.key.first).text_static(2, b.key.second).text_static(3, stored[k].region_code).run_rebind();
        }
    }
    flush(true);
    tx.commit();
}

std::vector<RuleResult> read_rule_results(const Bundle& bundle, const RuleFilter& filter) {
    std::vector<RuleResult> out;
    if (!sql::has_table(bundle, "rule_results")) return out;
    const std::vector<std::string> wanted = filter_rule_ids(filter);
    // One (rule, period) key range per rule: the desk panel's "this region, this period" is 16 lookups.
    std::string q = "SELECT r.rule, r.region_code, r.period, r.status, r.value, r.target, r.reason FROM rule_results r";
    if (filter.level) q += " JOIN regions g ON g.code = r.region_code AND g.level = ?4";
    q += " WHERE r.rule = ?3";  // conditions spelled out (not "?1 IS NULL OR …") so the key is used
    if (filter.period) q += " AND r.period = ?1";
    if (filter.region_code) q += " AND r.region_code = ?2";
    sql::Statement st(bundle, q);
    for (const auto& rule : wanted) {
        st.reset();
        if (filter.period) st.text(1, *filter.period);
        if (filter.region_code) st.text(2, *filter.region_code);
        st.text(3, rule);
        if (filter.level) st.integer(4, static_cast<int>(*filter.level));
        while (st.step()) {
            RuleResult r;
            r.rule = st.col_text(0);
            r.region_code = st.col_text(1);
            r.period = st.col_text(2);
            r.status = parse_status(st.col_view(3)).value_or(RuleStatus::NoData);
            r.value = st.col_opt_real(4);
            r.target = st.col_opt_real(5);
            r.reason = st.col_text(6);
            out.push_back(std::move(r));
        }
    }
    sort_rule_results(out);
    return out;
}

std::vector<std::string> filter_rule_ids(const RuleFilter& filter) {
    std::vector<std::string> wanted;
    for (const auto& id : filter.rules) {
        const RuleInfo* r = find_rule(id);
        if (!r) throw std::invalid_argument(fmt::format("rule '{}': unknown; expected R1…R16", id));
        wanted.emplace_back(r->id);
    }
    if (wanted.empty()) {
        for (const auto& r : k_rules) wanted.emplace_back(r.id);
    }
    return wanted;
}

void sort_rule_results(std::vector<RuleResult>& results) {
    auto order = [](const std::string& id) {
        const RuleInfo* r = find_rule(id);
        return r ? r - k_rules.data() : 99;
    };
    std::stable_sort(results.begin(), results.end(), [&](const RuleResult& a, const RuleResult& b) {
        return std::tuple(order(a.rule), a.period, a.region_code) < std::tuple(order(b.rule), b.period, b.region_code);
    });
}

RegionRuleStatus missing_rule_status(const RuleInfo& info, Level level, std::string region_code) {
    RegionRuleStatus s;
    s.region_code = std::move(region_code);
    s.status = info.applies_at(level) ? RuleStatus::NoData : RuleStatus::NotApplicable;
    s.reason = info.applies_at(level) ? "尚未计算或无数据" : fmt::format("该规则不适用于{}级", level_name_zh(level));
    return s;
}

std::vector<RegionRuleStatus> rule_status_for_level(const Bundle& bundle, std::string_view rule, Level level, std::string_view period) {
    const RuleInfo* info = find_rule(rule);
    if (!info) throw std::invalid_argument(fmt::format("rule '{}': unknown; expected R1…R16", rule));
    std::vector<RegionRuleStatus> out;
    sql::Statement st(bundle, "SELECT g.code, r.status, r.value, r.target, r.reason FROM regions g "
                              "LEFT JOIN rule_results r ON r.region_code = g.code AND r.rule = ? AND r.period = ? "
                              "WHERE g.level = ? ORDER BY g.code");
    st.text(1, info->id).text(2, period).integer(3, static_cast<int>(level));
    while (st.step()) {
        RegionRuleStatus s;
        s.region_code = st.col_text(0);
        if (st.is_null(1)) {
            s = missing_rule_status(*info, level, std::move(s.region_code));
        } else {
            s.status = parse_status(st.col_view(1)).value_or(RuleStatus::NoData);
            s.value = st.col_opt_real(2);
            s.target = st.col_opt_real(3);
            s.reason = st.col_text(4);
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<RegionLabel> read_region_labels(const Bundle& bundle) {
    std::vector<RegionLabel> out;
    for (auto& n : snapshot::load_regions(bundle).nodes) out.push_back({std::move(n.code), std::move(n.name), n.level});
    return out;
}

void RuleSummary::add(RuleStatus status, std::int64_t n) {
    switch (status) {
        case RuleStatus::Pass: pass += n; break;
        case RuleStatus::Fail: fail += n; break;
        case RuleStatus::NotApplicable: not_applicable += n; break;
        case RuleStatus::NoData: no_data += n; break;
    }
}

std::vector<RuleSummary> summarise_rule_results(const Bundle& bundle, Level level, std::string_view period) {
    std::vector<RuleSummary> out;
    sql::Statement st(bundle, "SELECT r.status, count(*) FROM rule_results r JOIN regions g ON g.code = r.region_code AND g.level = ? "
                              "WHERE r.rule = ? AND r.period = ? GROUP BY r.status");
    for (const auto& info : k_rules) {
        st.reset();
        st.integer(1, static_cast<int>(level)).text(2, info.id).text(3, period);
        RuleSummary s;
        s.rule = info.id;
        bool any = false;
        while (st.step()) {
            any = true;
            s.add(parse_status(st.col_view(0)).value_or(RuleStatus::NoData), st.col_int(1));
        }
        if (any) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace onemap::data
