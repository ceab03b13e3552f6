#include "triangulate.hpp"

#include "gis/geos.hpp"

#include <geos_c.h>

#include <cmath>
#include <map>

namespace onemap::gis {

bool triangulate(GeosContext& geos, const MultiPolygon& geometry, Mesh& mesh) {
    GEOSContextHandle_t ctx = geos.handle();
    for (const Polygon& poly : geometry) {
        const GeosGeometry g = geos.make(MultiPolygon{poly});
        if (!g) return false;
        const GeosGeometry tris(ctx, GEOSConstrainedDelaunayTriangulation_r(ctx, g.get()));
        if (!tris) return false;
        std::map<std::pair<double, double>, std::uint32_t> index;
        const int n = GEOSGetNumGeometries_r(ctx, tris.get());
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* tri = GEOSGetGeometryN_r(ctx, tris.get(), i);
            const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, GEOSGetExteriorRing_r(ctx, tri));
            for (unsigned k = 0; k < 3; ++k) {
                double x = 0, y = 0;
                GEOSCoordSeq_getXY_r(ctx, seq, k, &x, &y);
                auto [it, inserted] = index.try_emplace({x, y}, static_cast<std::uint32_t>(mesh.vertices.size()));
                if (inserted) mesh.vertices.push_back({x, y});
                mesh.indices.push_back(it->second);
            }
        }
    }
    return true;
}

double mesh_area(const Mesh& mesh) {
    double total = 0;
    for (std::size_t i = 0; i + 2 < mesh.indices.size(); i += 3) {
        const Point a = mesh.vertices[mesh.indices[i]], b = mesh.vertices[mesh.indices[i + 1]],
                    c = mesh.vertices[mesh.indices[i + 2]];
        total += std::abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) / 2;
    }
    return total;
}

Anchor label_anchor(GeosContext& geos, const MultiPolygon& geometry) {
    Anchor out;
    const Polygon* largest = nullptr;
    double best = -1;
    for (const Polygon& p : geometry) {
        const double a = area(p);
        if (a > best) {
            best = a;
            largest = &p;
        }
    }
    if (!largest) return out;
    const Box b = bounds(largest->outer);
    out.centre = {(b.min_x + b.max_x) / 2, (b.min_y + b.max_y) / 2};
    GEOSContextHandle_t ctx = geos.handle();
    const GeosGeometry g = geos.make(MultiPolygon{*largest});
    const double tolerance = std::max(b.width(), b.height()) / 100;
    const GeosGeometry mic(ctx, GEOSMaximumInscribedCircle_r(ctx, g.get(), tolerance));
    if (!mic) return out;
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, mic.get());
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    GEOSCoordSeq_getXY_r(ctx, seq, 0, &x0, &y0);
    GEOSCoordSeq_getXY_r(ctx, seq, 1, &x1, &y1);
    out.centre = {x0, y0};
    out.radius = std::hypot(x1 - x0, y1 - y0);
    return out;
}

}  // namespace onemap::gis
