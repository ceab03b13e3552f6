#include "info.hpp"

#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/text_format.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace onemap::data {

namespace {
std::int64_t count(const Bundle& b, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(b.db(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: damaged bundle: {}", b.path().string(), sqlite3_errmsg(b.db())));
    }
    std::int64_t n = 0;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw BundleError(fmt::format("{}: damaged bundle: {}", b.path().string(), sqlite3_errmsg(b.db())));
    return n;
}

std::vector<std::string> strings(const Bundle& b, const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(b.db(), sql, -1, &st, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: damaged bundle: {}", b.path().string(), sqlite3_errmsg(b.db())));
    }
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw BundleError(fmt::format("{}: damaged bundle: {}", b.path().string(), sqlite3_errmsg(b.db())));
    return out;
}

std::string json_list(const std::vector<std::string>& xs) {
    // Appended piece by piece: `"," + json_string(x)` (a literal plus a temporary string) inserts at the
    // front of the temporary, which GCC 12 at -O3 reports as an overlapping memcpy (-Wrestrict, a known
    // false positive) — and it copied every element twice.
    std::string out = "[";
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (i) out += ',';
        out += json_string(xs[i]);
    }
    out += ']';
    return out;
}
}  // namespace

BundleInfo read_info(const std::filesystem::path& path) {
    Bundle b = Bundle::open(path, OpenMode::ReadOnly);
    if (const std::string check = b.quick_check(); check != "ok") {
        throw BundleError(fmt::format("{}: damaged bundle: {}", path.string(), check.substr(0, check.find('\n'))));
    }
    BundleInfo info;
    info.path = path.string();
    info.schema_version = b.schema_version();
    info.synthetic = b.synthetic();
    info.created_by = b.meta("created_by").value_or("");
    info.bbox = b.meta("bbox").value_or("");
    info.layers_real = b.meta("layers_real").value_or("");
    info.layers_synthetic = b.meta("layers_synthetic").value_or("");
    for (int l = 1; l <= 5; ++l) info.regions_per_level[l] = count(b, fmt::format("SELECT count(*) FROM regions WHERE level = {}", l));
    info.metrics = strings(b, "SELECT DISTINCT metric FROM indicators ORDER BY metric");
    info.periods = strings(b, "SELECT DISTINCT period FROM indicators ORDER BY period");
    info.indicator_rows = count(b, "SELECT count(*) FROM indicators");
    info.households = count(b, "SELECT count(*) FROM households");
    info.projects = count(b, "SELECT count(*) FROM projects");
    info.sites = count(b, "SELECT count(*) FROM sites");
    info.alerts = count(b, "SELECT count(*) FROM alerts");
    return info;
}

std::string to_text(const BundleInfo& i) {
    std::string out;
    out += fmt::format("数据包 bundle      {}\n", i.path);
    out += fmt::format("模式版本 schema    v{}\n", i.schema_version);
    out += fmt::format("数据性质 data      {}\n", !i.synthetic ? "真实数据 (real)" : !i.layers_real.empty() ? "部分演示数据 (partly synthetic)" : "演示数据 (synthetic)");
    if (!i.layers_real.empty()) out += fmt::format("真实图层 real      {}\n", i.layers_real);
    if (!i.layers_synthetic.empty()) out += fmt::format("演示图层 synthetic {}\n", i.layers_synthetic);
    if (!i.created_by.empty()) out += fmt::format("来源 created by    {}\n", i.created_by);
    out += fmt::format("范围 bbox          {}\n", i.bbox.empty() ? "-" : i.bbox);
    for (int l = 1; l <= 5; ++l) {
        const auto level = static_cast<Level>(l);
        out += fmt::format("{:<18} {:>8}\n", fmt::format("{} {}", level_name_zh(level), level_key(level)), i.regions_per_level[l]);
    }
    out += fmt::format("指标 indicators    {} rows, {} metrics\n", i.indicator_rows, i.metrics.size());
    std::string periods;
    for (const auto& p : i.periods) periods += (periods.empty() ? "" : ", ") + p;
    out += fmt::format("年份 periods       {}\n", periods.empty() ? "-" : periods);
    out += fmt::format("脱贫户 households  {}\n", i.households);
    out += fmt::format("帮扶项目 projects  {}\n", i.projects);
    out += fmt::format("安置点 sites       {}\n", i.sites);
    out += fmt::format("预警 alerts        {}\n", i.alerts);
    return out;
}

std::string to_json(const BundleInfo& i) {
    std::string levels;
    for (int l = 1; l <= 5; ++l) {
        levels += fmt::format("{}\"{}\":{}", l > 1 ? "," : "", level_key(static_cast<Level>(l)), i.regions_per_level[l]);
    }
    return fmt::format(
        "{{\"path\":{},\"schema_version\":{},\"synthetic\":{},\"layers_real\":{},\"layers_synthetic\":{},\"created_by\":{},\"bbox\":{},\"regions\":{{{}}},"
        "\"metrics\":{},\"periods\":{},\"indicator_rows\":{},\"households\":{},\"projects\":{},\"sites\":{},\"alerts\":{}}}",
        json_string(i.path), i.schema_version, i.synthetic ? "true" : "false", json_string(i.layers_real), json_string(i.layers_synthetic), json_string(i.created_by), json_string(i.bbox), levels,
        json_list(i.metrics), json_list(i.periods), i.indicator_rows, i.households, i.projects, i.sites, i.alerts);
}

}  // namespace onemap::data
