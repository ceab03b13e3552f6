#pragma once
// The interactive map of the GUI modes: the bundle's render scene drawn by render::MapRenderer into
// the window's framebuffer (the same renderer and shaders as `onemap render`), coloured by one
// indicator, with a focus region (children shown, the rest faded), selection, hover and flights.
//
//   Application ──intents──▶ MapView::set_level / set_focus / recolor / fly_to
//   window input ──────────▶ MapView::pan / zoom_about / pick
//   each frame ────────────▶ MapView::update(dt) → still moving?  MapView::render(w, h)
#include "data/features.hpp"
#include "data/region_index.hpp"
#include "gis/scene.hpp"
#include "kiosk/map_scene.hpp"
#include "render/classify.hpp"
#include "render/device.hpp"
#include "render/image.hpp"
#include "render/legend.hpp"
#include "render/map_renderer.hpp"

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onemap::render {
class GlDevice;
class GlyphAtlas;
}  // namespace onemap::render

namespace onemap::app {

// Project and site symbols for the map (shape by category, size by investment or persons, colour by
// the project's "four batches" status); used by the GUI and by `onemap render`.
std::vector<render::MapPoint> load_map_points(const std::filesystem::path& bundle, bool projects, bool sites);
std::vector<render::MapPoint> map_points(const std::vector<data::Project>& projects, const std::vector<data::Site>& sites);

class MapView {
public:
    // Needs a current GL context. `write_cache`: store a freshly built scene in the bundle (never in kiosk mode).
    MapView(const std::filesystem::path& bundle, bool write_cache);
    // The same from a scene already loaded (load_scene may run on another thread; this part needs GL).
    MapView(const std::filesystem::path& bundle, SceneLoad scene);
    ~MapView();
    MapView(const MapView&) = delete;
    MapView& operator=(const MapView&) = delete;

    const gis::Scene& scene() const;
    bool has_level(int level) const;
    int finest_level() const;
    int coarsest_level() const;

    void set_level(int level);            // must be a layer of the scene
    int level() const;
    void set_focus(const std::string& code);  // features outside it fade; "" for none
    // Features outside `code` fade too, but the classes stay those of the focus (the wall's tour
    // shows one city at a time in the province's colours); "" for none. Takes effect at recolor().
    void set_spotlight(const std::string& code) { m_spotlight = code; }
    const std::string& spotlight() const { return m_spotlight; }
    void recolor(const data::Indicators& indicators, const std::string& metric, const std::string& period, int classes,
                 render::ClassMethod method);
    // The rule-status layer: pass / fail / not applicable / no data in four distinct colours.
    void color_by_status(const std::map<std::string, int>& status_by_code);  // 0 pass 1 fail 2 n.a. 3 no data
    static render::Rgba status_color(int status);
    const render::Classification& classification() const { return m_class; }
    const std::vector<int>& class_counts() const { return m_counts; }  // per class, then "no data"
    double value_of(const std::string& code) const;                    // NaN when none

    void set_selected(const std::string& code);
    void set_hover(const std::string& code);
    void set_points(bool projects, bool sites);
    // Where project and site symbols come from (default: the bundle file); reload_points() after they changed.
    void set_point_source(std::function<std::vector<render::MapPoint>(bool projects, bool sites)> points) { m_points = std::move(points); }
    void reload_points();
    void set_labels(bool on, int px);
    // Drawn into exported pictures (snapshot), e.g. 演示数据. On screen each mode draws its own mark,
    // clear of its panels, which would hide one drawn in the map's corner.
    void set_mark(std::string text);
    // What the mode's panels cover along the window's edges: fly_to and fit_all centre the region in
    // the rest, a view fitted to a region is fitted again when they change, and names are placed
    // only where no panel covers them.
    void set_insets(const render::Insets& insets);

    // Any region: the box around it where the map draws it, else around its drawn descendants (a
    // city: its counties; drawn_stand_ins). Nothing moves when neither is drawn.
    void fly_to(const std::string& code, const data::RegionIndex& regions, double seconds = 0.8);
    // That box on screen (pixels: x0, y0, x1, y1); none when neither it nor a stand-in is drawn.
    std::optional<std::array<double, 4>> screen_box(const std::string& code, const data::RegionIndex& regions) const;
    void fit_all(double seconds = 0.0);
    void pan(double dx, double dy);
    void zoom_about(double factor, double x, double y);
    std::string pick(double x, double y) const;      // code at the drawn level under the pixel, or ""
    bool screen_anchor(const std::string& code, double& x, double& y) const;  // label anchor on screen
    std::vector<std::string> drawn_codes() const;   // features of the drawn level

    bool update(double dt);                          // true while the view is still changing
    void render(int framebuffer_width, int framebuffer_height);
    // The current view, offscreen (same pixels), fitted to the picture whole when the view is fitted
    // to a region; with the legend (when rows are given) and the mark drawn in.
    render::Image snapshot(int width, int height, const std::string& legend_title = {}, const std::vector<render::LegendRow>& legend = {});
    const render::FrameCounters& counters() const;

private:
    const gis::SceneFeature* find(const std::string& code, int* index = nullptr) const;
    std::filesystem::path m_bundle;
    struct Impl;
    std::unique_ptr<Impl> m;
    render::Classification m_class;
    std::vector<int> m_counts;
    std::vector<double> m_values;  // per feature of the drawn level
    gis::Box region_bounds(const std::string& code, const data::RegionIndex& regions) const;  // scene coordinates; empty: not drawn
    std::string m_focus, m_spotlight, m_selected, m_hover, m_mark;
    render::Insets m_insets;
    std::vector<gis::Box> m_strips;  // the label exclusions set for m_insets at the current viewport
    void exclude_inset_strips();
    std::function<std::vector<render::MapPoint>(bool, bool)> m_points;
};

}  // namespace onemap::app
