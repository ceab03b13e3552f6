#pragma once
// The map on a GL context: a MapModel (what to show; kiosk/session/map_model.hpp) drawn by
// render::MapRenderer (the same renderer and shaders as `onemap render`), on the window's
// framebuffer or offscreen. The model is read at sync(), the one upload step of a frame:
//
//   MapModel ──sync()──▶ level, colours, selection, hover, points, labels, camera moves ──▶ MapRenderer
//   window input ─────▶ MapView::pan / zoom_about / pick
//   each frame ───────▶ sync(model) → update(dt) → still moving?  render(w, h)
#include "gis/scene.hpp"
#include "kiosk/session/map_model.hpp"
#include "render/device.hpp"
#include "render/image.hpp"
#include "render/legend.hpp"
#include "render/map_renderer.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onemap::app {

class MapView {
public:
    // Needs a current GL context; `model` (and its scene) must outlive the view. Interactive: a
    // frame cache, the feature raster, a GPU budget and LODs read on a thread, for a window.
    explicit MapView(MapModel& model, bool interactive = true);
    ~MapView();
    MapView(const MapView&) = delete;
    MapView& operator=(const MapView&) = delete;

    // Brings the renderer in line with the model (what changed since the last call) and carries out
    // the camera moves it asks for.
    void sync();
    const MapModel& model() const { return m_model; }

    // What the mode's panels cover along the window's edges: fitted views centre the region in the
    // rest, and names are placed only where no panel covers them.
    void set_insets(const render::Insets& insets);

    void pan(double dx, double dy);
    void zoom_about(double factor, double x, double y);
    std::string pick(double x, double y) const;      // code at the drawn level under the pixel, or ""
    bool screen_anchor(const std::string& code, double& x, double& y) const;  // label anchor on screen
    // A region's box on screen (pixels: x0, y0, x1, y1); none when neither it nor a stand-in is drawn.
    std::optional<std::array<double, 4>> screen_box(const std::string& code, const data::RegionIndex& regions) const;

    bool update(double dt);                          // true while the view is still changing
    void render(int framebuffer_width, int framebuffer_height);
    // The current view, offscreen (same pixels), fitted to the picture whole when the view is fitted
    // to a region; with the legend (when rows are given) and the model's mark drawn in.
    render::Image snapshot(int width, int height, const std::string& legend_title = {}, const std::vector<render::LegendRow>& legend = {});
    const render::FrameCounters& counters() const;
    render::MapRenderer& renderer();
    int level() const;

private:
    void exclude_inset_strips();
    MapModel& m_model;
    struct Impl;
    std::unique_ptr<Impl> m;
    render::Insets m_insets;
    std::vector<gis::Box> m_strips;  // the label exclusions set for m_insets at the current viewport
};

}  // namespace onemap::app
