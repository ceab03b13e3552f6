#include "catalogue.hpp"

#include <algorithm>
#include <array>

namespace onemap::data {

namespace {
using D = Direction;
constexpr std::array<Metric, 21> k_metrics{{
    {"tp_income_pc", "脱贫人口人均纯收入", "Per-capita net income of people lifted out of poverty", "元", D::Higher, false},
    {"rural_income_pc", "农村居民人均可支配收入", "Rural per-capita disposable income", "元", D::Higher, false},
    {"tp_income_growth", "脱贫人口人均纯收入增速", "Growth of per-capita net income (lifted out of poverty)", "%", D::Higher, false},
    {"rural_income_growth", "农村居民人均可支配收入增速", "Growth of rural per-capita disposable income", "%", D::Higher, false},
    {"growth_gap", "增速差（脱贫人口 − 农村居民）", "Growth gap (lifted out of poverty − rural)", "百分点", D::Higher, true},
    {"income_ratio", "脱贫人口与农村居民人均收入之比", "Income ratio (lifted out of poverty / rural)", "比值", D::Higher, false},
    {"wage_income_pc", "人均工资性收入", "Per-capita wage income", "元", D::Higher, false},
    {"business_income_pc", "人均生产经营性收入", "Per-capita business income", "元", D::Higher, false},
    {"transfer_income_pc", "人均转移性收入", "Per-capita transfer income", "元", D::Neutral, false},
    {"property_income_pc", "人均财产性收入", "Per-capita property income", "元", D::Higher, false},
    {"tp_population", "脱贫人口数", "People lifted out of poverty", "人", D::Neutral, false},
    {"tp_households", "脱贫户数", "Households lifted out of poverty", "户", D::Neutral, false},
    {"monitored_population", "监测对象人数", "Monitored people", "人", D::Lower, false},
    {"below_line_population", "人均纯收入在监测范围内的人数", "People with income inside the monitoring range", "人", D::Lower, false},
    {"migrant_workers", "脱贫人口务工人数", "People lifted out of poverty in work", "人", D::Higher, false},
    {"relocated_population", "易地搬迁脱贫人口", "Relocated people lifted out of poverty", "人", D::Neutral, false},
    {"relocated_income_pc", "易地搬迁脱贫人口人均纯收入", "Per-capita net income of relocated people", "元", D::Higher, false},
    {"new_certificates", "新增技能证书人数", "New skill certificates", "人", D::Higher, false},
    {"industry_fund_share", "衔接资金用于产业比例", "Share of linkage funds spent on industry", "%", D::Higher, false},
    {"open_alerts", "未销号预警数", "Open alerts", "条", D::Lower, false},
    // Extension to METRICS.md: the weight behind industry_fund_share, so higher levels aggregate exactly.
    {"linkage_funds", "衔接资金总额", "Linkage funds, total", "万元", D::Neutral, false},
}};
}  // namespace

std::string_view level_key(Level level) {
    switch (level) {
        case Level::Province: return "province";
        case Level::City: return "city";
        case Level::County: return "county";
        case Level::Township: return "township";
        case Level::Village: return "village";
    }
    return "?";
}

std::string_view level_name_zh(Level level) {
    switch (level) {
        case Level::Province: return "省";
        case Level::City: return "市";
        case Level::County: return "县（市、区）";
        case Level::Township: return "乡镇（街道）";
        case Level::Village: return "村（社区）";
    }
    return "?";
}

std::optional<Level> parse_level(std::string_view key) {
    for (int l = 1; l <= 5; ++l) {
        const auto level = static_cast<Level>(l);
        if (key == level_key(level) || (key.size() == 1 && key[0] == '0' + l)) return level;
    }
    return std::nullopt;
}

std::span<const Metric> metric_catalogue() { return k_metrics; }

const Metric* find_metric(std::string_view key) {
    auto it = std::find_if(k_metrics.begin(), k_metrics.end(), [&](const Metric& m) { return m.key == key; });
    return it == k_metrics.end() ? nullptr : &*it;
}

std::string_view direction_key(Direction d) {
    switch (d) {
        case Direction::Higher: return "higher";
        case Direction::Lower: return "lower";
        case Direction::Neutral: return "neutral";
    }
    return "neutral";
}

bool is_monitored_type(std::string_view t) { return t == "脱贫不稳定户" || t == "边缘易致贫户" || t == "突发严重困难户"; }

bool is_development_measure(std::string_view f) { return f == "产业" || f == "就业" || f == "金融" || f == "公益岗位"; }

double default_monitoring_line(int year) {
    switch (year) {
        case 2022: return 6600;
        case 2023: return 7000;
        case 2024: return 7300;
        case 2025: return 7600;
        default: return year < 2022 ? 6000 : 7600;
    }
}

}  // namespace onemap::data
