#include "gis/scene_pick.hpp"

namespace onemap::gis {

namespace {
double cross(double ax, double ay, double bx, double by, double px, double py) { return (bx - ax) * (py - ay) - (by - ay) * (px - ax); }
}  // namespace

int pick_feature(const SceneLod& lod, Point p) {
    for (const SceneChunk& chunk : lod.fill_chunks) {
        if (!chunk.bounds.contains(p)) continue;
        const std::uint32_t end = chunk.first + chunk.count;
        for (std::uint32_t i = chunk.first; i + 3 <= end && i + 3 <= lod.indices.size(); i += 3) {
            const std::uint32_t a = lod.indices[i], b = lod.indices[i + 1], c = lod.indices[i + 2];
            const double ax = lod.xy[2 * a], ay = lod.xy[2 * a + 1], bx = lod.xy[2 * b], by = lod.xy[2 * b + 1];
            const double cx = lod.xy[2 * c], cy = lod.xy[2 * c + 1];
            const double d1 = cross(ax, ay, bx, by, p.x, p.y), d2 = cross(bx, by, cx, cy, p.x, p.y), d3 = cross(cx, cy, ax, ay, p.x, p.y);
            const bool has_neg = d1 < 0 || d2 < 0 || d3 < 0, has_pos = d1 > 0 || d2 > 0 || d3 > 0;
            if (!(has_neg && has_pos)) return static_cast<int>(lod.vertex_feature[a]);
        }
    }
    return -1;
}

}  // namespace onemap::gis
