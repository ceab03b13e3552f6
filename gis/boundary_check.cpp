#include "boundary_check.hpp"

#include "gis/geos.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <thread>

namespace onemap::gis {

namespace {

double m2_per_deg2(double lat) {
    constexpr double k = 111320.0;
    return k * k * std::cos(lat * std::numbers::pi / 180.0);
}

double geos_area_m2(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    double a = 0;
    GEOSArea_r(ctx, g, &a);
    if (a <= 0) return 0;
    double miny = 0, maxy = 0;
    GEOSGeom_getYMin_r(ctx, g, &miny);
    GEOSGeom_getYMax_r(ctx, g, &maxy);
    return a * m2_per_deg2((miny + maxy) / 2);
}

Point point_on_surface(GEOSContextHandle_t ctx, const GEOSGeometry* g) {
    Point p;
    GEOSGeometry* s = GEOSPointOnSurface_r(ctx, g);
    if (s) {
        GEOSGeomGetX_r(ctx, s, &p.x);
        GEOSGeomGetY_r(ctx, s, &p.y);
        GEOSGeom_destroy_r(ctx, s);
    }
    return p;
}

void orient(MultiPolygon& g) {
    for (auto& poly : g) {
        if (signed_area(poly.outer) < 0) std::reverse(poly.outer.begin(), poly.outer.end());
        for (auto& h : poly.holes) {
            if (signed_area(h) > 0) std::reverse(h.begin(), h.end());
        }
    }
}

// Polygons of any GEOS result (MakeValid may return collections with lines or nested multis).
void extract(const GeosContext& gc, const GEOSGeometry* g, MultiPolygon& out) {
    GEOSContextHandle_t ctx = gc.handle();
    const int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx, g)) return;
        GeosGeometry clone(ctx, GEOSGeom_clone_r(ctx, g));
        GEOSGeometry* parts[] = {GEOSGeom_clone_r(ctx, g)};
        GeosGeometry multi(ctx, GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, 1));
        for (auto& p : gc.to_multipolygon(multi)) out.push_back(std::move(p));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); ++i) extract(gc, GEOSGetGeometryN_r(ctx, g, i), out);
    }
}

bool degenerate(const MultiPolygon& g) {
    for (const auto& p : g) {
        if (p.outer.size() < 3) return true;
        for (const auto& h : p.holes) if (h.size() < 3) return true;
    }
    return false;
}

}  // namespace

double area_m2(const MultiPolygon& g) {
    const Box b = bounds(g);
    if (b.empty()) return 0;
    return area(g) * m2_per_deg2((b.min_y + b.max_y) / 2);
}

RepairOutcome repair_polygons(MultiPolygon& g) {
    RepairOutcome out;
    // Drop rings with fewer than 3 distinct points before GEOS sees them (it refuses to build them).
    std::erase_if(g, [](const Polygon& p) { return p.outer.size() < 3; });
    for (auto& p : g) std::erase_if(p.holes, [](const Ring& h) { return h.size() < 3; });
    if (g.empty()) {
        out.empty = true;
        return out;
    }
    thread_local GeosContext gc;
    GeosGeometry geom = gc.make(g);
    if (!geom) {
        out.empty = true;
        return out;
    }
    std::string reason;
    if (!gc.is_valid(geom, &reason)) {
        out.was_invalid = true;
        // GEOS says "Self-intersection[113.5 34.2]": split the words from the location.
        if (const auto open = reason.find('['); open != std::string::npos) {
            double x = 0, y = 0;
            if (std::sscanf(reason.c_str() + open, "[%lf %lf]", &x, &y) == 2) out.location = Point{x, y};
            reason.erase(open);
        }
        out.reason = reason;
        GeosGeometry fixed = gc.make_valid(geom);
        MultiPolygon repaired;
        if (fixed) extract(gc, fixed.get(), repaired);
        g = std::move(repaired);
        if (g.empty()) out.empty = true;
    }
    if (degenerate(g)) out.empty = g.empty();
    orient(g);
    return out;
}

std::vector<Overlap> find_overlaps(const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads) {
    // Build geometries and an STR-tree once (shared, read-only); each worker has its own context.
    GeosContext build;
    GEOSContextHandle_t bctx = build.handle();
    std::vector<GeosGeometry> geoms;
    geoms.reserve(polygons.size());
    for (const auto& p : polygons) geoms.push_back(build.make(p));
    std::vector<Box> boxes;
    boxes.reserve(polygons.size());
    for (const auto& p : polygons) boxes.push_back(bounds(p));

    // Sort-and-sweep on x: candidate pairs whose boxes intersect.
    std::vector<std::size_t> order(polygons.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return boxes[a].min_x < boxes[b].min_x; });
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const Box& a = boxes[order[k]];
        if (a.empty()) continue;
        for (std::size_t m = k + 1; m < order.size() && boxes[order[m]].min_x <= a.max_x; ++m) {
            const Box& b = boxes[order[m]];
            if (b.empty() || b.min_y > a.max_y || b.max_y < a.min_y) continue;
            pairs.emplace_back(std::min(order[k], order[m]), std::max(order[k], order[m]));
        }
    }
    std::sort(pairs.begin(), pairs.end());

    std::vector<Overlap> out;
    std::mutex mu;
    const int n_threads = std::max(1, threads);
    auto work = [&](int t) {
        GEOSContextHandle_t ctx = GEOS_init_r();
        std::vector<Overlap> local;
        const GEOSPreparedGeometry* prepared = nullptr;
        std::size_t prepared_for = static_cast<std::size_t>(-1);
        for (std::size_t k = static_cast<std::size_t>(t); k < pairs.size(); k += static_cast<std::size_t>(n_threads)) {
            const auto [i, j] = pairs[k];
            const GEOSGeometry* a = geoms[i].get();
            const GEOSGeometry* b = geoms[j].get();
            if (!a || !b) continue;
            if (prepared_for != i) {
                if (prepared) GEOSPreparedGeom_destroy_r(ctx, prepared);
                prepared = GEOSPrepare_r(ctx, a);
                prepared_for = i;
            }
            if (!GEOSPreparedIntersects_r(ctx, prepared, b)) continue;
            if (GEOSPreparedTouches_r(ctx, prepared, b) == 1) continue;  // shared border only
            GEOSGeometry* inter = GEOSIntersection_r(ctx, a, b);
            if (!inter) continue;
            const double m2 = geos_area_m2(ctx, inter);
            if (m2 >= min_area_m2 && m2 > 0) local.push_back({i, j, m2, point_on_surface(ctx, inter)});
            GEOSGeom_destroy_r(ctx, inter);
        }
        if (prepared) GEOSPreparedGeom_destroy_r(ctx, prepared);
        GEOS_finish_r(ctx);
        std::lock_guard lock(mu);
        out.insert(out.end(), local.begin(), local.end());
    };
    (void)bctx;
    if (n_threads == 1) {
        work(0);
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < n_threads; ++t) pool.emplace_back(work, t);
        for (auto& th : pool) th.join();
    }
    std::sort(out.begin(), out.end(), [](const Overlap& x, const Overlap& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
    return out;
}

std::vector<Gap> find_gaps(const std::vector<MultiPolygon>& polygons, double min_area_m2) {
    GeosContext gc;
    GEOSContextHandle_t ctx = gc.handle();
    std::vector<GeosGeometry> parts;
    parts.reserve(polygons.size());
    for (const auto& p : polygons) if (!p.empty()) parts.push_back(gc.make(p));
    if (parts.empty()) return {};
    GeosGeometry u = gc.unary_union(std::move(parts));
    std::vector<Gap> out;
    if (!u) return out;
    MultiPolygon merged;
    extract(gc, u.get(), merged);
    for (const auto& poly : merged) {
        for (const auto& hole : poly.holes) {
            MultiPolygon h{Polygon{hole, {}}};
            const double m2 = area_m2(h);
            if (m2 < min_area_m2) continue;
            GeosGeometry hg = gc.make(h);
            const Point at = hg ? point_on_surface(ctx, hg.get()) : hole.front();
            // A hole that one region has itself is an enclave of the outside world, not a gap between neighbours.
            const bool enclave = std::any_of(polygons.begin(), polygons.end(), [&](const MultiPolygon& mp) {
                return std::any_of(mp.begin(), mp.end(), [&](const Polygon& poly) {
                    return std::any_of(poly.holes.begin(), poly.holes.end(), [&](const Ring& r) { return contains(r, at); });
                });
            });
            if (!enclave) out.push_back({m2, at});
        }
    }
    return out;
}

std::optional<Outside> outside_parent(const MultiPolygon& child, const MultiPolygon& parent, double min_area_m2) {
    thread_local GeosContext gc;
    GEOSContextHandle_t ctx = gc.handle();
    GeosGeometry c = gc.make(child), p = gc.make(parent);
    if (!c || !p) return std::nullopt;
    if (gc.covers(p, c)) return std::nullopt;
    GeosGeometry diff(ctx, GEOSDifference_r(ctx, c.get(), p.get()));
    if (!diff) return std::nullopt;
    const double m2 = geos_area_m2(ctx, diff.get());
    if (m2 <= min_area_m2) return std::nullopt;
    return Outside{m2, point_on_surface(ctx, diff.get())};
}

}  // namespace onemap::gis
