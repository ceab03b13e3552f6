#pragma once
// Regions and indicators for panels, search and colouring: the attribute side of the bundle,
// loaded once (no geometry), answering in memory.
//
//   RegionIndex   code → {name, level, parent, children}; breadcrumbs; search by name or code prefix
//   Indicators    (metric, period) → code → value; one region's series over periods
#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

struct RegionInfo {
    std::string code, parent_code, name;
    Level level = Level::Village;
    std::int64_t population = 0, tp_population = 0, tp_households = 0;
    std::vector<std::string> children;  // codes, sorted
};

class Source;

class RegionIndex {
public:
    static RegionIndex load(const Bundle& bundle);
    static RegionIndex from_rows(std::vector<RegionInfo> rows);  // any order; children are filled in

    const RegionInfo* find(std::string_view code) const;           // nullptr when unknown
    const RegionInfo* root() const;                                 // the province (lowest level)
    std::vector<const RegionInfo*> breadcrumbs(std::string_view code) const;  // root … code
    // Name substring or code prefix, best first (exact, prefix, substring; higher levels first).
    std::vector<const RegionInfo*> search(std::string_view query, std::size_t limit = 20) const;
    // The regions drawn at `level`: those of that level, plus coarser regions with no children at or
    // above it (济源, a city without counties, appears in the county view).
    std::vector<const RegionInfo*> layer(Level level) const;
    std::size_t size() const { return m_regions.size(); }

private:
    std::vector<RegionInfo> m_regions;          // sorted by code
    std::map<std::string, std::size_t, std::less<>> m_by_code;
};

// Indicator values read on demand from a source (data/bundle/source.hpp) or a bundle (which must outlive
// this object); a whole (metric, period) layer is cached after its first use, so recolouring by a
// seen year is free; a region's series is kept after its first use too (panels draw them every
// frame, and a --pg source would ask the server each time). forget() drops the cache when the
// source's indicators changed.
class Indicators {
public:
    explicit Indicators(const Bundle& bundle);
    explicit Indicators(const Source& source) : m_source(&source) {}

    std::optional<double> value(std::string_view code, std::string_view metric, std::string_view period) const;
    const std::map<std::string, double, std::less<>>& values(std::string_view metric, std::string_view period) const;
    std::map<std::string, double> series(std::string_view code, std::string_view metric) const;  // period → value
    std::vector<std::string> periods() const;     // years present, sorted
    std::vector<std::string> metrics() const;     // keys present, catalogue order first
    void forget() const {
        m_layers.clear();
        m_values.clear();
        m_series.clear();
        m_layer_bytes = 0;
    }
    // Keeps the cached layers within `bytes` (an estimate of what they hold), the least recently used
    // given back first; the layer used last always stays. Call between frames: a reference from
    // values() is not valid across it. (Single values and series are capped at 4,096 each.)
    void trim(std::size_t bytes) const;
    std::size_t cached_bytes() const;                // layers, values and series together (estimate)
    std::size_t layers_cached() const { return m_layers.size(); }
    std::uint64_t layers_evicted() const { return m_evicted; }

private:
    struct Layer {
        std::map<std::string, double, std::less<>> values;
        std::size_t bytes = 0;
        std::uint64_t used = 0;
    };
    std::shared_ptr<const Source> m_owned;        // Indicators(const Bundle&): a source borrowing it
    const Source* m_source = nullptr;
    mutable std::map<std::string, Layer, std::less<>> m_layers;  // "metric|period"
    mutable std::uint64_t m_tick = 0, m_evicted = 0;
    mutable std::size_t m_layer_bytes = 0;
    // values asked for one by one while their layer is not read: "metric|period|code"
    mutable std::map<std::string, std::optional<double>, std::less<>> m_values;
    mutable std::map<std::string, std::map<std::string, double>, std::less<>> m_series;  // "metric|code"
};

// The bundle's indicator readers behind Indicators (and the bundle Source).
namespace bundle_indicators {
std::map<std::string, double, std::less<>> layer(const Bundle& bundle, std::string_view metric, std::string_view period);
std::map<std::string, double> series(const Bundle& bundle, std::string_view code, std::string_view metric);
std::optional<double> value(const Bundle& bundle, std::string_view code, std::string_view metric, std::string_view period);
std::vector<std::string> periods(const Bundle& bundle);
std::vector<std::string> metrics(const Bundle& bundle);
}  // namespace bundle_indicators
// Metric keys: those of the catalogue in its order, then unknown ones in the given order.
std::vector<std::string> metrics_in_catalogue_order(const std::vector<std::string>& present);

}  // namespace onemap::data
