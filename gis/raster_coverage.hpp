#pragma once
// A polygon coverage traced from a labelled grid.
//
//   LabelGrid  ──merge_fragments──▶ every label one 4-connected piece
//       │
//       └──trace_coverage──▶ Coverage: arcs between nodes, each shared border stored once,
//                               with the label on its left and on its right (-1 = outside)
//                                   │
//                                   └──assemble_polygons(group_of_label)──▶ one MultiPolygon per group
//
// Because every level (village, township, county …) is assembled from the same arcs, neighbours
// share their borders bit for bit and every group nests exactly inside the groups it belongs to.
// Arcs are smoothed (Chaikin corner cutting with fixed end nodes), which keeps the coverage planar:
// cut corners stay within a quarter cell of the grid corner they replace.
// A label that touches itself at a single grid corner is split there into rings that touch at one
// point (two shells, or shell and hole), which is valid under OGC rules.
#include "geometry.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace onemap::gis {

struct LabelGrid {
    int width = 0;
    int height = 0;
    std::vector<std::int32_t> labels;  // row-major, row 0 at the bottom (smallest y); -1 = outside
    Point origin;                      // world coordinates of the bottom-left corner of cell (0, 0)
    double cell_w = 1;
    double cell_h = 1;

    std::int32_t at(int c, int r) const {
        return (c < 0 || r < 0 || c >= width || r >= height) ? -1 : labels[static_cast<std::size_t>(r) * width + c];
    }
    Point cell_centre(int c, int r) const { return {origin.x + (c + 0.5) * cell_w, origin.y + (r + 0.5) * cell_h}; }
};

struct Arc {
    std::vector<Point> points;  // world coordinates; first and last are nodes (equal for a closed loop)
    std::int32_t left = -1;     // label on the left when walking from first to last point
    std::int32_t right = -1;
    std::uint8_t start_dir = 0;  // grid direction of the first step: 0 east, 1 north, 2 west, 3 south
    std::uint8_t end_dir = 0;    // grid direction of the last step
    bool closed = false;         // a loop with no node (an enclave)
};

struct Coverage {
    std::vector<Arc> arcs;
    std::vector<std::int64_t> start_node;  // node id of each arc's first point (grid corner index)
    std::vector<std::int64_t> end_node;
};

// Reassign every 4-connected piece of a label except its largest, and every label whose largest
// piece has fewer than `min_cells` cells, to the neighbouring label sharing the longest border.
// When `group` is given, only neighbours of the same group are candidates (so villages never leave
// their county); a piece with no candidate neighbour becomes outside (-1). Returns cells changed.
std::size_t merge_fragments(LabelGrid& grid, const std::function<std::int32_t(std::int32_t)>& group = {},
                            std::size_t min_cells = 1);

// Trace all borders between different labels into arcs; `smoothing` rounds of corner cutting.
Coverage trace_coverage(const LabelGrid& grid, int smoothing = 1);

// Build one MultiPolygon per group; group_of_label[label] gives the group of each label (-1 drops it).
// Outer rings counter-clockwise, holes clockwise, no repeated closing point.
std::vector<MultiPolygon> assemble_polygons(const Coverage& coverage, std::span<const std::int32_t> group_of_label,
                                            std::size_t group_count);

}  // namespace onemap::gis
