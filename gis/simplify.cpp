#include "simplify.hpp"

#include "gis/geos.hpp"

#include <geos_c.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace onemap::gis {

namespace {

double segment_distance2(Point p, Point a, Point b) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
    return ex * ex + ey * ey;
}

// Marks kept points in [first, last] (exclusive ends); `force` keeps the farthest point even when
// it is within tolerance.
void douglas_peucker(const std::vector<Point>& pts, std::size_t first, std::size_t last, double tol2,
                     bool force, std::vector<char>& keep) {
    if (last <= first + 1) return;
    double best = -1;
    std::size_t best_i = first + 1;
    for (std::size_t i = first + 1; i < last; ++i) {
        const double d = segment_distance2(pts[i], pts[first], pts[last]);
        if (d > best) {
            best = d;
            best_i = i;
        }
    }
    if (best > tol2 || force) {
        keep[best_i] = 1;
        douglas_peucker(pts, first, best_i, tol2, false, keep);
        douglas_peucker(pts, best_i, last, tol2, false, keep);
    }
}

}  // namespace

std::vector<Point> simplify_arc(const std::vector<Point>& arc, double tolerance, bool keep_one) {
    const std::size_t n = arc.size();
    if (n <= 2 || tolerance <= 0) return arc;
    std::vector<char> keep(n, 0);
    keep[0] = keep[n - 1] = 1;
    const double tol2 = tolerance * tolerance;
    if (arc.front() == arc.back()) {
        // closed arc: split at the point farthest from the node, keep one more point on each side
        std::size_t far = 1;
        double best = -1;
        for (std::size_t i = 1; i + 1 < n; ++i) {
            const double dx = arc[i].x - arc[0].x, dy = arc[i].y - arc[0].y;
            if (dx * dx + dy * dy > best) {
                best = dx * dx + dy * dy;
                far = i;
            }
        }
        keep[far] = 1;
        douglas_peucker(arc, 0, far, tol2, true, keep);
        douglas_peucker(arc, far, n - 1, tol2, true, keep);
    } else {
        douglas_peucker(arc, 0, n - 1, tol2, keep_one, keep);
    }
    std::vector<Point> out;
    for (std::size_t i = 0; i < n; ++i)
        if (keep[i]) out.push_back(arc[i]);
    return out;
}

ArcSet simplify_topology(const Topology& topology, const ArcSet& full, double tolerance, int threads,
                         SimplifyStats* stats) {
    ArcSet arcs(full.size());
    std::vector<double> arc_tol(full.size(), tolerance);
    // arcs of rings with fewer than three arcs must keep an interior point, or the ring collapses
    std::vector<char> keep_one(full.size(), 0);
    for (const auto& f : topology.features)
        for (const auto& p : f.polygons)
            for (const auto& r : p.rings)
                if (r.size() < 3)
                    for (const auto& ref : r) keep_one[ref.arc] = 1;
    for (std::size_t a = 0; a < full.size(); ++a) arcs[a] = simplify_arc(full[a], tolerance, keep_one[a] != 0);

    // features to check: all at first, then only those touching re-simplified arcs
    std::vector<std::uint32_t> arc_features_offset(full.size() + 1, 0);
    std::vector<std::uint32_t> arc_features;
    {
        for (const auto& f : topology.features)
            for (const auto& p : f.polygons)
                for (const auto& r : p.rings)
                    for (const auto& ref : r) ++arc_features_offset[ref.arc + 1];
        for (std::size_t a = 0; a < full.size(); ++a) arc_features_offset[a + 1] += arc_features_offset[a];
        arc_features.resize(arc_features_offset.back());
        std::vector<std::uint32_t> fill(arc_features_offset.begin(), arc_features_offset.end() - 1);
        for (std::uint32_t fi = 0; fi < topology.features.size(); ++fi)
            for (const auto& p : topology.features[fi].polygons)
                for (const auto& r : p.rings)
                    for (const auto& ref : r) arc_features[fill[ref.arc]++] = fi;
    }
    std::vector<std::uint32_t> check(topology.features.size());
    for (std::uint32_t i = 0; i < check.size(); ++i) check[i] = i;
    std::vector<char> ever_repaired(topology.features.size(), 0);
    for (int round = 0; round < 12 && !check.empty(); ++round) {
        std::vector<char> bad(check.size(), 0);
        std::atomic<std::size_t> next{0};
        auto work = [&] {
            GeosContext geos;
            for (std::size_t i; (i = next.fetch_add(1)) < check.size();) {
                const MultiPolygon mp = rebuild(topology, arcs, check[i]);
                const GeosGeometry g = geos.make(mp);
                if (!g || !geos.is_valid(g)) bad[i] = 1;
            }
        };
        std::vector<std::thread> pool;
        for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        std::vector<char> touched(full.size(), 0);
        for (std::size_t i = 0; i < check.size(); ++i) {
            if (!bad[i]) continue;
            ever_repaired[check[i]] = 1;
            for (const auto& p : topology.features[check[i]].polygons)
                for (const auto& r : p.rings)
                    for (const auto& ref : r) touched[ref.arc] = 1;
        }
        std::vector<char> recheck(topology.features.size(), 0);
        for (std::size_t a = 0; a < full.size(); ++a) {
            if (!touched[a] || arc_tol[a] == 0) continue;
            arc_tol[a] = round >= 10 ? 0.0 : arc_tol[a] / 2;
            arcs[a] = simplify_arc(full[a], arc_tol[a], keep_one[a] != 0);
            for (std::uint32_t k = arc_features_offset[a]; k < arc_features_offset[a + 1]; ++k) recheck[arc_features[k]] = 1;
        }
        check.clear();
        for (std::uint32_t f = 0; f < recheck.size(); ++f)
            if (recheck[f]) check.push_back(f);
    }
    if (stats) {
        stats->repaired_features = static_cast<std::size_t>(std::count(ever_repaired.begin(), ever_repaired.end(), 1));
        for (const auto& a : full) stats->vertices_before += a.size() - 1;
        for (const auto& a : arcs) stats->vertices_after += a.size() - 1;
    }
    return arcs;
}

}  // namespace onemap::gis
