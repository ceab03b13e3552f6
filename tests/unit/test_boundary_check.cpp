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

// certainly_valid must never call a ring valid that GEOS calls invalid; and it must prove the plain
// polygons it exists for. Every shape here is also judged by GEOS.
#include "gis/geos.hpp"
#include "gis/random.hpp"

namespace {
bool geos_valid(const MultiPolygon& g) {
    GeosContext gc;
    const GeosGeometry geom = gc.make(g);
    return geom && gc.is_valid(geom);
}
MultiPolygon ring(std::vector<Point> pts) { return {Polygon{std::move(pts), {}}}; }
}  // namespace

TEST(BoundaryCheck, CertainlyValidAgreesWithGeosOnHandMadeCases) {
    struct Case {
        const char* what;
        MultiPolygon g;
        bool certainly;
    };
    const std::vector<Case> cases = {
        {"square", box(0, 0, 1, 1), true},
        {"triangle", ring({{0, 0}, {1, 0}, {0, 1}}), true},
        {"collinear points along an edge", ring({{0, 0}, {0.5, 0}, {1, 0}, {1, 1}, {0, 1}}), true},
        {"repeated point", ring({{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}}), true},
        {"closing point included", ring({{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}), true},
        {"bow-tie", ring({{0, 0}, {1, 1}, {1, 0}, {0, 1}}), false},
        {"spike back along an edge", ring({{0, 0}, {2, 0}, {1, 0}, {1, 1}}), false},
        {"ring touching itself at a vertex", ring({{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}}), false},
        {"vertex on another edge", ring({{0, 0}, {2, 0}, {2, 2}, {1, 0}, {0, 2}}), false},
        {"collinear overlap of far edges", ring({{0, 0}, {3, 0}, {3, 1}, {2, 1}, {2, 0}, {1, 0}, {1, 1}, {0, 1}}), false},
        {"two points", ring({{0, 0}, {1, 1}}), false},
        {"all on a line", ring({{0, 0}, {1, 0}, {2, 0}}), false},
        {"with a hole (left to GEOS)", MultiPolygon{Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 1}, {1, 2}, {2, 2}, {2, 1}}}}}, false},
        {"two parts (left to GEOS)", MultiPolygon{box(0, 0, 1, 1)[0], box(2, 0, 3, 1)[0]}, false},
        {"not a number", ring({{0, 0}, {1, 0}, {std::nan(""), 1}}), false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(certainly_valid(c.g), c.certainly) << c.what;
        if (c.certainly) {
            EXPECT_TRUE(geos_valid(c.g)) << c.what;
        }
    }
}

TEST(BoundaryCheck, CertainlyValidNeverContradictsGeosOnRandomRings) {
    Random rng(20261129);
    int proved_star = 0, stars = 0, proved_junk = 0, junk_valid = 0;
    for (int n = 0; n < 3000; ++n) {
        const int k = static_cast<int>(rng.range(3, 40));
        std::vector<Point> pts;
        const int kind = n % 3;
        if (kind == 0) {  // star-shaped around a centre: always simple
            for (int i = 0; i < k; ++i) {
                const double a = 2 * 3.141592653589793 * (i + rng.uniform(0.05, 0.95)) / k, r = rng.uniform(0.2, 1.0);
                pts.push_back({113.6 + r * std::cos(a) * 0.01, 34.7 + r * std::sin(a) * 0.01});
            }
        } else if (kind == 1) {  // random points: mostly self-intersecting
            for (int i = 0; i < k; ++i) pts.push_back({113.6 + rng.uniform(0, 0.01), 34.7 + rng.uniform(0, 0.01)});
        } else {  // on a coarse lattice: collinear edges, shared vertices, touching and folding back
            for (int i = 0; i < k; ++i) pts.push_back({113.6 + 0.001 * static_cast<double>(rng.range(0, 4)), 34.7 + 0.001 * static_cast<double>(rng.range(0, 4))});
        }
        const MultiPolygon g = ring(pts);
        const bool proved = certainly_valid(g);
        const bool geos = geos_valid(g);
        if (proved) {
            EXPECT_TRUE(geos) << "case " << n << " kind " << kind;
        }
        if (kind == 0) {
            ++stars;
            proved_star += proved;
        } else {
            proved_junk += proved;
            junk_valid += geos;
        }
    }
    EXPECT_EQ(proved_star, stars);  // plain polygons take the fast path
    EXPECT_LE(proved_junk, junk_valid);
    EXPECT_GT(proved_junk, 0);      // some lattice and random rings are simple, and are proved so
}

// The gap search skips noding when the outline's edges already meet only at their ends; where they
// do not (here a T-junction: a cell split in two against an unsplit neighbour, and a crossing
// sliver), the union nodes them first. Both must find the same kind of gap.
TEST(BoundaryCheck, GapsAreFoundWithAndWithoutNodingTheOutline) {
    auto noded = grid(3, 4);  // the centre missing: every outline edge meets others at its ends
    auto r = check_coverage(noded, 1000);
    ASSERT_EQ(r.gaps.size(), 1u);
    const double cell_m2 = r.gaps[0].area_m2;

    auto t_junction = grid(3, 4);  // cells 0 1 2 / 3 _ 4 / 5 6 7 (the centre missing)
    t_junction[0] = box(x(0), y(0), x(0) + 0.005, y(1));  // the south-west cell split at x + 0.005 …
    t_junction.push_back(box(x(0) + 0.005, y(0), x(1), y(1)));
    t_junction[3] = box(x(0), y(1), x(0) + 0.003, y(2));  // … and the cell north of it cut short: a strip open to the centre
    r = check_coverage(t_junction, 1000);
    ASSERT_EQ(r.gaps.size(), 1u);  // the centre and the strip beside it, one face
    double total = 0;
    for (const auto& g : r.gaps) total += g.area_m2;
    EXPECT_NEAR(total, cell_m2 * (1 + 0.7), 2000);
}
