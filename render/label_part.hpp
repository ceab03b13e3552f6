#pragma once
// The map's names as a part of MapRenderer: placed when the view rests — biggest population first,
// where the name fits its region, clear of the other names, the symbols and the exclusions (legend,
// panels) — and drawn every frame at their anchors.
//
//   the view settles / level / size / symbols / exclusions change ──▶ needs_upload()
//   ──place(layer, level, camera, symbols)──▶ placed feature indices OF THAT LEVEL
//   ──add_quads(layer, level, camera)──▶ text quads, only when the level drawn is the level placed on
//
// The indices are of one layer's features: reset() (a level change) drops them, and add_quads never
// reads them against another layer (an assert in debug builds, a skip otherwise).
#include "gis/scene.hpp"
#include "render/camera.hpp"
#include "render/text.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace onemap::render {

struct LabelStyle {
    int px = 14;
    Rgba color{30, 30, 30, 255};
    Rgba halo{255, 255, 255, 220};
};

class LabelPart {
public:
    LabelPart(GlyphAtlas* atlas, gis::Point scene_origin) : m_atlas(atlas), m_origin(scene_origin) {}

    void set(bool on, LabelStyle style);
    bool on() const { return m_on; }
    // Screen rectangles (x0, y0, x1, y1 in pixels) names keep clear of, e.g. the legend.
    void set_exclusions(std::vector<gis::Box> rects);
    void invalidate() { m_dirty = true; }  // place again when the view rests
    void reset();                           // the level changed: the names placed are dropped now
    bool needs_upload() const { return m_dirty; }
    // Place the names of `layer` (the features of `level`) for this view.
    void place(const gis::SceneLayer& layer, int level, const Camera& camera, const std::vector<std::pair<gis::Point, float>>& symbols);
    // The names placed, as text quads, when `level` is the level they were placed on.
    void add_quads(std::vector<OverlayVertex>& out, const gis::SceneLayer& layer, int level, const Camera& camera) const;

    int level() const { return m_level; }  // the level the names were placed on (-1: none placed)
    std::size_t placed() const { return m_placed.size(); }
    double placement_ms() const { return m_ms; }

private:
    GlyphAtlas* m_atlas;
    gis::Point m_origin;
    bool m_on = false, m_dirty = true;
    LabelStyle m_style;
    std::vector<gis::Box> m_exclusions;
    int m_level = -1;
    std::vector<std::uint32_t> m_placed;  // feature indices of the layer of m_level
    double m_ms = 0;
};

}  // namespace onemap::render
