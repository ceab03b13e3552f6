#include "kiosk/gui/map_view.hpp"

#include "gis/lod_prefetch.hpp"
#include "render/gl_device.hpp"
#include "render/legend.hpp"
#include "render/offscreen.hpp"
#include "render/text.hpp"

#include <epoxy/gl.h>

#include <algorithm>
#include <cassert>

namespace onemap::app {

struct MapView::Impl {
    std::unique_ptr<gis::LodPrefetch> prefetch;  // reads the scene's LODs off the drawing thread
    std::unique_ptr<render::GlDevice> device;
    std::unique_ptr<render::GlyphAtlas> atlas;
    std::unique_ptr<render::MapRenderer> renderer;
    // what the renderer was last given of the model
    std::uint64_t colors = ~0ull, points = ~0ull, labels = ~0ull;
    std::string selected, hover;
    int level = -1;
    bool interactive = true;
};

MapView::MapView(MapModel& model, bool interactive) : m_model(model), m(std::make_unique<Impl>()) {
    const gis::Scene& scene = model.scene();
    m->interactive = interactive;
    m->device = std::make_unique<render::GlDevice>();
    const auto [font, index] = render::find_font();
    if (!font.empty()) m->atlas = std::make_unique<render::GlyphAtlas>(font, index);
    m->renderer = std::make_unique<render::MapRenderer>(*m->device, scene, m->atlas.get());
    if (interactive) {
        // pan, zoom, flights and hovering show a cached picture, redrawn a slice a frame at about 30 ms a frame
        m->renderer->set_frame_cache(true);
        m->renderer->set_frame_time_target(30);
        // zoomed out over tens of thousands of villages, fills are one quad of the feature raster
        m->renderer->set_feature_raster(true);
        // every LOD of a province is about 190 MB; on software GL (and integrated GPUs) that is RAM
        m->renderer->set_gpu_budget(std::uint64_t{128} << 20);
        // a LOD not in memory yet is read on a thread of its own; a picture meanwhile draws the nearest one at hand
        if (scene.reader) {
            m->prefetch = std::make_unique<gis::LodPrefetch>(scene);
            m->renderer->set_lod_prefetch(m->prefetch.get());
        }
    }
    m->renderer->set_viewport(1280, 800);
    sync();
}

MapView::~MapView() = default;

render::MapRenderer& MapView::renderer() { return *m->renderer; }
int MapView::level() const { return m->renderer->level(); }

void MapView::sync() {
    render::MapRenderer& r = *m->renderer;
    const MapModel& model = m_model;
    if (model.level() != m->level) {
        r.set_level(model.level());  // clears what the renderer derived from the old layer
        m->level = model.level();
        m->selected = m->hover = "\x01";  // set again below, as indices of the new layer
    }
    if (model.colors_version() != m->colors && model.colors_level() == m->level) {
        assert(model.colors().size() == r.layer().features.size());
        r.set_feature_colors(model.colors());
        m->colors = model.colors_version();
    }
    if (model.selected() != m->selected) {
        r.set_selection(model.index_on_level(model.selected()));
        m->selected = model.selected();
    }
    if (model.hover() != m->hover) {
        r.set_hover(model.index_on_level(model.hover()));
        m->hover = model.hover();
    }
    if (model.points_version() != m->points) {
        r.set_points(model.points(), true);
        m->points = model.points_version();
    }
    if (model.labels_version() != m->labels) {
        r.set_labels(model.labels(), render::LabelStyle{model.label_px()});
        m->labels = model.labels_version();
    }
    for (const ViewRequest& v : m_model.take_view_requests()) {
        render::Camera& cam = r.camera();
        if (v.kind == ViewRequest::Kind::Zoom) {
            cam.zoom_about(v.factor, {cam.width() / 2.0, cam.height() / 2.0});
        } else if (v.seconds <= 0) {
            cam.fit(v.box, v.margin_px);
        } else {
            cam.fly_to(v.box, v.seconds, v.margin_px);
        }
    }
}

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

std::optional<std::array<double, 4>> MapView::screen_box(const std::string& code, const data::RegionIndex& regions) const {
    const gis::Box bounds = m_model.region_bounds(code, regions);
    if (bounds.empty()) return std::nullopt;
    const gis::Point o = m_model.scene().origin;
    const render::Camera& cam = m->renderer->camera();
    const gis::Point a = cam.to_screen({bounds.min_x - o.x, bounds.max_y - o.y}), b = cam.to_screen({bounds.max_x - o.x, bounds.min_y - o.y});
    return std::array<double, 4>{a.x, a.y, b.x, b.y};
}

void MapView::pan(double dx, double dy) { m->renderer->camera().pan(dx, dy); }
void MapView::zoom_about(double factor, double x, double y) { m->renderer->camera().zoom_about(factor, {x, y}); }

std::string MapView::pick(double x, double y) const {
    const gis::Point p = m->renderer->camera().to_scene({x, y});
    const int idx = m->renderer->pick(p);
    return idx >= 0 ? m->renderer->layer().features[static_cast<std::size_t>(idx)].code : std::string();
}

bool MapView::screen_anchor(const std::string& code, double& x, double& y) const {
    const gis::SceneFeature* f = m_model.find(code);
    if (!f) return false;
    const gis::Point o = m_model.scene().origin;
    const gis::Point s = m->renderer->camera().to_screen({f->anchor.x - o.x, f->anchor.y - o.y});
    x = s.x;
    y = s.y;
    return true;
}

bool MapView::update(double dt) {
    const bool moving = m->renderer->update(dt);
    // The scene opened with only what the first frame draws; while the view rests, the geometry a zoom
    // step would draw goes up a slice a frame, else one more LOD is read (off this thread, one at a
    // time): a zoom seldom finds a LOD missing, and a cache rewritten later cannot pull the rug.
    if (m->interactive && !moving && !m->renderer->upload_ahead()) {
        if (m->prefetch) {
            if (!m->prefetch->busy()) m->prefetch->want_next();
        } else {
            m_model.scene().read_next_lod();
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
    m->renderer->set_viewport(width, height);
    std::vector<render::OverlayVertex> q;
    std::vector<gis::Box> exclusions;
    if (m->atlas && !legend.empty()) exclusions.push_back(render::add_legend(q, *m->atlas, legend_title, legend, width, height));
    if (m->atlas && !m_model.mark().empty()) exclusions.push_back(render::add_mark(q, *m->atlas, m_model.mark(), width, height));
    m->renderer->set_label_exclusions(std::move(exclusions));
    m->renderer->set_overlay(std::move(q));
    target.bind();
    // an exported picture is always the full map, drawn from triangles as `onemap render` draws it
    const bool cache = m->renderer->frame_cache();
    m->renderer->set_frame_cache(false);
    m->renderer->set_feature_raster(false);
    m->renderer->render();
    m->renderer->set_feature_raster(m->interactive);
    m->renderer->set_frame_cache(cache);
    render::Image img = target.read();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    m->renderer->camera() = screen_view;
    m->renderer->set_overlay({});
    m->renderer->set_label_exclusions(m_strips);
    return img;
}

const render::FrameCounters& MapView::counters() const { return m->device->counters(); }

}  // namespace onemap::app
