#pragma once
// A uniform bucket grid over points for nearest-neighbour queries with a filter — the spatial
// index behind the demo generator's Voronoi-like partitions. Coordinates are scaled in x by
// `x_scale` (cos of the latitude for lon/lat data) so distances are roughly isotropic.
#include "gis/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace onemap::gis {

class PointGrid {
public:
    PointGrid(const Box& bounds, double bucket_size, double x_scale = 1.0)
        : m_x0(bounds.min_x * x_scale), m_y0(bounds.min_y), m_size(bucket_size), m_xs(x_scale),
          m_nx(std::max(1, static_cast<int>(std::ceil(bounds.width() * x_scale / bucket_size)) + 1)),
          m_ny(std::max(1, static_cast<int>(std::ceil(bounds.height() / bucket_size)) + 1)),
          m_buckets(static_cast<std::size_t>(m_nx) * m_ny) {}

    void insert(Point p, std::int32_t id) {
        const Point s{p.x * m_xs, p.y};
        m_buckets[bucket_of(s)].push_back({s, id});
    }

    // Nearest inserted point accepted by `accept(id)`, searching up to `max_radius` (scaled units);
    // returns -1 when none. Cost grows with the radius searched, not with the number of points.
    template <class Accept>
    std::int32_t nearest(Point p, Accept&& accept, double max_radius = std::numeric_limits<double>::infinity()) const {
        const Point s{p.x * m_xs, p.y};
        const int bx = clamp_x(static_cast<int>((s.x - m_x0) / m_size));
        const int by = clamp_y(static_cast<int>((s.y - m_y0) / m_size));
        double best = std::numeric_limits<double>::infinity();
        std::int32_t best_id = -1;
        const int max_ring = std::max(m_nx, m_ny);
        for (int ring = 0; ring <= max_ring; ++ring) {
            if (ring > 0 && (ring - 1) * m_size > max_radius) break;
            for (int y = by - ring; y <= by + ring; ++y) {
                if (y < 0 || y >= m_ny) continue;
                const bool edge_row = (y == by - ring || y == by + ring);
                for (int x = bx - ring; x <= bx + ring; x += (edge_row ? 1 : 2 * ring)) {
                    if (x >= 0 && x < m_nx) {
                        for (const auto& e : m_buckets[static_cast<std::size_t>(y) * m_nx + x]) {
                            const double dx = e.p.x - s.x, dy = e.p.y - s.y;
                            const double d = dx * dx + dy * dy;
                            if (d < best && accept(e.id)) { best = d; best_id = e.id; }
                        }
                    }
                    if (ring == 0) break;
                }
            }
            // Points in later rings are at least ring * size away.
            if (best_id >= 0 && std::sqrt(best) <= ring * m_size) break;
        }
        return best_id;
    }

private:
    struct Entry {
        Point p;
        std::int32_t id;
    };
    int clamp_x(int x) const { return std::clamp(x, 0, m_nx - 1); }
    int clamp_y(int y) const { return std::clamp(y, 0, m_ny - 1); }
    std::size_t bucket_of(Point s) const {
        return static_cast<std::size_t>(clamp_y(static_cast<int>((s.y - m_y0) / m_size))) * m_nx +
               clamp_x(static_cast<int>((s.x - m_x0) / m_size));
    }
    double m_x0, m_y0, m_size, m_xs;
    int m_nx, m_ny;
    std::vector<std::vector<Entry>> m_buckets;
};

}  // namespace onemap::gis
