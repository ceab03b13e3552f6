#pragma once
// Polygon triangulation (holes included) into an indexed mesh.
//
// Two methods, both exact (the triangles' area sum equals the polygon area):
//   EarClip — ear clipping on a linked ring, O(n²) worst case; used for polygons without holes.
//             Falls back to GEOS when no ear is found (degenerate input).
//   Geos    — GEOS 3.11 constrained Delaunay triangulation; better-shaped triangles, but measured
//             ≈ 20× slower on the demo province (`onemap bench render` prints both). Used for holes.
#include "gis/geometry.hpp"

#include <cstdint>
#include <vector>

namespace onemap::gis {

class GeosContext;

struct Mesh {
    std::vector<Point> vertices;
    std::vector<std::uint32_t> indices;  // three per triangle
};

enum class TriangulationMethod { EarClip, Geos };

// Append the triangulation of `geometry` to `mesh`. Returns false when it could not be triangulated.
bool triangulate(GeosContext& geos, const MultiPolygon& geometry, Mesh& mesh,
                 TriangulationMethod method = TriangulationMethod::EarClip);

// Area covered by a mesh's triangles.
double mesh_area(const Mesh& mesh);

// Pole of inaccessibility (GEOS maximum inscribed circle) of the largest part: centre and radius.
struct Anchor {
    Point centre;
    double radius = 0;
};
Anchor label_anchor(GeosContext& geos, const MultiPolygon& geometry);

}  // namespace onemap::gis
