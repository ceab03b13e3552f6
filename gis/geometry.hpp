#pragma once
// Plain planar geometry: the types every onemap folder exchanges.
//
//   Point        x, y (longitude, latitude in degrees for stored data; metres or pixels elsewhere)
//   Ring         closed ring, first point NOT repeated at the end
//   Polygon      one outer ring (counter-clockwise) and holes (clockwise)
//   MultiPolygon a region's geometry
//
// Cheap value types; algorithms that need more (validity, union) go through gis/geos.hpp.
#include <cstddef>
#include <limits>
#include <vector>

namespace onemap::gis {

struct Point {
    double x = 0;
    double y = 0;
    friend bool operator==(const Point&, const Point&) = default;
};

using Ring = std::vector<Point>;

struct Polygon {
    Ring outer;
    std::vector<Ring> holes;
};

using MultiPolygon = std::vector<Polygon>;

struct Box {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = std::numeric_limits<double>::infinity();
    double max_x = -std::numeric_limits<double>::infinity();
    double max_y = -std::numeric_limits<double>::infinity();

    bool empty() const { return min_x > max_x; }
    void expand(Point p);
    void expand(const Box& b);
    bool contains(Point p) const { return p.x >= min_x && p.x <= max_x && p.y >= min_y && p.y <= max_y; }
    double width() const { return max_x - min_x; }
    double height() const { return max_y - min_y; }
};

double signed_area(const Ring& ring);            // shoelace; > 0 when counter-clockwise
double area(const Polygon& polygon);             // outer minus holes, always >= 0
double area(const MultiPolygon& geometry);
Box bounds(const Ring& ring);
Box bounds(const MultiPolygon& geometry);
bool contains(const Ring& ring, Point p);        // even-odd rule; points on the edge are unspecified
bool contains(const Polygon& polygon, Point p);  // inside outer and outside every hole
bool contains(const MultiPolygon& geometry, Point p);
std::size_t vertex_count(const MultiPolygon& geometry);

}  // namespace onemap::gis
