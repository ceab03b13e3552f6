#pragma once
// Checks and repairs for administrative boundaries, on lon/lat polygons (GEOS underneath).
//
//   repair_polygons   invalid rings → MakeValid; rings oriented (outer counter-clockwise, holes clockwise)
//   find_overlaps     neighbours whose interiors overlap by more than a threshold, with a location
//   find_gaps         holes in the union of a level (slivers between neighbours) above a threshold
//   outside_parent    how much of a region lies outside its parent
//
// Areas are square metres on a local scale (adequate for thresholds, not for statistics).
#include "gis/geometry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace onemap::gis {

struct RepairOutcome {
    bool was_invalid = false;
    bool empty = false;            // nothing polygonal left (or nothing to begin with)
    std::string reason;            // GEOS's words, e.g. "Self-intersection"
    std::optional<Point> location; // where GEOS found the problem
};

// Repairs `g` in place. Cost: one validity check per feature; MakeValid only when invalid.
RepairOutcome repair_polygons(MultiPolygon& g);

// True only when `g` is provably valid (OGC simple features, as GEOS judges it): one polygon without
// holes whose ring is simple — at least 3 distinct points, no two edges meeting except neighbours at
// their shared vertex. Decided with floating-point predicates whose error bounds are checked
// (Shewchuk's orientation filter); false whenever a sign is in doubt, for any other shape, and for
// every invalid ring, so that "false" means "ask GEOS". repair_polygons uses it to skip GEOS's
// validity check for the common case: a plain village polygon, about 10× cheaper.
bool certainly_valid(const MultiPolygon& g);

double area_m2(const MultiPolygon& g);

// Per polygon: true when one of its edges is not shared exactly once, in the opposite direction, by
// another polygon. In a clean coverage only the regions on the level's outer border are suspects;
// overlaps and gaps can only involve suspects, so the costly checks below run on them alone.
// Cost: one sort of all edges (O(E log E)); exact coordinates (shared vertices must be identical).
std::vector<bool> coverage_suspects(const std::vector<MultiPolygon>& polygons);

struct Overlap {
    std::size_t a = 0, b = 0;  // indexes into the input, a < b
    double area_m2 = 0;
    Point location;            // a point inside the overlap
};
// Pairs whose interiors overlap by at least `min_area_m2`. Uses an STR-tree and prepared geometry;
// `threads` ≥ 1 splits the work.
std::vector<Overlap> find_overlaps(const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads = 1);

struct Gap {
    double area_m2 = 0;
    Point location;
};
// Holes in the union of `polygons` of at least `min_area_m2` (territory no region claims); holes that a
// region has itself (enclaves of a neighbouring province) are not gaps.
std::vector<Gap> find_gaps(const std::vector<MultiPolygon>& polygons, double min_area_m2);

// Both of the above from one pass over the edges (what the importer calls).
struct CoverageReport {
    std::vector<Overlap> overlaps;
    std::vector<Gap> gaps;
};
CoverageReport check_coverage(const std::vector<MultiPolygon>& polygons, double min_area_m2, int threads = 1);

struct Outside {
    double area_m2 = 0;
    Point location;  // a point of the child outside the parent
};
// nullopt when at most `min_area_m2` of `child` lies outside `parent`.
std::optional<Outside> outside_parent(const MultiPolygon& child, const MultiPolygon& parent, double min_area_m2);

// The same for many children at once: child i has parent parents[parent_of[i]] (npos: none). Each
// parent is built and prepared once for all its children; `threads` ≥ 1 splits the parents.
inline constexpr std::size_t k_no_parent = static_cast<std::size_t>(-1);
std::vector<std::optional<Outside>> outside_parents(const std::vector<const MultiPolygon*>& children, const std::vector<std::size_t>& parent_of,
                                                    const std::vector<const MultiPolygon*>& parents, double min_area_m2, int threads = 1);

}  // namespace onemap::gis
