#pragma once
// The domain vocabulary: region levels, the metrics catalogue (../shared/domain/METRICS.md),
// household types and project "four batches". Keys here are what the CLI, config and tests use.
#include <optional>
#include <span>
#include <string_view>

namespace onemap::data {

enum class Level : int { Province = 1, City = 2, County = 3, Township = 4, Village = 5 };

std::string_view level_key(Level level);                     // "county"
std::string_view level_name_zh(Level level);                 // "县（市、区）"
std::optional<Level> parse_level(std::string_view key);      // "county" or "3" → County

enum class Direction { Higher, Lower, Neutral };

struct Metric {
    std::string_view key;
    std::string_view name_zh;
    std::string_view name_en;
    std::string_view unit;
    Direction direction;
    bool diverging;  // signed values centred on 0 (growth_gap)
};

std::span<const Metric> metric_catalogue();
const Metric* find_metric(std::string_view key);  // nullptr when unknown
std::string_view direction_key(Direction d);      // "higher" | "lower" | "neutral"

// Household types (脱贫户 categories); the last three are 监测对象 (monitored).
inline constexpr std::string_view k_household_types[] = {"一般脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"};
bool is_monitored_type(std::string_view household_type);

// Project status: the "four batches".
inline constexpr std::string_view k_project_batches[] = {"巩固提升", "强链补链", "盘活闲置", "依法处置"};

// Assistance-measure families; the first four are development-type (开发式).
inline constexpr std::string_view k_measure_families[] = {"产业", "就业", "金融", "公益岗位", "健康", "义务教育保障",
                                                          "其他教育", "综合保障", "住房安全", "饮水安全"};
bool is_development_measure(std::string_view family);

// Monitoring line (监测范围) per year, yuan per person; placeholders from FACTS.md [U], configurable later.
double default_monitoring_line(int year);

}  // namespace onemap::data
