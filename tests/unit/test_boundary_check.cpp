// Coverage checks on small hand-made grids: (input, expected) cases.
#include "gis/boundary_check.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace onemap::gis;

namespace {
MultiPolygon box(double x0, double y0, double x1, double y1) { return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}}}; }

// Shared corners computed one way, so neighbours' vertices are bitwise identical (as in real data).
double x(int i) { return 113.5 + i * 0.01; }
double y(int j) { return 34.7 + j * 0.01; }

// n × n cells of 0.01° near Zhengzhou; `skip` leaves one cell out.
std::vector<MultiPolygon> grid(int n, int skip = -1) {
    std::vector<MultiPolygon> out;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            if (j * n + i != skip) out.push_back(box(x(i), y(j), x(i + 1), y(j + 1)));
    return out;
}
}  // namespace

TEST(BoundaryCheck, CleanGridHasNoSuspectsInsideAndNoFindings) {
    const auto cells = grid(4);
    const auto suspects = coverage_suspects(cells);
    EXPECT_FALSE(suspects[5]);   // interior cells share every edge
    EXPECT_FALSE(suspects[10]);
    EXPECT_TRUE(suspects[0]);    // border cells have the level's outline
    const auto r = check_coverage(cells, 1000, 2);
    EXPECT_TRUE(r.overlaps.empty());
    EXPECT_TRUE(r.gaps.empty());
}

TEST(BoundaryCheck, MissingCellIsAGapWithItsLocation) {
    const auto r = check_coverage(grid(3, 4), 1000);
    ASSERT_EQ(r.gaps.size(), 1u);
    EXPECT_NEAR(r.gaps[0].location.x, 113.515, 0.005);
    EXPECT_NEAR(r.gaps[0].location.y, 34.715, 0.005);
    EXPECT_NEAR(r.gaps[0].area_m2, 0.01 * 0.01 * 111320 * 111320 * std::cos(34.715 * M_PI / 180), 2000);
}

TEST(BoundaryCheck, SliverAndNestedOverlapsAreFound) {
    auto cells = grid(3);
    cells[4] = box(x(1), y(1), x(2) + 0.003, y(2));  // centre cell pushed 0.003° into its east neighbour
    auto r = check_coverage(cells, 1000);
    ASSERT_EQ(r.overlaps.size(), 1u);
    EXPECT_EQ(r.overlaps[0].a, 4u);
    EXPECT_EQ(r.overlaps[0].b, 5u);
    EXPECT_EQ(r.gaps.size(), 0u);  // only the east edge moved: no territory left unclaimed

    cells = grid(3);
    cells.push_back(box(x(1) + 0.002, y(1) + 0.002, x(2) - 0.002, y(2) - 0.002));  // a region inside the (clean) centre cell
    r = check_coverage(cells, 1000);
    ASSERT_EQ(r.overlaps.size(), 1u);
    EXPECT_EQ(r.overlaps[0].a, 4u);
    EXPECT_EQ(r.overlaps[0].b, 9u);
}

TEST(BoundaryCheck, RepairOrientsAndFixesBowTie) {
    MultiPolygon bow{Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}}, {}}};
    bow[0].outer = {{113, 34}, {113.1, 34.1}, {113.1, 34}, {113, 34.1}};
    const auto r = repair_polygons(bow);
    EXPECT_TRUE(r.was_invalid);
    EXPECT_EQ(r.reason, "Self-intersection");
    ASSERT_TRUE(r.location);
    EXPECT_NEAR(r.location->x, 113.05, 1e-9);
    EXPECT_EQ(bow.size(), 2u);
    for (const auto& p : bow) EXPECT_GT(signed_area(p.outer), 0);
    MultiPolygon cw{Polygon{{{113, 34}, {113, 34.1}, {113.1, 34.1}, {113.1, 34}}, {}}};
    EXPECT_FALSE(repair_polygons(cw).was_invalid);
    EXPECT_GT(signed_area(cw[0].outer), 0);  // clockwise outer ring turned counter-clockwise
}

TEST(BoundaryCheck, OutsideParentsFastPathAgreesWithGeos) {
    // Parent: a 0.1° square with a notch cut into its top edge (a reflex vertex at 113.55, 34.75).
    const MultiPolygon parent{Polygon{{{113.5, 34.7}, {113.6, 34.7}, {113.6, 34.8}, {113.56, 34.8}, {113.55, 34.75}, {113.54, 34.8}, {113.5, 34.8}}, {}}};
    const std::vector<MultiPolygon> kids = {
        box(113.5, 34.7, 113.52, 34.72),    // 0: inside, sharing two border edges
        box(113.52, 34.72, 113.53, 34.73),  // 1: clear of the border
        // 2: vertices inside or on the border, but its top edge runs straight across the notch
        MultiPolygon{Polygon{{{113.53, 34.74}, {113.57, 34.74}, {113.57, 34.79}, {113.53, 34.79}}, {}}},
        box(113.59, 34.75, 113.62, 34.76),  // 3: pokes out to the east
    };
    std::vector<const MultiPolygon*> kid_ptrs, parent_ptrs{&parent};
    for (const auto& k : kids) kid_ptrs.push_back(&k);
    const auto out = outside_parents(kid_ptrs, {0, 0, 0, 0}, parent_ptrs, 1000, 1);
    EXPECT_FALSE(out[0]);
    EXPECT_FALSE(out[1]);
    ASSERT_TRUE(out[2]);  // the notch lies inside the child: outside the parent
    EXPECT_NEAR(out[2]->location.y, 34.78, 0.02);
    ASSERT_TRUE(out[3]);
    EXPECT_GT(out[3]->location.x, 113.6);
    for (std::size_t i = 0; i < kids.size(); ++i) {  // same verdicts as the one-by-one GEOS check
        EXPECT_EQ(out[i].has_value(), outside_parent(kids[i], parent, 1000).has_value()) << i;
    }
}
