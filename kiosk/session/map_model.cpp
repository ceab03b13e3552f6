#include "kiosk/session/map_model.hpp"

#include "data/policy/catalogue.hpp"
#include "data/scene/stand_ins.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace onemap::app {

const std::vector<std::pair<std::string, render::Rgba>>& project_batch_colors() {
    static const std::vector<std::pair<std::string, render::Rgba>> colors{
        {"巩固提升", {26, 150, 65, 255}}, {"强链补链", {44, 123, 182, 255}}, {"盘活闲置", {230, 140, 20, 255}}, {"依法处置", {200, 30, 30, 255}}};
    return colors;
}

std::vector<render::MapPoint> map_points(const std::vector<data::Project>& projects, const std::vector<data::Site>& sites) {
    std::vector<render::MapPoint> points;
    static const std::map<std::string, render::Rgba> batch_color(project_batch_colors().begin(), project_batch_colors().end());
    static const std::map<std::string, int> category_shape{{"种植", 0}, {"养殖", 0}, {"加工", 2}, {"光伏", 3}, {"乡村旅游", 2}, {"电商", 3}, {"手工", 3}};
    for (const auto& p : projects) {
        render::MapPoint mp;
        mp.lonlat = p.location;
        mp.shape = category_shape.count(p.category) ? category_shape.at(p.category) : 0;
        mp.size_px = static_cast<float>(std::clamp(6.0 + 2.0 * std::sqrt(std::max(0.0, p.investment) / 50.0), 6.0, 18.0));
        mp.color = batch_color.count(p.batch) ? batch_color.at(p.batch) : render::Rgba{90, 90, 90, 255};
        points.push_back(mp);
    }
    for (const auto& s : sites) {
        render::MapPoint mp;
        mp.lonlat = s.location;
        mp.shape = 1;
        mp.size_px = static_cast<float>(std::clamp(6.0 + std::sqrt(static_cast<double>(s.persons)) / 4.0, 7.0, 18.0));
        mp.color = {120, 60, 160, 255};
        points.push_back(mp);
    }
    return points;
}

FeatureColors color_features(const std::vector<gis::SceneFeature>& feats, const std::map<std::string, double, std::less<>>& values,
                             const std::vector<char>& inside, const std::vector<char>& lit, int classes, render::ClassMethod method,
                             bool diverging, const std::vector<double>& breaks) {
    FeatureColors out;
    out.values.assign(feats.size(), render::k_missing);
    std::vector<double> classified;  // classify what the focus shows
    for (std::size_t i = 0; i < feats.size(); ++i) {
        if (auto it = values.find(feats[i].code); it != values.end()) out.values[i] = it->second;
        if (inside[i]) classified.push_back(out.values[i]);
    }
    out.classification = render::classify(classified, classes, method, diverging, breaks);
    out.counts.assign(static_cast<std::size_t>(out.classification.classes()) + 1, 0);
    out.colors.resize(feats.size());
    for (std::size_t i = 0; i < feats.size(); ++i) {
        out.colors[i] = out.classification.color_of(out.values[i]);
        if (inside[i]) {
            const int k = out.classification.class_of(out.values[i]);
            ++out.counts[k == render::k_no_data ? out.counts.size() - 1 : static_cast<std::size_t>(k)];
        }
        if ((!inside[i] || !lit[i]) && out.colors[i].a) out.colors[i].a = 128;
    }
    return out;
}

namespace {
gis::Box local_box(const gis::Box& b, gis::Point origin) {
    return gis::Box{b.min_x - origin.x, b.min_y - origin.y, b.max_x - origin.x, b.max_y - origin.y};
}
}  // namespace

std::vector<char> features_within(const gis::Scene& scene, int level, const std::vector<std::string>& regions) {
    const auto& feats = scene.layer(level)->features;
    std::vector<char> in(feats.size(), 1);
    if (regions.empty()) return in;
    std::vector<const gis::SceneLayer*> top_down;
    for (const auto& l : scene.layers) top_down.push_back(&l);
    std::stable_sort(top_down.begin(), top_down.end(), [](const gis::SceneLayer* a, const gis::SceneLayer* b) { return a->level < b->level; });
    std::unordered_set<std::string_view> set(regions.begin(), regions.end());
    for (const gis::SceneLayer* l : top_down)
        for (const auto& f : l->features)
            if (set.count(f.parent_code)) set.insert(f.code);
    for (std::size_t i = 0; i < feats.size(); ++i) in[i] = set.count(feats[i].code) ? 1 : 0;
    return in;
}

MapModel::MapModel(const gis::Scene& scene) : m_scene(scene) {
    if (scene.layers.empty()) throw std::invalid_argument("the bundle has no regions to draw");
    for (const auto& l : scene.layers)
        for (std::size_t i = 0; i < l.features.size(); ++i) m_index.emplace(l.features[i].code, Where{l.level, static_cast<std::uint32_t>(i)});
    m_level = coarsest_level();
}

int MapModel::finest_level() const {
    int l = 0;
    for (const auto& layer : m_scene.layers) l = std::max(l, layer.level);
    return l;
}

int MapModel::coarsest_level() const {
    int l = 99;
    for (const auto& layer : m_scene.layers) l = std::min(l, layer.level);
    return l;
}

void MapModel::set_level(int level) {
    if (!has_level(level)) throw std::invalid_argument(fmt::format("the map has no level {}", level));
    if (level == m_level) return;
    m_level = level;
    // per-feature data of the old level means nothing on this one
    m_values.clear();
    set_colors(std::vector<render::Rgba>(layer().features.size(), render::k_no_data_color));
}

const gis::SceneFeature* MapModel::find(std::string_view code) const {
    const auto it = m_index.find(code);
    if (it == m_index.end()) return nullptr;
    return &m_scene.layer(it->second.level)->features[it->second.index];
}

int MapModel::index_on_level(std::string_view code) const {
    if (code.empty()) return -1;
    const auto it = m_index.find(code);
    return it != m_index.end() && it->second.level == m_level ? static_cast<int>(it->second.index) : -1;
}

gis::Box MapModel::region_bounds(std::string_view code, const data::RegionIndex& regions) const {
    gis::Box bounds;
    for (const std::string& c : data::drawn_stand_ins(code, regions, [&](std::string_view d) { return drawn(d); }))
        if (const gis::SceneFeature* f = find(c)) bounds.expand(f->bounds);
    return bounds;
}

std::vector<std::string> MapModel::drawn_codes() const {
    std::vector<std::string> out;
    for (const auto& f : layer().features) out.push_back(f.code);
    return out;
}

void MapModel::set_colors(std::vector<render::Rgba> colors) {
    m_colors = std::move(colors);
    m_colors_level = m_level;
    ++m_colors_version;
}

void MapModel::recolor(const data::Indicators& indicators, const std::string& metric, const std::string& period, int classes,
                       render::ClassMethod method) {
    const data::Metric* info = data::find_metric(metric);
    const auto& feats = layer().features;
    const auto within = [&](const std::string& region) {
        return features_within(m_scene, m_level, region.empty() ? std::vector<std::string>{} : std::vector<std::string>{region});
    };
    FeatureColors c = color_features(feats, indicators.values(metric, period), within(m_focus), within(m_spotlight), classes, method,
                                     info && info->diverging);
    m_values = std::move(c.values);
    m_class = std::move(c.classification);
    m_counts = std::move(c.counts);
    set_colors(std::move(c.colors));
}

render::Rgba MapModel::status_color(int status) {
    switch (status) {
        case 0: return {26, 152, 80, 255};    // pass: green
        case 1: return {215, 48, 39, 255};    // fail: red
        case 2: return {171, 171, 200, 255};  // not applicable: pale blue-grey
        default: return render::k_no_data_color;  // no data: grey, hatched by the fill shader
    }
}

void MapModel::color_by_status(const std::map<std::string, int>& status_by_code) {
    const auto& feats = layer().features;
    m_values.assign(feats.size(), render::k_missing);
    m_counts.assign(4, 0);
    std::vector<render::Rgba> colors(feats.size());
    for (std::size_t i = 0; i < feats.size(); ++i) {
        auto it = status_by_code.find(feats[i].code);
        const int st = it == status_by_code.end() ? 3 : std::clamp(it->second, 0, 3);
        colors[i] = status_color(st);
        m_values[i] = st;
        ++m_counts[static_cast<std::size_t>(st)];
    }
    m_class = render::Classification{};
    set_colors(std::move(colors));
}

double MapModel::value_of(const std::string& code) const {
    const int idx = index_on_level(code);
    return idx >= 0 && static_cast<std::size_t>(idx) < m_values.size() ? m_values[static_cast<std::size_t>(idx)] : render::k_missing;
}

void MapModel::set_points(std::vector<render::MapPoint> points) {
    m_points = std::move(points);
    ++m_points_version;
}

void MapModel::set_labels(bool on, int px) {
    if (on == m_labels && px == m_label_px) return;
    m_labels = on;
    m_label_px = px;
    ++m_labels_version;
}

void MapModel::fly_to(const std::string& code, const data::RegionIndex& regions, double seconds) {
    const gis::Box bounds = region_bounds(code, regions);
    if (bounds.empty()) return;
    ViewRequest r;
    r.box = local_box(bounds, m_scene.origin);
    r.seconds = seconds;
    m_requests.push_back(r);
}

void MapModel::fit_all(double seconds) {
    ViewRequest r;
    r.box = local_box(m_scene.bounds, m_scene.origin);
    r.margin_px = 24;
    r.seconds = seconds;
    m_requests.push_back(r);
}

void MapModel::zoom(double factor) {
    ViewRequest r;
    r.kind = ViewRequest::Kind::Zoom;
    r.factor = factor;
    m_requests.push_back(r);
}

MapLegend picture_legend(const render::Classification& classification, const data::Metric& metric, const std::string& period,
                         std::string_view language, const std::string& no_data) {
    MapLegend out;
    const std::string_view name = language == "en" && !metric.name_en.empty() ? metric.name_en : metric.name_zh;
    out.title = fmt::format("{}（{}）{}", name, metric.unit, period);
    const double span = classification.breaks.empty() ? 0 : classification.breaks.back() - classification.breaks.front();
    out.rows = render::class_rows(classification, no_data, [span](double v) {
        if (span >= 100) return fmt::format("{:.0f}", v);
        if (span >= 5) return fmt::format("{:.1f}", v);
        return fmt::format("{:.2f}", v);
    });
    return out;
}

}  // namespace onemap::app
