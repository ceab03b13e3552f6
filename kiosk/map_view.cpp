#include "kiosk/map_view.hpp"

#include <cstdio>

#include "data/features.hpp"
#include "gis/lod_prefetch.hpp"
#include "gis/scene_pick.hpp"
#include "kiosk/map_scene.hpp"
#include "kiosk/stand_ins.hpp"
#include "render/gl_device.hpp"
#include "render/legend.hpp"
#include "render/offscreen.hpp"
#include "render/text.hpp"

#include <epoxy/gl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace onemap::app {

std::vector<render::MapPoint> load_map_points(const std::filesystem::path& bundle, bool projects, bool sites) {
    return map_points(projects ? data::read_projects(bundle) : std::vector<data::Project>{}, sites ? data::read_sites(bundle) : std::vector<data::Site>{});
}

std::vector<render::MapPoint> map_points(const std::vector<data::Project>& projects, const std::vector<data::Site>& sites) {
    std::vector<render::MapPoint> points;
    static const std::map<std::string, render::Rgba> batch_color{
        {"巩固提升", {26, 150, 65, 255}}, {"强链补链", {44, 123, 182, 255}}, {"盘活闲置", {230, 140, 20, 255}}, {"依法处置", {200, 30, 30, 255}}};
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

struct MapView::Impl {
    SceneLoad scene;
    std::unique_ptr<gis::LodPrefetch> prefetch;  // reads the scene's LODs off the drawing thread (declared after it)
    std::unique_ptr<render::GlDevice> device;
    std::unique_ptr<render::GlyphAtlas> atlas;
    std::unique_ptr<render::MapRenderer> renderer;
    std::unordered_map<std::string, std::string> parent;  // code → parent code, every level
    bool projects = false, sites = false;
};

namespace {
gis::Box local_box(const gis::Box& b, gis::Point origin) {
    return gis::Box{b.min_x - origin.x, b.min_y - origin.y, b.max_x - origin.x, b.max_y - origin.y};
}
}  // namespace

MapView::MapView(const std::filesystem::path& bundle, bool write_cache) : MapView(bundle, load_scene(bundle, true, write_cache)) {}

MapView::MapView(const std::filesystem::path& bundle, SceneLoad scene) : m_bundle(bundle), m(std::make_unique<Impl>()) {
    m->scene = std::move(scene);
    if (!m->scene.store_error.empty()) {
        std::fprintf(stderr, "onemap: map built, but not kept in the render cache (%s); the next start builds it again\n",
                     m->scene.store_error.c_str());
    }
    if (m->scene.scene.layers.empty()) throw std::invalid_argument(bundle.string() + ": the bundle has no regions to draw");
    m->device = std::make_unique<render::GlDevice>();
    const auto [font, index] = render::find_font();
    if (!font.empty()) m->atlas = std::make_unique<render::GlyphAtlas>(font, index);
    m->renderer = std::make_unique<render::MapRenderer>(*m->device, m->scene.scene, m->atlas.get());
    // pan, zoom, flights and hovering show a cached picture, redrawn a slice a frame at about 30 ms a frame
    m->renderer->set_frame_cache(true);
    m->renderer->set_frame_time_target(30);
    // zoomed out over tens of thousands of villages, fills are one quad of the feature raster
    m->renderer->set_feature_raster(true);
    // every LOD of a province is about 190 MB; on software GL (and integrated GPUs) that is RAM
    m->renderer->set_gpu_budget(std::uint64_t{128} << 20);
    // a LOD not in memory yet is read on a thread of its own; a picture meanwhile draws the nearest one at hand
    if (m->scene.scene.reader) {
        m->prefetch = std::make_unique<gis::LodPrefetch>(m->scene.scene);
        m->renderer->set_lod_prefetch(m->prefetch.get());
    }
    for (const auto& l : m->scene.scene.layers) {
        for (const auto& f : l.features) m->parent[f.code] = f.parent_code;
    }
    m->renderer->set_level(coarsest_level());
    m->renderer->set_viewport(1280, 800);
    fit_all();
}

MapView::~MapView() = default;

const gis::Scene& MapView::scene() const { return m->scene.scene; }
bool MapView::has_level(int level) const { return m->scene.scene.layer(level) != nullptr; }
int MapView::finest_level() const {
    int l = 0;
    for (const auto& layer : scene().layers) l = std::max(l, layer.level);
    return l;
}
int MapView::coarsest_level() const {
    int l = 99;
    for (const auto& layer : scene().layers) l = std::min(l, layer.level);
    return l;
}
int MapView::level() const { return m->renderer->level(); }

const gis::SceneFeature* MapView::find(const std::string& code, int* index) const {
    for (const auto& layer : scene().layers) {
        for (std::size_t i = 0; i < layer.features.size(); ++i) {
            if (layer.features[i].code == code) {
                if (index) *index = layer.level == level() ? static_cast<int>(i) : -1;
                return &layer.features[i];
            }
        }
    }
    return nullptr;
}

void MapView::set_level(int level) {
    if (!has_level(level)) throw std::invalid_argument(fmt::format("the map has no level {}", level));
    if (level == this->level() && !m_values.empty()) return;
    m->renderer->set_level(level);
    m_values.clear();
    set_selected(m_selected);
    set_hover(m_hover);
}

void MapView::set_focus(const std::string& code) { m_focus = code; }

void MapView::recolor(const data::Indicators& indicators, const std::string& metric, const std::string& period, int classes,
                      render::ClassMethod method) {
    const data::Metric* info = data::find_metric(metric);
    const auto& values = indicators.values(metric, period);
    const auto& feats = m->renderer->layer().features;
    m_values.assign(feats.size(), render::k_missing);
    // whether `code` is `region` or lies in it (an empty region holds everything)
    const auto within = [&](std::string c, const std::string& region) {
        if (region.empty()) return true;
        for (int guard = 0; guard < 8 && !c.empty(); ++guard) {
            if (c == region) return true;
            auto p = m->parent.find(c);
            c = p == m->parent.end() ? std::string() : p->second;
        }
        return false;
    };
    std::vector<char> inside(feats.size(), 1), lit(feats.size(), 1);
    std::vector<double> classified;
    for (std::size_t i = 0; i < feats.size(); ++i) {
        if (auto it = values.find(feats[i].code); it != values.end()) m_values[i] = it->second;
        inside[i] = within(feats[i].code, m_focus);
        lit[i] = within(feats[i].code, m_spotlight);
        if (inside[i]) classified.push_back(m_values[i]);
    }
    m_class = render::classify(classified, classes, method, info && info->diverging);
    m_counts.assign(static_cast<std::size_t>(m_class.classes()) + 1, 0);
    std::vector<render::Rgba> colors(feats.size());
    for (std::size_t i = 0; i < feats.size(); ++i) {
        colors[i] = m_class.color_of(m_values[i]);
        if (inside[i]) {
            const int k = m_class.class_of(m_values[i]);
            ++m_counts[k == render::k_no_data ? m_counts.size() - 1 : static_cast<std::size_t>(k)];
        }
        if ((!inside[i] || !lit[i]) && colors[i].a) colors[i].a = 128;
    }
    m->renderer->set_feature_colors(colors);
}

render::Rgba MapView::status_color(int status) {
    switch (status) {
        case 0: return {26, 152, 80, 255};    // pass: green
        case 1: return {215, 48, 39, 255};    // fail: red
        case 2: return {171, 171, 200, 255};  // not applicable: pale blue-grey
        default: return render::k_no_data_color;  // no data: grey, hatched by the fill shader
    }
}

void MapView::color_by_status(const std::map<std::string, int>& status_by_code) {
    const auto& feats = m->renderer->layer().features;
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
    m->renderer->set_feature_colors(colors);
}

double MapView::value_of(const std::string& code) const {
    int idx = -1;
    find(code, &idx);
    return idx >= 0 && static_cast<std::size_t>(idx) < m_values.size() ? m_values[static_cast<std::size_t>(idx)] : render::k_missing;
}

void MapView::set_selected(const std::string& code) {
    m_selected = code;
    int idx = -1;
    if (!code.empty()) find(code, &idx);
    m->renderer->set_selection(idx);
}

void MapView::set_hover(const std::string& code) {
    m_hover = code;
    int idx = -1;
    if (!code.empty()) find(code, &idx);
    m->renderer->set_hover(idx);
}

void MapView::set_points(bool projects, bool sites) {
    if (projects == m->projects && sites == m->sites) return;
    m->projects = projects;
    m->sites = sites;
    m->renderer->set_points(m_points ? m_points(projects, sites) : load_map_points(m_bundle, projects, sites), true);
}

void MapView::reload_points() {
    if (!m->projects && !m->sites) return;
    m->renderer->set_points(m_points ? m_points(m->projects, m->sites) : load_map_points(m_bundle, m->projects, m->sites), true);
}

void MapView::set_labels(bool on, int px) { m->renderer->set_labels(on, render::LabelStyle{px}); }

void MapView::set_mark(std::string text) { m_mark = std::move(text); }

void MapView::set_insets(const render::Insets& insets) {
    if (insets == m_insets) return;  // the frame loop passes them every frame
    m_insets = insets;
    m->renderer->camera().set_insets(insets);
    exclude_inset_strips();
}

void MapView::exclude_inset_strips() {
    auto strips = render::inset_strips(m_insets, m->renderer->camera().width(), m->renderer->camera().height());
    const auto same = [](const gis::Box& a, const gis::Box& b) {
        return a.min_x == b.min_x && a.min_y == b.min_y && a.max_x == b.max_x && a.max_y == b.max_y;
    };
    if (std::equal(strips.begin(), strips.end(), m_strips.begin(), m_strips.end(), same)) return;  // labels stay put
    m_strips = strips;
    m->renderer->set_label_exclusions(std::move(strips));
}

gis::Box MapView::region_bounds(const std::string& code, const data::RegionIndex& regions) const {
    gis::Box bounds;
    for (const std::string& c : drawn_stand_ins(code, regions, [&](std::string_view d) { return m->parent.count(std::string(d)) > 0; }))
        if (const gis::SceneFeature* f = find(c)) bounds.expand(f->bounds);
    return bounds;
}

void MapView::fly_to(const std::string& code, const data::RegionIndex& regions, double seconds) {
    const gis::Box bounds = region_bounds(code, regions);
    if (bounds.empty()) return;
    const gis::Box box = local_box(bounds, scene().origin);
    if (seconds <= 0) m->renderer->camera().fit(box, 48); else m->renderer->camera().fly_to(box, seconds, 48);
}

std::optional<std::array<double, 4>> MapView::screen_box(const std::string& code, const data::RegionIndex& regions) const {
    const gis::Box bounds = region_bounds(code, regions);
    if (bounds.empty()) return std::nullopt;
    const gis::Box box = local_box(bounds, scene().origin);
    const gis::Point a = m->renderer->camera().to_screen({box.min_x, box.max_y}), b = m->renderer->camera().to_screen({box.max_x, box.min_y});
    return std::array<double, 4>{a.x, a.y, b.x, b.y};
}

void MapView::fit_all(double seconds) {
    const gis::Box box = local_box(scene().bounds, scene().origin);
    if (seconds <= 0) m->renderer->camera().fit(box, 24); else m->renderer->camera().fly_to(box, seconds, 24);
}

void MapView::pan(double dx, double dy) { m->renderer->camera().pan(dx, dy); }
void MapView::zoom_about(double factor, double x, double y) { m->renderer->camera().zoom_about(factor, {x, y}); }

std::string MapView::pick(double x, double y) const {
    const gis::Point p = m->renderer->camera().to_scene({x, y});
    const int idx = m->renderer->pick(p);
    return idx >= 0 ? m->renderer->layer().features[static_cast<std::size_t>(idx)].code : std::string();
}

bool MapView::screen_anchor(const std::string& code, double& x, double& y) const {
    const gis::SceneFeature* f = find(code);
    if (!f) return false;
    const gis::Point s = m->renderer->camera().to_screen({f->anchor.x - scene().origin.x, f->anchor.y - scene().origin.y});
    x = s.x;
    y = s.y;
    return true;
}

std::vector<std::string> MapView::drawn_codes() const {
    std::vector<std::string> out;
    for (const auto& f : m->renderer->layer().features) out.push_back(f.code);
    return out;
}

bool MapView::update(double dt) {
    const bool moving = m->renderer->update(dt);
    // The scene opened with only what the first frame draws; while the view rests, the geometry a zoom
    // step would draw goes up a slice a frame, else one more LOD is read (off this thread, one at a
    // time): a zoom seldom finds a LOD missing, and a cache rewritten later cannot pull the rug.
    if (!moving && !m->renderer->upload_ahead()) {
        if (m->prefetch) {
            if (!m->prefetch->busy()) m->prefetch->want_next();
        } else {
            m->scene.scene.read_next_lod();
        }
    }
    return moving;
}

void MapView::render(int width, int height) {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (width != m->renderer->camera().width() || height != m->renderer->camera().height()) {
        m->renderer->set_viewport(width, height);
        exclude_inset_strips();
    }
    m->renderer->render();
}

render::Image MapView::snapshot(int width, int height, const std::string& legend_title, const std::vector<render::LegendRow>& legend) {
    // The picture has no panels over it: a view fitted to a region is fitted again to the picture
    // whole; the screen's view comes back as it was. The legend and the mark are drawn into it.
    const render::Camera screen_view = m->renderer->camera();
    render::OffscreenTarget target(width, height);
    m->renderer->camera().set_insets({});
    m->renderer->set_label_exclusions({});
    m->renderer->set_viewport(width, height);
    std::vector<render::OverlayVertex> q;
    if (m->atlas && !legend.empty()) render::add_legend(q, *m->atlas, legend_title, legend, width, height);
    if (m->atlas && !m_mark.empty()) render::add_mark(q, *m->atlas, m_mark, width, height);
    m->renderer->set_overlay(std::move(q));
    target.bind();
    // an exported picture is always the full map, drawn from triangles as `onemap render` draws it
    m->renderer->set_frame_cache(false);
    m->renderer->set_feature_raster(false);
    m->renderer->render();
    m->renderer->set_feature_raster(true);
    m->renderer->set_frame_cache(true);
    render::Image img = target.read();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    m->renderer->camera() = screen_view;
    m->renderer->set_overlay({});
    m->renderer->set_label_exclusions(m_strips);
    return img;
}

const render::FrameCounters& MapView::counters() const { return m->device->counters(); }

}  // namespace onemap::app
