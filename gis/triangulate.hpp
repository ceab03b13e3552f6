#pragma once
// Polygon triangulation (holes included) into an indexed mesh.
//
// Uses GEOS 3.11 constrained Delaunay triangulation; the triangles cover the polygon exactly
// (their area sum equals the polygon area). Measured in `onemap bench render`.
#include "gis/geometry.hpp"

#include <cstdint>
#include <vector>

namespace onemap::gis {

class GeosContext;

struct Mesh {
    std::vector<Point> vertices;
    std::vector<std::uint32_t> indices;  // three per triangle
};

// Append the triangulation of `geometry` to `mesh`. Returns false when GEOS could not triangulate.
bool triangulate(GeosContext& geos, const MultiPolygon& geometry, Mesh& mesh);

// Area covered by a mesh's triangles.
double mesh_area(const Mesh& mesh);

// Pole of inaccessibility (GEOS maximum inscribed circle) of the largest part: centre and radius.
struct Anchor {
    Point centre;
    double radius = 0;
};
Anchor label_anchor(GeosContext& geos, const MultiPolygon& geometry);

}  // namespace onemap::gis
