#include "boundary_check.hpp"

#include "gis/geos.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <cmath>
#include <mutex>
#include <numbers>
#include <thread>

namespace onemap::gis {

namespace {

// work(0) … work(n − 1), each on its own thread (on this one when n is 1).
template <class F>
void run_on_threads(std::size_t n, F&& work) {
    if (n <= 1) {
        work(std::size_t{0});
        return;
    }
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < n; ++t) pool.emplace_back([&work, t] { work(t); });
    for (auto& th : pool) th.join();
}

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

// onemap → GEOS through coordinate buffers (one copy per ring instead of a call per point).
GEOSGeometry* make_ring_fast(GEOSContextHandle_t ctx, const Ring& ring, std::vector<double>& buf) {
    buf.clear();
    for (const Point& p : ring) {
        buf.push_back(p.x);
        buf.push_back(p.y);
    }
    buf.push_back(ring.front().x);
    buf.push_back(ring.front().y);
    return GEOSGeom_createLinearRing_r(ctx, GEOSCoordSeq_copyFromBuffer_r(ctx, buf.data(), static_cast<unsigned>(ring.size() + 1), 0, 0));
}

GeosGeometry make_fast(GEOSContextHandle_t ctx, const MultiPolygon& g) {
    thread_local std::vector<double> buf;
    std::vector<GEOSGeometry*> polys;
    polys.reserve(g.size());
    for (const auto& poly : g) {
        std::vector<GEOSGeometry*> holes;
        for (const auto& h : poly.holes) holes.push_back(make_ring_fast(ctx, h, buf));
        polys.push_back(GEOSGeom_createPolygon_r(ctx, make_ring_fast(ctx, poly.outer, buf), holes.data(), static_cast<unsigned>(holes.size())));
    }
    return GeosGeometry(ctx, GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys.data(), static_cast<unsigned>(polys.size())));
}

struct Segment {
    Point a, b;
    Box box;
    static Segment make(Point a, Point b) {
        Segment s{a, b, {}};
        s.box.expand(a);
        s.box.expand(b);
        return s;
    }
};

double orient(Point a, Point b, Point c) { return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x); }

bool on_segment(const Segment& s, Point p) { return orient(s.a, s.b, p) == 0 && s.box.contains(p); }

// A cheap sufficient test that `child` lies inside or on `parent`, whose border segments near the
// child are `near`: every child vertex and edge midpoint inside or exactly on the border, no child edge
// crossing a border segment, no border vertex inside a child edge (an edge can only leave the parent
// through one of these). False means "not shown", and GEOS decides exactly.
bool covered_simply(const MultiPolygon& child, const MultiPolygon& parent, const std::vector<const Segment*>& near) {
    auto inside_or_on = [&](Point p) {
        for (const Segment* s : near) if (on_segment(*s, p)) return true;
        return contains(parent, p);
    };
    auto check_ring = [&](const Ring& r) {
        for (std::size_t k = 0; k < r.size(); ++k) {
            const Point a = r[k], b = r[(k + 1) % r.size()];
            if (!inside_or_on(a) || !inside_or_on(Point{(a.x + b.x) / 2, (a.y + b.y) / 2})) return false;
            Box eb;
            eb.expand(a);
            eb.expand(b);
            for (const Segment* s : near) {
                if (s->box.min_x > eb.max_x || eb.min_x > s->box.max_x || s->box.min_y > eb.max_y || eb.min_y > s->box.max_y) continue;
                const double o1 = orient(a, b, s->a), o2 = orient(a, b, s->b), o3 = orient(s->a, s->b, a), o4 = orient(s->a, s->b, b);
                if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return false;
                // A border vertex inside the child's edge: the edge may leave the parent there; let GEOS decide.
                for (const Point& v : {s->a, s->b}) {
                    if (v != a && v != b && orient(a, b, v) == 0 && eb.contains(v)) return false;
                }
            }
        }
        return true;
    };
    for (const auto& poly : child) {
        if (!check_ring(poly.outer)) return false;
        for (const auto& h : poly.holes) if (!check_ring(h)) return false;
    }
    return true;
}

bool degenerate(const MultiPolygon& g) {
    for (const auto& p : g) {
        if (p.outer.size() < 3) return true;
        for (const auto& h : p.holes) if (h.size() < 3) return true;
    }
    return false;
}

// ── certainly_valid: a proof of simplicity for plain rings ──────────────────────────────────────
enum class Sign { Negative, Zero, Positive, Unsure };

// The sign of (b − a) × (c − a). Zero only when exact (a factor of each product is exactly 0, so no
// rounding happened); otherwise Shewchuk's first-stage error bound decides, or says Unsure.
Sign orientation(Point a, Point b, Point c) {
    const double dx1 = b.x - a.x, dy1 = b.y - a.y, dx2 = c.x - a.x, dy2 = c.y - a.y;
    if ((dx1 == 0 || dy2 == 0) && (dy1 == 0 || dx2 == 0)) return Sign::Zero;
    const double l = dx1 * dy2, r = dy1 * dx2, det = l - r;
    constexpr double k_bound = 3.3306690738754716e-16;  // (3 + 16ε)ε, ε = 2^-53
    const double bound = k_bound * (std::abs(l) + std::abs(r));
    if (det > bound) return Sign::Positive;
    if (det < -bound) return Sign::Negative;
    return Sign::Unsure;
}

// Exact: p lies in the closed box of segment (a, b) (only asked for p collinear with it).
bool in_box(Point a, Point b, Point p) {
    return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y && p.y <= std::max(a.y, b.y);
}

enum class Meet { No, Yes, Unsure };

// Do closed segments (p1, p2) and (q1, q2) share any point?
Meet segments_meet(Point p1, Point p2, Point q1, Point q2) {
    const Sign d1 = orientation(q1, q2, p1), d2 = orientation(q1, q2, p2), d3 = orientation(p1, p2, q1), d4 = orientation(p1, p2, q2);
    if (d1 == Sign::Unsure || d2 == Sign::Unsure || d3 == Sign::Unsure || d4 == Sign::Unsure) return Meet::Unsure;
    auto opposite = [](Sign a, Sign b) { return (a == Sign::Positive && b == Sign::Negative) || (a == Sign::Negative && b == Sign::Positive); };
    if (opposite(d1, d2) && opposite(d3, d4)) return Meet::Yes;
    if ((d1 == Sign::Zero && in_box(q1, q2, p1)) || (d2 == Sign::Zero && in_box(q1, q2, p2)) || (d3 == Sign::Zero && in_box(p1, p2, q1)) ||
        (d4 == Sign::Zero && in_box(p1, p2, q2))) {
        return Meet::Yes;
    }
    return Meet::No;
}

bool ring_certainly_simple(const Ring& ring) {
    // Consecutive repeated points are allowed (GEOS ignores them); drop them, and a closing point.
    thread_local std::vector<Point> pts;
    pts.clear();
    for (const Point& p : ring) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
        if (pts.empty() || !(pts.back() == p)) pts.push_back(p);
    }
    while (pts.size() > 1 && pts.back() == pts.front()) pts.pop_back();
    const std::size_t n = pts.size();
    if (n < 3) return false;
    // Neighbouring edges (a, b), (b, c) meet only at b unless they fold back onto each other.
    for (std::size_t i = 0; i < n; ++i) {
        const Point a = pts[i], b = pts[(i + 1) % n], c = pts[(i + 2) % n];
        const Sign o = orientation(a, b, c);
        if (o == Sign::Unsure) return false;
        if (o == Sign::Zero) {  // exactly collinear: c must go on in the direction a → b
            const bool forward = a.x != b.x ? (a.x < b.x) == (b.x < c.x) && b.x != c.x : (a.y < b.y) == (b.y < c.y) && b.y != c.y;
            if (!forward) return false;
        }
    }
    if (n == 3) return true;  // a triangle's edges are all neighbours
    // Every other pair of edges must not meet at all: a sweep along x over the edges' boxes.
    struct Edge {
        double min_x, max_x, min_y, max_y;
        std::uint32_t i;
    };
    thread_local std::vector<Edge> edges;
    thread_local std::vector<const Edge*> active;
    edges.clear();
    for (std::size_t i = 0; i < n; ++i) {
        const Point a = pts[i], b = pts[(i + 1) % n];
        edges.push_back({std::min(a.x, b.x), std::max(a.x, b.x), std::min(a.y, b.y), std::max(a.y, b.y), static_cast<std::uint32_t>(i)});
    }
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) { return x.min_x < y.min_x; });
    active.clear();
    for (const Edge& e : edges) {
        std::erase_if(active, [&](const Edge* a) { return a->max_x < e.min_x; });
        for (const Edge* a : active) {
            if (a->max_y < e.min_y || e.max_y < a->min_y) continue;
            const std::size_t i = std::min(a->i, e.i), j = std::max(a->i, e.i);
            if (j == i + 1 || (i == 0 && j == n - 1)) continue;  // neighbours: checked above
            if (segments_meet(pts[i], pts[(i + 1) % n], pts[j], pts[(j + 1) % n]) != Meet::No) return false;
        }
        active.push_back(&e);
    }
    return true;
}

}  // namespace

bool certainly_valid(const MultiPolygon& g) { return g.size() == 1 && g[0].holes.empty() && ring_certainly_simple(g[0].outer); }

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
    if (certainly_valid(g)) {  // the common case, without GEOS
        orient(g);
        return out;
    }
    thread_local GeosContext gc;
    GeosGeometry geom = make_fast(gc.handle(), g);
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

namespace {
struct EdgeAnalysis {
    std::vector<bool> suspect;          // per polygon: has an edge not shared exactly once, oppositely
    std::vector<Box> unmatched_box;     // per polygon: bounds of those edges
    std::vector<std::pair<Point, Point>> unmatched;  // every such edge once
};

EdgeAnalysis analyse_edges(const std::vector<MultiPolygon>& polygons, int threads = 1) {
    struct Edge {
        double x0, y0, x1, y1;  // lexicographically smaller end first
        std::uint32_t polygon;
        bool forward;           // stored in the ring's direction
    };
    auto bits = [](double d) { std::uint64_t u; std::memcpy(&u, &d, sizeof u); return u; };
    auto mix = [](std::uint64_t h, std::uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h * 0xff51afd7ed558ccdULL;
    };
    auto hash = [&](const Edge& e) { return mix(mix(mix(mix(0, bits(e.x0)), bits(e.y0)), bits(e.x1)), bits(e.y1)); };
    auto key = [](const Edge& e) { return std::tie(e.x0, e.y0, e.x1, e.y1); };

    std::vector<Edge> edges;
    std::size_t total = 0;
    for (const auto& mp : polygons) total += vertex_count(mp);
    edges.reserve(total);
    auto add_ring = [&](const Ring& r, std::uint32_t id) {
        for (std::size_t i = 0; i < r.size(); ++i) {
            const Point& a = r[i];
            const Point& b = r[(i + 1) % r.size()];
            if (a == b) continue;
            const bool fwd = a.x < b.x || (a.x == b.x && a.y < b.y);
            edges.push_back(fwd ? Edge{a.x, a.y, b.x, b.y, id, true} : Edge{b.x, b.y, a.x, a.y, id, false});
        }
    };
    for (std::size_t id = 0; id < polygons.size(); ++id) {
        for (const auto& poly : polygons[id]) {
            add_ring(poly.outer, static_cast<std::uint32_t>(id));
            for (const auto& h : poly.holes) add_ring(h, static_cast<std::uint32_t>(id));
        }
    }
    // Identical edges are grouped in two steps that stay in cache: the edges are first partitioned
    // by the top bits of their hash (one sequential pass), then each partition is grouped with a
    // small open-addressing table (linear probing, exact key comparison). Partitions are independent:
    // `threads` workers take turns, each with its own tallies, merged at the end.
    constexpr int k_part_bits = 8;
    constexpr std::size_t k_parts = std::size_t{1} << k_part_bits;
    std::vector<std::uint64_t> hashes(edges.size());
    std::vector<std::uint32_t> start(k_parts + 1, 0);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        hashes[i] = hash(edges[i]);
        ++start[(hashes[i] >> (64 - k_part_bits)) + 1];
    }
    for (std::size_t p = 0; p < k_parts; ++p) start[p + 1] += start[p];
    std::vector<std::uint32_t> order(edges.size());
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < edges.size(); ++i) order[fill[hashes[i] >> (64 - k_part_bits)]++] = static_cast<std::uint32_t>(i);
    }
    struct Tally {
        std::vector<char> suspect;
        std::vector<Box> box;
        std::vector<std::pair<Point, Point>> unmatched;
    };
    const std::size_t n_threads = static_cast<std::size_t>(std::clamp(threads, 1, 2));
    std::vector<Tally> tallies(n_threads);
    auto work = [&](std::size_t t) {
        Tally& out = tallies[t];
        out.suspect.assign(polygons.size(), 0);
        out.box.assign(polygons.size(), Box{});
        constexpr std::uint32_t k_none = 0xffffffffu;
        std::vector<std::uint32_t> head, count, next;
        for (std::size_t part = t; part < k_parts; part += n_threads) {
            const std::uint32_t begin = start[part], end = start[part + 1];
            const std::size_t n = end - begin;
            if (n == 0) continue;
            std::size_t capacity = 16;
            while (capacity < n * 2) capacity <<= 1;
            head.assign(capacity, k_none);
            count.assign(capacity, 0);
            next.assign(n, k_none);
            for (std::uint32_t k = 0; k < n; ++k) {
                const std::uint32_t i = order[begin + k];
                const Edge& e = edges[i];
                std::size_t slot = (hashes[i] >> 7) & (capacity - 1);
                while (head[slot] != k_none && key(edges[order[begin + head[slot]]]) != key(e)) slot = (slot + 1) & (capacity - 1);
                next[k] = head[slot];
                head[slot] = k;
                ++count[slot];
            }
            for (std::size_t slot = 0; slot < capacity; ++slot) {
                const std::uint32_t first = head[slot];
                if (first == k_none) continue;
                if (count[slot] == 2) {
                    const Edge& a = edges[order[begin + first]];
                    const Edge& b = edges[order[begin + next[first]]];
                    if (a.polygon != b.polygon && a.forward != b.forward) continue;  // shared by two neighbours: clean
                }
                for (std::uint32_t k = first; k != k_none; k = next[k]) {
                    const Edge& e = edges[order[begin + k]];
                    out.suspect[e.polygon] = 1;
                    out.box[e.polygon].expand(Point{e.x0, e.y0});
                    out.box[e.polygon].expand(Point{e.x1, e.y1});
                }
                const Edge& e = edges[order[begin + first]];
                out.unmatched.push_back({{e.x0, e.y0}, {e.x1, e.y1}});
            }
        }
    };
    run_on_threads(n_threads, work);
    EdgeAnalysis out;
    out.suspect.assign(polygons.size(), false);
    out.unmatched_box.assign(polygons.size(), Box{});
    for (const Tally& t : tallies) {
        for (std::size_t i = 0; i < polygons.size(); ++i) {
            if (!t.suspect[i]) continue;
            out.suspect[i] = true;
            out.unmatched_box[i].expand(t.box[i]);
        }
        out.unmatched.insert(out.unmatched.end(), t.unmatched.begin(), t.unmatched.end());
    }
    // The same order whatever the number of threads.
    auto point_less = [](Point a, Point b) { return a.x < b.x || (a.x == b.x && a.y < b.y); };
    std::sort(out.unmatched.begin(), out.unmatched.end(), [&](const auto& x, const auto& y) {
        if (!(x.first == y.first)) return point_less(x.first, y.first);
        return point_less(x.second, y.second);
    });
    return out;
}

bool strictly_overlap(const Box& a, const Box& b) {
    return !a.empty() && !b.empty() && a.min_x < b.max_x && b.min_x < a.max_x && a.min_y < b.max_y && b.min_y < a.max_y;
}
bool box_contains(const Box& outer, const Box& inner) {
    return inner.min_x >= outer.min_x && inner.max_x <= outer.max_x && inner.min_y >= outer.min_y && inner.max_y <= outer.max_y;
}
}  // namespace

std::vector<bool> coverage_suspects(const std::vector<MultiPolygon>& polygons) { return analyse_edges(polygons).suspect; }

namespace {
std::vector<Overlap> overlaps_with(const EdgeAnalysis& edges, const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads);
std::vector<Gap> gaps_with(const EdgeAnalysis& edges, const std::vector<MultiPolygon>& polygons, double min_area_m2);
}  // namespace

std::vector<Overlap> find_overlaps(const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads) {
    return overlaps_with(analyse_edges(polygons, threads), polygons, min_area_m2, threads);
}

std::vector<Gap> find_gaps(const std::vector<MultiPolygon>& polygons, double min_area_m2) {
    return gaps_with(analyse_edges(polygons), polygons, min_area_m2);
}

CoverageReport check_coverage(const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads) {
    const EdgeAnalysis edges = analyse_edges(polygons, threads);
    return {overlaps_with(edges, polygons, min_area_m2, threads), gaps_with(edges, polygons, min_area_m2)};
}

namespace {
std::vector<Overlap> overlaps_with(const EdgeAnalysis& edges, const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads) {
    const std::vector<bool>& suspect = edges.suspect;
    // Build geometries and an STR-tree once (shared, read-only); each worker has its own context.
    GeosContext build;
    GEOSContextHandle_t bctx = build.handle();
    std::vector<GeosGeometry> geoms;
    geoms.reserve(polygons.size());
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
            // Overlapping regions both have unmatched edges inside the overlap — or one lies inside the other.
            const std::size_t p = order[k], q = order[m];
            const bool both = suspect[p] && suspect[q] && strictly_overlap(edges.unmatched_box[p], edges.unmatched_box[q]);
            const bool nested = (suspect[p] && box_contains(b, a)) || (suspect[q] && box_contains(a, b));
            if (!both && !nested) continue;
            pairs.emplace_back(std::min(order[k], order[m]), std::max(order[k], order[m]));
        }
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<bool> needed(polygons.size(), false);
    for (const auto& [i, j] : pairs) needed[i] = needed[j] = true;
    for (std::size_t i = 0; i < polygons.size(); ++i) geoms.push_back(needed[i] ? build.make(polygons[i]) : GeosGeometry());

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
    run_on_threads(static_cast<std::size_t>(n_threads), [&](std::size_t t) { work(static_cast<int>(t)); });
    std::sort(out.begin(), out.end(), [](const Overlap& x, const Overlap& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
    return out;
}

// True when no two of the segments share a point other than a common end, and none lies along
// another: the lines are already noded and can be polygonized as they are (no union needed). False
// when that is not proved (any doubt, a crossing, a T-junction, a collinear overlap, a duplicate).
// Pairs are found through a uniform grid over the segments' boxes.
bool already_noded(const std::vector<std::pair<Point, Point>>& segs) {
    if (segs.size() < 2) return true;
    Box all;
    double length = 0;
    for (const auto& [a, b] : segs) {
        if (!std::isfinite(a.x) || !std::isfinite(a.y) || !std::isfinite(b.x) || !std::isfinite(b.y)) return false;
        all.expand(a);
        all.expand(b);
        length += std::max(std::abs(b.x - a.x), std::abs(b.y - a.y));
    }
    double cell = 2 * length / static_cast<double>(segs.size());
    if (!(cell > 0)) return false;
    const double max_cells = 4.0 * static_cast<double>(segs.size());
    while ((all.width() / cell + 1) * (all.height() / cell + 1) > max_cells) cell *= 2;
    const auto nx = static_cast<std::size_t>(all.width() / cell) + 1, ny = static_cast<std::size_t>(all.height() / cell) + 1;
    auto cell_x = [&](double x) { return std::min(nx - 1, static_cast<std::size_t>((x - all.min_x) / cell)); };
    auto cell_y = [&](double y) { return std::min(ny - 1, static_cast<std::size_t>((y - all.min_y) / cell)); };
    // (cell, segment) entries, grouped by cell.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
    entries.reserve(segs.size() * 2);
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const auto& [a, b] = segs[i];
        const std::size_t x0 = cell_x(std::min(a.x, b.x)), x1 = cell_x(std::max(a.x, b.x));
        const std::size_t y0 = cell_y(std::min(a.y, b.y)), y1 = cell_y(std::max(a.y, b.y));
        if ((x1 - x0 + 1) * (y1 - y0 + 1) > 64) return false;  // a very long segment: leave it to the union
        for (std::size_t y = y0; y <= y1; ++y) {
            for (std::size_t x = x0; x <= x1; ++x) entries.emplace_back(y * nx + x, static_cast<std::uint32_t>(i));
        }
    }
    std::sort(entries.begin(), entries.end());
    auto ok_pair = [&](const std::pair<Point, Point>& p, const std::pair<Point, Point>& q) {
        const Point ends_p[] = {p.first, p.second}, ends_q[] = {q.first, q.second};
        for (int i = 0; i < 2; ++i) {
            for (int j = 0; j < 2; ++j) {
                if (!(ends_p[i] == ends_q[j])) continue;
                const Point shared = ends_p[i], other_p = ends_p[1 - i], other_q = ends_q[1 - j];
                if (other_p == other_q) return false;  // the same segment twice
                const Sign o = orientation(shared, other_p, other_q);
                if (o == Sign::Unsure) return false;
                if (o != Sign::Zero) return true;  // two directions from a common end: they meet there only
                // Exactly collinear from the common end: they overlap unless they go opposite ways.
                const bool same_side = other_p.x != shared.x ? (other_p.x > shared.x) == (other_q.x > shared.x)
                                                             : (other_p.y > shared.y) == (other_q.y > shared.y);
                return !same_side;
            }
        }
        return segments_meet(p.first, p.second, q.first, q.second) == Meet::No;
    };
    for (std::size_t k = 0; k < entries.size();) {
        std::size_t end = k;
        while (end < entries.size() && entries[end].first == entries[k].first) ++end;
        for (std::size_t i = k; i < end; ++i) {
            const auto& p = segs[entries[i].second];
            const double px0 = std::min(p.first.x, p.second.x), px1 = std::max(p.first.x, p.second.x);
            const double py0 = std::min(p.first.y, p.second.y), py1 = std::max(p.first.y, p.second.y);
            for (std::size_t j = i + 1; j < end; ++j) {
                const auto& q = segs[entries[j].second];
                if (std::max(q.first.x, q.second.x) < px0 || std::min(q.first.x, q.second.x) > px1 || std::max(q.first.y, q.second.y) < py0 ||
                    std::min(q.first.y, q.second.y) > py1) {
                    continue;
                }
                if (!ok_pair(p, q)) return false;
            }
        }
        k = end;
    }
    return true;
}

std::vector<Gap> gaps_with(const EdgeAnalysis& edges, const std::vector<MultiPolygon>& polygons, double min_area_m2) {
    // Gaps are faces bounded by edges that no neighbour shares: node those edges, polygonize them,
    // and keep the faces no region covers (the level's outer border gives faces that are covered).
    if (edges.unmatched.empty()) return {};
    GeosContext gc;
    GEOSContextHandle_t ctx = gc.handle();
    std::vector<GEOSGeometry*> lines;
    lines.reserve(edges.unmatched.size());
    for (const auto& [a, b] : edges.unmatched) {
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, 2, 2);
        GEOSCoordSeq_setXY_r(ctx, seq, 0, a.x, a.y);
        GEOSCoordSeq_setXY_r(ctx, seq, 1, b.x, b.y);
        lines.push_back(GEOSGeom_createLineString_r(ctx, seq));
    }
    GeosGeometry multi(ctx, GEOSGeom_createCollection_r(ctx, GEOS_MULTILINESTRING, lines.data(), static_cast<unsigned>(lines.size())));
    // Usually the lines meet only at their ends already (a clean level's outline): then the union
    // that would node them, the costly step, is skipped.
    GeosGeometry noded = already_noded(edges.unmatched) ? std::move(multi) : GeosGeometry(ctx, GEOSUnaryUnion_r(ctx, multi.get()));
    if (!noded) return {};
    const GEOSGeometry* in[] = {noded.get()};
    GeosGeometry faces(ctx, GEOSPolygonize_r(ctx, in, 1));
    if (!faces) return {};
    std::vector<Box> boxes;
    boxes.reserve(polygons.size());
    for (const auto& p : polygons) boxes.push_back(bounds(p));
    std::vector<Gap> out;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx, faces.get()); ++i) {
        const GEOSGeometry* face = GEOSGetGeometryN_r(ctx, faces.get(), i);
        const double m2 = geos_area_m2(ctx, face);
        if (m2 < min_area_m2) continue;
        const Point at = point_on_surface(ctx, face);
        bool covered = false, enclave = false;
        for (std::size_t k = 0; k < polygons.size() && !covered; ++k) {
            if (!boxes[k].contains(at)) continue;
            covered = contains(polygons[k], at);
            // A hole that a region has itself is an enclave of the outside world, not a gap between neighbours.
            for (const auto& poly : polygons[k]) {
                for (const auto& h : poly.holes) enclave = enclave || contains(h, at);
            }
        }
        if (!covered && !enclave) out.push_back({m2, at});
    }
    return out;
}

}  // namespace

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

std::vector<std::optional<Outside>> outside_parents(const std::vector<const MultiPolygon*>& children, const std::vector<std::size_t>& parent_of,
                                                    const std::vector<const MultiPolygon*>& parents, double min_area_m2, int threads) {
    std::vector<std::optional<Outside>> out(children.size());
    std::vector<std::vector<std::size_t>> by_parent(parents.size());
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (parent_of[i] < parents.size()) by_parent[parent_of[i]].push_back(i);
    }
    const std::size_t n_threads = static_cast<std::size_t>(std::max(1, threads));
    auto work = [&](std::size_t t) {
        GeosContext gc;
        GEOSContextHandle_t ctx = gc.handle();
        for (std::size_t p = t; p < parents.size(); p += n_threads) {
            if (by_parent[p].empty()) continue;
            GeosGeometry parent = make_fast(ctx, *parents[p]);
            if (!parent) continue;
            const GEOSPreparedGeometry* prepared = GEOSPrepare_r(ctx, parent.get());
            // The parent's border as segment boxes: a child whose box meets none of them lies wholly
            // inside or wholly outside, and one vertex tells which (no GEOS needed: most children).
            std::vector<Segment> border;
            for (const auto& poly : *parents[p]) {
                auto add = [&](const Ring& r) {
                    for (std::size_t k = 0; k < r.size(); ++k) border.push_back(Segment::make(r[k], r[(k + 1) % r.size()]));
                };
                add(poly.outer);
                for (const auto& h : poly.holes) add(h);
            }
            std::vector<const Segment*> near;
            for (std::size_t i : by_parent[p]) {  // each child written by exactly one thread
                const MultiPolygon& kid = *children[i];
                if (kid.empty() || kid[0].outer.empty()) continue;
                const Box kb = bounds(kid);
                near.clear();
                for (const auto& s : border) {
                    if (s.box.min_x <= kb.max_x && kb.min_x <= s.box.max_x && s.box.min_y <= kb.max_y && kb.min_y <= s.box.max_y) near.push_back(&s);
                }
                if (near.empty() ? contains(*parents[p], kid[0].outer[0]) : covered_simply(kid, *parents[p], near)) continue;
                GeosGeometry child = make_fast(ctx, kid);
                if (!child) continue;
                // Most children keep clear of the parent's border: "contains properly" is the cheap test for them.
                if (GEOSPreparedContainsProperly_r(ctx, prepared, child.get()) == 1) continue;
                if (GEOSPreparedCovers_r(ctx, prepared, child.get()) == 1) continue;
                GeosGeometry diff(ctx, GEOSDifference_r(ctx, child.get(), parent.get()));
                if (!diff) continue;
                const double m2 = geos_area_m2(ctx, diff.get());
                if (m2 > min_area_m2) out[i] = Outside{m2, point_on_surface(ctx, diff.get())};
            }
            GEOSPreparedGeom_destroy_r(ctx, prepared);
        }
    };
    run_on_threads(n_threads, work);
    return out;
}

}  // namespace onemap::gis
