#include "import_boundaries.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/bundle/divisions.hpp"
#include "data/bundle/features.hpp"
#include "data/import/import_common.hpp"
#include "data/import/import_target.hpp"
#include "data/bundle/region_codes.hpp"
#include "gis/boundary_check.hpp"


#include <fmt/format.h>

#include <cpl_error.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include <chrono>
#include <map>
#include <set>
#include <future>
#include <thread>
#include <unordered_map>

namespace onemap::data {

namespace {

using Clock = std::chrono::steady_clock;

class Collect : public gis::FeatureSink {
public:
    explicit Collect(const ProgressFn& progress) : m_progress(progress) {}
    void begin(const gis::SourceInfo& info) override { m_info = info; }
    void feature(gis::SourceFeature&& f) override {
        m_features.push_back(std::move(f));
        if (m_progress && (m_features.size() & 15) == 0) m_progress(static_cast<std::int64_t>(m_features.size()), m_info.feature_count);
    }
    gis::SourceInfo m_info;
    std::vector<gis::SourceFeature> m_features;
private:
    const ProgressFn& m_progress;
};

std::vector<std::string_view> code_candidates(Level level) {
    switch (level) {
        case Level::Province: return {"XZQDM", "province_adcode", "adcode", "code", "代码", "行政区划代码", "区划代码", "PAC", "QHDM", "GB"};
        case Level::City: return {"XZQDM", "city_adcode", "adcode", "code", "代码", "行政区划代码", "区划代码", "PAC", "QHDM", "GB"};
        case Level::County: return {"XZQDM", "district_adcode", "county_adcode", "adcode", "code", "代码", "行政区划代码", "区划代码", "PAC", "QHDM", "GB"};
        case Level::Township: return {"XZQDM", "town_code", "street_code", "adcode", "code", "代码", "行政区划代码", "区划代码", "PAC", "QHDM"};
        case Level::Village: return {"XZQDM", "village_code", "CJQYDM", "adcode", "code", "代码", "行政区划代码", "区划代码", "PAC", "QHDM"};
    }
    return {};
}

std::vector<std::string_view> name_candidates(Level level) {
    std::vector<std::string_view> out;
    switch (level) {
        case Level::Province: out = {"province_name"}; break;
        case Level::City: out = {"city_name"}; break;
        case Level::County: out = {"district_name", "county_name"}; break;
        case Level::Township: out = {"town_name", "street_name"}; break;
        case Level::Village: out = {"village_name", "CJQYMC"}; break;
    }
    for (auto n : {"XZQMC", "name", "名称", "行政区划名称", "区划名称", "NAME_CHN", "NAME"}) out.push_back(n);
    return out;
}

std::vector<std::string_view> parent_candidates(Level level) {
    std::vector<std::string_view> out = {"parent_code", "parent_adcode", "PARENT", "上级代码", "SJXZQDM"};
    if (level == Level::County) out.push_back("city_adcode");
    if (level == Level::City) out.push_back("province_adcode");
    return out;
}

std::string fmt_point(gis::Point p) { return fmt::format("lon {:.5f}, lat {:.5f}", p.x, p.y); }

// Within ~10 km of Henan's outline (the one the program carries): inside, or near its edge.
bool near_henan(gis::Point p) {
    const gis::Ring& outline = henan_outline();
    if (gis::contains(outline, p)) return true;
    double best = 1e300;
    for (std::size_t i = 0, j = outline.size() - 1; i < outline.size(); j = i++) {
        const gis::Point a = outline[j], b = outline[i];
        const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        const double ex = (a.x + t * dx - p.x) * std::cos(p.y * 3.14159265358979 / 180), ey = a.y + t * dy - p.y;
        best = std::min(best, ex * ex + ey * ey);
    }
    return std::sqrt(best) * 111.0 < 10.0;
}

// Features' middles that lie away from Henan, of those with a shape.
std::pair<std::size_t, std::size_t> away_from_henan(const std::vector<gis::Point>& middles) {
    std::size_t away = 0;
    for (const gis::Point& p : middles) away += !near_henan(p);
    return {away, middles.size()};
}

// The CRS that would put the features in Henan: the file's own when --s-srs overrode it, else the
// Gauss–Krüger zones of Henan (with and without the zone prefix) and the geographic ones. The middles
// go back to the coordinates as read (through the CRS used) and forward through each candidate.
std::string likely_crs(const std::vector<gis::Point>& middles, const std::string& used, const std::string& own) {
    // candidates that do not fit fail their transforms: that is the point, not an error to print
    struct Quiet {
        Quiet() { CPLPushErrorHandler(CPLQuietErrorHandler); }
        ~Quiet() { CPLPopErrorHandler(); }
    } quiet;
    OGRSpatialReference from, to;
    if (from.SetFromUserInput(used.c_str()) != OGRERR_NONE || to.importFromEPSG(4490) != OGRERR_NONE) return {};
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> back(OGRCreateCoordinateTransformation(&to, &from));
    if (!back) return {};
    std::vector<double> xs, ys;
    for (const gis::Point& p : middles) {
        double x = p.x, y = p.y;
        if (back->Transform(1, &x, &y)) xs.push_back(x), ys.push_back(y);
    }
    std::vector<std::string> candidates;
    if (!own.empty() && own != used) candidates.push_back(own);
    for (const char* c : {"EPSG:4546", "EPSG:4547", "EPSG:4548", "EPSG:4525", "EPSG:4526", "EPSG:4527", "EPSG:4490"}) {
        if (c != used && std::find(candidates.begin(), candidates.end(), c) == candidates.end()) candidates.emplace_back(c);
    }
    std::string best;
    std::size_t best_near = 0;
    for (const std::string& c : candidates) {
        OGRSpatialReference cand;
        if (cand.SetFromUserInput(c.c_str()) != OGRERR_NONE) continue;
        cand.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> fwd(OGRCreateCoordinateTransformation(&cand, &to));
        if (!fwd) continue;
        std::size_t n = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            double x = xs[i], y = ys[i];
            if (fwd->Transform(1, &x, &y) && near_henan({x, y})) ++n;
        }
        if (n > best_near) best_near = n, best = c;
    }
    return best_near * 10 >= xs.size() * 9 ? best : std::string();
}

}  // namespace

ImportSummary import_boundaries(const std::filesystem::path& bundle_path, const BoundaryImportOptions& opt) {
    return import_boundaries(*bundle_target(bundle_path), opt);
}

ImportSummary import_boundaries(ImportTarget& target, const BoundaryImportOptions& opt) {
    const auto t0 = Clock::now();
    ImportSummary s;
    s.what = fmt::format("boundaries ({})", level_key(opt.level));
    s.bundle = target.name();

    auto lap = [last = Clock::now()]() mutable {
        const auto now = Clock::now();
        const double s = std::chrono::duration<double>(now - last).count();
        last = now;
        return s;
    };
    Collect sink(opt.progress);
    gis::read_source(opt.source, sink);
    const double t_read = lap();
    const gis::SourceInfo& info = sink.m_info;
    s.read = static_cast<std::int64_t>(sink.m_features.size());
    s.notes.push_back(fmt::format("{} layer '{}' ({}), text {} — {}", info.file, info.layer, info.driver, info.encoding, info.encoding_source));
    s.notes.push_back(fmt::format("CRS {} → CGCS2000 EPSG:4490", info.crs));
    for (const auto& n : info.notes) s.notes.push_back(n);

    const auto code_i = detail::find_field(info.fields, opt.code_field, code_candidates(opt.level));
    const auto name_i = detail::find_field(info.fields, opt.name_field, name_candidates(opt.level));
    const auto parent_i = detail::find_field(info.fields, opt.parent_field, parent_candidates(opt.level));
    if (!code_i) {
        throw ImportError(fmt::format("{}: {} — no code column found (fields: {}); name it with --code-field", info.file,
                                      opt.code_field.empty() ? "none of XZQDM, adcode, code, 代码 … present" : "no field '" + opt.code_field + "'",
                                      detail::join(info.fields, ", ")));
    }
    if (!name_i) {
        throw ImportError(fmt::format("{}: {} — no name column found (fields: {}); name it with --name-field", info.file,
                                      opt.name_field.empty() ? "none of XZQMC, name, 名称 … present" : "no field '" + opt.name_field + "'",
                                      detail::join(info.fields, ", ")));
    }
    if (!opt.parent_field.empty() && !parent_i) {
        throw ImportError(fmt::format("{}: no field '{}' (fields: {})", info.file, opt.parent_field, detail::join(info.fields, ", ")));
    }
    s.notes.push_back(fmt::format("columns: code {}, name {}, parent {}", info.fields[*code_i], info.fields[*name_i],
                                  parent_i ? info.fields[*parent_i] : std::string("derived from the code")));
    if (!opt.source.from_gcj02 && info.driver == "GeoJSON" &&
        std::find(info.fields.begin(), info.fields.end(), "adcode") != info.fields.end()) {
        s.notes.push_back("hint: adcode/name columns look like web-map (DataV/Amap) data, which is GCJ-02-shifted by a few hundred metres — "
                          "re-run with --from-gcj02 unless the data says it is WGS84/CGCS2000");
    }

    // Where the features lie: a file of Henan whose features mostly lie away from Henan has the wrong
    // CRS (a wrong --s-srs zone moves a county file some 300 km, with nothing else to show for it).
    {
        std::vector<gis::Point> middles;
        for (const auto& f : sink.m_features) {
            if (f.kind != gis::GeometryKind::Polygon || f.polygons.empty()) continue;
            const gis::Box b = gis::bounds(f.polygons);
            middles.push_back({(b.min_x + b.max_x) / 2, (b.min_y + b.max_y) / 2});
        }
        const auto [away, total] = away_from_henan(middles);
        if (total > 0 && away * 10 > total) {  // more than a tenth
            const std::string own = info.own_crs;
            const std::string better = likely_crs(middles, info.crs, own);
            const std::string what = fmt::format("{} of {} features lie away from Henan (the province outline the program carries) in CRS {}{}", away, total,
                                                 info.crs, !opt.source.s_srs.empty() && !own.empty() && own != info.crs
                                                               ? fmt::format(" — from --s-srs, overriding the file's own {}", own) : std::string());
            const std::string hint = better.empty() ? std::string("check the CRS (--s-srs)") : fmt::format("they fit {} (--s-srs {})", better, better);
            if (!opt.force_placement) {
                throw ImportError(fmt::format("{}: {}; {}. Nothing was imported; --force imports them where they are", info.file, what, hint));
            }
            s.add({Outcome::Warning, "features away from Henan (--force)", info.file, info.layer, "layer", "geometry", what, hint});
        }
    }

    // What the bundle already holds: codes of every level, and the parent level's shapes.
    std::map<std::string, Level> existing;
    std::vector<Region> parents, children;
    // Levels as ints (0 / 6: none) — std::optional<Level> trips GCC 12's -Wmaybe-uninitialized.
    const int parent_lvl = static_cast<int>(opt.level) - 1;
    const int child_lvl = static_cast<int>(opt.level) + 1;
    const bool has_parent_level = parent_lvl >= 1;
    const Level parent_level_v = has_parent_level ? static_cast<Level>(parent_lvl) : Level::Province;
    if (target.exists()) {
        for (Region& r : target.regions()) {
            existing.emplace(r.code, r.level);
            if (has_parent_level && static_cast<int>(r.level) == parent_lvl) parents.push_back(std::move(r));
            else if (static_cast<int>(r.level) == child_lvl) children.push_back(std::move(r));
            // 济源 pattern: townships may hang directly under a city-level unit.
            else if (opt.level == Level::Township && r.level == Level::City && r.code.size() == 6) parents.push_back(std::move(r));
        }
    }
    std::unordered_map<std::string, std::size_t> parent_by_code;
    for (std::size_t i = 0; i < parents.size(); ++i) parent_by_code.emplace(parents[i].code, i);
    auto is_city_level_unit = [&](const std::string& code) {
        if (auto it = existing.find(code); it != existing.end()) return it->second == Level::City;
        for (const auto& d : henan_divisions()) if (d.code == code) return d.kind == "city";
        return code.size() == 6 && code.substr(2, 2) == "90";
    };
    auto is_current_county = [](const std::string& code) {
        for (const auto& d : henan_divisions()) if (d.code == code) return true;
        return false;
    };
    if (has_parent_level && parents.empty()) {
        s.notes.push_back(fmt::format("the bundle has no {} level yet: parents checked by code only", level_key(parent_level_v)));
    }

    // ---- per feature
    std::vector<Region> accepted;
    std::vector<std::int64_t> accepted_feature;
    std::map<std::string, std::int64_t> first_feature_of;
    std::int64_t counties_under_province = 0;
    const std::string layer = info.layer;
    auto item = [&](Outcome o, std::string reason, const gis::SourceFeature& f, std::string field, std::string found, std::string expected) {
        s.add({o, std::move(reason), info.file, layer, fmt::format("feature {}", f.number), std::move(field), std::move(found), std::move(expected)});
    };
    // Validity and repair, the costly part of the per-feature work, on all threads first.
    std::vector<gis::RepairOutcome> repairs(sink.m_features.size());
    {
        std::vector<std::thread> pool;
        const std::size_t n_threads = static_cast<std::size_t>(std::max(1, opt.threads));
        for (std::size_t t = 0; t < n_threads; ++t) {
            pool.emplace_back([&, t] {
                for (std::size_t i = t; i < sink.m_features.size(); i += n_threads) {
                    gis::SourceFeature& f = sink.m_features[i];
                    if (f.kind == gis::GeometryKind::Polygon && !f.outside_china) repairs[i] = gis::repair_polygons(f.polygons);
                }
            });
        }
        for (auto& th : pool) th.join();
    }
    std::int64_t done = 0;
    // A file of every level with a level column (what `onemap export` writes): the other levels' rows
    // are skipped, not rejected.
    std::optional<std::size_t> level_i;
    for (std::size_t i = 0; i < info.fields.size(); ++i) {
        if (info.fields[i] == "level" || info.fields[i] == "级别") level_i = i;
    }
    for (std::size_t index = 0; index < sink.m_features.size(); ++index) {
        gis::SourceFeature& f = sink.m_features[index];
        if (opt.progress && (++done & 15) == 0) opt.progress(done, s.read);
        if (level_i && f.values[*level_i]) {
            const std::string& v = *f.values[*level_i];
            if (v.size() == 1 && v[0] >= '1' && v[0] <= '5' && v[0] - '0' != static_cast<int>(opt.level)) {
                item(Outcome::Skipped, "another level (its level column)", f, info.fields[*level_i], v,
                     fmt::format("{} ({})", static_cast<int>(opt.level), level_key(opt.level)));
                continue;
            }
        }
        const auto& raw_code = f.values[*code_i];
        const std::string code_field = info.fields[*code_i];
        const bool code_undecodable = std::find(f.undecodable.begin(), f.undecodable.end(), static_cast<int>(*code_i)) != f.undecodable.end();
        if (!raw_code || raw_code->empty()) {
            item(Outcome::Rejected, "code missing", f, code_field, code_undecodable ? "bytes that do not decode" : "empty", fmt::format("a {}-digit {} code", code_length(opt.level), level_key(opt.level)));
            continue;
        }
        std::optional<std::string> code = normalise_code(*raw_code, opt.level);
        if (!code) {
            item(Outcome::Rejected, "code not of this level", f, code_field, *raw_code,
                 fmt::format("a {}-digit {} code (GB/T 2260; padding zeros allowed)", code_length(opt.level), level_key(opt.level)));
            continue;
        }
        // 济源 pattern: a county-level layer lists the province-administered city as a county; it is a city.
        if (opt.level == Level::County && code->size() == 6 && is_city_level_unit(*code)) {
            item(Outcome::Skipped, "city-level unit listed as a county (not duplicated)", f, code_field, *code,
                 "a county; this code is a city-level unit whose townships hang directly under it");
            continue;
        }
        std::string parent = derived_parent(*code, opt.level);
        // A county layer without a city level (a province's counties only, or a synthetic data set)
        // names the province as the parent: 41 or 410000. No city has the code 4100, so that can only
        // mean the province; the county hangs directly under it.
        bool under_province = false;
        if (opt.level == Level::County && parent_i && f.values[*parent_i] && !f.values[*parent_i]->empty()) {
            if (const auto p = normalise_code(*f.values[*parent_i], Level::Province)) {
                if (!code->starts_with(*p)) {
                    item(Outcome::Rejected, "code does not extend its parent's code", f, code_field, fmt::format("{} (parent {})", *code, *f.values[*parent_i]),
                         fmt::format("a code that starts with the parent's code {}", *p));
                    continue;
                }
                if (!existing.empty() && !existing.contains(*p)) {
                    item(Outcome::Rejected, "parent not in the bundle", f, code_field, fmt::format("{} (parent: the province {})", *code, *p),
                         "the province already in the bundle (import it first: --level province)");
                    continue;
                }
                parent = *p;
                under_province = true;
                ++counties_under_province;
            }
        }
        if (!under_province && parent_i && f.values[*parent_i] && !f.values[*parent_i]->empty() && has_parent_level) {
            const auto p = normalise_code(*f.values[*parent_i], parent_level_v);
            if (!p || !code->starts_with(*p) || *p == *code) {
                item(Outcome::Rejected, "code does not extend its parent's code", f, code_field, fmt::format("{} (parent {})", *code, *f.values[*parent_i]),
                     fmt::format("a code that starts with the parent's code {}", p ? *p : *f.values[*parent_i]));
                continue;
            }
            parent = *p;
        }
        if (opt.level == Level::Township && code->size() == 9 && is_city_level_unit(code->substr(0, 6))) parent = code->substr(0, 6);
        if (!under_province && !parents.empty() && has_parent_level && !parent_by_code.contains(parent)) {
            item(Outcome::Rejected, "parent not in the bundle", f, code_field, fmt::format("{} (parent {})", *code, parent),
                 fmt::format("a parent {} already in the bundle", level_key(parent_level_v)));
            continue;
        }
        std::string name;
        if (f.values[*name_i]) {
            name = *f.values[*name_i];
        } else if (std::find(f.undecodable.begin(), f.undecodable.end(), static_cast<int>(*name_i)) != f.undecodable.end()) {
            item(Outcome::Rejected, "name does not decode", f, info.fields[*name_i], fmt::format("bytes that are not valid {}", info.encoding),
                 "text in the file's encoding; give the right one with --encoding");
            continue;
        }
        if (f.kind == gis::GeometryKind::None || f.kind == gis::GeometryKind::Empty) {
            item(Outcome::Rejected, "empty or NULL geometry", f, "geometry", f.kind == gis::GeometryKind::None ? "NULL" : "empty " + f.geometry_type, "a polygon");
            continue;
        }
        if (f.kind != gis::GeometryKind::Polygon) {
            item(Outcome::Rejected, "not a polygon", f, "geometry", f.geometry_type, "a polygon or multipolygon");
            continue;
        }
        if (f.outside_china) {
            const auto b = gis::bounds(f.polygons);
            item(Outcome::Rejected, "outside China after transform", f, "geometry",
                 fmt::format("lon {:.3f}…{:.3f}, lat {:.3f}…{:.3f}", b.min_x, b.max_x, b.min_y, b.max_y), "lon 73…136, lat 3…54");
            continue;
        }
        const gis::RepairOutcome& rep = repairs[index];
        if (rep.was_invalid) {
            item(rep.empty ? Outcome::Rejected : Outcome::Repaired, rep.empty ? "invalid geometry, nothing left after repair" : "invalid ring repaired", f, "geometry",
                 rep.location ? fmt::format("{} at {}", rep.reason, fmt_point(*rep.location)) : rep.reason, "a valid polygon (OGC simple features)");
            if (rep.empty) continue;
        } else if (rep.empty) {
            item(Outcome::Rejected, "empty or NULL geometry", f, "geometry", "rings with fewer than 3 points", "a polygon");
            continue;
        }
        if (auto [it, fresh] = first_feature_of.emplace(*code, f.number); !fresh) {
            item(Outcome::Rejected, "duplicate code", f, code_field, *code, fmt::format("a code used once (already at feature {})", it->second));
            continue;
        }
        if (opt.level == Level::County && code->starts_with("41") && !is_current_county(*code)) {
            item(Outcome::Warning, "not a current county code", f, code_field, fmt::format("{} {}", *code, name),
                 "a code in Henan's current division list (outdated data? e.g. 偃师市 410381 became 偃师区 410307 in 2021)");
        }
        Region r;
        r.code = *code;
        r.parent_code = parent;
        r.level = opt.level;
        r.name = name.empty() ? *code : name;
        r.geometry = std::move(f.polygons);
        accepted.push_back(std::move(r));
        accepted_feature.push_back(f.number);
    }
    sink.m_features.clear();
    sink.m_features.shrink_to_fit();
    if (counties_under_province) {
        s.notes.push_back(fmt::format("{} counties name the province as their parent (no city level): they hang directly under it",
                                      counties_under_province));
    }

    const double t_features = lap();
    // ---- level-wide topology and the lower levels: warnings only (they never change what is written),
    // so they may run beside the write.
    double t_coverage = 0, t_parents = 0;
    auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    auto topology = [&]() {
        std::vector<ReportItem> items_found;
        auto t_bg = Clock::now();
        // ---- level-wide topology
        std::vector<gis::MultiPolygon> shapes;
        shapes.reserve(accepted.size());
        for (const auto& r : accepted) shapes.push_back(r.geometry);
        auto region_item = [&](Outcome o, std::string reason, std::size_t i, std::string found, std::string expected) {
            items_found.push_back(ReportItem{o, std::move(reason), info.file, layer, fmt::format("feature {} ({} {})", accepted_feature[i], accepted[i].code, accepted[i].name), "geometry",
                   std::move(found), std::move(expected)});
        };
        const gis::CoverageReport coverage = gis::check_coverage(shapes, opt.min_area_m2, opt.threads);
        for (const auto& ov : coverage.overlaps) {
            region_item(Outcome::Warning, "overlapping neighbours", ov.a,
                        fmt::format("overlaps {} {} by {:.0f} m² near {}", accepted[ov.b].code, accepted[ov.b].name, ov.area_m2, fmt_point(ov.location)),
                        fmt::format("neighbours that share a border (overlap < {:.0f} m²)", opt.min_area_m2));
        }
        t_coverage = since(t_bg);
        t_bg = Clock::now();
        for (const auto& gap : coverage.gaps) {
            items_found.push_back(ReportItem{Outcome::Warning, "gap between neighbours", info.file, layer, "", "geometry",
                   fmt::format("{:.0f} m² claimed by no {} near {}", gap.area_m2, level_key(opt.level), fmt_point(gap.location)),
                   fmt::format("neighbours that share a border (gap < {:.0f} m²)", opt.min_area_m2)});
        }
        {  // the new regions inside their parents (each parent prepared once)
            std::vector<const gis::MultiPolygon*> kids, mothers;
            std::vector<std::size_t> parent_of;
            for (const auto& p : parents) mothers.push_back(&p.geometry);
            for (const auto& r : accepted) {
                kids.push_back(&r.geometry);
                auto it = parent_by_code.find(r.parent_code);
                parent_of.push_back(it == parent_by_code.end() ? gis::k_no_parent : it->second);
            }
            const auto outside = gis::outside_parents(kids, parent_of, mothers, opt.min_area_m2, opt.threads);
            for (std::size_t i = 0; i < accepted.size(); ++i) {
                if (!outside[i]) continue;
                const Region& p = parents[parent_of[i]];
                region_item(Outcome::Warning, "outside its parent", i,
                            fmt::format("{:.0f} m² outside {} {} near {}", outside[i]->area_m2, p.code, p.name, fmt_point(outside[i]->location)),
                            "a region inside its parent");
            }
        }
        // Lower levels already in the bundle, against the new level.
        std::unordered_map<std::string, std::size_t> new_by_code;
        for (std::size_t i = 0; i < accepted.size(); ++i) new_by_code.emplace(accepted[i].code, i);
        std::vector<const gis::MultiPolygon*> kids, mothers;
        std::vector<std::size_t> parent_of;
        for (const auto& r : accepted) mothers.push_back(&r.geometry);
        for (const Region& ch : children) {
            auto it = new_by_code.find(ch.parent_code);
            kids.push_back(&ch.geometry);
            parent_of.push_back(it == new_by_code.end() ? gis::k_no_parent : it->second);
            if (it == new_by_code.end()) {
                if (auto e = existing.find(ch.parent_code); opt.level == Level::County && e != existing.end() && e->second == Level::City) continue;  // hangs under a city-level unit (济源)
                items_found.push_back(ReportItem{Outcome::Warning, "lower level: parent missing", target.name(), "regions",
                                                 fmt::format("{} {} {}", level_key(ch.level), ch.code, ch.name), "parent_code", ch.parent_code,
                                                 fmt::format("a {} in the new level", level_key(opt.level))});
            }
        }
        const auto outside = gis::outside_parents(kids, parent_of, mothers, opt.min_area_m2, opt.threads);
        for (std::size_t i = 0; i < children.size(); ++i) {
            if (!outside[i]) continue;
            const Region& ch = children[i];
            items_found.push_back(ReportItem{Outcome::Warning, "lower level: outside its new parent", target.name(), "regions",
                                             fmt::format("{} {} {}", level_key(ch.level), ch.code, ch.name), "geometry",
                                             fmt::format("{:.0f} m² outside {} near {}", outside[i]->area_m2, accepted[parent_of[i]].code,
                                                         fmt_point(outside[i]->location)),
                                             "inside its parent"});
        }
        t_parents = since(t_bg);
        return items_found;
    };
    s.imported = static_cast<std::int64_t>(accepted.size());
    auto timing = [&](double t_write) {
        return fmt::format("timing: read+transform {:.2f} s, per-feature checks+repair {:.2f} s, overlaps+gaps {:.2f} s, "
                           "parents+lower level {:.2f} s, write {:.2f} s", t_read, t_features, t_coverage, t_parents, t_write);
    };
    auto add_found = [&](std::vector<ReportItem> found) {
        for (auto& item : found) s.add(std::move(item));
    };
    if (accepted.empty()) {
        add_found(topology());
        s.notes.push_back("every feature was rejected: nothing written");
        s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        return s;
    }

    // The level-wide checks run beside the write when two threads are allowed. (Before the checks
    // were made cheaper, running them beside the write made both slower on the 2-core build machine;
    // now, at load ≈ 1.4, the import takes ≈ 1.9–2.0× ogr2ogr's wall time this way against ≈ 2.8–3.3×
    // one after the other.)
    auto background = std::async(opt.threads >= 2 ? std::launch::async : std::launch::deferred, topology);
    struct Join {  // an exception from the write must not leave the checks running on our locals
        std::future<std::vector<ReportItem>>& f;
        ~Join() { if (f.valid()) f.wait(); }
    } join{background};
    // ---- write, all or nothing; never a level shrunk by a damaged or partial file unless asked
    if (!opt.allow_partial && target.exists()) {
        std::int64_t held = 0;
        for (const auto& [code, level] : target.region_levels())
            if (level == static_cast<int>(opt.level)) ++held;
        if (static_cast<std::int64_t>(accepted.size()) < held) {
            throw ImportError(fmt::format("{}: would replace the {} {} regions of {} with {} ({} read, {} rejected); refused, nothing was "
                                          "imported — import a complete file, or pass --allow-partial to replace the level with fewer",
                                          info.file, held, level_key(opt.level), target.name(), accepted.size(), s.read, s.rejected));
        }
    }
    target.write_regions(opt.level, accepted, std::filesystem::path(info.file).filename().string());
    const double t_write = lap();
    add_found(background.get());
    s.committed = true;
    s.notes.push_back("render cache cleared (the scene is rebuilt from the new boundaries)");
    s.notes.push_back(timing(t_write));
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return s;
}

}  // namespace onemap::data
