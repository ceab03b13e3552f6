#include "triangulate.hpp"

#include "gis/geos.hpp"

#include <geos_c.h>

#include <cmath>
#include <map>

namespace onemap::gis {

namespace {

double cross(Point o, Point a, Point b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

bool in_triangle(Point p, Point a, Point b, Point c) {
    return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
}

// Ear clipping of one simple ring; appends to mesh. False when stuck (degenerate ring).
bool ear_clip(const Ring& ring, Mesh& mesh) {
    const std::size_t n = ring.size();
    if (n < 3) return false;
    const bool ccw = signed_area(ring) > 0;
    std::vector<std::uint32_t> prev(n), next(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t fwd = (i + 1) % n, back = (i + n - 1) % n;
        next[i] = static_cast<std::uint32_t>(ccw ? fwd : back);
        prev[i] = static_cast<std::uint32_t>(ccw ? back : fwd);
    }
    const auto base = static_cast<std::uint32_t>(mesh.vertices.size());
    mesh.vertices.insert(mesh.vertices.end(), ring.begin(), ring.end());
    std::vector<std::uint32_t> out;
    out.reserve((n - 2) * 3);
    std::size_t remaining = n, stall = 0;
    std::uint32_t i = 0;
    while (remaining > 3) {
        const std::uint32_t a = prev[i], c = next[i];
        const Point pa = ring[a], pb = ring[i], pc = ring[c];
        bool ear = cross(pa, pb, pc) > 0;
        if (ear) {
            // no other vertex of the remaining ring inside the candidate triangle
            for (std::uint32_t k = next[c]; k != a; k = next[k]) {
                const Point q = ring[k];
                if (q == pa || q == pb || q == pc) continue;
                if (cross(ring[prev[k]], q, ring[next[k]]) > 0) continue;  // convex vertices cannot block alone
                if (in_triangle(q, pa, pb, pc)) {
                    ear = false;
                    break;
                }
            }
        }
        if (ear) {
            out.insert(out.end(), {base + a, base + i, base + c});
            next[a] = c;
            prev[c] = a;
            --remaining;
            stall = 0;
            i = c;
        } else {
            i = c;
            if (++stall > remaining) {
                mesh.vertices.resize(base);
                return false;
            }
        }
    }
    out.insert(out.end(), {base + prev[i], base + i, base + next[i]});
    mesh.indices.insert(mesh.indices.end(), out.begin(), out.end());
    return true;
}

}  // namespace

bool triangulate(GeosContext& geos, const MultiPolygon& geometry, Mesh& mesh, TriangulationMethod method) {
    GEOSContextHandle_t ctx = geos.handle();
    for (const Polygon& poly : geometry) {
        if (method == TriangulationMethod::EarClip && poly.holes.empty() && ear_clip(poly.outer, mesh)) continue;
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
    const double tolerance = std::max(b.width(), b.height()) / 60;
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
