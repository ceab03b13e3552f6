#pragma once
// A legend and a mark drawn into the picture itself (`onemap render` and the desk's exported PNGs),
// as screen-space quads for MapRenderer::set_overlay: a box at the bottom-left with a title and one
// row per class (a swatch and its label; a "no data" row hatched grey as the map draws it), and a
// mark such as 演示数据 at the top-right. Both return their box, for set_label_exclusions.
#include "gis/geometry.hpp"
#include "render/classify.hpp"
#include "render/color.hpp"
#include "render/text.hpp"

#include <string>
#include <vector>

namespace onemap::render {

struct LegendRow {
    std::string label;
    Rgba color;
    bool hatched = false;  // "no data": grey with hatching
};

// "lo – hi" for each class of `c` (values printed by `format`), then `no_data` hatched.
template <class Format>
std::vector<LegendRow> class_rows(const Classification& c, const std::string& no_data, Format format) {
    std::vector<LegendRow> rows;
    for (int i = 0; i < c.classes(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        rows.push_back({format(c.breaks[k]) + " – " + format(c.breaks[k + 1]), c.colors[k]});
    }
    rows.push_back({no_data, Rgba{217, 217, 217, 255}, true});
    return rows;
}

// The legend's quads appended to `out` for a `width`×`height` picture; its box in pixels.
gis::Box add_legend(std::vector<OverlayVertex>& out, GlyphAtlas& atlas, const std::string& title, const std::vector<LegendRow>& rows,
                    int width, int height);
// `text` in red with a white halo at the top-right corner; its box in pixels.
gis::Box add_mark(std::vector<OverlayVertex>& out, GlyphAtlas& atlas, const std::string& text, int width, int height);

}  // namespace onemap::render
