#include "render/label_part.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <map>

namespace onemap::render {

void LabelPart::set(bool on, LabelStyle style) {
    m_on = on;
    m_style = style;
    m_dirty = true;
}

void LabelPart::set_exclusions(std::vector<gis::Box> rects) {
    m_exclusions = std::move(rects);
    m_dirty = true;
}

void LabelPart::reset() {
    m_level = -1;
    m_placed.clear();
    m_dirty = true;
}

void LabelPart::place(const gis::SceneLayer& layer, int level, const Camera& camera, const std::vector<std::pair<gis::Point, float>>& symbols) {
    struct Timer {  // the placement's time, whichever way it returns
        std::chrono::steady_clock::time_point t0;
        double& out;
        ~Timer() { out = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); }
    } timer{std::chrono::steady_clock::now(), m_ms};
    m_dirty = false;
    m_placed.clear();
    m_level = level;
    if (!m_atlas || !m_on) return;
    struct Candidate {
        std::uint32_t feature;
        std::int64_t population;
    };
    std::vector<Candidate> cands;
    const gis::Box vis = camera.visible();
    const double ppd = camera.pixels_per_degree();
    for (std::uint32_t i = 0; i < layer.features.size(); ++i) {
        const auto& f = layer.features[i];
        const gis::Point a{f.anchor.x - m_origin.x, f.anchor.y - m_origin.y};
        if (!vis.contains(a)) continue;
        if (2 * f.anchor_radius * ppd < m_style.px * 1.1) continue;  // the name would not fit
        cands.push_back({i, f.population});
    }
    std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.population > b.population; });
    // collision: greedy by priority against already placed boxes, bucketed on a 64 px grid
    struct Rect {
        float x0, y0, x1, y1;
    };
    std::map<std::pair<int, int>, std::vector<Rect>> grid;
    auto reserve = [&](const Rect& r) {
        for (int gy = static_cast<int>(r.y0) / 64; gy <= static_cast<int>(r.y1) / 64; ++gy)
            for (int gx = static_cast<int>(r.x0) / 64; gx <= static_cast<int>(r.x1) / 64; ++gx) grid[{gx, gy}].push_back(r);
    };
    for (const gis::Box& b : m_exclusions)
        reserve(Rect{static_cast<float>(std::max(0.0, b.min_x)), static_cast<float>(std::max(0.0, b.min_y)),
                     static_cast<float>(b.max_x), static_cast<float>(b.max_y)});
    for (const auto& [pt, r] : symbols) {
        const gis::Point s = camera.to_screen(pt);
        if (s.x < -r || s.y < -r || s.x > camera.width() + r || s.y > camera.height() + r) continue;
        reserve(Rect{static_cast<float>(std::max(0.0, s.x - r)), static_cast<float>(std::max(0.0, s.y - r)),
                     static_cast<float>(s.x + r), static_cast<float>(s.y + r)});
    }
    const int px = m_style.px;
    for (const auto& c : cands) {
        const auto& f = layer.features[c.feature];
        const gis::Point s = camera.to_screen({f.anchor.x - m_origin.x, f.anchor.y - m_origin.y});
        const float w = m_atlas->measure(f.name, px);
        const Rect r{static_cast<float>(s.x) - w / 2 - 3, static_cast<float>(s.y) - px * 0.6f - 2,
                     static_cast<float>(s.x) + w / 2 + 3, static_cast<float>(s.y) + px * 0.6f + 2};
        if (r.x0 < 0 || r.y0 < 0 || r.x1 > camera.width() || r.y1 > camera.height()) continue;
        bool hit = false;
        const int gx0 = static_cast<int>(r.x0) / 64, gx1 = static_cast<int>(r.x1) / 64;
        const int gy0 = static_cast<int>(r.y0) / 64, gy1 = static_cast<int>(r.y1) / 64;
        for (int gy = gy0; gy <= gy1 && !hit; ++gy)
            for (int gx = gx0; gx <= gx1 && !hit; ++gx)
                for (const Rect& o : grid[{gx, gy}])
                    if (!(r.x1 < o.x0 || o.x1 < r.x0 || r.y1 < o.y0 || o.y1 < r.y0)) {
                        hit = true;
                        break;
                    }
        if (hit) continue;
        reserve(r);
        m_placed.push_back(c.feature);
    }
}

void LabelPart::add_quads(std::vector<OverlayVertex>& out, const gis::SceneLayer& layer, int level, const Camera& camera) const {
    if (!m_atlas || m_level != level) return;  // placed on another layer (reset() clears them at a level change)
    for (const std::uint32_t fi : m_placed) {
        assert(fi < layer.features.size());
        if (fi >= layer.features.size()) continue;
        const auto& f = layer.features[fi];
        const gis::Point s = camera.to_screen({f.anchor.x - m_origin.x, f.anchor.y - m_origin.y});
        add_text(out, *m_atlas, f.name, static_cast<float>(s.x), static_cast<float>(s.y), m_style.px, m_style.color, m_style.halo,
                 TextAlign::Centre);
    }
}

}  // namespace onemap::render
