#pragma once
// Topology-preserving simplification: each arc is simplified once (Douglas–Peucker), so both
// neighbours of a border move together — no gaps, no slivers. Rings stay valid: features that
// come out invalid get their arcs re-simplified at half the tolerance until they are valid (at
// worst back to full detail). A small region never vanishes: an arc of a ring made of fewer than
// three arcs keeps at least its farthest interior point (a closed arc at least two), so every ring
// keeps three or more vertices; arcs of rings with three or more arcs may become straight.
#include "gis/topology.hpp"

#include <vector>

namespace onemap::gis {

using ArcSet = std::vector<std::vector<Point>>;

// Douglas–Peucker on one arc (ends kept); `keep_one` keeps the farthest interior point even when
// it lies within tolerance (closed arcs always keep two).
std::vector<Point> simplify_arc(const std::vector<Point>& arc, double tolerance, bool keep_one = true);

struct SimplifyStats {
    std::size_t repaired_features = 0;  // features that needed a finer tolerance
    std::size_t vertices_before = 0;
    std::size_t vertices_after = 0;
};

// Simplify every arc of `topology` (full detail in `full`) at `tolerance`, then repair invalid
// features as above. `threads` workers, each with its own GEOS context.
ArcSet simplify_topology(const Topology& topology, const ArcSet& full, double tolerance, int threads = 2,
                         SimplifyStats* stats = nullptr);

}  // namespace onemap::gis
