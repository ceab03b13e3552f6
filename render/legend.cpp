#include "render/legend.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::render {

namespace {
// Text and boxes grow with the picture: 1 at 600 px on the short side.
float picture_scale(int width, int height) {
    return std::clamp(static_cast<float>(std::min(width, height)) / 600.0f, 0.7f, 2.0f);
}
}  // namespace

gis::Box add_legend(std::vector<OverlayVertex>& q, GlyphAtlas& atlas, const std::string& title, const std::vector<LegendRow>& rows,
                    int width, int height) {
    const Rgba ink{35, 35, 35, 255}, none{0, 0, 0, 0};
    const float h = static_cast<float>(height);
    const float scale = picture_scale(width, height);
    const int title_px = static_cast<int>(std::lround(14 * scale)), row_px = static_cast<int>(std::lround(12 * scale));
    const float row = row_px * 1.5f, sw = row_px * 1.6f, pad = 8 * scale;
    float text_w = atlas.measure(title, title_px);
    for (const auto& r : rows) text_w = std::max(text_w, sw + pad + atlas.measure(r.label, row_px));
    const float box_w = text_w + 2 * pad, box_h = title_px * 1.6f + row * static_cast<float>(rows.size()) + pad * 2;
    const float x0 = 10 * scale, y0 = h - box_h - 10 * scale;
    add_rect(q, x0, y0, box_w, box_h, Rgba{255, 255, 255, 215});
    add_text(q, atlas, title, x0 + pad, y0 + pad + title_px, title_px, ink, none);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float y = y0 + pad + title_px * 1.6f + row * static_cast<float>(i);
        const float sh = row * 0.75f;
        add_rect(q, x0 + pad, y, sw, sh, rows[i].color);
        if (rows[i].hatched) {
            for (int yy = 0; yy < static_cast<int>(sh); ++yy)
                for (int xx = 0; xx < static_cast<int>(sw); ++xx)
                    if ((xx + yy) % 7 < 2) add_rect(q, x0 + pad + xx, y + yy, 1, 1, Rgba{153, 153, 153, 255});
        }
        add_text(q, atlas, rows[i].label, x0 + pad + sw + pad, y + sh * 0.5f + row_px * 0.38f, row_px, ink, none);
    }
    return gis::Box{x0, y0, x0 + box_w, y0 + box_h};
}

gis::Box add_mark(std::vector<OverlayVertex>& q, GlyphAtlas& atlas, const std::string& text, int width, int height) {
    const float w = static_cast<float>(width);
    const float scale = picture_scale(width, height);
    const int px = static_cast<int>(std::lround(18 * scale));
    const float mw = atlas.measure(text, px);
    add_text(q, atlas, text, w - mw - 12 * scale, 12 * scale + px, px, Rgba{190, 30, 30, 255}, Rgba{255, 255, 255, 230});
    return gis::Box{w - mw - 16 * scale, 8 * scale, w, 16 * scale + px * 1.3f};
}

}  // namespace onemap::render
