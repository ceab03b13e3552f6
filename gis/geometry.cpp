#include "geometry.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::gis {

void Box::expand(Point p) {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
}

void Box::expand(const Box& b) {
    if (b.empty()) return;
    expand(Point{b.min_x, b.min_y});
    expand(Point{b.max_x, b.max_y});
}

double signed_area(const Ring& ring) {
    const std::size_t n = ring.size();
    if (n < 3) return 0;
    double twice = 0;
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        twice += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
    }
    return twice / 2;
}

double area(const Polygon& polygon) {
    double a = std::abs(signed_area(polygon.outer));
    for (const auto& hole : polygon.holes) a -= std::abs(signed_area(hole));
    return std::max(a, 0.0);
}

double area(const MultiPolygon& geometry) {
    double a = 0;
    for (const auto& p : geometry) a += area(p);
    return a;
}

Box bounds(const Ring& ring) {
    Box b;
    for (const auto& p : ring) b.expand(p);
    return b;
}

Box bounds(const MultiPolygon& geometry) {
    Box b;
    for (const auto& p : geometry) b.expand(bounds(p.outer));
    return b;
}

bool contains(const Ring& ring, Point p) {
    bool inside = false;
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const Point& a = ring[i];
        const Point& b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
            inside = !inside;
        }
    }
    return inside;
}

bool contains(const Polygon& polygon, Point p) {
    if (!contains(polygon.outer, p)) return false;
    return std::none_of(polygon.holes.begin(), polygon.holes.end(),
                        [&](const Ring& h) { return contains(h, p); });
}

bool contains(const MultiPolygon& geometry, Point p) {
    return std::any_of(geometry.begin(), geometry.end(), [&](const Polygon& poly) { return contains(poly, p); });
}

std::size_t vertex_count(const MultiPolygon& geometry) {
    std::size_t n = 0;
    for (const auto& p : geometry) {
        n += p.outer.size();
        for (const auto& h : p.holes) n += h.size();
    }
    return n;
}

}  // namespace onemap::gis
