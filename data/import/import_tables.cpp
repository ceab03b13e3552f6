#include "import_tables.hpp"

#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"
#include "data/household/household_key.hpp"
#include "data/import/import_common.hpp"
#include "data/import/import_target.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/region_codes.hpp"
#include "data/bundle/table_values.hpp"
#include "gis/gcj02.hpp"

#include <openssl/rand.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace onemap::data {

namespace {

using Clock = std::chrono::steady_clock;

class Rows : public gis::FeatureSink {
public:
    explicit Rows(const ProgressFn& progress) : m_progress(progress) {}
    void begin(const gis::SourceInfo& info) override { m_info = info; }
    void feature(gis::SourceFeature&& f) override {
        m_rows.push_back(std::move(f));
        if (m_progress && (m_rows.size() & 1023) == 0) m_progress(static_cast<std::int64_t>(m_rows.size()), m_info.feature_count);
    }
    gis::SourceInfo m_info;
    std::vector<gis::SourceFeature> m_rows;
private:
    const ProgressFn& m_progress;
};

bool is_table_file(const std::string& path) {
    std::string l = path;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return l.ends_with(".csv") || l.ends_with(".xlsx") || l.ends_with(".xls") || l.ends_with(".ods") || l.ends_with(".txt");
}

std::string cell(const gis::SourceFeature& row, std::optional<std::size_t> i) {
    if (!i || *i >= row.values.size() || !row.values[*i]) return {};
    return *row.values[*i];
}

bool undecodable(const gis::SourceFeature& row, std::optional<std::size_t> i) {
    return i && std::find(row.undecodable.begin(), row.undecodable.end(), static_cast<int>(*i)) != row.undecodable.end();
}

// Yes/no as typed: 是/否, Y/N, 1/0, true/false; nullopt when neither.
std::optional<bool> parse_flag(std::string_view text) {
    const std::string s = ascii_digits(text);
    for (auto y : {"是", "1", "Y", "y", "yes", "Yes", "YES", "true", "TRUE", "√", "有"}) if (s == y) return true;
    for (auto n : {"否", "0", "N", "n", "no", "No", "NO", "false", "FALSE", "", "无"}) if (s == n) return false;
    return std::nullopt;
}

std::string random_salt() {
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 15]);
    }
    return out;
}

struct Context {
    ImportTarget& target;
    const TableImportOptions& opt;
    ImportSummary& s;
    const gis::SourceInfo& info;
    std::unordered_map<std::string, int> region_level;  // code → level
    // The code as typed when the bundle holds a region of exactly that code and `normalised` is not one:
    // 410100 is the padded form of the city 4101, but a data set that numbers a county 410100 has it
    // as a county in the bundle (its boundaries were imported by level), and then the county is meant.
    std::string as_held(std::string_view raw, const std::string& normalised, int level = 0) const {
        const std::string typed = ascii_digits(raw);
        if (typed == normalised || region_level.contains(normalised)) return normalised;
        const auto it = region_level.find(typed);
        return it != region_level.end() && (level == 0 || it->second == level) ? typed : normalised;
    }
    void reject(const gis::SourceFeature& row, std::string reason, std::string field, std::string found, std::string expected) {
        // Row numbers as a spreadsheet shows them: the header is row 1.
        s.add({Outcome::Rejected, std::move(reason), info.file, info.layer,
               fmt::format("{} {}", opt.source.tables ? "row" : "feature", opt.source.tables ? row.number + 1 : row.number), std::move(field),
               std::move(found), std::move(expected)});
    }
};

void import_indicators(Context& c, std::vector<gis::SourceFeature>& rows) {
    const auto& f = c.info.fields;
    const auto code_i = detail::find_field(f, "", {"region_code", "code", "代码", "区划代码", "行政区划代码", "地区代码", "XZQDM", "adcode"});
    const auto period_i = detail::find_field(f, "", {"period", "year", "年份", "年度", "时期", "期间", "月份"});
    const auto metric_i = detail::find_field(f, "", {"metric", "指标", "指标名称", "indicator"});
    const auto value_i = detail::find_field(f, "", {"value", "数值", "值", "指标值"});
    if (!code_i) throw ImportError(fmt::format("{}: no region code column (region_code, code, 代码, 区划代码 …) among: {}", c.info.file, detail::join(f, ", ")));
    struct Column { std::size_t index; const Metric* metric; std::string period; };
    std::vector<Column> wide;
    // Columns mapped by the caller (--column income=tp_income_pc) come first and make the table wide.
    for (const auto& [column, metric] : c.opt.columns) {
        const auto i = detail::find_field(f, column, {});
        if (column.empty() || !i) {
            throw ImportError(fmt::format("--column {}={}: no column '{}' in {} (columns: {})", column, metric, column, c.info.file, detail::join(f, ", ")));
        }
        const auto mc = parse_metric_header(metric);
        if (!mc) {
            throw ImportError(fmt::format("--column {}={}: '{}' is not a metric key or Chinese name from the catalogue (`onemap info` lists them)",
                                          column, metric, metric));
        }
        if (std::any_of(wide.begin(), wide.end(), [&](const Column& w) { return w.index == *i; })) {
            throw ImportError(fmt::format("--column {}={}: column '{}' is mapped twice", column, metric, f[*i]));
        }
        wide.push_back({*i, mc->metric, mc->period});
    }
    const bool long_format = wide.empty() && metric_i && value_i;
    if (!long_format) {
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (std::any_of(wide.begin(), wide.end(), [&](const Column& w) { return w.index == i; })) continue;
            if (auto mc = parse_metric_header(f[i])) wide.push_back({i, mc->metric, mc->period});
        }
        if (wide.empty()) {
            throw ImportError(fmt::format("{}: neither long (code, period, metric, value) nor wide (columns named by metric key or Chinese name, "
                                          "e.g. 2024年脱贫人口人均纯收入) — headers: {}", c.info.file, detail::join(f, ", ")));
        }
        std::optional<std::string> fixed_period;
        if (!c.opt.period.empty()) {
            fixed_period = parse_period(c.opt.period);
            if (!fixed_period) throw ImportError(fmt::format("--period {}: expected YYYY or YYYY-MM", c.opt.period));
        }
        for (auto& col : wide) {
            if (col.period.empty() && fixed_period) col.period = *fixed_period;
            if (col.period.empty() && !period_i) {
                throw ImportError(fmt::format("{}: column '{}' carries no year, the table has no period column and no --period was given",
                                              c.info.file, f[col.index]));
            }
        }
        std::vector<std::string> names;
        for (const auto& col : wide) names.push_back(fmt::format("{}→{}{}", f[col.index], col.metric->key, col.period.empty() ? "" : "@" + col.period));
        c.s.notes.push_back(fmt::format("wide table: {}", detail::join(names, ", ")));
    } else {
        c.s.notes.push_back("long table: code, period, metric, value");
    }

    std::vector<IndicatorRow> out;
    std::unordered_map<std::string, std::pair<std::size_t, std::int64_t>> seen;  // code|period|metric → index in out, row
    std::int64_t missing = 0;
    std::int64_t done = 0;
    for (const auto& row : rows) {
        if (c.opt.progress && (++done & 1023) == 0) c.opt.progress(done, static_cast<std::int64_t>(rows.size()));
        const std::string code = cell(row, code_i);
        if (code.empty() && std::all_of(row.values.begin(), row.values.end(), [](const auto& v) { return !v || v->empty(); })) continue;  // blank line
        std::vector<std::tuple<std::string, std::string, std::string, std::string>> cells;  // period, metric, value, column
        if (long_format) {
            cells.emplace_back(period_i ? cell(row, period_i) : c.opt.period, cell(row, metric_i), cell(row, value_i), f[*value_i]);
        } else {
            for (const auto& col : wide) {
                cells.emplace_back(col.period.empty() ? cell(row, period_i) : col.period, std::string(col.metric->key), cell(row, col.index), f[col.index]);
            }
        }
        for (const auto& [period, metric, value, column] : cells) {
            RowProblem problem;
            bool is_missing = false;
            auto r = check_indicator_row(code, period, metric, value, &problem, &is_missing);
            if (is_missing) {
                ++missing;
                continue;
            }
            if (!r) {
                c.reject(row, problem.reason, problem.field == "value" ? column : problem.field, problem.found, problem.expected);
                continue;
            }
            r->code = c.as_held(code, r->code);
            if (r->code == "4190" && !c.region_level.contains("4190") && c.region_level.contains("419001")) {
                r->code = "419001";  // statistical lists file 济源 under a pseudo-city 4190; the bundle has the unit itself
            }
            if (!c.region_level.contains(r->code)) {
                c.reject(row, "region code not in the bundle", "code", code, "a region the bundle holds (import boundaries first)");
                continue;
            }
            // the same value twice: the later row wins, and the report says so
            const std::string key = r->code + "|" + r->period + "|" + r->metric;
            const std::int64_t shown = c.opt.source.tables ? row.number + 1 : row.number;
            if (const auto it = seen.find(key); it != seen.end()) {
                c.s.add({Outcome::Warning, "duplicate value: the later row is kept", c.info.file, c.info.layer,
                         fmt::format("{} {}", c.opt.source.tables ? "row" : "feature", shown), column,
                         fmt::format("{} {} {}", r->code, r->period, r->metric),
                         fmt::format("one value per region, period and metric (also in row {})", it->second.second)});
                out[it->second.first] = std::move(*r);
                it->second.second = shown;
                continue;
            }
            seen.emplace(key, std::pair{out.size(), shown});
            out.push_back(std::move(*r));
        }
    }
    if (missing) c.s.notes.push_back(fmt::format("{} empty or '—' cells left missing (no row written; never 0)", missing));
    c.s.imported = static_cast<std::int64_t>(out.size());
    if (out.empty()) return;
    c.target.write_indicators(out);
    c.s.committed = true;
}

void import_households(Context& c, std::vector<gis::SourceFeature>& rows) {
    const auto& f = c.info.fields;
    const auto id_i = detail::find_field(f, "", {"身份证号", "身份证号码", "证件号码", "户主身份证号", "户主身份证号码", "id_number"});
    const auto name_i = detail::find_field(f, "", {"户主姓名", "姓名", "户主", "name", "head_name"});
    const auto village_i = detail::find_field(f, "", {"村代码", "行政村代码", "村级代码", "village_code", "区划代码", "code"});
    const auto members_i = detail::find_field(f, "", {"家庭人口数", "家庭人口", "人口数", "人数", "members"});
    const auto labour_i = detail::find_field(f, "", {"劳动力人数", "劳动力", "labour"});
    const auto type_i = detail::find_field(f, "", {"户类型", "户类别", "监测对象类别", "脱贫户类型", "类别", "household_type"});
    const auto support_i = detail::find_field(f, "", {"兜底保障户", "是否兜底保障户", "是否兜底", "fully_supported"});
    const auto relocated_i = detail::find_field(f, "", {"易地搬迁户", "是否易地搬迁", "易地搬迁", "relocated"});
    const auto phone_i = detail::find_field(f, "", {"联系电话", "手机号", "手机号码", "电话", "phone"});
    // A PIN issued by the village committee, used instead of the phone's last four where a row has one.
    const auto pin_i = detail::find_field(f, "", {"查询密码", "查询PIN", "pin"});
    // The cadre assigned to the household (帮扶责任人) and their work phone — shown on the kiosk card.
    const auto contact_i = detail::find_field(f, "", {"帮扶责任人", "帮扶联系人", "contact_name"});
    const auto contact_phone_i = detail::find_field(f, "", {"帮扶责任人电话", "帮扶联系人电话", "联系人电话", "contact_phone"});
    std::vector<std::string> missing_cols;
    if (!id_i) missing_cols.emplace_back("ID number (身份证号)");
    if (!name_i) missing_cols.emplace_back("name (户主姓名)");
    if (!village_i) missing_cols.emplace_back("village code (村代码)");
    if (!members_i) missing_cols.emplace_back("members (家庭人口数)");
    if (!phone_i && !pin_i) missing_cols.emplace_back("phone (联系电话) or PIN (查询密码), for the second factor");
    if (!missing_cols.empty()) {
        throw ImportError(fmt::format("{}: missing columns: {} — headers: {}", c.info.file, detail::join(missing_cols, ", "), detail::join(f, ", ")));
    }
    if (c.opt.key_file.empty()) throw ImportError("households need --key FILE (make one with `onemap keygen --out FILE`, keep it outside the bundle)");
    const Key key = load_key_file(c.opt.key_file);
    const std::string fingerprint = key_fingerprint(key);
    int iterations = c.opt.second_factor_iterations;
    {
        if (auto fp = c.target.meta("household_key_fingerprint"); fp && !fp->empty() && *fp != fingerprint) {
            throw ImportError(fmt::format("{}: the households already there were hashed with another key (fingerprint {}, yours {}); "
                                          "use that key file, or they become unfindable", c.target.name(), *fp, fingerprint));
        }
        if (auto it = c.target.meta("second_factor_iterations"); it && !it->empty() && std::stoi(*it) != iterations) {
            const int held = std::stoi(*it);
            // One count for every household of a bundle (a look-up verifies them all alike). Fewer
            // rounds than asked for are a demo's (32, so 300,000 synthetic households build in
            // seconds): real households would be as easy to guess offline there. Refuse, don't inherit.
            if (held < iterations) {
                throw ImportError(fmt::format("{}: its households' second factors use {} PBKDF2 rounds (a demo bundle's), fewer than the {} "
                                              "this import asks for; real households are not added to them — import them into a bundle "
                                              "built from real boundaries (onemap import boundaries …), or rebuild this one",
                                              c.target.name(), held, iterations));
            }
            c.s.notes.push_back(fmt::format("second factor hashed with the {} PBKDF2 rounds already in use (not {}), so all households verify alike", held, iterations));
            iterations = held;
        }
    }
    using Household = HouseholdRow;
    std::vector<Household> out;
    std::unordered_map<std::string, std::int64_t> first_row;
    for (const auto& row : rows) {
        if (std::all_of(row.values.begin(), row.values.end(), [](const auto& v) { return !v || v->empty(); })) continue;
        // Nothing of the person goes into the report: found values are described, not copied.
        std::string id = ascii_digits(cell(row, id_i));
        if (!id.empty() && id.back() == 'x') id.back() = 'X';
        if (!valid_id_number(id)) {
            // Excel turns an 18-digit number into 4.10102E+17 and loses the last digits.
            const bool as_number = id.find_first_of("eE.") != std::string::npos;
            c.reject(row, as_number ? "ID number stored as a number" : "ID number invalid", f[*id_i],
                     id.empty() ? "empty" : as_number ? "(withheld) a number in scientific notation; its last digits are lost"
                                                      : "(withheld) fails the GB 11643 length or check digit",
                     as_number ? "the ID number as text (format the column as 文本/text before typing or pasting)"
                               : "an 18-character ID number with a valid check digit");
            continue;
        }
        Household h;
        h.id_hash = hmac_sha256_hex(key, id);
        if (auto [it, fresh] = first_row.emplace(h.id_hash, row.number + 1); !fresh) {
            c.reject(row, "duplicate ID number", f[*id_i], "(withheld)", fmt::format("one row per household (same as row {})", it->second));
            continue;
        }
        const auto village = normalise_any_code(cell(row, village_i));
        if (!village || village->size() != 12 || !c.region_level.contains(*village)) {
            c.reject(row, "village code not in the bundle", f[*village_i], cell(row, village_i), "a 12-digit village code the bundle holds");
            continue;
        }
        h.village = *village;
        const std::string name = cell(row, name_i);
        if (name.empty() || undecodable(row, name_i)) {
            c.reject(row, "name missing or undecodable", f[*name_i], "(withheld)", "the head of household's name in the file's encoding");
            continue;
        }
        h.name_masked = mask_name(name);
        const ParsedNumber members = parse_number(cell(row, members_i));
        if (members.kind != ParsedNumber::Kind::Number || members.value < 1 || members.value > 30 || members.value != std::floor(members.value)) {
            c.reject(row, "members implausible", f[*members_i], "(withheld)", "a whole number of household members 1 … 30");
            continue;
        }
        h.members = static_cast<std::int64_t>(members.value);
        if (labour_i) {
            const ParsedNumber labour = parse_number(cell(row, labour_i));
            if (labour.kind == ParsedNumber::Kind::Number) {
                if (labour.value < 0 || labour.value > members.value || labour.value != std::floor(labour.value)) {
                    c.reject(row, "labour implausible", f[*labour_i], "(withheld)", "a whole number from 0 to the number of members");
                    continue;
                }
                h.labour = static_cast<std::int64_t>(labour.value);
            }
        }
        h.type = type_i ? cell(row, type_i) : std::string();
        if (h.type.empty()) h.type = std::string(k_household_types[0]);
        if (std::find(std::begin(k_household_types), std::end(k_household_types), h.type) == std::end(k_household_types)) {
            c.reject(row, "household type unknown", f[*type_i], h.type, "一般脱贫户, 脱贫不稳定户, 边缘易致贫户 or 突发严重困难户");
            continue;
        }
        auto flag = [&](std::optional<std::size_t> i, bool& target, const char* what) {
            if (!i) return true;
            auto v = parse_flag(cell(row, i));
            if (!v) {
                c.reject(row, fmt::format("{} not yes/no", what), f[*i], cell(row, i), "是/否, 1/0, Y/N");
                return false;
            }
            target = *v;
            return true;
        };
        if (!flag(support_i, h.supported, "fully supported flag") || !flag(relocated_i, h.relocated, "relocated flag")) continue;
        const std::string pin = pin_i ? ascii_digits(cell(row, pin_i)) : std::string();
        if (!pin.empty()) {
            if (pin.size() < 4 || pin.size() > 8 || pin.find_first_not_of("0123456789") != std::string::npos) {
                c.reject(row, "PIN invalid", f[*pin_i], "(withheld)", "4 to 8 digits (typed on the kiosk's keypad)");
                continue;
            }
            h.phone4_peppered = hmac_sha256_hex(key, pin);
            h.factor_kind = "pin";
        } else {
            std::string phone;
            if (phone_i) for (char ch : ascii_digits(cell(row, phone_i))) if (ch >= '0' && ch <= '9') phone.push_back(ch);
            if (phone.size() < 7) {
                c.reject(row, "phone missing", phone_i ? f[*phone_i] : f[*pin_i], "(withheld)",
                         "a phone number (its last 4 digits are the kiosk's second factor) or a PIN (查询密码)");
                continue;
            }
            h.phone4_peppered = hmac_sha256_hex(key, phone.substr(phone.size() - 4));
        }
        if (contact_i) h.contact = cell(row, contact_i);
        if (contact_phone_i) h.contact_phone = cell(row, contact_phone_i);
        h.salt = random_salt();
        out.push_back(std::move(h));
    }
    c.s.imported = static_cast<std::int64_t>(out.size());
    if (out.empty()) return;
    {  // the slow hash, on both cores
        std::vector<std::thread> pool;
        const int threads = std::max(1, c.opt.threads);
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                for (std::size_t i = static_cast<std::size_t>(t); i < out.size(); i += static_cast<std::size_t>(threads)) {
                    out[i].factor_hash = pbkdf2_sha256_hex(out[i].phone4_peppered, out[i].salt, iterations);
                }
            });
        }
        for (auto& th : pool) th.join();
    }
    c.target.write_households(out, fingerprint, iterations);
    c.s.committed = true;
}

template <typename T>
void import_points(Context& c, std::vector<gis::SourceFeature>& rows, TableKind kind) {
    const auto& f = c.info.fields;
    const bool projects = kind == TableKind::Projects;
    const auto name_i = detail::find_field(f, "", projects ? std::vector<std::string_view>{"项目名称", "name", "名称"}
                                                           : std::vector<std::string_view>{"安置点名称", "name", "名称"});
    const auto county_i = detail::find_field(f, "", {"county_code", "县代码", "县区代码", "所属县代码", "区划代码", "code"});
    const auto village_i = detail::find_field(f, "", {"village_code", "村代码", "行政村代码"});
    const auto lon_i = detail::find_field(f, "", {"lon", "longitude", "经度", "x", "lng"});
    const auto lat_i = detail::find_field(f, "", {"lat", "latitude", "纬度", "y"});
    if (!name_i) throw ImportError(fmt::format("{}: no name column (name, 名称 …) among: {}", c.info.file, detail::join(f, ", ")));
    if (!county_i && !village_i) throw ImportError(fmt::format("{}: no county_code / 县代码 or village_code / 村代码 column among: {}", c.info.file, detail::join(f, ", ")));
    if (c.opt.source.tables && (!lon_i || !lat_i)) throw ImportError(fmt::format("{}: no lon/lat (经度/纬度) columns among: {}", c.info.file, detail::join(f, ", ")));
    auto number = [&](const gis::SourceFeature& row, std::optional<std::size_t> i, double& v) {
        if (!i) return true;
        const ParsedNumber n = parse_number(cell(row, i));
        if (n.kind == ParsedNumber::Kind::Missing) return true;
        if (n.kind != ParsedNumber::Kind::Number || n.value < 0) {
            c.reject(row, "value not a number ≥ 0", f[*i], cell(row, i), "a number ≥ 0");
            return false;
        }
        v = n.value;
        return true;
    };
    std::vector<T> out;
    for (const auto& row : rows) {
        if (std::all_of(row.values.begin(), row.values.end(), [](const auto& v) { return !v || v->empty(); })) continue;
        T item;
        item.name = cell(row, name_i);
        if (item.name.empty()) { c.reject(row, "name missing", f[*name_i], "empty", "a name"); continue; }
        std::string village;
        if (village_i && !cell(row, village_i).empty()) {
            auto v = normalise_any_code(cell(row, village_i));
            if (!v || v->size() != 12 || !c.region_level.contains(*v)) {
                c.reject(row, "village code not in the bundle", f[*village_i], cell(row, village_i), "a 12-digit village code the bundle holds");
                continue;
            }
            village = *v;
        }
        std::string county = county_i ? cell(row, county_i) : std::string();
        if (!county.empty()) {
            auto v = normalise_any_code(county);
            if (v) v = c.as_held(county, *v, static_cast<int>(Level::County));
            if (!v || v->size() != 6 || !c.region_level.contains(*v)) {
                c.reject(row, "county code not in the bundle", f[*county_i], county, "a 6-digit county code the bundle holds");
                continue;
            }
            county = *v;
        } else if (!village.empty()) {
            county = village.substr(0, 6);
        } else {
            c.reject(row, "county code missing", county_i ? f[*county_i] : f[*village_i], "empty", "a county or village code");
            continue;
        }
        item.county_code = county;
        gis::Point p;
        if (c.opt.source.tables) {
            const ParsedNumber lon = parse_number(cell(row, lon_i)), lat = parse_number(cell(row, lat_i));
            if (lon.kind != ParsedNumber::Kind::Number || lat.kind != ParsedNumber::Kind::Number) {
                c.reject(row, "lon/lat not numbers", f[*lon_i] + "/" + f[*lat_i], cell(row, lon_i) + " " + cell(row, lat_i), "decimal degrees");
                continue;
            }
            p = {lon.value, lat.value};
            if (c.opt.source.from_gcj02) p = gis::gcj02_to_wgs84(p);
        } else {
            if (row.kind != gis::GeometryKind::Point) {
                c.reject(row, "not a point", "geometry", row.geometry_type.empty() ? "NULL" : row.geometry_type, "a point");
                continue;
            }
            p = row.point;
        }
        if (!gis::inside_china(gis::Box{p.x, p.y, p.x, p.y})) {
            c.reject(row, "location outside China", "lon/lat", fmt::format("{:.5f}, {:.5f}", p.x, p.y), "lon 73…136, lat 3…54 (lat/lon swapped?)");
            continue;
        }
        item.location = p;
        double v = 0;
        if constexpr (std::is_same_v<T, Project>) {
            item.village_code = village;
            item.category = cell(row, detail::find_field(f, "", {"category", "产业类别", "类别", "项目类型"}));
            item.batch = cell(row, detail::find_field(f, "", {"batch", "四个一批", "分类", "管理分类"}));
            if (item.batch.empty()) item.batch = std::string(k_project_batches[0]);
            if (std::find(std::begin(k_project_batches), std::end(k_project_batches), item.batch) == std::end(k_project_batches)) {
                c.reject(row, "batch unknown", "batch", item.batch, "巩固提升, 强链补链, 盘活闲置 or 依法处置");
                continue;
            }
            if (const std::string linkage = cell(row, detail::find_field(f, "", {"farmer_linkage", "联农带农", "联农带农机制"})); !linkage.empty()) {
                if (auto fl = parse_flag(linkage)) item.farmer_linkage = *fl;  // default: has a linkage mechanism
            }
            if (auto op = detail::find_field(f, "", {"operating", "是否运营", "运营"})) {
                if (auto fl = parse_flag(cell(row, op))) item.operating = *fl;
            }
            v = 0;
            if (!number(row, detail::find_field(f, "", {"beneficiary_households", "带动户数", "受益户数", "联农带农户数"}), v)) continue;
            item.beneficiary_households = static_cast<std::int64_t>(v);
            v = 0;
            if (!number(row, detail::find_field(f, "", {"investment", "投资", "总投资", "投资额", "投资额(万元)", "总投资(万元)"}), v)) continue;
            item.investment = v;
        } else {
            v = 0;
            if (!number(row, detail::find_field(f, "", {"households", "安置户数", "户数"}), v)) continue;
            item.households = static_cast<std::int64_t>(v);
            v = 0;
            if (!number(row, detail::find_field(f, "", {"persons", "安置人数", "人数"}), v)) continue;
            item.persons = static_cast<std::int64_t>(v);
            v = 0;
            if (!number(row, detail::find_field(f, "", {"employed_households", "就业户数", "有就业户数"}), v)) continue;
            item.employed_households = static_cast<std::int64_t>(v);
        }
        out.push_back(std::move(item));
    }
    c.s.imported = static_cast<std::int64_t>(out.size());
    if (out.empty()) return;
    if constexpr (std::is_same_v<T, Project>) c.target.write_projects(out);
    else c.target.write_sites(out);
    c.s.notes.push_back(fmt::format("the bundle's {} were replaced by the file's", projects ? "projects" : "sites"));
    c.s.committed = true;
}

}  // namespace

std::string_view table_kind_key(TableKind k) {
    switch (k) {
        case TableKind::Indicators: return "indicators";
        case TableKind::Households: return "households";
        case TableKind::Projects: return "projects";
        case TableKind::Sites: return "sites";
    }
    return "?";
}

std::string_view table_kind_help(TableKind k) {
    switch (k) {
        case TableKind::Indicators: return "统计指标 / indicators, long (code, period, metric, value) or wide (one column per metric)";
        case TableKind::Households: return "脱贫户 / households (ID numbers hashed with --key, names masked)";
        case TableKind::Projects: return "产业帮扶项目 / projects (lon/lat columns or a point layer); replaces the bundle's projects";
        case TableKind::Sites: return "易地搬迁安置点 / relocation sites (lon/lat columns or a point layer); replaces the bundle's sites";
    }
    return "";
}

ImportSummary import_table(const std::filesystem::path& bundle, const TableImportOptions& options) {
    return import_table(*bundle_target(bundle), options);
}

ImportSummary import_table(ImportTarget& target, const TableImportOptions& options) {
    const auto t0 = Clock::now();
    TableImportOptions opt = options;
    opt.source.tables = opt.kind == TableKind::Indicators || opt.kind == TableKind::Households || is_table_file(opt.source.path);
    ImportSummary s;
    s.what = std::string(table_kind_key(opt.kind));
    s.bundle = target.name();
    if (!target.exists()) {
        throw ImportError(fmt::format("{}: no such bundle; import boundaries first (onemap import boundaries … --bundle {})", target.name(), target.name()));
    }
    Rows sink(opt.progress);
    gis::read_source(opt.source, sink);
    s.read = static_cast<std::int64_t>(sink.m_rows.size());
    s.notes.push_back(fmt::format("{} layer '{}' ({}), text {} — {}", sink.m_info.file, sink.m_info.layer, sink.m_info.driver, sink.m_info.encoding,
                                  sink.m_info.encoding_source));
    for (const auto& n : sink.m_info.notes) s.notes.push_back(n);
    Context c{target, opt, s, sink.m_info, target.region_levels()};
    for (const auto& row : sink.m_rows) {
        for (int i : row.undecodable) {
            c.reject(row, "text does not decode", sink.m_info.fields[static_cast<std::size_t>(i)], fmt::format("bytes that are not valid {}", sink.m_info.encoding),
                     "text in the file's encoding; give the right one with --encoding");
        }
    }
    switch (opt.kind) {
        case TableKind::Indicators: import_indicators(c, sink.m_rows); break;
        case TableKind::Households: import_households(c, sink.m_rows); break;
        case TableKind::Projects: import_points<Project>(c, sink.m_rows, opt.kind); break;
        case TableKind::Sites: import_points<Site>(c, sink.m_rows, opt.kind); break;
    }
    // The render cache holds the regions' scene (keyed by the regions' fingerprint): tables leave it valid.
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return s;
}

}  // namespace onemap::data
