#include "gis/geos.hpp"
#include "gis/raster_coverage.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace onemap::gis;

namespace {
LabelGrid grid_from(std::vector<std::string> rows) {
    // rows[0] is the top row; '.' is outside, digits are labels.
    LabelGrid g;
    g.height = static_cast<int>(rows.size());
    g.width = static_cast<int>(rows[0].size());
    g.labels.resize(static_cast<std::size_t>(g.width * g.height));
    for (int r = 0; r < g.height; ++r) {
        const std::string& row = rows[static_cast<std::size_t>(g.height - 1 - r)];
        for (int c = 0; c < g.width; ++c) g.labels[static_cast<std::size_t>(r * g.width + c)] = row[static_cast<std::size_t>(c)] == '.' ? -1 : row[static_cast<std::size_t>(c)] - '0';
    }
    return g;
}

void expect_valid_coverage(const std::vector<MultiPolygon>& parts, double expected_total) {
    GeosContext geos;
    double sum = 0;
    std::vector<GeosGeometry> geoms;
    for (const auto& mp : parts) {
        auto g = geos.make(mp);
        std::string why;
        EXPECT_TRUE(geos.is_valid(g, &why)) << why;
        sum += geos.area(g);
        geoms.push_back(std::move(g));
    }
    EXPECT_NEAR(sum, expected_total, 1e-9);
    auto u = geos.unary_union(std::move(geoms));
    EXPECT_NEAR(geos.area(u), expected_total, 1e-9) << "parts overlap or leave gaps";
}
}  // namespace

TEST(RasterCoverage, TwoLabelsShareOneArc) {
    LabelGrid g = grid_from({"0011", "0011"});
    const Coverage cov = trace_coverage(g, 0);
    int shared = 0;
    for (const auto& arc : cov.arcs) {
        if (arc.left >= 0 && arc.right >= 0) ++shared;
    }
    EXPECT_EQ(shared, 1);
    const std::vector<std::int32_t> identity{0, 1};
    const auto parts = assemble_polygons(cov, identity, 2);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_DOUBLE_EQ(area(parts[0]), 4.0);
    EXPECT_DOUBLE_EQ(area(parts[1]), 4.0);
    EXPECT_GT(signed_area(parts[0][0].outer), 0) << "outer rings are counter-clockwise";
}

TEST(RasterCoverage, SmoothingKeepsAreasAddingUpAndValid) {
    LabelGrid g = grid_from({".0001111.", "001112211", "0311222..", "333322.4.", "33..2244."});
    const Coverage cov = trace_coverage(g, 2);
    const std::vector<std::int32_t> identity{0, 1, 2, 3, 4};
    const auto parts = assemble_polygons(cov, identity, 5);
    // The whole (all labels as one group) has the same area as the sum of parts.
    const std::vector<std::int32_t> one{0, 0, 0, 0, 0};
    const auto whole = assemble_polygons(cov, one, 1);
    expect_valid_coverage(parts, area(whole[0]));
}

TEST(RasterCoverage, EnclaveBecomesHole) {
    LabelGrid g = grid_from({"00000", "01110", "01110", "00000"});
    const Coverage cov = trace_coverage(g, 1);
    const std::vector<std::int32_t> identity{0, 1};
    const auto parts = assemble_polygons(cov, identity, 2);
    ASSERT_EQ(parts[0].size(), 1u);
    EXPECT_EQ(parts[0][0].holes.size(), 1u);
    EXPECT_NEAR(area(parts[1]), std::abs(signed_area(parts[0][0].holes[0])), 1e-12) << "the hole is exactly the enclave";
    expect_valid_coverage(parts, area(assemble_polygons(cov, std::vector<std::int32_t>{0, 0}, 1)[0]));
}

TEST(RasterCoverage, DiagonalSelfTouchSplitsIntoValidRings) {
    // Label 0 touches itself at corners: must come out valid (two shells meeting at a point).
    LabelGrid g = grid_from({"01", "10"});
    const Coverage cov = trace_coverage(g, 0);
    const std::vector<std::int32_t> identity{0, 1};
    const auto parts = assemble_polygons(cov, identity, 2);
    EXPECT_EQ(parts[0].size(), 2u);
    EXPECT_EQ(parts[1].size(), 2u);
    expect_valid_coverage(parts, 4.0);
}

TEST(RasterCoverage, RingAroundHoleTouchingAtCornerIsValid) {
    LabelGrid g = grid_from({"00000", "01110", "01210", "01100", "00000"});
    // Label 1 surrounds 2 but touches 0 diagonally at the lower right of 2.
    const Coverage cov = trace_coverage(g, 1);
    const std::vector<std::int32_t> identity{0, 1, 2};
    const auto parts = assemble_polygons(cov, identity, 3);
    expect_valid_coverage(parts, area(assemble_polygons(cov, std::vector<std::int32_t>{0, 0, 0}, 1)[0]));
}

TEST(RasterCoverage, MergeFragmentsRespectsGroups) {
    LabelGrid g = grid_from({"0010", "0000", "2233"});
    // Label 1 has one cell (below min size) → goes to 0, its only same-group neighbour.
    const auto changed = merge_fragments(g, [](std::int32_t l) { return l < 2 ? 0 : 1; }, 2);
    EXPECT_EQ(changed, 1u);
    EXPECT_EQ(g.at(2, 2), 0);
    EXPECT_EQ(g.at(0, 0), 2);
}

TEST(RasterCoverage, MergeFragmentsKeepsLargestPiece) {
    LabelGrid g = grid_from({"000", "010", "000", "111"});
    merge_fragments(g);
    EXPECT_EQ(g.at(1, 2), 0) << "the lone cell of 1 joins 0";
    EXPECT_EQ(g.at(0, 0), 1);
}
