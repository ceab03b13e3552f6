#pragma once
// Coverage topology: the borders of a set of polygons that tile the plane, each shared border
// stored once as an arc.
//
//   features[f] ── polygons[p] ── rings[r] (outer first, then holes) ── [ArcRef{arc, reversed}, …]
//   arcs[a]     ── vertex ids v0 … vn (v0 and vn are nodes; v0 == vn for a closed arc)
//   vertices[v] ── Point (exact input coordinates; equal coordinates → one vertex)
//
// A node is a vertex where the border graph branches (degree ≠ 2); a ring with no node gets one at
// its smallest vertex id, so an island and the hole around it start at the same place. Neighbours
// that share vertices exactly share arcs; rebuilding a ring walks its arcs, so simplifying an arc
// once moves both sides of the border together.
#include "gis/geometry.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace onemap::gis {

struct ArcRef {
    std::uint32_t arc = 0;
    bool reversed = false;
};

using TopoRing = std::vector<ArcRef>;

struct TopoPolygon {
    std::vector<TopoRing> rings;  // [0] outer, then holes
};

struct TopoFeature {
    std::vector<TopoPolygon> polygons;
};

struct Topology {
    std::vector<Point> vertices;
    std::vector<std::vector<std::uint32_t>> arcs;  // vertex ids
    std::vector<TopoFeature> features;
    std::vector<std::uint8_t> arc_uses;            // rings using each arc: 1 = outer border, 2 = shared
};

// Build the topology of `features` (one MultiPolygon each, in order). Cost: O(V log V) in the
// total vertex count; ≈ 1 s for 5 M vertices.
Topology build_topology(std::span<const MultiPolygon> features);

// Rebuild feature `f` from `arcs` (the topology's own or simplified copies with the same ends).
MultiPolygon rebuild(const Topology& topology, const std::vector<std::vector<Point>>& arcs, std::size_t f);

// The arcs as point lists (full detail).
std::vector<std::vector<Point>> arc_points(const Topology& topology);

}  // namespace onemap::gis
