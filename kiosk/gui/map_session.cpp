#include "kiosk/gui/map_session.hpp"

#include "kiosk/session/map_model.hpp"
#include "data/bundle/features.hpp"
#include "data/scene/stand_ins.hpp"

#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"
#include "data/bundle/region_index.hpp"
#include "render/legend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace onemap::app {

namespace {
double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

gis::Box local_box(const gis::Box& b, gis::Point origin) {
    return gis::Box{b.min_x - origin.x, b.min_y - origin.y, b.max_x - origin.x, b.max_y - origin.y};
}
}  // namespace

std::vector<render::MapPoint> load_map_points(const std::filesystem::path& bundle, bool projects, bool sites) {
    return map_points(projects ? data::read_projects(bundle) : std::vector<data::Project>{}, sites ? data::read_sites(bundle) : std::vector<data::Site>{});
}

namespace {
// The colours of `metric_key`/`period` at the drawn level: values, focus, classification (no GL).
MapColors compute_colors(const MapData& d, const std::string& metric_key, const std::string& period, int classes,
                         const std::string& method_key) {
    auto t0 = std::chrono::steady_clock::now();
    const MapRequest& req = d.request;
    const data::Metric* metric = data::find_metric(metric_key);
    if (!metric) throw std::invalid_argument("unknown metric '" + metric_key + "' (see `onemap info`)");
    auto method = render::parse_class_method(method_key);
    if (!method) throw std::invalid_argument("unknown classification '" + method_key + "' (quantile, equal, jenks, manual)");
    if (*method == render::ClassMethod::Manual && req.breaks.size() < 2)
        throw std::invalid_argument("--method manual needs --breaks with at least two values");
    const data::Indicators indicators(*d.bundle);
    const auto& feats = d.scene.scene.layer(d.level)->features;
    // focus: the region's drawn stand-ins and what lies in them, as the screens find it
    const std::vector<char> inside = features_within(d.scene.scene, d.level, req.region.empty() ? std::vector<std::string>{} : d.focus);
    // the same colouring as the screens' (MapModel::recolor)
    FeatureColors c = color_features(feats, indicators.values(metric_key, period), inside, std::vector<char>(feats.size(), 1), classes, *method,
                                     metric->diverging, req.breaks);
    MapColors out;
    out.classification = std::move(c.classification);
    out.colors = std::move(c.colors);
    out.metric = metric;
    out.period = period;
    out.seconds = since(t0);
    return out;
}
}  // namespace

std::unique_ptr<MapData> load_map_data(const MapRequest& request) {
    auto d = std::make_unique<MapData>();
    d->request = request;
    const auto level = data::parse_level(request.level);
    if (!level || *level < data::Level::County)
        throw std::invalid_argument("unknown level '" + request.level + "' (county, township or village)");
    d->level = static_cast<int>(*level);
    auto t0 = std::chrono::steady_clock::now();
    d->bundle = std::make_unique<data::Bundle>(data::Bundle::open(request.bundle, data::OpenMode::ReadOnly));
    d->timings.open_seconds = since(t0);
    t0 = std::chrono::steady_clock::now();
    d->scene = data::load_scene(*d->bundle, request.use_cache, request.use_cache);
    d->timings.scene_seconds = since(t0);
    d->timings.scene_from_cache = d->scene.from_cache;
    const gis::Scene& scene = d->scene.scene;
    if (!scene.layer(d->level)) throw std::invalid_argument(fmt::format("the bundle has no {} regions", request.level));
    d->synthetic = d->bundle->synthetic();

    // focus region: fit to it; features outside are faded
    gis::Box view = local_box(scene.bounds, scene.origin);
    if (!request.region.empty()) {
        std::unordered_set<std::string_view> drawn;
        for (const auto& l : scene.layers)
            for (const auto& f : l.features) drawn.insert(f.code);
        const auto is_drawn = [&](std::string_view c) { return drawn.count(c) > 0; };
        // a city, or the province, is drawn as its counties: the region index says which
        d->focus = is_drawn(request.region) ? std::vector<std::string>{request.region}
                                            : data::drawn_stand_ins(request.region, data::RegionIndex::load(*d->bundle), is_drawn);
        if (d->focus.empty()) throw std::invalid_argument("no region with code " + request.region + " in the bundle (nor any drawn region under it)");
        const std::unordered_set<std::string_view> focus(d->focus.begin(), d->focus.end());
        gis::Box b;
        for (const auto& l : scene.layers)
            for (const auto& f : l.features)
                if (focus.count(f.code)) b.expand(f.bounds);
        view = local_box(b, scene.origin);
    }
    if (!request.select.empty()) {
        const auto& feats = scene.layer(d->level)->features;
        if (std::none_of(feats.begin(), feats.end(), [&](const gis::SceneFeature& f) { return f.code == request.select; }))
            throw std::invalid_argument(fmt::format("--select {}: no {} region has that code (it highlights one region of the drawn level)",
                                                    request.select, request.level));
    }
    bool projects = false, sites = false;
    for (const auto& kind : request.points) {
        if (kind == "projects") projects = true;
        else if (kind == "sites") sites = true;
        else throw std::invalid_argument("unknown point layer '" + kind + "' (projects, sites)");
    }
    // the camera of the first frame, limited as the renderer limits its own, and the LODs it draws, read now
    d->camera.set_limits(local_box(scene.bounds, scene.origin), scene.origin.y);
    d->camera.set_viewport(request.width, request.height);
    d->camera.fit(view);
    if (request.zoom != 1.0) d->camera.zoom_about(request.zoom, {request.width / 2.0, request.height / 2.0});
    d->camera.settle();
    for (auto [li, k] : render::MapRenderer::lods_drawn(scene, d->level, d->camera.pixels_per_degree())) scene.lod(li, k);

    d->points = load_map_points(request.bundle, projects, sites);
    const auto [font, index] = render::find_font();
    if (!font.empty()) d->atlas = std::make_unique<render::GlyphAtlas>(font, index);
    else fmt::print(stderr, "onemap: no CJK font found through fontconfig (:lang=zh-cn); drawing without text\n");
    d->colors = compute_colors(*d, request.metric, request.period, request.classes, request.method);
    return d;
}

MapSession::MapSession(const MapRequest& request) : MapSession(request, [&] { return load_map_data(request); }) {}

MapSession::MapSession(const MapRequest& request, const std::function<std::unique_ptr<MapData>()>& data) : m_req(request) {
    // what needs no data first, while `data` may still be on its way
    m_device = std::make_unique<render::GlDevice>();
    m_target = std::make_unique<render::OffscreenTarget>(request.width, request.height);

    m_data = data();
    m_atlas = std::move(m_data->atlas);
    m_level = m_data->level;
    m_timings = m_data->timings;
    m_renderer = std::make_unique<render::MapRenderer>(*m_device, m_data->scene.scene, m_atlas.get());
    m_renderer->set_viewport(request.width, request.height);
    m_renderer->set_level(m_level);
    m_renderer->camera() = m_data->camera;

    if (!request.select.empty()) {
        const auto& feats = m_renderer->layer().features;
        for (std::size_t i = 0; i < feats.size(); ++i)
            if (feats[i].code == request.select) m_renderer->set_selection(static_cast<int>(i));
    }
    m_renderer->set_labels(request.labels, render::LabelStyle{m_level == 5 ? 12 : 14});
    if (!m_data->points.empty()) m_renderer->set_points(std::move(m_data->points), request.cluster);
    apply_colors(std::move(m_data->colors));
}

MapSession::~MapSession() = default;

void MapSession::recolor(const std::string& metric_key, const std::string& period, int classes, const std::string& method_key) {
    apply_colors(compute_colors(*m_data, metric_key, period, classes, method_key));
}

void MapSession::apply_colors(MapColors colors) {
    auto t0 = std::chrono::steady_clock::now();
    m_class = std::move(colors.classification);
    m_renderer->set_feature_colors(colors.colors);
    m_metric = colors.metric;
    m_period = std::move(colors.period);
    build_legend();
    m_timings.values_seconds = colors.seconds + since(t0);
}

void MapSession::build_legend() {
    std::vector<render::OverlayVertex> q;
    if (!m_atlas) return;
    std::vector<gis::Box> exclusions;
    if (m_req.legend && m_metric) {
        // the desk's PNG export draws the same legend (kiosk/session/map_model.hpp)
        const MapLegend legend = picture_legend(m_class, *m_metric, m_period, "zh-CN", "无数据");
        exclusions.push_back(render::add_legend(q, *m_atlas, legend.title, legend.rows, m_req.width, m_req.height));
    }
    if (m_data->synthetic) exclusions.push_back(render::add_mark(q, *m_atlas, "演示数据", m_req.width, m_req.height));
    m_renderer->set_label_exclusions(std::move(exclusions));
    m_renderer->set_overlay(std::move(q));
}

render::Image MapSession::render_image() {
    auto t0 = std::chrono::steady_clock::now();
    m_target->bind();
    m_renderer->render();
    render::Image img = m_target->read();
    if (m_timings.first_frame_seconds == 0) m_timings.first_frame_seconds = since(t0);
    return img;
}

}  // namespace onemap::app
