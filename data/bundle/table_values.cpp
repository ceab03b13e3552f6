#include "table_values.hpp"

#include "data/bundle/region_codes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace onemap::data {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Replace UTF-8 sequences we know by ASCII (dashes, the Chinese year/month characters stay).
std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
    return s;
}

constexpr std::string_view k_year = "\xE5\xB9\xB4";   // 年
constexpr std::string_view k_month = "\xE6\x9C\x88";  // 月

}  // namespace

ParsedNumber parse_number(std::string_view text) {
    ParsedNumber out;
    if (text.size() > 256) return out;
    std::string s = ascii_digits(text);
    for (auto dash : {"\xE2\x80\x94", "\xE2\x80\x93", "\xE2\x88\x92"}) s = replace_all(s, dash, "-");  // — – −
    s = replace_all(s, "\xE3\x80\x80", " ");
    s = trim(s);
    if (s.empty() || s == "/" || s == "N/A" || s == "n/a" || s == "NA" || s == "\xE6\x97\xA0" /*无*/ || s == "null" || s == "NULL" ||
        std::all_of(s.begin(), s.end(), [](char c) { return c == '-'; })) {
        out.kind = ParsedNumber::Kind::Missing;
        return out;
    }
    if (s.back() == '%') {
        out.percent = true;
        s.pop_back();
        s = trim(s);
    }
    // Thousands separators: ',' or ' ' or '\'' only between digits.
    std::string clean;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if ((c == ',' || c == ' ' || c == '\'') && i > 0 && i + 1 < s.size() && is_digit(s[i - 1]) && is_digit(s[i + 1])) continue;
        clean.push_back(c);
    }
    if (!clean.empty() && clean.front() == '+') clean.erase(clean.begin());
    if (clean.empty()) return out;
    double v = 0;
    const auto r = std::from_chars(clean.data(), clean.data() + clean.size(), v, std::chars_format::fixed);
    if (r.ec != std::errc() || r.ptr != clean.data() + clean.size() || !std::isfinite(v)) return out;
    out.kind = ParsedNumber::Kind::Number;
    out.value = v;
    return out;
}

std::optional<std::string> parse_period(std::string_view text) {
    if (text.size() > 64) return std::nullopt;
    std::string s = trim(ascii_digits(text));
    s = replace_all(s, k_month, "");
    s = replace_all(s, k_year, "-");
    for (char& c : s) if (c == '/' || c == '.') c = '-';
    while (!s.empty() && s.back() == '-') s.pop_back();
    int year = 0, month = 0;
    auto num = [](std::string_view d, int& v) {
        if (d.empty() || !std::all_of(d.begin(), d.end(), is_digit)) return false;
        return std::from_chars(d.data(), d.data() + d.size(), v).ec == std::errc();
    };
    if (s.size() == 6 && std::all_of(s.begin(), s.end(), is_digit)) {  // 202403
        num(std::string_view(s).substr(0, 4), year);
        num(std::string_view(s).substr(4), month);
    } else if (const auto dash = s.find('-'); dash != std::string::npos) {
        if (dash != 4 || !num(std::string_view(s).substr(0, 4), year) || !num(std::string_view(s).substr(5), month)) return std::nullopt;
        if (s.size() - 5 > 2) return std::nullopt;
    } else {
        if (s.size() != 4 || !num(s, year)) return std::nullopt;
    }
    if (year < 2000 || year > 2100) return std::nullopt;
    if (month == 0 && s.size() != 4 && s.find('-') != std::string::npos) return std::nullopt;
    if (month == 0) return fmt::format("{:04d}", year);
    if (month < 1 || month > 12) return std::nullopt;
    return fmt::format("{:04d}-{:02d}", year, month);
}

std::optional<MetricColumn> parse_metric_header(std::string_view header) {
    if (header.size() > 256) return std::nullopt;
    std::string s = trim(ascii_digits(header));
    MetricColumn out;
    // "2024年…" prefix
    if (s.size() >= 4 + k_year.size() && std::all_of(s.begin(), s.begin() + 4, is_digit) && std::string_view(s).substr(4, k_year.size()) == k_year) {
        out.period = s.substr(0, 4);
        s = trim(s.substr(4 + k_year.size()));
    }
    auto match = [&](const std::string& name) -> const Metric* {
        for (const Metric& m : metric_catalogue()) {
            if (name == m.key || name == m.name_zh || name == ascii_digits(m.name_zh)) return &m;
        }
        return nullptr;
    };
    // "…(元)" unit suffix, then "…(2024)" / "…_2024" / "…2024" year suffix
    for (int round = 0; round < 3; ++round) {
        if ((out.metric = match(s))) return out;
        if (!s.empty() && s.back() == ')') {
            const auto open = s.rfind('(');
            if (open == std::string::npos) return std::nullopt;
            const std::string inner = s.substr(open + 1, s.size() - open - 2);
            if (out.period.empty()) {
                if (auto p = parse_period(inner)) out.period = *p;
            }
            s = trim(s.substr(0, open));
        } else if (out.period.empty() && s.size() > 4 && std::all_of(s.end() - 4, s.end(), is_digit)) {
            if (auto p = parse_period(s.substr(s.size() - 4))) {
                out.period = *p;
                s = trim(s.substr(0, s.size() - 4));
                if (!s.empty() && (s.back() == '_' || s.back() == '-')) s.pop_back();
            } else {
                break;
            }
        } else {
            break;
        }
    }
    if ((out.metric = match(s))) return out;
    return std::nullopt;
}

std::optional<std::string> implausible(const Metric& m, double v, bool percent_sign) {
    const std::string_view unit = m.unit;
    if (percent_sign && unit != "%" && unit != "百分点") return fmt::format("a value in {} (no % sign)", unit);
    if (unit == "元") {
        if (v < 0 || v > 1e6) return std::string("0 … 1,000,000 元");
    } else if (unit == "%") {
        if (v < -100 || v > 1000) return std::string("-100 … 1000 %");
    } else if (unit == "百分点") {
        if (v < -100 || v > 100) return std::string("-100 … 100 percentage points");
    } else if (unit == "万元") {
        if (v < 0 || v > 1e7) return std::string("0 … 10,000,000 万元");
    } else if (unit == "比值" || unit.starts_with("ratio")) {
        if (v <= 0 || v > 10) return std::string("a ratio above 0 and at most 10");
    } else {  // counts: 人, 户, 条
        if (v < 0 || v > 1e8 || std::floor(v) != v) return fmt::format("a whole number of {} ≥ 0", unit);
    }
    return std::nullopt;
}

std::optional<std::string> normalise_any_code(std::string_view raw) {
    if (raw.size() > 64) return std::nullopt;
    std::string s = ascii_digits(raw);
    if (s.empty()) return std::nullopt;
    if (!std::all_of(s.begin(), s.end(), is_digit)) {
        if (auto c = normalise_code(s, Level::Village)) return normalise_any_code(*c);  // numeric spellings
        for (Level l : {Level::Township, Level::County, Level::City, Level::Province}) {
            if (auto c = normalise_code(s, l)) {
                s = *c;
                break;
            }
        }
        if (!std::all_of(s.begin(), s.end(), is_digit)) return std::nullopt;
    }
    auto zeros = [&](std::size_t from) { return std::all_of(s.begin() + static_cast<long>(from), s.end(), [](char c) { return c == '0'; }); };
    if (s.size() == 12) {
        if (zeros(2)) return s.substr(0, 2);
        if (zeros(4) && s.substr(2, 2) != "90") return s.substr(0, 4);
        if (zeros(6)) return s.substr(0, 6);
        if (zeros(9)) return s.substr(0, 9);
        return s;
    }
    if (s.size() == 9) return zeros(6) ? normalise_any_code(s.substr(0, 6)) : std::optional(s);
    if (s.size() == 6) {
        if (zeros(2)) return s.substr(0, 2);
        if (zeros(4) && s.substr(2, 2) != "90") return s.substr(0, 4);
        return s;
    }
    if (s.size() == 4) return zeros(2) ? s.substr(0, 2) : s;
    if (s.size() == 2) return s;
    return std::nullopt;
}

std::optional<IndicatorRow> check_indicator_row(std::string_view code, std::string_view period, std::string_view metric,
                                                std::string_view value, RowProblem* problem, bool* missing) {
    if (missing) *missing = false;
    auto fail = [&](std::string field, std::string_view found, std::string expected, std::string reason) -> std::optional<IndicatorRow> {
        if (problem) *problem = {std::move(field), std::string(found.substr(0, 80)), std::move(expected), std::move(reason)};
        return std::nullopt;
    };
    IndicatorRow row;
    const auto c = normalise_any_code(code);
    if (!c) return fail("code", code, "a division code (2, 4, 6, 9 or 12 digits)", "region code not a code");
    row.code = *c;
    const auto p = parse_period(period);
    if (!p) return fail("period", period, "a year 2000…2100 (YYYY) or a month (YYYY-MM)", "period invalid");
    row.period = *p;
    const Metric* m = find_metric(std::string(trim(std::string(metric))));
    if (!m) {
        if (auto mc = parse_metric_header(metric)) m = mc->metric;
    }
    if (!m) return fail("metric", metric, "a metric key or its Chinese name from the catalogue", "unknown metric");
    row.metric = std::string(m->key);
    const ParsedNumber n = parse_number(value);
    if (n.kind == ParsedNumber::Kind::Missing) {
        if (missing) *missing = true;
        return std::nullopt;
    }
    if (n.kind == ParsedNumber::Kind::Invalid) return fail("value", value, "a number (1,234 · 1 234.5 · 12.5% · — for missing)", "value not a number");
    if (auto why = implausible(*m, n.value, n.percent)) return fail("value", value, *why, "value implausible for its metric");
    row.value = n.value;
    return row;
}

}  // namespace onemap::data
