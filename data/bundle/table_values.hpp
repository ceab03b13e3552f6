#pragma once
// Values as officials type them into spreadsheets, parsed strictly. Pure functions, no I/O: this is
// what the fuzz target (tests/fuzz/fuzz_table_row.cpp) exercises.
//
//   "1,234"  "1 234.5"  "１２３４"  "12.5%"  "-3.2"  → numbers
//   ""  "—"  "--"  "/"  "-"  "无"  "N/A"              → missing (never 0)
//   "2024"  "2024年"  "2024-03"  "2024年3月"  "202403" → periods YYYY / YYYY-MM
//   "2024年脱贫人口人均纯收入"  "tp_income_pc"  "人均工资性收入（元）" → metric (+ period) of a wide column
#include "data/policy/catalogue.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

struct ParsedNumber {
    enum class Kind { Number, Missing, Invalid } kind = Kind::Invalid;
    double value = 0;
    bool percent = false;  // written with a % sign (value is the number before it: "12.5%" → 12.5)
};
ParsedNumber parse_number(std::string_view text);

std::optional<std::string> parse_period(std::string_view text);

struct MetricColumn {
    const Metric* metric = nullptr;
    std::string period;  // empty when the header carries no year
};
std::optional<MetricColumn> parse_metric_header(std::string_view header);

// nullopt when `value` is plausible for `metric`; else the expected range in words.
std::optional<std::string> implausible(const Metric& metric, double value, bool percent_sign);

// A region code in any of the usual spellings ("410100", "410102001000.0", "４１０１０２") to onemap's
// form, its level told by its length; nullopt when it is no code.
std::optional<std::string> normalise_any_code(std::string_view raw);

// One table row checked as an indicator row (long format): used by the importer and the fuzz target.
struct IndicatorRow {
    std::string code, period, metric;
    double value = 0;
};
struct RowProblem {
    std::string field, found, expected, reason;
};
// Returns the row, or the problem; `missing` is set (and nullopt returned) for an empty value.
std::optional<IndicatorRow> check_indicator_row(std::string_view code, std::string_view period, std::string_view metric,
                                                std::string_view value, RowProblem* problem, bool* missing);

}  // namespace onemap::data
