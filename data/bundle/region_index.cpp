#include "region_index.hpp"

#include "data/bundle/source.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace onemap::data {

namespace {
std::string column_text(sqlite3_stmt* st, int i) {
    const auto* t = sqlite3_column_text(st, i);
    return t ? reinterpret_cast<const char*>(t) : "";
}

sqlite3_stmt* prepare(const Bundle& b, const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(b.db(), sql, -1, &st, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: {}", b.path().string(), sqlite3_errmsg(b.db())));
    }
    return st;
}
}  // namespace

RegionIndex RegionIndex::load(const Bundle& bundle) {
    RegionIndex idx;
    sqlite3_stmt* st = prepare(bundle, "SELECT code, parent_code, level, name, population, tp_population, tp_households FROM regions ORDER BY code");
    while (sqlite3_step(st) == SQLITE_ROW) {
        RegionInfo r;
        r.code = column_text(st, 0);
        r.parent_code = column_text(st, 1);
        r.level = static_cast<Level>(std::clamp(sqlite3_column_int(st, 2), 1, 5));
        r.name = column_text(st, 3);
        r.population = sqlite3_column_int64(st, 4);
        r.tp_population = sqlite3_column_int64(st, 5);
        r.tp_households = sqlite3_column_int64(st, 6);
        idx.m_regions.push_back(std::move(r));
    }
    sqlite3_finalize(st);
    return from_rows(std::move(idx.m_regions));
}

RegionIndex RegionIndex::from_rows(std::vector<RegionInfo> rows) {
    RegionIndex idx;
    idx.m_regions = std::move(rows);
    std::sort(idx.m_regions.begin(), idx.m_regions.end(), [](const RegionInfo& a, const RegionInfo& b) { return a.code < b.code; });
    for (std::size_t i = 0; i < idx.m_regions.size(); ++i) {
        idx.m_regions[i].children.clear();
        idx.m_by_code.emplace(idx.m_regions[i].code, i);
    }
    for (const auto& r : idx.m_regions) {
        if (auto it = idx.m_by_code.find(r.parent_code); it != idx.m_by_code.end()) idx.m_regions[it->second].children.push_back(r.code);
    }
    return idx;
}

const RegionInfo* RegionIndex::find(std::string_view code) const {
    auto it = m_by_code.find(code);
    return it == m_by_code.end() ? nullptr : &m_regions[it->second];
}

const RegionInfo* RegionIndex::root() const {
    const RegionInfo* best = nullptr;
    for (const auto& r : m_regions) {
        if (!best || r.level < best->level) best = &r;
    }
    return best;
}

std::vector<const RegionInfo*> RegionIndex::breadcrumbs(std::string_view code) const {
    std::vector<const RegionInfo*> out;
    for (const RegionInfo* r = find(code); r && out.size() < 8; r = find(r->parent_code)) out.push_back(r);
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<const RegionInfo*> RegionIndex::search(std::string_view query, std::size_t limit) const {
    std::vector<std::pair<int, const RegionInfo*>> hits;
    if (query.empty()) return {};
    const bool digits = std::all_of(query.begin(), query.end(), [](char c) { return c >= '0' && c <= '9'; });
    for (const auto& r : m_regions) {
        int rank = -1;
        if (digits) {
            if (r.code == query) rank = 0;
            else if (r.code.compare(0, query.size(), query) == 0) rank = 1;
        } else {
            if (r.name == query) rank = 0;
            else if (r.name.compare(0, query.size(), query) == 0) rank = 1;
            else if (r.name.find(query) != std::string::npos) rank = 2;
        }
        if (rank >= 0) hits.emplace_back(rank * 10 + static_cast<int>(r.level), &r);
    }
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const RegionInfo*> out;
    for (std::size_t i = 0; i < hits.size() && i < limit; ++i) out.push_back(hits[i].second);
    return out;
}

std::vector<const RegionInfo*> RegionIndex::layer(Level level) const {
    std::vector<const RegionInfo*> out;
    for (const auto& r : m_regions) {
        if (r.level == level) {
            out.push_back(&r);
        } else if (r.level < level) {
            const bool finer_child_only = std::all_of(r.children.begin(), r.children.end(), [&](const std::string& c) {
                const RegionInfo* child = find(c);
                return child && child->level > level;
            });
            if (finer_child_only) out.push_back(&r);
        }
    }
    return out;
}

Indicators::Indicators(const Bundle& bundle) : m_owned(borrow_bundle_source(bundle)), m_source(m_owned.get()) {}

namespace {
// What one value of a cached layer costs, estimated: a libstdc++ map node (32 bytes of links and colour),
// the code's std::string (32; a 12-digit code sits in it), the double, malloc's header, rounded up.
constexpr std::size_t k_layer_entry_bytes = 96;
constexpr std::size_t k_value_entry_bytes = 160;   // "metric|period|code" keys live on the heap
constexpr std::size_t k_series_entry_bytes = 480;  // a key and a map of a few years
}  // namespace

const std::map<std::string, double, std::less<>>& Indicators::values(std::string_view metric, std::string_view period) const {
    const std::string key = std::string(metric) + "|" + std::string(period);
    if (auto it = m_layers.find(key); it != m_layers.end()) {
        it->second.used = ++m_tick;
        return it->second.values;
    }
    Layer layer{m_source->indicator_layer(metric, period), 0, ++m_tick};
    layer.bytes = 128 + layer.values.size() * k_layer_entry_bytes;
    m_layer_bytes += layer.bytes;
    return (m_layers[key] = std::move(layer)).values;
}

void Indicators::trim(std::size_t bytes) const {
    while (m_layer_bytes > bytes && m_layers.size() > 1) {
        auto oldest = m_layers.begin();
        for (auto it = m_layers.begin(); it != m_layers.end(); ++it)
            if (it->second.used < oldest->second.used) oldest = it;
        m_layer_bytes -= oldest->second.bytes;
        m_layers.erase(oldest);
        ++m_evicted;
    }
}

std::size_t Indicators::cached_bytes() const {
    return m_layer_bytes + m_values.size() * k_value_entry_bytes + m_series.size() * k_series_entry_bytes;
}

// From the layer when it has been read; otherwise the one value is looked up (and kept): a panel that
// shows a dozen indicators of the selected region must not read a dozen layers of 50,000 villages
// (0.3 s on the desk's first frame, and again at every change of year).
std::optional<double> Indicators::value(std::string_view code, std::string_view metric, std::string_view period) const {
    std::string key = std::string(metric) + "|" + std::string(period);
    if (auto it = m_layers.find(key); it != m_layers.end()) {
        it->second.used = ++m_tick;
        auto v = it->second.values.find(code);
        if (v == it->second.values.end()) return std::nullopt;
        return v->second;
    }
    key += "|";
    key += code;
    if (auto it = m_values.find(key); it != m_values.end()) return it->second;
    if (m_values.size() >= 4096) m_values.clear();  // a desk clicked through for days keeps no more than this
    return m_values[key] = m_source->indicator_value(code, metric, period);
}

std::map<std::string, double> Indicators::series(std::string_view code, std::string_view metric) const {
    std::string key = std::string(metric) + "|" + std::string(code);
    if (auto it = m_series.find(key); it != m_series.end()) return it->second;
    if (m_series.size() >= 4096) m_series.clear();  // as m_values: bounded for a desk clicked through for days
    return m_series[key] = m_source->indicator_series(code, metric);
}
std::vector<std::string> Indicators::periods() const { return m_source->periods(); }
std::vector<std::string> Indicators::metrics() const { return m_source->metrics(); }

namespace bundle_indicators {

std::map<std::string, double, std::less<>> layer(const Bundle& bundle, std::string_view metric, std::string_view period) {
    std::map<std::string, double, std::less<>> layer;
    sqlite3_stmt* st = prepare(bundle, "SELECT region_code, value FROM indicators WHERE metric = ? AND period = ?");
    sqlite3_bind_text(st, 1, metric.data(), static_cast<int>(metric.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, period.data(), static_cast<int>(period.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) layer.emplace(column_text(st, 0), sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    return layer;
}

std::optional<double> value(const Bundle& bundle, std::string_view code, std::string_view metric, std::string_view period) {
    std::optional<double> out;
    sqlite3_stmt* st = prepare(bundle, "SELECT value FROM indicators WHERE metric = ? AND period = ? AND region_code = ?");
    sqlite3_bind_text(st, 1, metric.data(), static_cast<int>(metric.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, period.data(), static_cast<int>(period.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, code.data(), static_cast<int>(code.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) out = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return out;
}

std::map<std::string, double> series(const Bundle& bundle, std::string_view code, std::string_view metric) {
    std::map<std::string, double> out;
    sqlite3_stmt* st = prepare(bundle, "SELECT period, value FROM indicators WHERE region_code = ? AND metric = ? ORDER BY period");
    sqlite3_bind_text(st, 1, code.data(), static_cast<int>(code.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, metric.data(), static_cast<int>(metric.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) out.emplace(column_text(st, 0), sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    return out;
}

// The distinct values walked along the primary key (metric, period, region_code): one index seek per
// value found, instead of reading all 3 M rows of a province (which took seconds at every start).
namespace {
std::vector<std::string> present_metrics(const Bundle& bundle) {
    std::vector<std::string> out;
    sqlite3_stmt* st = prepare(bundle, "SELECT metric FROM indicators WHERE metric > ?1 ORDER BY metric LIMIT 1");
    std::string last;
    for (;;) {
        sqlite3_bind_text(st, 1, last.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW) break;
        last = column_text(st, 0);
        out.push_back(last);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return out;
}
}  // namespace

std::vector<std::string> periods(const Bundle& bundle) {
    std::set<std::string> years;
    sqlite3_stmt* st = prepare(bundle, "SELECT period FROM indicators WHERE metric = ?1 AND period > ?2 ORDER BY period LIMIT 1");
    for (const std::string& metric : present_metrics(bundle)) {
        std::string last;
        for (;;) {
            sqlite3_bind_text(st, 1, metric.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, last.c_str(), -1, SQLITE_TRANSIENT);
            const bool row = sqlite3_step(st) == SQLITE_ROW;
            if (row) last = column_text(st, 0);
            sqlite3_reset(st);
            if (!row) break;
            if (last.size() == 4) years.insert(last);
        }
    }
    sqlite3_finalize(st);
    return {years.begin(), years.end()};
}

std::vector<std::string> metrics(const Bundle& bundle) { return metrics_in_catalogue_order(present_metrics(bundle)); }

}  // namespace bundle_indicators

std::vector<std::string> metrics_in_catalogue_order(const std::vector<std::string>& found) {
    const std::set<std::string> present(found.begin(), found.end());
    std::vector<std::string> out;
    for (const Metric& m : metric_catalogue()) {
        if (present.count(std::string(m.key))) out.emplace_back(m.key);
    }
    for (const auto& key : present) {
        if (!find_metric(key)) out.push_back(key);
    }
    return out;
}

}  // namespace onemap::data
